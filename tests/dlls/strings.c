/*
 * strings.c: char * and wchar_t * (UTF-16) strings in both directions.
 *
 * Lengths and sums of the code units show what the DLL received (NULL gives
 * -1); routines returning static strings, a NULL string, and the argument
 * itself show how c_char_p / c_wchar_p return values are read back. The static
 * wide string holds non-ASCII and non-BMP characters (a surrogate pair).
 */

#include "zb_test.h"

ZB_EXPORT int ZB_CONV str_len(const char *s)
{
    int n = 0;
    if (s == NULL) return -1;
    while (s[n]) n++;
    return n;
}

ZB_EXPORT int ZB_CONV wstr_len(const wchar_t *s)
{
    int n = 0;
    if (s == NULL) return -1;
    while (s[n]) n++;
    return n;
}

/* Sum of the unsigned code units: bytes for char *, UTF-16 units for wchar_t *. */
ZB_EXPORT long long ZB_CONV str_sum(const char *s)
{
    long long sum = 0;
    if (s == NULL) return -1;
    for (; *s; s++) sum += (unsigned char)*s;
    return sum;
}

ZB_EXPORT long long ZB_CONV wstr_sum(const wchar_t *s)
{
    long long sum = 0;
    if (s == NULL) return -1;
    for (; *s; s++) sum += (unsigned short)*s;
    return sum;
}

ZB_EXPORT int ZB_CONV str_is_null(const char *s) { return s == NULL; }
ZB_EXPORT int ZB_CONV wstr_is_null(const wchar_t *s) { return s == NULL; }

ZB_EXPORT const char *ZB_CONV str_static(void) { return "zugbruecke"; }
ZB_EXPORT const wchar_t *ZB_CONV wstr_static(void) { return L"Br\u00fccke \u20ac \U0001F309"; }

ZB_EXPORT const char *ZB_CONV str_null(void) { return NULL; }
ZB_EXPORT const wchar_t *ZB_CONV wstr_null(void) { return NULL; }

ZB_EXPORT const char *ZB_CONV str_echo(const char *s) { return s; }
ZB_EXPORT const wchar_t *ZB_CONV wstr_echo(const wchar_t *s) { return s; }

/* The character at index i, so a string is checked position by position. */
ZB_EXPORT char ZB_CONV str_at(const char *s, int i) { return s[i]; }
ZB_EXPORT wchar_t ZB_CONV wstr_at(const wchar_t *s, int i) { return s[i]; }
