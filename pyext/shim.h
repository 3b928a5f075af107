/* C side of the _core extension: the module table, argument parsing (varargs), and
 * every CPython macro Go cannot call directly. Go code in this folder calls only the
 * functions declared here and plain CPython API functions. */
#ifndef ZB_SHIM_H
#define ZB_SHIM_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>

/* Error raising: the Python package registers a factory (kind, code, message) -> exception
 * instance at import; zb_raise sets the exception it returns. */
void zb_raise(const char *kind, long long code, const char *msg, Py_ssize_t len);

PyObject *zb_none(void);
PyObject *zb_bool(int v);
int zb_is_none(PyObject *o);
int zb_is_bytes(PyObject *o);
int zb_is_str(PyObject *o);
int zb_is_float(PyObject *o);
int zb_is_long(PyObject *o);
int zb_is_tuple(PyObject *o);
Py_ssize_t zb_tuple_size(PyObject *t);
PyObject *zb_tuple_item(PyObject *t, Py_ssize_t i);
void zb_tuple_set(PyObject *t, Py_ssize_t i, PyObject *o); /* steals o */
char *zb_bytes_data(PyObject *o);
Py_ssize_t zb_bytes_size(PyObject *o);
void zb_decref(PyObject *o);

/* Buffers of writable objects (ctypes arrays, bytearray) for in/out arguments. */
Py_buffer *zb_buffer_get(PyObject *o);
void zb_buffer_release(Py_buffer *b);



void zb_flush_std(void);
void zb_event(PyObject *events, const char *kind, const char *msg, Py_ssize_t len);
void zb_incref(PyObject *o);

/* (value, last_error), stealing value. */
PyObject *zb_result(PyObject *value, unsigned long last_error);
#endif
