/*
 * state.c: routines without a return value (restype None) that leave their
 * argument in a global, and getters without arguments that read it back. A
 * later call sees what an earlier one stored: both run in the same process.
 */

#include "zb_test.h"

static int stored_int = 0;
static double stored_double = 0.0;
static int calls = 0;

ZB_EXPORT void ZB_CONV store_int(int x) { stored_int = x; calls++; }
ZB_EXPORT int ZB_CONV load_int(void) { return stored_int; }

ZB_EXPORT void ZB_CONV store_double(double x) { stored_double = x; calls++; }
ZB_EXPORT double ZB_CONV load_double(void) { return stored_double; }

ZB_EXPORT void ZB_CONV count_call(void) { calls++; }
ZB_EXPORT int ZB_CONV call_count(void) { return calls; }
