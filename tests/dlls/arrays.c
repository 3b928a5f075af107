/* Arrays across the boundary (tests/test_arrays.py): arrays of integers, doubles,
 * structures and pointers passed (they decay to a pointer to the first element) and filled
 * by the DLL; multidimensional arrays; arrays of characters and wide characters. */
#include "zb_test.h"

typedef struct { short id; double weight; char code[3]; } item_t;

ZB_EXPORT int64_t ZB_CONV sum_ints(const int *a, int n) { int64_t s = 0; for (int i = 0; i < n; i++) s += a[i]; return s; }
ZB_EXPORT void ZB_CONV fill_ints(int *a, int n, int start) { for (int i = 0; i < n; i++) a[i] = start + i * i; }
ZB_EXPORT void ZB_CONV reverse_shorts(short *a, int n) { for (int i = 0; i < n / 2; i++) { short t = a[i]; a[i] = a[n - 1 - i]; a[n - 1 - i] = t; } }
ZB_EXPORT uint64_t ZB_CONV xor_u64(const uint64_t *a, int n) { uint64_t x = 0; for (int i = 0; i < n; i++) x ^= a[i] * (uint64_t)(i + 1); return x; }
ZB_EXPORT double ZB_CONV dot(const double *a, const double *b, int n) { double s = 0; for (int i = 0; i < n; i++) s += a[i] * b[i]; return s; }
ZB_EXPORT void ZB_CONV scale_doubles(double *a, int n, double k) { for (int i = 0; i < n; i++) a[i] *= k; }
ZB_EXPORT void ZB_CONV halve_floats(float *a, int n) { for (int i = 0; i < n; i++) a[i] /= 2; }

ZB_EXPORT double ZB_CONV items_weigh(item_t *items, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++) {
        s += items[i].weight * items[i].id;
        items[i].id = (short)(items[i].id * 2);
        items[i].code[0] = (char)('A' + i);
        items[i].code[1] = items[i].code[2] = 0;
    }
    return s;
}

ZB_EXPORT int ZB_CONV sum_through(int **ptrs, int n)
{
    int s = 0;
    for (int i = 0; i < n; i++) if (ptrs[i]) { s += *ptrs[i]; *ptrs[i] = -i; }
    return s;
}

ZB_EXPORT int ZB_CONV count_nonnull(void **ptrs, int n) { int c = 0; for (int i = 0; i < n; i++) c += ptrs[i] != NULL; return c; }

ZB_EXPORT int ZB_CONV trace3(int m[3][3]) { return m[0][0] + m[1][1] + m[2][2]; }
ZB_EXPORT void ZB_CONV transpose3(int m[3][3]) { for (int i = 0; i < 3; i++) for (int j = i + 1; j < 3; j++) { int t = m[i][j]; m[i][j] = m[j][i]; m[j][i] = t; } }
ZB_EXPORT double ZB_CONV sum_2x4x3(double a[2][4][3]) { double s = 0; int k = 1; for (int i = 0; i < 2; i++) for (int j = 0; j < 4; j++) for (int l = 0; l < 3; l++) s += a[i][j][l] * k++; return s; }

ZB_EXPORT int ZB_CONV upper_chars(char *s, int n) { int c = 0; for (int i = 0; i < n; i++) if (s[i] >= 'a' && s[i] <= 'z') { s[i] -= 32; c++; } return c; }
ZB_EXPORT int ZB_CONV wide_units(const wchar_t *s, int n) { int c = 0; for (int i = 0; i < n; i++) c += s[i] >= 0xD800 && s[i] < 0xDC00; return c; }
