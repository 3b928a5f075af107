/*
 * varargs.c: variadic routines. A variadic routine is always __cdecl (the
 * caller cleans the stack; __stdcall cannot exist for it), so ZB_CONV is not
 * used here and the tests load this DLL with CDLL only. On win64 a variadic
 * double travels in both an XMM and an integer register.
 */

#include <stdarg.h>
#include "zb_test.h"

/* Sum of n int arguments, each weighted by its 1-based position. */
ZB_EXPORT long long __cdecl sum_ints_varargs(int n, ...)
{
    va_list ap;
    long long sum = 0;
    int i;
    va_start(ap, n);
    for (i = 0; i < n; i++) sum += (long long)va_arg(ap, int) * (i + 1);
    va_end(ap);
    return sum;
}

/* Sum of n double arguments, each weighted by its 1-based position. */
ZB_EXPORT double __cdecl sum_doubles_varargs(int n, ...)
{
    va_list ap;
    double sum = 0.0;
    int i;
    va_start(ap, n);
    for (i = 0; i < n; i++) sum += va_arg(ap, double) * (i + 1);
    va_end(ap);
    return sum;
}
