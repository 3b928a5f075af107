/*
 * memory.c: the DLL writes into memory that the caller owns, and the caller
 * sees the change after the call: a char buffer from create_string_buffer, a
 * wchar_t buffer from create_unicode_buffer, and single values passed with
 * byref() or pointer().
 *
 * fill(buf, n) writes n - 1 letters 'a', 'b', ... (cycling through the
 * alphabet) followed by a terminating NUL; n <= 0 writes nothing.
 */

#include "zb_test.h"

ZB_EXPORT void ZB_CONV fill(char *buf, int n)
{
    int i;
    if (n <= 0) return;
    for (i = 0; i < n - 1; i++) buf[i] = (char)('a' + i % 26);
    buf[n - 1] = '\0';
}

ZB_EXPORT void ZB_CONV wfill(wchar_t *buf, int n)
{
    int i;
    if (n <= 0) return;
    for (i = 0; i < n - 1; i++) buf[i] = (wchar_t)(0x3b1 + i % 24); /* Greek alpha, beta, ... */
    buf[n - 1] = L'\0';
}

/* Reverse the first n bytes in place: input and output through one buffer. */
ZB_EXPORT void ZB_CONV reverse_bytes(char *buf, int n)
{
    int i;
    for (i = 0; i < n / 2; i++) {
        char t = buf[i];
        buf[i] = buf[n - 1 - i];
        buf[n - 1 - i] = t;
    }
}

ZB_EXPORT void ZB_CONV set_int(int *p, int v) { *p = v; }
ZB_EXPORT int ZB_CONV get_int(const int *p) { return *p; }
ZB_EXPORT void ZB_CONV add_to_double(double *p, double v) { *p += v; }
ZB_EXPORT void ZB_CONV swap_longlong(long long *a, long long *b)
{
    long long t = *a;
    *a = *b;
    *b = t;
}
