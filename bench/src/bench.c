/*
 * bench.c: the routines that `make bench` calls, one per workload. Built with
 * mingw-w64 for win32 and win64, once with -DBENCH_CONV=__cdecl and once with
 * -DBENCH_CONV=__stdcall (on win64 both are the one x64 convention), and with
 * the host's gcc as a Linux shared library for the native ctypes reference.
 *
 *   add          minimal: two ints in, one int out
 *   bubblesort   memsync: ten floats sorted in place through a pointer
 *   apply_filter maximal: two structure pointers and a callback that gets a
 *                structure pointer, called once per pixel of a 3x3 image
 *   touch        bulk: a large buffer that must travel in and back
 *   spin         scale (bench/scale.py): a few milliseconds of CPU work
 */

#ifdef _WIN32
#define BENCH_EXPORT __declspec(dllexport)
#else
#define BENCH_EXPORT __attribute__((visibility("default")))
#endif

#ifndef BENCH_CONV
#define BENCH_CONV
#endif

#define IMAGE_SIDE 3

BENCH_EXPORT int BENCH_CONV add(int a, int b)
{
    return a + b;
}

BENCH_EXPORT void BENCH_CONV bubblesort(float *a, int n)
{
    for (int i = 0; i < n - 1; i++)
        for (int j = 0; j < n - 1 - i; j++)
            if (a[j] > a[j + 1]) {
                float t = a[j];
                a[j] = a[j + 1];
                a[j + 1] = t;
            }
}

typedef struct image {
    int width, height;
    short pixels[IMAGE_SIDE * IMAGE_SIDE];
} image_t;

typedef int (BENCH_CONV *filter_t)(image_t *section);

static int clamp(int v, int hi)
{
    return v < 0 ? 0 : (v > hi ? hi : v);
}

/* Fills section with the 3x3 neighbourhood of (x, y), edges repeated. */
static void neighbourhood(const image_t *in, int x, int y, image_t *section)
{
    section->width = section->height = IMAGE_SIDE;
    for (int dy = -1; dy <= 1; dy++)
        for (int dx = -1; dx <= 1; dx++)
            section->pixels[(dy + 1) * IMAGE_SIDE + dx + 1] =
                in->pixels[clamp(y + dy, in->height - 1) * in->width + clamp(x + dx, in->width - 1)];
}

/* Sets every pixel of out to filter(neighbourhood of that pixel in in);
 * returns the number of filter calls, or -1 for an image that does not fit. */
BENCH_EXPORT int BENCH_CONV apply_filter(const image_t *in, image_t *out, filter_t filter)
{
    image_t section;
    int calls = 0;
    if (in->width < 1 || in->height < 1 || in->width * in->height > IMAGE_SIDE * IMAGE_SIDE)
        return -1;
    out->width = in->width;
    out->height = in->height;
    for (int y = 0; y < in->height; y++)
        for (int x = 0; x < in->width; x++, calls++) {
            neighbourhood(in, x, y, &section);
            out->pixels[y * in->width + x] = (short)filter(&section);
        }
    return calls;
}

/* Adds 1 to the first and the last byte of buf, so both ends must travel back. */
BENCH_EXPORT void BENCH_CONV touch(unsigned char *buf, int n)
{
    if (n > 0) {
        buf[0]++;
        buf[n - 1]++;
    }
}

/* scale: CPU-bound work of n rounds (a few milliseconds for the n bench/scale.py picks);
 * the result depends on seed and n only, so every way of running it can be checked. */
BENCH_EXPORT double BENCH_CONV spin(int seed, int n)
{
    double x = seed * 1e-3, acc = 0.0;
    for (int i = 0; i < n; i++) {
        x = x * 1.0000001 + 1e-7;
        acc += x / (1.0 + i % 7);
    }
    return acc;
}
