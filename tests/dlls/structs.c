/* Structures across the boundary: by pointer (in/out), by value as arguments and results
 * of several sizes, pointer members, nested structures, unions, bitfields and packing.
 * Sentinel values make a misplaced member visible. */
#include "zb_test.h"
#include <stdint.h>
#include <stddef.h>

typedef struct { char c; int i; double d; short s; } mixed_t;
typedef struct { int x, y; } point_t;
typedef struct { point_t a, b; int *weight; const char *name; } segment_t;
typedef union { int32_t i; float f; uint8_t bytes[4]; } word_t;
typedef struct { unsigned a : 3; unsigned b : 7; int c : 5; unsigned char d : 2; } bits_t;
#pragma pack(push, 1)
typedef struct { char c; int i; short s; } packed_t;
#pragma pack(pop)
typedef struct { uint8_t b[3]; } s3_t;
typedef struct { float f; double d; } fd_t;
typedef struct { int64_t a, b, c; } big_t;

ZB_EXPORT int ZB_CONV mixed_scale(mixed_t *m, int k)
{
    m->c = (char)(m->c + k); m->i *= k; m->d *= k; m->s = (short)(m->s * k);
    return (int)sizeof(mixed_t);
}

ZB_EXPORT int ZB_CONV segment_len2(segment_t *s)
{
    int dx = s->b.x - s->a.x, dy = s->b.y - s->a.y;
    if (s->weight) *s->weight += 1;
    return (dx * dx + dy * dy) * (s->weight ? *s->weight : 1) + (s->name ? s->name[0] : 0);
}

ZB_EXPORT point_t ZB_CONV point_make(int x, int y) { point_t p = {x, y}; return p; }
ZB_EXPORT int ZB_CONV point_sum(point_t p, int k) { return (p.x + 10 * p.y) * k; }
ZB_EXPORT s3_t ZB_CONV s3_make(uint8_t a) { s3_t s = {{a, (uint8_t)(a + 1), (uint8_t)(a + 2)}}; return s; }
ZB_EXPORT int ZB_CONV s3_sum(s3_t s) { return s.b[0] + 100 * s.b[1] + 10000 * s.b[2]; }
ZB_EXPORT fd_t ZB_CONV fd_make(float f, double d) { fd_t r = {f, d}; return r; }
ZB_EXPORT double ZB_CONV fd_sum(int k, fd_t v) { return k * (v.f + v.d); }
ZB_EXPORT big_t ZB_CONV big_make(int64_t a) { big_t b = {a, a * 2, a * 3}; return b; }
ZB_EXPORT int64_t ZB_CONV big_sum(big_t b, int k) { return (b.a + 2 * b.b + 3 * b.c) * k; }
ZB_EXPORT float ZB_CONV word_float(word_t *w) { return w->f; }
ZB_EXPORT void ZB_CONV word_set(word_t *w, int32_t v) { w->i = v; }
ZB_EXPORT int ZB_CONV bits_sum(bits_t *b) { int r = b->a + 10 * b->b + 1000 * b->c + 100000 * b->d; b->a = 5; b->c = -3; return r; }
ZB_EXPORT int ZB_CONV bits_size(void) { return (int)sizeof(bits_t); }
ZB_EXPORT int ZB_CONV packed_sum(packed_t *p) { return p->c + 10 * p->i + 1000 * p->s; }

static point_t origin = {7, -7};
ZB_EXPORT point_t *ZB_CONV point_static(void) { return &origin; }
ZB_EXPORT int ZB_CONV point_check(point_t *p) { return p == &origin ? p->x + p->y * 100 : -1; }
