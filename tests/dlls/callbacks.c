/*
 * callbacks.c: routines that call a function pointer handed in from Python
 * (libffi closure test style: one small routine per signature, fixed sentinel
 * arguments, a result computed from the callback's result), routines that
 * forward their own arguments to a callback (for Hypothesis), function
 * pointers made by the DLL, callbacks from threads the DLL creates, and a
 * sort driven by a comparison callback.
 *
 * Callback typedefs carry ZB_CONV, so the cdecl build takes cdecl callbacks and
 * the stdcall build stdcall callbacks; call_cdecl_cb and call_stdcall_cb take
 * a fixed convention regardless of the build.
 */

#include "zb_test.h"
#include <string.h>
#include <windows.h>

typedef struct { int a; double b; char name[8]; } rec_t;
typedef struct { int a; } s4_t;
typedef struct { int a, b; } s8_t;
typedef struct { int a, b, c; } s12_t;
typedef struct { long long a; double b; int c; } s24_t;

typedef int (ZB_CONV *cb_i_i)(int);
typedef int (ZB_CONV *cb_ii_i)(int, int);
typedef int (ZB_CONV *cb_i8_i)(int, int, int, int, int, int, int, int);
typedef double (ZB_CONV *cb_d8_d)(double, double, double, double, double, double, double, double);
typedef double (ZB_CONV *cb_mixed_d)(float, int, double, long long, float, float, int, double, long long, float);
typedef double (ZB_CONV *cb_fwd_d)(int, float, long long, double, double, int, float, long long);
typedef float (ZB_CONV *cb_f_f)(float);
typedef double (ZB_CONV *cb_d_d)(double);
typedef long long (ZB_CONV *cb_LL_L)(long long, long long);
typedef unsigned long long (ZB_CONV *cb_Q_Q)(unsigned long long);
typedef int (ZB_CONV *cb_narrow_i)(signed char, unsigned char, short, unsigned short, char);
typedef signed char (ZB_CONV *cb_ret_schar)(void);
typedef unsigned char (ZB_CONV *cb_ret_uchar)(void);
typedef short (ZB_CONV *cb_ret_short)(void);
typedef unsigned short (ZB_CONV *cb_ret_ushort)(void);
typedef _Bool (ZB_CONV *cb_b_b)(_Bool);
typedef int (ZB_CONV *cb_str_i)(const char *, const wchar_t *);
typedef void *(ZB_CONV *cb_p_p)(void *);
typedef int (ZB_CONV *cb_pi_i)(int *);
typedef int (ZB_CONV *cb_rec_i)(rec_t *);
typedef int (ZB_CONV *cb_s4_i)(s4_t);
typedef int (ZB_CONV *cb_s8_i)(int, s8_t);
typedef int (ZB_CONV *cb_s12_i)(s12_t, int);
typedef double (ZB_CONV *cb_s24_d)(s24_t);
typedef void (ZB_CONV *cb_v_v)(void);
typedef void (ZB_CONV *cb_i_v)(int);
typedef int (ZB_CONV *cb_fn_i)(cb_i_i, int);
typedef int (ZB_CONV *cb_cmp)(const int *, const int *);
typedef int (ZB_CONV *cb_dcmp)(const double *, const double *);

/* ---- fundamental types ------------------------------------------------------ */

ZB_EXPORT int ZB_CONV cb_int2(cb_ii_i cb) { return 3 * cb(-7, 1000003) + 1; }
ZB_EXPORT int ZB_CONV fwd_int2(cb_ii_i cb, int a, int b) { return cb(a, b); }

ZB_EXPORT int ZB_CONV cb_int8(cb_i8_i cb)
{
    return cb(-2147483647 - 1, 2147483647, -1, 0, 1, 0x12345678, -0x12345678, 42) + 1;
}
ZB_EXPORT int ZB_CONV fwd_int8(cb_i8_i cb, int a, int b, int c, int d, int e, int f, int g, int h)
{
    return cb(a, b, c, d, e, f, g, h);
}

