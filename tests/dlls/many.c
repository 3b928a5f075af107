/*
 * many.c: routines with 5 to 12 arguments mixing int, long long, float, double
 * and narrow integers in different positions. On win64 the first four go to
 * registers (RCX/RDX/R8/R9 or XMM0-3 by position) and the rest to the stack;
 * on win32 all go to the stack, 4 or 8 bytes each. Every argument is multiplied
 * by its own weight (distinct primes) and the products are summed left to
 * right, so an argument in a wrong register or stack slot changes the result.
 * Integer-only routines return a 64-bit integer; mixed ones return a double.
 */

#include "zb_test.h"

ZB_EXPORT long long ZB_CONV many5_iiiii(int a, int b, int c, int d, int e)
{
    return a * 2LL + b * 3LL + c * 5LL + d * 7LL + e * 11LL;
}

ZB_EXPORT long long ZB_CONV many6_iLiLiL(int a, long long b, int c, long long d, int e, long long f)
{
    return a * 2LL + b * 3LL + c * 5LL + d * 7LL + e * 11LL + f * 13LL;
}

ZB_EXPORT long long ZB_CONV many8_narrow(signed char a, short b, int c, unsigned char d,
                                         unsigned short e, long long f, signed char g, short h)
{
    return a * 2LL + b * 3LL + c * 5LL + d * 7LL + e * 11LL + f * 13LL + g * 17LL + h * 19LL;
}

ZB_EXPORT long long ZB_CONV many11_L(long long a, long long b, long long c, long long d, long long e,
                                     long long f, long long g, long long h, long long i, long long j,
                                     long long k)
{
    return a * 2LL + b * 3LL + c * 5LL + d * 7LL + e * 11LL + f * 13LL + g * 17LL + h * 19LL
           + i * 23LL + j * 29LL + k * 31LL;
}

ZB_EXPORT double ZB_CONV many7_idfdifd(int a, double b, float c, double d, int e, float f, double g)
{
    return a * 2.0 + b * 3.0 + c * 5.0 + d * 7.0 + e * 11.0 + f * 13.0 + g * 17.0;
}

ZB_EXPORT double ZB_CONV many8_f(float a, float b, float c, float d, float e, float f, float g, float h)
{
    return a * 2.0 + b * 3.0 + c * 5.0 + d * 7.0 + e * 11.0 + f * 13.0 + g * 17.0 + h * 19.0;
}

ZB_EXPORT double ZB_CONV many9_d(double a, double b, double c, double d, double e, double f,
                                 double g, double h, double i)
{
    return a * 2.0 + b * 3.0 + c * 5.0 + d * 7.0 + e * 11.0 + f * 13.0 + g * 17.0 + h * 19.0
           + i * 23.0;
}

ZB_EXPORT double ZB_CONV many10_Lfidfidfid(long long a, float b, int c, double d, float e, int f,
                                           double g, float h, int i, double j)
{
    return a * 2.0 + b * 3.0 + c * 5.0 + d * 7.0 + e * 11.0 + f * 13.0 + g * 17.0 + h * 19.0
           + i * 23.0 + j * 29.0;
}

ZB_EXPORT double ZB_CONV many12_fdiL(float a, double b, int c, long long d, float e, double f,
                                     int g, long long h, float i, double j, int k, long long l)
{
    return a * 2.0 + b * 3.0 + c * 5.0 + d * 7.0 + e * 11.0 + f * 13.0 + g * 17.0 + h * 19.0
           + i * 23.0 + j * 29.0 + k * 31.0 + l * 37.0;
}

/* A float result from many arguments: read from st(0) or XMM0, not EAX/RAX. */
ZB_EXPORT float ZB_CONV many6_float_result(int a, float b, int c, float d, int e, float f)
{
    return (float)(a * 2.0 + b * 3.0 + c * 5.0 + d * 7.0 + e * 11.0 + f * 13.0);
}
