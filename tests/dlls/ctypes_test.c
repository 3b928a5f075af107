/*
 * ctypes_test.c: the routines and variables that CPython's own ctypes tests (installed
 * with Python as ctypes/test) look up in CPython's _ctypes_test extension, with the same
 * names and C signatures, written for zugbruecke as a Windows DLL. tests/cpython_ctypes
 * binds `_ctypes_test.__file__` to this DLL. Types are those of Windows: long is 4 bytes,
 * and long double is double (as MSVC has it, and the session's c_longdouble).
 */
#include "zb_test.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>

#define API(type) ZB_EXPORT type

typedef double ldouble_t; /* MSVC's long double */

/* ---- exported variables ---------------------------------------------------------------- */

API(int) an_integer = 42;
API(long long) last_tf_arg_s = 0;
API(unsigned long long) last_tf_arg_u = 0;
API(long) left = 10;
API(long) top = 20;
API(long) right = 30;
API(long) bottom = 40;

typedef struct { unsigned int first, second; } TestReg;
API(TestReg) last_tfrsuv_arg = {0, 0};

API(int) get_an_integer(void) { return an_integer; }

/* ---- tf_<code>: remember the argument, return a third of it ------------------------------ */

#define KEEP_S(v) (last_tf_arg_s = (long long)(v))
#define KEEP_U(v) (last_tf_arg_u = (unsigned long long)(v))
#define THIRD(type, name, keep) \
    API(type) name(type v) { keep(v); return v / 3; }
#define THIRD_AFTER_BYTE(type, name, keep) \
    API(type) name(signed char unused, type v) { (void)unused; keep(v); return v / 3; }

THIRD(signed char, tf_b, KEEP_S)
THIRD(unsigned char, tf_B, KEEP_U)
THIRD(short, tf_h, KEEP_S)
THIRD(unsigned short, tf_H, KEEP_U)
THIRD(int, tf_i, KEEP_S)
THIRD(unsigned int, tf_I, KEEP_U)
THIRD(long, tf_l, KEEP_S)
THIRD(unsigned long, tf_L, KEEP_U)
THIRD(long long, tf_q, KEEP_S)
THIRD(unsigned long long, tf_Q, KEEP_U)
THIRD(float, tf_f, KEEP_S)
THIRD(double, tf_d, KEEP_S)
THIRD(ldouble_t, tf_D, KEEP_S)

THIRD_AFTER_BYTE(signed char, tf_bb, KEEP_S)
THIRD_AFTER_BYTE(unsigned char, tf_bB, KEEP_U)
THIRD_AFTER_BYTE(short, tf_bh, KEEP_S)
THIRD_AFTER_BYTE(unsigned short, tf_bH, KEEP_U)
THIRD_AFTER_BYTE(int, tf_bi, KEEP_S)
THIRD_AFTER_BYTE(unsigned int, tf_bI, KEEP_U)
THIRD_AFTER_BYTE(long, tf_bl, KEEP_S)
THIRD_AFTER_BYTE(unsigned long, tf_bL, KEEP_U)
THIRD_AFTER_BYTE(long long, tf_bq, KEEP_S)
THIRD_AFTER_BYTE(unsigned long long, tf_bQ, KEEP_U)
THIRD_AFTER_BYTE(float, tf_bf, KEEP_S)
THIRD_AFTER_BYTE(double, tf_bd, KEEP_S)
THIRD_AFTER_BYTE(ldouble_t, tf_bD, KEEP_S)

API(void) tv_i(int v) { KEEP_S(v); }

/* ---- mixed arguments --------------------------------------------------------------------- */

#define SUM6 (b + h + i + l + f + d)

API(int) _testfunc_i_bhilfd(signed char b, short h, int i, long l, float f, double d) { return (int)SUM6; }
API(float) _testfunc_f_bhilfd(signed char b, short h, int i, long l, float f, double d) { return (float)SUM6; }
API(double) _testfunc_d_bhilfd(signed char b, short h, int i, long l, float f, double d) { return (double)SUM6; }
API(ldouble_t) _testfunc_D_bhilfD(signed char b, short h, int i, long l, float f, ldouble_t d) { return SUM6; }
API(long long) _testfunc_q_bhilfd(signed char b, short h, int i, long l, float f, double d) { return (long long)SUM6; }
API(long long) _testfunc_q_bhilfdq(signed char b, short h, int i, long l, float f, double d, long long q)
{
    return (long long)(SUM6 + q);
}

