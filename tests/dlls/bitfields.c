/* Bitfields under Microsoft's rules (tests/test_bitfields.py): mingw lays them out as
 * MSVC does (-mms-bitfields is its default): a run of bitfields shares one storage unit of
 * the declared type while the declared types have the same size and the bits fit.
 *
 * Per structure T: get_T(s, i) and set_T(s, i, v) read and write member i; pos_T(i) is the
 * bit position (8 * byte + bit) of member i's lowest bit, found by setting it in a zeroed
 * structure; size_T() is sizeof(T). */
#include "zb_test.h"
#include <string.h>

typedef struct { unsigned a : 3; unsigned b : 7; int c : 5; unsigned d : 17; } u32bits_t;
typedef struct { int a : 1; int b : 31; int c : 16; int d : 16; } s32bits_t;
typedef struct { unsigned short a : 4; short b : 9; unsigned short c : 5; } s16bits_t;
typedef struct { unsigned char a : 1, b : 2, c : 5; signed char d : 3; } s8bits_t;
typedef struct { unsigned long long a : 40; long long b : 24; long long c : 63; } s64bits_t;
typedef struct { char before; unsigned a : 4; unsigned b : 4; char after; } around_t;
typedef struct { int a : 4; int b : 4; unsigned char c : 4; short d : 5; } mixed_t;
typedef struct { unsigned char a : 4; int b : 4; unsigned char c : 4; } mixed2_t;
typedef struct { long long a : 1; int b : 1; } mixed3_t;
typedef struct { short a : 3; int b : 3; short c : 3; long long d : 3; } mixed4_t;
#pragma pack(push, 1)
typedef struct { char c; unsigned a : 5; unsigned b : 30; } packed_t;
#pragma pack(pop)

#define GET(i, f) case i: return s->f;
#define SET(i, f) case i: s->f = v; break;
#define ONE(i, f) case i: z.f = 1; break;
#define ACCESSORS(T, FIELDS) \
    ZB_EXPORT long long ZB_CONV get_##T(T *s, int w) { switch (w) { FIELDS(GET) } return -999; } \
    ZB_EXPORT void ZB_CONV set_##T(T *s, int w, long long v) { switch (w) { FIELDS(SET) } } \
    ZB_EXPORT int ZB_CONV pos_##T(int w) \
    { \
        T z; \
        unsigned char *p = (unsigned char *)&z; \
        memset(&z, 0, sizeof z); \
        switch (w) { FIELDS(ONE) default: return -1; } \
        for (int i = 0; i < (int)sizeof z; i++) \
            for (int b = 0; b < 8; b++) \
                if (p[i] >> b & 1) return 8 * i + b; \
        return -1; \
    } \
    ZB_EXPORT int ZB_CONV size_##T(void) { return (int)sizeof(T); }

#define F_ABCD(X) X(0, a) X(1, b) X(2, c) X(3, d)
#define F_ABC(X) X(0, a) X(1, b) X(2, c)
#define F_AB(X) X(0, a) X(1, b)
#define F_AROUND(X) X(0, before) X(1, a) X(2, b) X(3, after)
#define F_PACKED(X) X(0, c) X(1, a) X(2, b)

ACCESSORS(u32bits_t, F_ABCD)
ACCESSORS(s32bits_t, F_ABCD)
ACCESSORS(s16bits_t, F_ABC)
ACCESSORS(s8bits_t, F_ABCD)
ACCESSORS(s64bits_t, F_ABC)
ACCESSORS(around_t, F_AROUND)
ACCESSORS(mixed_t, F_ABCD)
ACCESSORS(mixed2_t, F_ABC)
ACCESSORS(mixed3_t, F_AB)
ACCESSORS(mixed4_t, F_ABCD)
ACCESSORS(packed_t, F_PACKED)
