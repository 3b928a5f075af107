/*
 * floats.c: float and double cross the boundary bit-exactly, as arguments and
 * as return values (x87 st(0) on win32, XMM0 on win64), including infinities,
 * NaNs, signed zeros and subnormals.
 *
 * Besides identity, add and multiply, some routines compute a floating point
 * result from integer arguments only: a caller that reads the integer return
 * register instead of st(0)/XMM0 gets garbage there, so a lost float or double
 * result becomes visible. Arithmetic is compiled to SSE (see conftest.py) so
 * results are IEEE single/double rounded exactly once.
 */

#include "zb_test.h"

ZB_EXPORT float ZB_CONV echo_float(float x) { return x; }
ZB_EXPORT float ZB_CONV add_float(float a, float b) { return a + b; }
ZB_EXPORT float ZB_CONV mul_float(float a, float b) { return a * b; }

ZB_EXPORT double ZB_CONV echo_double(double x) { return x; }
ZB_EXPORT double ZB_CONV add_double(double a, double b) { return a + b; }
ZB_EXPORT double ZB_CONV mul_double(double a, double b) { return a * b; }

/* Floating point results computed from integer arguments. */
ZB_EXPORT float ZB_CONV div_float_from_ints(int a, int b) { return (float)a / (float)b; }
ZB_EXPORT double ZB_CONV div_double_from_ints(int a, int b) { return (double)a / (double)b; }
ZB_EXPORT double ZB_CONV double_from_longlong(long long x) { return (double)x; }
ZB_EXPORT float ZB_CONV float_const(void) { return 0.15625f; }
ZB_EXPORT double ZB_CONV double_const(void) { return -2.75; }

/* Mixed: the float argument follows an int, the result is an int again. */
ZB_EXPORT int ZB_CONV trunc_float_plus_int(int a, float b) { return a + (int)b; }
ZB_EXPORT long long ZB_CONV trunc_double_plus_longlong(long long a, double b) { return a + (long long)b; }
