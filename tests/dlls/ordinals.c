/*
 * ordinals.c: routines looked up by ordinal (dll[1]) instead of by name.
 *
 * Without a .def file, GNU ld numbers exports from 1 in alphabetical order of
 * their names, so ord_1_alpha has ordinal 1, ord_2_beta 2 and ord_3_gamma 3
 * (checked with objdump -p for every variant the tests build). Each routine
 * returns its own ordinal times 11 so a call through a wrong ordinal shows.
 */

#include "zb_test.h"

ZB_EXPORT int ZB_CONV ord_1_alpha(void) { return 11; }
ZB_EXPORT int ZB_CONV ord_2_beta(void) { return 22; }
ZB_EXPORT int ZB_CONV ord_3_gamma(int x) { return 33 + x; }