ZB_EXPORT double ZB_CONV cb_double8(cb_d8_d cb)
{
    return 2.0 * cb(0.5, -1.25, 1e300, -1e-300, 3.0, 0.1, -0.0, 123456.789);
}
ZB_EXPORT double ZB_CONV fwd_double8(cb_d8_d cb, double a, double b, double c, double d,
                                     double e, double f, double g, double h)
{
    return cb(a, b, c, d, e, f, g, h);
}

/* floats in positions 0, 4, 5, 9; int, double and long long in between */
ZB_EXPORT double ZB_CONV cb_mixed10(cb_mixed_d cb)
{
    return cb(1.5f, -3, 2.25, 0x100000001LL, -0.75f, 8.0f, 77, -1e10, -0x7000000000000000LL, 0.125f) + 1.0;
}
ZB_EXPORT double ZB_CONV fwd_mixed8(cb_fwd_d cb, int a, float b, long long c, double d,
                                    double e, int f, float g, long long h)
{
    return cb(a, b, c, d, e, f, g, h);
}

ZB_EXPORT float ZB_CONV cb_float_result(cb_f_f cb) { return cb(1.5f) * 2.0f; }
ZB_EXPORT float ZB_CONV fwd_float(cb_f_f cb, float x) { return cb(x); }
/* An x87 caller (win32) widens the callback's float result as it is in st(0). */
#if defined(__i386__)
#define ZB_X87 __attribute__((target("fpmath=387")))
#else
#define ZB_X87
#endif
ZB_EXPORT ZB_X87 double ZB_CONV fwd_float_widened(cb_f_f cb, float x) { return cb(x); }
ZB_EXPORT double ZB_CONV fwd_float_stored(cb_f_f cb, float x) { volatile float r = cb(x); return r; }
ZB_EXPORT double ZB_CONV cb_double_result(cb_d_d cb) { return cb(2.25) + 1.0; }
ZB_EXPORT double ZB_CONV fwd_double(cb_d_d cb, double x) { return cb(x); }

ZB_EXPORT long long ZB_CONV cb_longlong(cb_LL_L cb)
{
    return cb(0x123456789ABCDEF0LL, -0x0FEDCBA987654321LL) ^ 1;
}
ZB_EXPORT long long ZB_CONV fwd_longlong(cb_LL_L cb, long long a, long long b) { return cb(a, b); }
ZB_EXPORT unsigned long long ZB_CONV fwd_ulonglong(cb_Q_Q cb, unsigned long long x) { return cb(x); }

ZB_EXPORT int ZB_CONV cb_narrow(cb_narrow_i cb) { return cb(-1, 255, -32768, 65535, (char)0xE9); }
ZB_EXPORT int ZB_CONV cb_narrow_results(cb_ret_schar a, cb_ret_uchar b, cb_ret_short c,
                                        cb_ret_ushort d, int *out)
{
    out[0] = a(); out[1] = b(); out[2] = c(); out[3] = d();
    return 4;
}

ZB_EXPORT int ZB_CONV cb_bool(cb_b_b cb) { return (cb(1) ? 2 : 0) + (cb(0) ? 1 : 0); }

ZB_EXPORT int ZB_CONV cb_strings(cb_str_i cb) { return cb("zugbruecke", L"Br\u00fccke \u20ac") + 1; }
ZB_EXPORT int ZB_CONV cb_null_strings(cb_str_i cb) { return cb(NULL, NULL); }

static int anchor = 1234;
ZB_EXPORT int ZB_CONV cb_voidp(cb_p_p cb) { return cb(&anchor) == &anchor; }
ZB_EXPORT int ZB_CONV cb_voidp_null(cb_p_p cb) { return cb(NULL) == NULL; }
ZB_EXPORT int ZB_CONV is_anchor(void *p) { return p == &anchor ? *(int *)p : -1; }

/* ---- memory behind pointers ------------------------------------------------- */

