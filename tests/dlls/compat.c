/*
 * compat.c: routines for tests/test_compat.py, the ctypes behaviours that CPython's own
 * ctypes tests and third-party wrapper packages rely on.
 */
#include "zb_test.h"
#include <string.h>

typedef struct { int x; double y; short z; } late_t; /* its _fields_ come late in Python */

ZB_EXPORT int ZB_CONV late_sum(int sentinel, late_t p, int sentinel2)
{
    return sentinel * 1000000 + p.x * 1000 + (int)p.y * 10 + p.z + sentinel2 * 100000;
}

ZB_EXPORT int ZB_CONV late_size(void) { return (int)sizeof(late_t); }

ZB_EXPORT int ZB_CONV echo_int(int v) { return v; }

/* A string handle returned by value and passed back by value, as wrapper libraries do. */
typedef struct { const void *data; unsigned flags; } zstr_t;

static const char hello[] = "hello from the dll";

ZB_EXPORT zstr_t ZB_CONV zstr_make(unsigned flags)
{
    zstr_t s = {hello, flags};
    return s;
}

ZB_EXPORT int ZB_CONV zstr_len(zstr_t s) { return s.data ? (int)strlen((const char *)s.data) : -1; }

ZB_EXPORT unsigned ZB_CONV zstr_flags(zstr_t s) { return s.flags; }

ZB_EXPORT int ZB_CONV zstr_is_hello(zstr_t s) { return s.data == (const void *)hello; }

ZB_EXPORT const char *ZB_CONV zstr_data(zstr_t s) { return (const char *)s.data; }

/* Callbacks: called with an argument, or through a structure member. */
typedef int (ZB_CONV *int_cb)(int);

ZB_EXPORT int ZB_CONV call_cb(int_cb f, int v) { return f ? f(v) : -1; }

typedef struct { int_cb f; int v; } cb_holder_t;

ZB_EXPORT int ZB_CONV call_held(cb_holder_t *h) { return h->f(h->v); }

ZB_EXPORT int ZB_CONV is_null(void *p) { return p == NULL; }

ZB_EXPORT int ZB_CONV strlen_of(const char *s) { return s ? (int)strlen(s) : -1; }

ZB_EXPORT short ZB_CONV vbool_echo(short v) { return v; }
