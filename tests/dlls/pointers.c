/* Pointers across the boundary (tests/test_pointers.py): POINTER(T) arguments from
 * pointer(), byref() and arrays; NULL; pointers to pointers; routines that return pointers
 * into the DLL's own memory (which Python mirrors), and routines that check that the
 * pointer they get back is their own address. */
#include "zb_test.h"

typedef struct { int x, y; } point_t;
typedef struct { char tag; double value; point_t *where; } sample_t;

ZB_EXPORT int ZB_CONV deref_int(int *p) { return p ? *p : -1; }
ZB_EXPORT void ZB_CONV add_int(int *p, int k) { if (p) *p += k; }
ZB_EXPORT double ZB_CONV deref_double(double *p) { return p ? *p : -1.0; }
ZB_EXPORT void ZB_CONV swap_shorts(short *a, short *b) { short t = *a; *a = *b; *b = t; }
ZB_EXPORT int ZB_CONV is_null(void *p) { return p == NULL; }
ZB_EXPORT int64_t ZB_CONV sum_int64(int64_t *p, int n) { int64_t s = 0; for (int i = 0; i < n; i++) s += p[i]; return s; }
ZB_EXPORT void ZB_CONV point_scale(point_t *p, int k) { p->x *= k; p->y *= k; }

ZB_EXPORT int ZB_CONV deref2(int **pp) { return pp && *pp ? **pp : -1; }
ZB_EXPORT void ZB_CONV add2(int **pp, int k) { **pp += k; }
ZB_EXPORT void ZB_CONV null_out(int **pp) { *pp = NULL; }

static int dll_int = 1234;
static point_t dll_points[3] = {{1, 2}, {3, 4}, {5, 6}};
static sample_t dll_sample = {'s', 2.5, &dll_points[1]};
static double dll_double = -0.125;

ZB_EXPORT int *ZB_CONV get_int(void) { return &dll_int; }
ZB_EXPORT int ZB_CONV read_int(void) { return dll_int; }
ZB_EXPORT int ZB_CONV is_dll_int(int *p) { return p == &dll_int; }
ZB_EXPORT void ZB_CONV set_dll_int(int v) { dll_int = v; }
ZB_EXPORT double *ZB_CONV get_double(void) { return &dll_double; }
ZB_EXPORT point_t *ZB_CONV get_point(int i) { return i >= 0 && i < 3 ? &dll_points[i] : NULL; }
ZB_EXPORT int ZB_CONV point_index(point_t *p) { return p >= dll_points && p < dll_points + 3 ? (int)(p - dll_points) : -1; }
ZB_EXPORT int ZB_CONV point_sum(int i) { return dll_points[i].x + 100 * dll_points[i].y; }
ZB_EXPORT sample_t *ZB_CONV get_sample(void) { return &dll_sample; }
ZB_EXPORT int ZB_CONV sample_check(sample_t *s) { return s == &dll_sample ? (int)(s->value * 10) + s->tag + 1000 * (s->where == &dll_points[1]) : -1; }
ZB_EXPORT void *ZB_CONV get_void(void) { return &dll_int; }
ZB_EXPORT int *ZB_CONV pass_through(int *p) { return p; }
