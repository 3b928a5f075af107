/*
 * zb_test.h: shared by every test DLL source of zugbruecke's test suite.
 *
 * ZB_EXPORT marks a routine for export from the DLL. ZB_CONV is its calling
 * convention: the builder in tests/conftest.py passes -DZB_CONV=__cdecl or
 * -DZB_CONV=__stdcall, so one source yields a cdecl and a stdcall DLL. On win64
 * both are the one Microsoft x64 convention (the compiler ignores __stdcall).
 */

#ifndef ZB_TEST_H
#define ZB_TEST_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#ifndef ZB_EXPORT
#define ZB_EXPORT __declspec(dllexport)
#endif

#ifndef ZB_CONV
#define ZB_CONV __cdecl
#endif

#endif /* ZB_TEST_H */
