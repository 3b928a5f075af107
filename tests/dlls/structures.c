/* Structures by pointer across the boundary (tests/test_structures.py): in/out members,
 * nested structures, arrays inside structures, characters and character arrays, pointer
 * members to structures and lists, char* and wchar_t* members, handles (void*), an
 * empty structure and a structure derived from another one in Python. */
#include "zb_test.h"
#include <string.h>
#include <wchar.h>

typedef struct { int x, y; } point_t;
typedef struct { point_t tl, br; char label[8]; } rect_t;
typedef struct { int n; int v[8]; double w[3]; } vec_t;
typedef struct { int n; point_t pts[6]; } polygon_t;
typedef struct { char initial; wchar_t winitial; char name[16]; wchar_t wname[16]; short age; } person_t;
typedef struct node { int value; struct node *next; } node_t;
typedef struct { point_t *p; rect_t *r; int count; } holder_t;
typedef struct { const char *name; int len; const wchar_t *wname; int wlen; } named_t;
typedef struct { void *h; uint64_t as_int; void *h2; } handles_t;
typedef struct { _Bool flag; long l; unsigned long ul; long long q; } flags_t;
typedef struct { int x, y, z; } point3_t;
typedef struct { } empty_t;

ZB_EXPORT void ZB_CONV point_move(point_t *p, int dx, int dy) { p->x += dx; p->y += dy; }

ZB_EXPORT int ZB_CONV rect_area(rect_t *r)
{
    int w = r->br.x - r->tl.x, h = r->br.y - r->tl.y;
    if (w < 0 || h < 0) {
        point_t t = r->tl;
        r->tl = r->br;
        r->br = t;
        strcpy(r->label, "swapped");
        return -w * -h;
    }
    strcpy(r->label, "ok");
    return w * h;
}

ZB_EXPORT double ZB_CONV vec_reverse(vec_t *v)
{
    double s = 0;
    for (int i = 0; i < v->n / 2; i++) {
        int t = v->v[i];
        v->v[i] = v->v[v->n - 1 - i];
        v->v[v->n - 1 - i] = t;
    }
    for (int i = 0; i < v->n; i++) s += v->v[i];
    for (int i = 0; i < 3; i++) { s += v->w[i]; v->w[i] *= 2; }
    return s;
}

ZB_EXPORT int ZB_CONV polygon_shift(polygon_t *p, int dx)
{
    int s = 0;
    for (int i = 0; i < p->n; i++) { p->pts[i].x += dx; s += p->pts[i].y; }
    return s;
}

ZB_EXPORT int ZB_CONV person_upper(person_t *p)
{
    for (int i = 0; p->name[i]; i++)
        if (p->name[i] >= 'a' && p->name[i] <= 'z') p->name[i] -= 32;
    for (int i = 0; p->wname[i]; i++) {
        wchar_t c = p->wname[i];
        if ((c >= L'a' && c <= L'z') || (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2)) p->wname[i] = c - 32;
    }
    p->initial = p->name[0];
    p->winitial = p->wname[0];
    p->age += 1;
    return (int)wcslen(p->wname);
}

ZB_EXPORT int ZB_CONV list_sum_inc(node_t *head)
{
    int s = 0;
    for (node_t *n = head; n; n = n->next) { s += n->value; n->value += 1; }
    return s;
}

ZB_EXPORT void ZB_CONV list_cut(node_t *head, int keep)
{
    for (node_t *n = head; n; n = n->next)
        if (--keep <= 0) { n->next = NULL; return; }
}

ZB_EXPORT int ZB_CONV holder_use(holder_t *h)
{
    int s = 0;
    if (h->p) { s += h->p->x + 10 * h->p->y; h->p->x = 100; }
    if (h->r) { s += 1000 * rect_area(h->r); }
    h->count += 1;
    return s;
}

ZB_EXPORT void ZB_CONV holder_drop(holder_t *h) { h->p = NULL; h->r = NULL; }

static point_t dll_point = {31, 32};
ZB_EXPORT void ZB_CONV holder_to_dll(holder_t *h) { h->p = &dll_point; }

ZB_EXPORT int ZB_CONV holders_sum(holder_t *hs, int n)
{
    int s = 0;
    for (int i = 0; i < n; i++) if (hs[i].p) { s += hs[i].p->x; hs[i].p->y = -i; }
    return s;
}

ZB_EXPORT int ZB_CONV named_measure(named_t *n)
{
    n->len = n->name ? (int)strlen(n->name) : -1;
    n->wlen = n->wname ? (int)wcslen(n->wname) : -1;
    return (n->name ? n->name[0] : 0) + (n->wname ? n->wname[0] : 0);
}

ZB_EXPORT void ZB_CONV named_from_dll(named_t *n) { n->name = "from dll"; }

ZB_EXPORT uint64_t ZB_CONV handles_mix(handles_t *h)
{
    uintptr_t a = (uintptr_t)h->h, b = (uintptr_t)h->h2;
    h->as_int = a;
    h->h = (void *)b;
    h->h2 = (void *)(a ^ 0x5A5A);
    return (uint64_t)a + b;
}

ZB_EXPORT void ZB_CONV handles_static(handles_t *h) { h->h = &dll_point; h->h2 = NULL; }
ZB_EXPORT int ZB_CONV is_dll_point(void *p) { return p == &dll_point; }

ZB_EXPORT void ZB_CONV flags_flip(flags_t *f) { f->flag = !f->flag; f->l = -f->l; f->ul = ~f->ul; f->q = -f->q; }
ZB_EXPORT int ZB_CONV flags_size(void) { return (int)sizeof(flags_t); }

ZB_EXPORT int ZB_CONV point3_sum(point3_t *p) { int s = p->x + 10 * p->y + 100 * p->z; p->z = -p->z; return s; }

ZB_EXPORT int ZB_CONV empty_between(int a, empty_t *e, int b) { return e ? a - b + (int)sizeof(*e) : -1; }