ZB_EXPORT int ZB_CONV cb_intptr(cb_pi_i cb)
{
    int v = 41;
    int r = cb(&v);
    return v * 1000 + r;
}
ZB_EXPORT int ZB_CONV cb_intptr_null(cb_pi_i cb) { return cb(NULL); }

ZB_EXPORT int ZB_CONV cb_record(cb_rec_i cb, rec_t *out)
{
    rec_t r = {7, 2.5, "abc"};
    int k = cb(&r);
    *out = r;
    return k;
}

/* ---- structures by value ---------------------------------------------------- */

ZB_EXPORT int ZB_CONV cb_s4(cb_s4_i cb) { s4_t s = {-4}; return cb(s) + 1; }
ZB_EXPORT int ZB_CONV cb_s8(cb_s8_i cb) { s8_t s = {8, -88}; return cb(5, s) + 1; }
ZB_EXPORT int ZB_CONV cb_s12(cb_s12_i cb) { s12_t s = {12, -1212, 121212}; return cb(s, 9) + 1; }
ZB_EXPORT double ZB_CONV cb_s24(cb_s24_d cb)
{
    s24_t s = {-0x123456789LL, 2.5, 24};
    return cb(s) + 1.0;
}
ZB_EXPORT int ZB_CONV sizes(int *out)
{
    out[0] = sizeof(s4_t); out[1] = sizeof(s8_t); out[2] = sizeof(s12_t);
    out[3] = sizeof(s24_t); out[4] = sizeof(rec_t);
    return 5;
}

/* ---- void callbacks ----------------------------------------------------------- */

ZB_EXPORT int ZB_CONV cb_void(cb_i_v cb) { cb(5); cb(-6); return 2; }
ZB_EXPORT int ZB_CONV cb_void0(cb_v_v cb, int n)
{
    for (int i = 0; i < n; i++) cb();
    return n;
}

/* ---- function pointers in structures, arrays, NULL ---------------------------- */

typedef struct { cb_i_i fn; int x; } holder_t;

ZB_EXPORT int ZB_CONV holder_call(holder_t *h) { return h->fn(h->x) + 1; }
ZB_EXPORT int ZB_CONV holder_call_value(holder_t h) { return h.fn(h.x) + 2; }
ZB_EXPORT int ZB_CONV call_three(cb_i_i fns[3]) { return fns[0](1) + 10 * fns[1](2) + 100 * fns[2](3); }
ZB_EXPORT int ZB_CONV cb_or_null(cb_i_i cb) { return cb == NULL ? -1 : cb(3); }
ZB_EXPORT int ZB_CONV cb_take(cb_i_i cb) { return cb != NULL; }
ZB_EXPORT int ZB_CONV cb_call(cb_i_i cb, int x) { return cb(x); }

/* ---- function pointers made by the DLL --------------------------------------- */

static int ZB_CONV triple(int x) { return 3 * x; }
static int ZB_CONV subtract(int a, int b) { return a - b; }
static double ZB_CONV halve(double x) { return x / 2.0; }

ZB_EXPORT cb_i_i ZB_CONV get_triple(void) { return triple; }
ZB_EXPORT cb_ii_i ZB_CONV get_subtract(void) { return subtract; }
ZB_EXPORT cb_d_d ZB_CONV get_halve(void) { return halve; }
ZB_EXPORT cb_i_i ZB_CONV get_null_fn(void) { return NULL; }
ZB_EXPORT void ZB_CONV holder_fill(holder_t *h) { h->fn = triple; h->x = 5; }
ZB_EXPORT int ZB_CONV is_triple(cb_i_i fn) { return fn == triple; }

/* The callback gets a function pointer: the DLL's triple, or one passed in. */
ZB_EXPORT int ZB_CONV cb_gets_fn(cb_fn_i cb) { return cb(triple, 7); }
ZB_EXPORT int ZB_CONV cb_gets_fn2(cb_fn_i cb, cb_i_i inner) { return cb(inner, 11); }

