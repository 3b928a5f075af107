/*
 * threads.c: routines for Python threads sharing one session. barrier(n) only
 * returns 1 when n callers are inside it at the same time, which proves that
 * calls from different Python threads run concurrently in the DLL.
 */

#include <windows.h>

#include "zb_test.h"

static volatile LONG arrived;

ZB_EXPORT void ZB_CONV barrier_reset(void) { InterlockedExchange(&arrived, 0); }

ZB_EXPORT int ZB_CONV barrier(int n, int timeout_ms)
{
    DWORD start = GetTickCount();
    InterlockedIncrement(&arrived);
    while (arrived < n) {
        if ((int)(GetTickCount() - start) > timeout_ms) return 0;
        Sleep(1);
    }
    return 1;
}

ZB_EXPORT int ZB_CONV mul_add(int a, int b, int c) { return a * b + c; }

ZB_EXPORT unsigned int ZB_CONV thread_id(void) { return GetCurrentThreadId(); }