API(void) _testfunc_v(int a, int b, int *presult) { *presult = a + b; }
API(char *) _testfunc_p_p(void *p) { return (char *)p; }
API(void *) _testfunc_c_p_p(int *argc, char **argv) { return argv[*argc - 1]; }
API(int *) _testfunc_ai8(int a[8]) { return a; }
API(int) _testfunc_deref_pointer(int *p) { return *p; }
API(int) testfunc_iii(int a, int b) { return a * b; }

/* ---- C library helpers ------------------------------------------------------------------- */

API(char *) my_strtok(char *s, const char *delim) { return strtok(s, delim); }
API(char *) my_strchr(const char *s, int c) { return strchr(s, c); }
API(double) my_sqrt(double v) { return sqrt(v); }
API(void) my_qsort(void *base, size_t n, size_t width, int (*cmp)(const void *, const void *))
{
    qsort(base, n, width, cmp);
}
API(void *) get_strchr(void) { return (void *)strchr; }
API(char *) my_strdup(char *s)
{
    char *copy = malloc(strlen(s) + 1);
    return copy ? strcpy(copy, s) : NULL;
}
API(void) my_free(void *p) { free(p); }
API(wchar_t *) my_wcsdup(wchar_t *s)
{
    size_t bytes = (wcslen(s) + 1) * sizeof(wchar_t);
    wchar_t *copy = malloc(bytes);
    return copy ? memcpy(copy, s, bytes) : NULL;
}
API(size_t) my_wcslen(wchar_t *s) { return wcslen(s); }

/* ---- callbacks --------------------------------------------------------------------------- */

API(int) _testfunc_cbk_reg_int(int a, int b, int c, int d, int e, int (*f)(int, int, int, int, int))
{
    return f(a * a, b * b, c * c, d * d, e * e);
}

API(double) _testfunc_cbk_reg_double(double a, double b, double c, double d, double e,
                                      double (*f)(double, double, double, double, double))
{
    return f(a * a, b * b, c * c, d * d, e * e);
}

typedef struct { unsigned long first, second, third; } Test;

API(void) _testfunc_cbk_large_struct(Test in, void (*f)(Test)) { f(in); }

API(void) _testfunc_large_struct_update_value(Test in)
{
    volatile Test *p = &in;
    p->first = p->second = p->third = 0x0badf00d;
}

API(void) _testfunc_reg_struct_update_value(TestReg in)
{
    volatile TestReg *p = &in;
    last_tfrsuv_arg = in;
    p->first = p->second = 0x0badf00d;
}

API(int) _testfunc_callback_with_pointer(int (*f)(int *))
{
    int numbers[10];
    for (int k = 0; k < 10; k++)
        numbers[k] = k + 1;
    return f(numbers);
}

API(int) _testfunc_callback_i_if(int value, int (*f)(int))
{
    int total = 0;
    for (; value != 0; value /= 2)
        total += f(value);
    return total;
}

API(long long) _testfunc_callback_q_qf(long long value, long long (*f)(long long))
{
    long long total = 0;
    for (; value != 0; value /= 2)
        total += f(value);
    return total;
}

typedef struct { int (*c)(int, int); int (__stdcall *s)(int, int); } FUNCS;

API(int) _testfunc_callfuncp(FUNCS *fp)
{
    fp->c(1, 2);
    fp->s(3, 4);
    return 0;
}

API(double) integrate(double a, double b, double (*f)(double), long steps)
{
    double dx = (b - a) / (double)steps, total = 0.0;
    for (double x = a + 0.5 * dx; (b - x) * (x - a) > 0.0; x += dx)
        total += f(x);
    return total / (double)steps;
}

typedef struct { void (*initialize)(void *(*)(int), void (*)(void *)); } xxx_library;

static void xxx_init(void *(*alloc_fn)(int), void (*free_fn)(void *)) { free_fn(alloc_fn(32)); }
static xxx_library xxx_lib = {xxx_init};
API(xxx_library *) library_get(void) { return &xxx_lib; }

/* ---- structures and unions, by value and by reference ------------------------------------ */

typedef struct { unsigned char data[16]; } Test2;
typedef struct { double data[2]; } Test3;
typedef struct { float data[2]; float more_data[2]; } Test3B;

API(int) _testfunc_array_in_struct1(Test2 in)
{
    int total = 0;
    for (int k = 0; k < 16; k++)
        total += in.data[k];
    memset(&in, 0, sizeof in);
    return total;
}

API(double) _testfunc_array_in_struct2(Test3 in)
{
    double total = in.data[0] + in.data[1];
    memset(&in, 0, sizeof in);
    return total;
}