/* int divmod_out(a, b, *q, *r): for paramflags prototypes; -1 on b == 0 */
ZB_EXPORT int ZB_CONV divmod_out(int a, int b, int *q, int *r)
{
    if (b == 0) return -1;
    *q = a / b; *r = a % b;
    return 0;
}

/* ---- explicit conventions, regardless of the build ---------------------------- */

ZB_EXPORT int ZB_CONV call_cdecl_cb(int (__cdecl *cb)(int, int))
{
    int total = 0;
    for (int i = 1; i <= 4; i++) total += cb(i, 10 * i);
    return total;
}
ZB_EXPORT int ZB_CONV call_stdcall_cb(int (__stdcall *cb)(int, int))
{
    int total = 0;
    for (int i = 1; i <= 4; i++) total += cb(i, 10 * i);
    return total;
}

/* ---- nesting ------------------------------------------------------------------ */

ZB_EXPORT int ZB_CONV recurse(int n, cb_i_i cb) { return cb(n) + 1; }

/* ---- threads ------------------------------------------------------------------ */

typedef struct { cb_ii_i cb; int x; int result; DWORD delay; } job_t;

static DWORD WINAPI job_run(LPVOID param)
{
    job_t *job = (job_t *)param;
    if (job->delay) Sleep(job->delay);
    job->result = job->cb(job->x, (int)GetCurrentThreadId());
    return 0;
}

/* Calls cb(x, thread id) on a new thread and waits; *caller_tid = this thread's id. */
ZB_EXPORT int ZB_CONV cb_in_thread(cb_ii_i cb, int x, int *caller_tid)
{
    job_t job = {cb, x, -1, 0};
    *caller_tid = (int)GetCurrentThreadId();
    HANDLE h = CreateThread(NULL, 0, job_run, &job, 0, NULL);
    if (!h) return -2;
    DWORD w = WaitForSingleObject(h, 30000);
    CloseHandle(h);
    return w == WAIT_OBJECT_0 ? job.result : -3;
}

/* n threads (at most 16) call cb(i, thread id) at once; the sum of the results. */
ZB_EXPORT int ZB_CONV cb_in_threads(cb_ii_i cb, int n)
{
    job_t jobs[16];
    HANDLE hs[16];
    if (n < 1 || n > 16) return -1;
    for (int i = 0; i < n; i++) {
        jobs[i].cb = cb; jobs[i].x = i; jobs[i].result = 0; jobs[i].delay = 0;
        hs[i] = CreateThread(NULL, 0, job_run, &jobs[i], 0, NULL);
        if (!hs[i]) return -2;
    }
    DWORD w = WaitForMultipleObjects((DWORD)n, hs, TRUE, 30000);
    int total = 0;
    for (int i = 0; i < n; i++) { CloseHandle(hs[i]); total += jobs[i].result; }
    return w < WAIT_OBJECT_0 + (DWORD)n ? total : -3;
}

/* Starts a thread that calls cb(x, thread id) after delay ms; returns at once. */
static job_t async_job;
ZB_EXPORT int ZB_CONV cb_start_thread(cb_ii_i cb, int x, int delay)
{
    async_job.cb = cb; async_job.x = x; async_job.result = -1; async_job.delay = (DWORD)delay;
    HANDLE h = CreateThread(NULL, 0, job_run, &async_job, 0, NULL);
    if (!h) return 0;
    CloseHandle(h);
    return 1;
}
ZB_EXPORT int ZB_CONV async_result(void) { return async_job.result; }

/* ---- sorting ------------------------------------------------------------------ */

ZB_EXPORT int ZB_CONV sort_ints(int *a, int n, cb_cmp cmp)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && cmp(&a[j - 1], &a[j]) > 0; j--) {
            int t = a[j]; a[j] = a[j - 1]; a[j - 1] = t;
        }
    return n;
}

ZB_EXPORT int ZB_CONV sort_doubles(double *a, int n, cb_dcmp cmp)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && cmp(&a[j - 1], &a[j]) > 0; j--) {
            double t = a[j]; a[j] = a[j - 1]; a[j - 1] = t;
        }
    return n;
}
