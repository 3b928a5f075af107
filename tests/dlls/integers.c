/*
 * integers.c: every fundamental integer type of the Windows ABI crosses the
 * boundary intact, as argument and as return value.
 *
 * For each type T named N: `T echo_N(T x)` returns its argument unchanged;
 * `T add_N(T a, T b)` returns a + b wrapped to the width of T (two's complement);
 * `long long widen_N(T x)` returns x converted to 64 bits inside the DLL, which
 * shows whether the callee sees the right sign or zero extension of a narrow
 * argument. long is 32 bits on Windows; wchar_t is 16 bits; char is signed.
 */

#include "zb_test.h"

#define ZB_INTEGER(N, T, U)                                                   \
    ZB_EXPORT T ZB_CONV echo_##N(T x) { return x; }                           \
    ZB_EXPORT T ZB_CONV add_##N(T a, T b) { return (T)((U)a + (U)b); }        \
    ZB_EXPORT long long ZB_CONV widen_##N(T x) { return (long long)x; }

ZB_INTEGER(schar, signed char, unsigned char)
ZB_INTEGER(uchar, unsigned char, unsigned char)
ZB_INTEGER(short, short, unsigned short)
ZB_INTEGER(ushort, unsigned short, unsigned short)
ZB_INTEGER(int, int, unsigned int)
ZB_INTEGER(uint, unsigned int, unsigned int)
ZB_INTEGER(long, long, unsigned long)
ZB_INTEGER(ulong, unsigned long, unsigned long)
ZB_INTEGER(longlong, long long, unsigned long long)
ZB_INTEGER(ulonglong, unsigned long long, unsigned long long)
ZB_INTEGER(size_t, size_t, size_t)
ZB_INTEGER(ssize_t, ptrdiff_t, size_t)
ZB_INTEGER(int8, int8_t, uint8_t)
ZB_INTEGER(uint8, uint8_t, uint8_t)
ZB_INTEGER(int16, int16_t, uint16_t)
ZB_INTEGER(uint16, uint16_t, uint16_t)
ZB_INTEGER(int32, int32_t, uint32_t)
ZB_INTEGER(uint32, uint32_t, uint32_t)
ZB_INTEGER(int64, int64_t, uint64_t)
ZB_INTEGER(uint64, uint64_t, uint64_t)

/* _Bool: identity, logical and, and its integer value as the DLL sees it. */
ZB_EXPORT _Bool ZB_CONV echo_bool(_Bool x) { return x; }
ZB_EXPORT _Bool ZB_CONV and_bool(_Bool a, _Bool b) { return a && b; }
ZB_EXPORT int ZB_CONV int_of_bool(_Bool x) { return (int)x; }

/* char (a single byte, signed with mingw): identity, xor, its unsigned code. */
ZB_EXPORT char ZB_CONV echo_char(char x) { return x; }
ZB_EXPORT char ZB_CONV xor_char(char a, char b) { return (char)(a ^ b); }
ZB_EXPORT int ZB_CONV code_of_char(char x) { return (int)(unsigned char)x; }

/* wchar_t (one UTF-16 code unit): identity, the larger of two, its code. */
ZB_EXPORT wchar_t ZB_CONV echo_wchar(wchar_t x) { return x; }
ZB_EXPORT wchar_t ZB_CONV max_wchar(wchar_t a, wchar_t b) { return a > b ? a : b; }
ZB_EXPORT int ZB_CONV code_of_wchar(wchar_t x) { return (int)x; }
ZB_EXPORT int ZB_CONV sizeof_wchar(void) { return (int)sizeof(wchar_t); }

/* void *: identity, a pointer moved by n bytes, and the pointer's size. */
ZB_EXPORT void *ZB_CONV echo_void_p(void *x) { return x; }
ZB_EXPORT void *ZB_CONV offset_void_p(void *p, ptrdiff_t n) { return (char *)p + n; }
ZB_EXPORT int ZB_CONV sizeof_void_p(void) { return (int)sizeof(void *); }
ZB_EXPORT int ZB_CONV is_null(void *p) { return p == NULL; }