API(double) _testfunc_array_in_struct2a(Test3B in)
{
    double total = in.data[0] + in.data[1] + in.more_data[0] + in.more_data[1];
    memset(&in, 0, sizeof in);
    return total;
}

typedef union { long a_long; struct { int an_int, another_int; } a_struct; } Test4;
typedef struct { int an_int; struct { int an_int; Test4 a_union; } nested; int another_int; } Test5;

API(long) _testfunc_union_by_value1(Test4 in)
{
    long total = in.a_long + in.a_struct.an_int + in.a_struct.another_int;
    memset(&in, 0, sizeof in);
    return total;
}

API(long) _testfunc_union_by_value2(Test5 in)
{
    long total = in.an_int + in.nested.an_int;
    memset(&in, 0, sizeof in);
    return total;
}

API(long) _testfunc_union_by_reference1(Test4 *in)
{
    long v = in->a_long;
    memset(in, 0, sizeof *in);
    return v;
}

API(long) _testfunc_union_by_reference2(Test4 *in)
{
    long v = in->a_struct.an_int + in->a_struct.another_int;
    memset(in, 0, sizeof *in);
    return v;
}

API(long) _testfunc_union_by_reference3(Test5 *in)
{
    long v = in->an_int + in->nested.an_int + in->another_int;
    memset(in, 0, sizeof *in);
    return v;
}

typedef struct { signed int A : 1, B : 2, C : 3, D : 2; } Test6;
typedef struct { unsigned int A : 1, B : 2, C : 3, D : 2; } Test7;
typedef union { signed int A : 1, B : 2, C : 3, D : 2; } Test8;

API(long) _testfunc_bitfield_by_value1(Test6 in)
{
    long v = in.A + in.B + in.C + in.D;
    memset(&in, 0, sizeof in);
    return v;
}

API(long) _testfunc_bitfield_by_reference1(Test6 *in)
{
    long v = in->A + in->B + in->C + in->D;
    memset(in, 0, sizeof *in);
    return v;
}

API(long) _testfunc_bitfield_by_reference2(Test7 *in)
{
    long v = in->A + in->B + in->C + in->D;
    memset(in, 0, sizeof *in);
    return v;
}

API(long) _testfunc_bitfield_by_value2(Test8 in)
{
    long v = in.A;
    memset(&in, 0, sizeof in);
    return v;
}

typedef struct { char *name; char *value; } SPAM;
typedef struct { char *name; int num_spams; SPAM *spams; } EGG;
static SPAM spams[2] = {{"name1", "value1"}, {"name2", "value2"}};
static EGG eggs[1] = {{"first egg", 1, spams}};

API(int) getSPAMANDEGGS(EGG **out)
{
    *out = eggs;
    return 1;
}

typedef struct { int x, y; } point;

API(int) _testfunc_byval(point in, point *out)
{
    if (out)
        *out = in;
    return in.x + in.y;
}

typedef struct { long x, y; } POINT;
typedef struct { long left, top, right, bottom; } RECT;

API(int) PointInRect(RECT *r, POINT p)
{
    return p.x >= r->left && p.x <= r->right && p.y >= r->top && p.y <= r->bottom;
}

API(RECT) ReturnRect(int i, RECT ar, RECT *br, POINT cp, RECT dr, RECT *er, POINT fp, RECT gr)
{
    if (ar.left + br->left + dr.left + er->left + gr.left != left * 5) {
        ar.left = 100;
        return ar;
    }
    if (ar.right + br->right + dr.right + er->right + gr.right != right * 5) {
        ar.right = 100;
        return ar;
    }
    if (cp.x != fp.x)
        ar.left = -100;
    if (cp.y != fp.y)
        ar.left = -200;
    return i == 1 ? dr : i == 2 ? gr : ar;
}

API(int) GetRectangle(int flag, RECT *r)
{
    if (!flag)
        return 0;
    r->left = flag;
    r->top = flag + 1;
    r->right = flag + 2;
    r->bottom = flag + 3;
    return 1;
}

API(void) TwoOutArgs(int a, int *pi, int b, int *pj)
{
    *pi += a;
    *pj += b;
}

typedef struct { short x, y; } S2H;
typedef struct { int a, b, c, d, e, f, g, h; } S8I;

API(S2H) ret_2h_func(S2H s)
{
    s.x *= 2;
    s.y *= 3;
    return s;
}

API(S8I) ret_8i_func(S8I s)
{
    int *m = &s.a;
    for (int k = 0; k < 8; k++)
        m[k] *= k + 2;
    return s;
}

/* ---- bitfields set and read by C ---------------------------------------------------------- */

