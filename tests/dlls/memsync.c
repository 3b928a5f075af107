/*
 * memsync.c: routines whose memory only raw pointers reach, for memsync directives
 * (tests/test_memsync.py): arrays with their length in another argument or computed
 * from several, NUL-terminated strings (char and wchar_t, with surrogate pairs),
 * pointers inside structures (also nested, and in arrays of structures), memory the
 * DLL allocates and hands back (a pointer field it sets, a void ** output, a pointer
 * result), callbacks that get such memory, and a bulk buffer.
 *
 * Every routine that Python must not reach when a directive is wrong counts its calls
 * (calls()). Memory the DLL allocates is never freed: each test asks for little.
 */
#include "zb_test.h"
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

static int ncalls;

ZB_EXPORT int ZB_CONV calls(void) { return ncalls; }

/* ---- arguments that are pointers ------------------------------------------------- */

ZB_EXPORT void ZB_CONV bubblesort(float *a, int n)
{
    ncalls++;
    for (int i = 0; i < n - 1; i++)
        for (int j = 0; j < n - i - 1; j++)
            if (a[j] > a[j + 1]) { float t = a[j]; a[j] = a[j + 1]; a[j + 1] = t; }
}

/* Sorts segs * per floats: the length is a product of two arguments. */
ZB_EXPORT void ZB_CONV bubblesort_segments(float *a, int segs, int per)
{
    bubblesort(a, segs * per);
}

ZB_EXPORT double ZB_CONV avg(double *a, int n)
{
    double total = 0.0;
    ncalls++;
    for (int i = 0; i < n; i++) total += a[i];
    return n ? total / n : 0.0;
}

/* Sums n ints and negates each one: in and out. */
ZB_EXPORT int ZB_CONV sum_negate(int *a, int n)
{
    int s = 0;
    ncalls++;
    for (int i = 0; i < n; i++) { s += a[i]; a[i] = -a[i]; }
    return s;
}

/* Adds 1 to every byte and returns the sum of the bytes before (mod 2^32). */
ZB_EXPORT unsigned int ZB_CONV bulk_increment(unsigned char *buf, int n)
{
    unsigned int s = 0;
    ncalls++;
    for (int i = 0; i < n; i++) { s += buf[i]; buf[i]++; }
    return s;
}

ZB_EXPORT void ZB_CONV replace_letter(char *s, char old, char new)
{
    ncalls++;
    for (size_t i = 0; i < strlen(s); i++) if (s[i] == old) s[i] = new;
}

ZB_EXPORT void ZB_CONV replace_letter_w(wchar_t *s, wchar_t old, wchar_t new)
{
    ncalls++;
    for (size_t i = 0; i < wcslen(s); i++) if (s[i] == old) s[i] = new;
}

/* UTF-16 units of a NUL-terminated wide string: surrogate pairs count two. */
ZB_EXPORT int ZB_CONV wunits(const wchar_t *s) { return (int)wcslen(s); }

/* Number of high surrogates among the first n units; turns every 'x' into U+00E9. */
ZB_EXPORT int ZB_CONV whigh_surrogates(wchar_t *s, int n)
{
    int h = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] >= 0xD800 && s[i] < 0xDC00) h++;
        if (s[i] == L'x') s[i] = 0xE9;
    }
    return h;
}

/* Writes U+1F600 (a surrogate pair) followed by "!" into s (n units, n >= 4). */
ZB_EXPORT void ZB_CONV wsmile(wchar_t *s, int n)
{
    if (n < 4) return;
    s[0] = 0xD83D; s[1] = 0xDE00; s[2] = L'!'; s[3] = 0;
}

/* ---- pointers inside structures ----------------------------------------------------- */

typedef struct { int16_t *data; int16_t len; } int_array_data;

ZB_EXPORT void ZB_CONV square_int_array_with_struct(int_array_data *in, int_array_data *out)
{
    ncalls++;
    out->len = in->len;
    out->data = malloc(sizeof(int16_t) * out->len);
    for (int i = 0; i < in->len; i++) out->data[i] = in->data[i] * in->data[i];
}

