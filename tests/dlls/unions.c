/* Unions across the boundary (tests/test_unions.py): by pointer, by value as arguments
 * and results, inside structures (tagged variants), anonymous, of structures, with
 * pointer members. */
#include "zb_test.h"
#include <string.h>

typedef union { int32_t i; float f; uint8_t b[4]; } word_u;
typedef union { int64_t q; double d; int32_t w[2]; } wide_u;
typedef union { int32_t i[3]; float f; } triple_u;
typedef struct { int tag; union { int i; double d; char s[8]; } v; } variant_t;
typedef struct { int tag; union { int i; float f; }; short after; } anon_t;
typedef union { struct { uint16_t lo, hi; } parts; uint32_t whole; } split_u;
typedef union { struct { uint32_t offset, offset_high; } s; void *pointer; } overlapped_u;
typedef union { uint8_t tag; void *p; } small_first_u;
typedef struct { char c; union { char c; double d; } u; char e; } padded_t;

ZB_EXPORT void ZB_CONV word_set_int(word_u *w, int32_t v) { w->i = v; }
ZB_EXPORT float ZB_CONV word_get_float(word_u *w) { return w->f; }
ZB_EXPORT int ZB_CONV word_bytes(int a, word_u w, int b) { return a + w.b[0] + 2 * w.b[1] + 3 * w.b[2] + 4 * w.b[3] - b; }
ZB_EXPORT word_u ZB_CONV word_make(int32_t v) { word_u w; w.i = v; return w; }
ZB_EXPORT wide_u ZB_CONV wide_make(int32_t lo, int32_t hi) { wide_u w; w.w[0] = lo; w.w[1] = hi; return w; }
ZB_EXPORT int64_t ZB_CONV wide_get(int a, wide_u w, int b) { return w.q + a - b; }
ZB_EXPORT triple_u ZB_CONV triple_make(int32_t v) { triple_u t; t.i[0] = v; t.i[1] = v + 1; t.i[2] = v + 2; return t; }
ZB_EXPORT int32_t ZB_CONV triple_sum(triple_u t) { return t.i[0] + 10 * t.i[1] + 100 * t.i[2]; }

ZB_EXPORT double ZB_CONV variant_value(variant_t *v)
{
    switch (v->tag) {
    case 0: return v->v.i;
    case 1: return v->v.d;
    case 2: return (double)strlen(v->v.s);
    }
    return -1;
}

ZB_EXPORT void ZB_CONV variant_set(variant_t *v, int tag)
{
    v->tag = tag;
    if (tag == 0) v->v.i = -12345;
    if (tag == 1) v->v.d = 0.1;
    if (tag == 2) strcpy(v->v.s, "union!");
}

ZB_EXPORT int ZB_CONV anon_get(anon_t *a)
{
    a->after = (short)sizeof(anon_t);
    return a->tag ? (int)(a->f * 4) : a->i;
}

ZB_EXPORT uint32_t ZB_CONV split_swap(split_u *s)
{
    uint16_t t = s->parts.lo;
    s->parts.lo = s->parts.hi;
    s->parts.hi = t;
    return s->whole;
}

ZB_EXPORT uintptr_t ZB_CONV overlapped_pointer(overlapped_u *o) { return (uintptr_t)o->pointer; }
ZB_EXPORT uintptr_t ZB_CONV small_first_pointer(small_first_u *u) { return (uintptr_t)u->p; }
ZB_EXPORT double ZB_CONV padded_get(padded_t *p) { p->e = 'E'; return p->u.d + p->c; }

ZB_EXPORT int ZB_CONV union_size(int which)
{
    switch (which) {
    case 0: return sizeof(word_u);
    case 1: return sizeof(wide_u);
    case 2: return sizeof(triple_u);
    case 3: return sizeof(variant_t);
    case 4: return sizeof(anon_t);
    case 5: return sizeof(split_u);
    case 6: return sizeof(overlapped_u);
    case 7: return sizeof(small_first_u);
    case 8: return sizeof(padded_t);
    }
    return -1;
}