struct BITS {
    signed int A : 1, B : 2, C : 3, D : 4, E : 5, F : 6, G : 7, H : 8, I : 9;
    signed short M : 1, N : 2, O : 3, P : 4, Q : 5, R : 6, S : 7;
};

#define EACH_BIT(X) \
    X(A, 'A') X(B, 'B') X(C, 'C') X(D, 'D') X(E, 'E') X(F, 'F') X(G, 'G') X(H, 'H') X(I, 'I') \
    X(M, 'M') X(N, 'N') X(O, 'O') X(P, 'P') X(Q, 'Q') X(R, 'R') X(S, 'S')

API(void) set_bitfields(struct BITS *bits, char name, int value)
{
    switch (name) {
#define SET(m, c) case c: bits->m = value; break;
        EACH_BIT(SET)
#undef SET
    }
}

API(int) unpack_bitfields(struct BITS *bits, char name)
{
    switch (name) {
#define GET(m, c) case c: return bits->m;
        EACH_BIT(GET)
#undef GET
    }
    return 0;
}

/* ---- structures returned by value, 1 to 10 bytes (test_win32) ------------------------------ */

#define SIZED(n)                                  \
    typedef struct { char f[n]; } Size##n;        \
    API(Size##n) TestSize##n(void)                \
    {                                             \
        Size##n s;                                \
        for (int k = 0; k < n; k++)               \
            s.f[k] = (char)('a' + k);             \
        return s;                                 \
    }
SIZED(1) SIZED(2) SIZED(3) SIZED(4) SIZED(5) SIZED(6) SIZED(7) SIZED(8) SIZED(9) SIZED(10)

/* ---- do-nothing routines and printf -------------------------------------------------------- */

API(void) _py_func_si(char *s, int i) { (void)s; (void)i; }
API(void) _py_func(void) {}
API(int) myprintf(char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    int n = vprintf(fmt, args);
    va_end(args);
    return n;
}

/* ---- stdcall twins (s_<name>), as the Windows build of _ctypes_test has them ---------------- */

#define S_THIRD(type, name, keep) \
    API(type) __stdcall s_##name(type v) { keep(v); return v / 3; }
#define S_THIRD_AFTER_BYTE(type, name, keep) \
    API(type) __stdcall s_##name(signed char unused, type v) { (void)unused; keep(v); return v / 3; }

S_THIRD(signed char, tf_b, KEEP_S)
S_THIRD(unsigned char, tf_B, KEEP_U)
S_THIRD(short, tf_h, KEEP_S)
S_THIRD(unsigned short, tf_H, KEEP_U)
S_THIRD(int, tf_i, KEEP_S)
S_THIRD(unsigned int, tf_I, KEEP_U)
S_THIRD(long, tf_l, KEEP_S)
S_THIRD(unsigned long, tf_L, KEEP_U)
S_THIRD(long long, tf_q, KEEP_S)
S_THIRD(unsigned long long, tf_Q, KEEP_U)
S_THIRD(float, tf_f, KEEP_S)
S_THIRD(double, tf_d, KEEP_S)
S_THIRD(ldouble_t, tf_D, KEEP_S)
S_THIRD_AFTER_BYTE(signed char, tf_bb, KEEP_S)
S_THIRD_AFTER_BYTE(unsigned char, tf_bB, KEEP_U)
S_THIRD_AFTER_BYTE(short, tf_bh, KEEP_S)
S_THIRD_AFTER_BYTE(unsigned short, tf_bH, KEEP_U)
S_THIRD_AFTER_BYTE(int, tf_bi, KEEP_S)
S_THIRD_AFTER_BYTE(unsigned int, tf_bI, KEEP_U)
S_THIRD_AFTER_BYTE(long, tf_bl, KEEP_S)
S_THIRD_AFTER_BYTE(unsigned long, tf_bL, KEEP_U)
S_THIRD_AFTER_BYTE(long long, tf_bq, KEEP_S)
S_THIRD_AFTER_BYTE(unsigned long long, tf_bQ, KEEP_U)
S_THIRD_AFTER_BYTE(float, tf_bf, KEEP_S)
S_THIRD_AFTER_BYTE(double, tf_bd, KEEP_S)
S_THIRD_AFTER_BYTE(ldouble_t, tf_bD, KEEP_S)
API(void) __stdcall s_tv_i(int v) { KEEP_S(v); }
API(S2H) __stdcall s_ret_2h_func(S2H s) { return ret_2h_func(s); }
API(S8I) __stdcall s_ret_8i_func(S8I s) { return ret_8i_func(s); }
