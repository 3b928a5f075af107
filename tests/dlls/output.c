/* output.c: routines that write to standard output and standard error in the ways a DLL
 * does: through msvcrt's streams (what mingw-w64 links), and through WriteFile on the
 * standard handles. */
#include "zb_test.h"
#include <stdio.h>
#include <string.h>
#include <windows.h>

ZB_EXPORT int ZB_CONV out_line(int i)
{
    return printf("dll line %d\n", i);
}

ZB_EXPORT int ZB_CONV err_line(int i)
{
    return fprintf(stderr, "dll error %d\n", i);
}

ZB_EXPORT int ZB_CONV out_raw(const char *text, int to_stderr)
{
    DWORD written = 0;
    HANDLE h = GetStdHandle(to_stderr ? STD_ERROR_HANDLE : STD_OUTPUT_HANDLE);
    if (!WriteFile(h, text, (DWORD)strlen(text), &written, NULL))
        return -1;
    return (int)written;
}

/* Writes around a callback: what it writes before must come before what the callback
 * prints, what it writes after must come after. */
ZB_EXPORT int ZB_CONV out_around(int (ZB_CONV *cb)(int), int i)
{
    printf("before callback %d\n", i);
    int r = cb(i);
    printf("after callback %d\n", i);
    return r;
}

/* Writes n bytes of the letter c in one call (more than a pipe would hold). */
ZB_EXPORT int ZB_CONV out_bulk(int n, int c)
{
    static char buf[1 << 16];
    int left = n;
    memset(buf, c, sizeof buf);
    while (left > 0) {
        int k = left < (int)sizeof buf ? left : (int)sizeof buf;
        if (fwrite(buf, 1, k, stdout) != (size_t)k)
            return -1;
        left -= k;
    }
    return n;
}

static DWORD WINAPI later(LPVOID arg)
{
    Sleep(50);
    printf("from a thread %d\n", (int)(INT_PTR)arg);
    return 0;
}

/* Starts a thread that writes after the call has returned; returns its handle. */
ZB_EXPORT HANDLE ZB_CONV out_thread(int i)
{
    return CreateThread(NULL, 0, later, (LPVOID)(INT_PTR)i, 0, NULL);
}
