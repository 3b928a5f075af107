/*
 * faults.c: routines that misbehave the way legacy DLLs do: faults the server
 * must turn into OSError (access violations, division by zero, an illegal
 * instruction, a stack overflow, RaiseException), the process ending under the
 * caller (exit, abort, TerminateProcess) and a call that never returns.
 */

#include <stdlib.h>
#include <windows.h>

#include "zb_test.h"

ZB_EXPORT int ZB_CONV read_at(volatile int *p) { return *p; }

ZB_EXPORT void ZB_CONV write_at(volatile int *p, int v) { *p = v; }

ZB_EXPORT int ZB_CONV divide(int a, int b)
{
    volatile int d = b;
    return a / d;
}

ZB_EXPORT void ZB_CONV illegal(void) { __asm__ volatile("ud2"); }

/* Recursion with a large frame: hits the guard page after a few hundred calls. */
ZB_EXPORT int ZB_CONV overflow(int n)
{
    volatile char frame[4096];
    frame[0] = (char)n;
    frame[sizeof frame - 1] = (char)n;
    return overflow(n + 1) + frame[0] + frame[sizeof frame - 1];
}

ZB_EXPORT void ZB_CONV raise_code(unsigned int code) { RaiseException(code, 0, 0, NULL); }

ZB_EXPORT void ZB_CONV do_exit(int code) { exit(code); }

ZB_EXPORT void ZB_CONV do_abort(void) { abort(); }

ZB_EXPORT void ZB_CONV do_terminate(void) { TerminateProcess(GetCurrentProcess(), 3); }

ZB_EXPORT void ZB_CONV hang(void)
{
    for (;;) Sleep(1000);
}

ZB_EXPORT int ZB_CONV add(int a, int b) { return a + b; }