/* Doubles every element of every array and returns the sum before. */
ZB_EXPORT int ZB_CONV double_arrays(int_array_data *arrs, int n)
{
    int s = 0;
    ncalls++;
    for (int k = 0; k < n; k++)
        for (int i = 0; i < arrs[k].len; i++) { s += arrs[k].data[i]; arrs[k].data[i] *= 2; }
    return s;
}

typedef struct { int tag; int_array_data *inner; } outer_t;

/* Sums the inner array through two pointers and reverses it. */
ZB_EXPORT int ZB_CONV outer_sum_reverse(outer_t *o)
{
    int s = 0, n = o->inner->len;
    int16_t *d = o->inner->data;
    for (int i = 0; i < n; i++) s += d[i];
    for (int i = 0; i < n / 2; i++) { int16_t t = d[i]; d[i] = d[n - 1 - i]; d[n - 1 - i] = t; }
    return s + o->tag;
}

/* Allocates o->inner and its data: n values 10, 20, ... */
ZB_EXPORT void ZB_CONV outer_make(outer_t *o, int n)
{
    o->inner = malloc(sizeof(int_array_data));
    o->inner->len = (int16_t)n;
    o->inner->data = malloc(sizeof(int16_t) * n);
    for (int i = 0; i < n; i++) o->inner->data[i] = (int16_t)(10 * (i + 1));
}

typedef struct { char *name; wchar_t *wname; int count; } names_t;

/* Upper-cases both names and counts their characters. */
ZB_EXPORT void ZB_CONV names_upcase(names_t *n)
{
    n->count = 0;
    for (char *c = n->name; c && *c; c++, n->count++) if (*c >= 'a' && *c <= 'z') *c -= 32;
    for (wchar_t *c = n->wname; c && *c; c++, n->count++) *c = towupper(*c);
}

/* Sets both names to strings of the DLL's own (the wide one with a surrogate pair). */
ZB_EXPORT void ZB_CONV names_make(names_t *n)
{
    static const wchar_t w[] = {L'h', L'i', 0xD83D, 0xDE00, 0};
    n->name = malloc(6);
    strcpy(n->name, "hello");
    n->wname = malloc(sizeof(w));
    memcpy(n->wname, w, sizeof(w));
    n->count = 2;
}

/* ---- memory the DLL allocates ------------------------------------------------------ */

ZB_EXPORT void ZB_CONV square_int_array(int16_t *in, void *out, int16_t len)
{
    int16_t **p = out;
    ncalls++;
    *p = malloc(sizeof(int16_t) * len);
    for (int i = 0; i < len; i++) (*p)[i] = in[i] * in[i];
}

/* *out = n ints 1, 4, 9, ...; returns n (a length that is the result). */
ZB_EXPORT int ZB_CONV make_squares(int **out, int n)
{
    *out = malloc(sizeof(int) * (n ? n : 1));
    for (int i = 0; i < n; i++) (*out)[i] = (i + 1) * (i + 1);
    return n;
}

ZB_EXPORT void ZB_CONV make_greeting(char **out) { *out = malloc(8); strcpy(*out, "<html>"); }

ZB_EXPORT void ZB_CONV make_wgreeting(wchar_t **out)
{
    static const wchar_t w[] = {L'a', 0xD83D, 0xDE00, L'b', 0};
    *out = malloc(sizeof(w));
    memcpy(*out, w, sizeof(w));
}

ZB_EXPORT int_array_data *ZB_CONV fibonacci_sequence(int16_t len)
{
    int_array_data *out = malloc(sizeof(int_array_data));
    out->len = len;
    out->data = malloc(sizeof(int16_t) * len);
    for (int i = 0; i < len; i++) out->data[i] = i < 2 ? 1 : out->data[i - 1] + out->data[i - 2];
    return out;
}

static float *last_floats;

/* n floats 0.5, 1.5, ...; the DLL remembers the address (is_last_floats). */
ZB_EXPORT float *ZB_CONV make_floats(int n)
{
    last_floats = malloc(sizeof(float) * n);
    for (int i = 0; i < n; i++) last_floats[i] = i + 0.5f;
    return last_floats;
}

ZB_EXPORT int ZB_CONV is_last_floats(float *p) { return p == last_floats; }

ZB_EXPORT float ZB_CONV sum_floats(float *p, int n)
{
    float s = 0;
    for (int i = 0; i < n; i++) s += p[i];
    return s;
}

ZB_EXPORT char *ZB_CONV get_name(void) { static char name[] = "memsync"; return name; }

typedef struct { int16_t x, y, z, u, w; } vector5d;

ZB_EXPORT vector5d *ZB_CONV vector5d_add_array(vector5d *v, int16_t len)
{
    vector5d *out = calloc(1, sizeof(vector5d));
    for (int i = 0; i < len; i++) {
        out->x += v[i].x; out->y += v[i].y; out->z += v[i].z; out->u += v[i].u; out->w += v[i].w;
    }
    return out;
}

/* ---- callbacks ------------------------------------------------------------------------ */

typedef struct { int16_t *data; int16_t width, height; } image_t;
typedef int16_t (ZB_CONV *filter_cb)(image_t *section);

static int16_t pixel(const image_t *img, int x, int y)
{
    if (x < 0 || y < 0 || x >= img->width || y >= img->height) return 0;
    return img->data[y * img->width + x];
}

/* out gets in's size and pixels of its own; each is filter(3 x 3 section around it). */
ZB_EXPORT void ZB_CONV apply_filter_to_image(image_t *in, image_t *out, filter_cb filter)
{
    image_t section = {malloc(9 * sizeof(int16_t)), 3, 3};
    out->width = in->width;
    out->height = in->height;
    out->data = malloc(sizeof(int16_t) * in->width * in->height);
    for (int y = 0; y < in->height; y++)
        for (int x = 0; x < in->width; x++) {
            for (int j = 0; j < 3; j++)
                for (int i = 0; i < 3; i++) section.data[j * 3 + i] = pixel(in, x + i - 1, y + j - 1);
            out->data[y * in->width + x] = filter(&section);
        }
    free(section.data);
}

typedef int (ZB_CONV *floats_cb)(float *values, int n);

/* Hands the callback n floats 1, 2, ... of the DLL's own; returns the callback's
 * result + 1000 * (sum of the floats after the callback), which shows its changes. */
ZB_EXPORT int ZB_CONV call_with_floats(floats_cb cb, int n)
{
    float *v = malloc(sizeof(float) * n);
    float s = 0;
    for (int i = 0; i < n; i++) v[i] = (float)(i + 1);
    int r = cb(v, n);
    for (int i = 0; i < n; i++) s += v[i];
    free(v);
    return r + 1000 * (int)s;
}

typedef struct { void *data; int len; } blob_t;
typedef int (ZB_CONV *blob_cb)(blob_t *blob);

/* A structure with an untyped pointer: the callback reads and changes the bytes; the
 * result shows them after the call and whether blob.data is still the DLL's pointer. */
ZB_EXPORT int ZB_CONV call_with_blob(blob_cb cb)
{
    unsigned char *bytes = malloc(4);
    blob_t blob = {bytes, 4};
    for (int i = 0; i < 4; i++) bytes[i] = (unsigned char)(i + 1);
    int r = cb(&blob);
    int same = blob.data == bytes;
    int s = bytes[0] + bytes[1] + bytes[2] + bytes[3];
    free(bytes);
    return r + 100 * s + 100000 * same;
}

typedef int (ZB_CONV *wstr_cb)(wchar_t *text);

/* The callback gets a wide string with a surrogate pair and may change it in place. */
ZB_EXPORT int ZB_CONV call_with_wstring(wstr_cb cb, wchar_t *out, int n)
{
    wchar_t text[] = {L'x', 0xD83D, 0xDE00, L'y', 0};
    int r = cb(text);
    for (int i = 0; i < n && i < 5; i++) out[i] = text[i];
    return r;
}
