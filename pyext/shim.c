#include "shim.h"
#include "_cgo_export.h"

static PyObject *error_factory = NULL;

void zb_raise(const char *kind, long long code, const char *msg, Py_ssize_t len)
{
    if (error_factory == NULL) {
        PyErr_SetString(PyExc_RuntimeError, msg);
        return;
    }
    PyObject *exc = PyObject_CallFunction(error_factory, "sLs#", kind, code, msg, len);
    if (exc == NULL)
        return; /* the factory raised: keep its exception */
    PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
    Py_DECREF(exc);
}

PyObject *zb_none(void) { Py_RETURN_NONE; }
PyObject *zb_bool(int v) { return PyBool_FromLong(v); }
int zb_is_none(PyObject *o) { return o == Py_None; }
int zb_is_bytes(PyObject *o) { return PyBytes_Check(o); }
int zb_is_str(PyObject *o) { return PyUnicode_Check(o); }
int zb_is_float(PyObject *o) { return PyFloat_Check(o); }
int zb_is_long(PyObject *o) { return PyLong_Check(o); }
int zb_is_tuple(PyObject *o) { return PyTuple_Check(o); }
Py_ssize_t zb_tuple_size(PyObject *t) { return PyTuple_GET_SIZE(t); }
PyObject *zb_tuple_item(PyObject *t, Py_ssize_t i) { return PyTuple_GET_ITEM(t, i); }
void zb_tuple_set(PyObject *t, Py_ssize_t i, PyObject *o) { PyTuple_SET_ITEM(t, i, o); }
char *zb_bytes_data(PyObject *o) { return PyBytes_AS_STRING(o); }
Py_ssize_t zb_bytes_size(PyObject *o) { return PyBytes_GET_SIZE(o); }
void zb_decref(PyObject *o) { Py_XDECREF(o); }

Py_buffer *zb_buffer_get(PyObject *o)
{
    Py_buffer *b = PyMem_Malloc(sizeof(Py_buffer));
    if (b == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    if (PyObject_GetBuffer(o, b, PyBUF_WRITABLE | PyBUF_ND) < 0) {
        PyMem_Free(b);
        return NULL;
    }
    return b;
}

void zb_buffer_release(Py_buffer *b)
{
    PyBuffer_Release(b);
    PyMem_Free(b);
}

/* events(kind, message) for the session's event callable (see pyext/events.go); an error
   in it is reported as unraisable, and an exception already set is kept. */
void zb_event(PyObject *events, const char *kind, const char *msg, Py_ssize_t len)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyObject *r = PyObject_CallFunction(events, "ss#", kind, msg, len);
    if (r == NULL)
        PyErr_WriteUnraisable(events);
    Py_XDECREF(r);
    PyErr_Restore(type, value, tb);
}

void zb_incref(PyObject *o) { Py_INCREF(o); }

/* Flushes sys.stdout and sys.stderr before DLL output is written to descriptors 1 and 2,
   so that it comes after what Python printed before; errors are ignored and an exception
   already set is kept. */
void zb_flush_std(void)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    static const char *names[] = {"stdout", "stderr"};
    for (int i = 0; i < 2; i++) {
        PyObject *f = PySys_GetObject(names[i]); /* borrowed */
        if (f == NULL || f == Py_None)
            continue;
        Py_INCREF(f);
        PyObject *r = PyObject_CallMethod(f, "flush", NULL);
        Py_XDECREF(r);
        Py_DECREF(f);
        PyErr_Clear();
    }
    PyErr_Restore(type, value, tb);
}

PyObject *zb_result(PyObject *value, unsigned long last_error)
{
    if (value == NULL)
        return NULL;
    PyObject *le = PyLong_FromUnsignedLong(last_error);
    if (le == NULL) {
        Py_DECREF(value);
        return NULL;
    }
    PyObject *t = PyTuple_Pack(2, value, le);
    Py_DECREF(value);
    Py_DECREF(le);
    return t;
}

/* ---- methods: parse arguments here, do the work in Go (module.go, session.go, call.go) ---- */

static PyObject *m_init(PyObject *self, PyObject *args)
{
    PyObject *factory;
    if (!PyArg_ParseTuple(args, "O:init", &factory))
        return NULL;
    Py_XINCREF(factory);
    Py_XSETREF(error_factory, factory);
    Py_RETURN_NONE;
}

static PyObject *m_resolve_config(PyObject *self, PyObject *args)
{
    const char *s, *env;
    Py_ssize_t n, nenv;
    if (!PyArg_ParseTuple(args, "s#s#:resolve_config", &s, &n, &env, &nenv))
        return NULL;
    return zbResolveConfig((char *)s, (int)n, (char *)env, (int)nenv);
}

static PyObject *m_start(PyObject *self, PyObject *args)
{
    const char *cfg, *bin, *env;
    Py_ssize_t ncfg, nbin, nenv;
    PyObject *events = Py_None;
    if (!PyArg_ParseTuple(args, "s#s#s#|O:start", &cfg, &ncfg, &bin, &nbin, &env, &nenv, &events))
        return NULL;
    return zbStart((char *)cfg, (int)ncfg, (char *)bin, (int)nbin, (char *)env, (int)nenv, events);
}

static PyObject *m_wine_info(PyObject *self, PyObject *args)
{
    const char *cfg, *env;
    Py_ssize_t ncfg, nenv;
    if (!PyArg_ParseTuple(args, "s#s#:wine_info", &cfg, &ncfg, &env, &nenv))
        return NULL;
    return zbWineInfo((char *)cfg, (int)ncfg, (char *)env, (int)nenv);
}

static PyObject *m_stop(PyObject *self, PyObject *args)
{
    unsigned long long h;
    if (!PyArg_ParseTuple(args, "K:stop", &h))
        return NULL;
    return zbStop(h);
}

static PyObject *m_release_thread(PyObject *self, PyObject *args)
{
    unsigned long long h;
    long long tid;
    if (!PyArg_ParseTuple(args, "KL:release_thread", &h, &tid))
        return NULL;
    return zbReleaseThread(h, tid);
}

static PyObject *m_alive(PyObject *self, PyObject *args)
{
    unsigned long long h;
    if (!PyArg_ParseTuple(args, "K:alive", &h))
        return NULL;
    return zbAlive(h);
}

static PyObject *m_pids(PyObject *self, PyObject *args)
{
    unsigned long long h;
    if (!PyArg_ParseTuple(args, "K:pids", &h))
        return NULL;
    return zbPids(h);
}

static PyObject *m_load(PyObject *self, PyObject *args)
{
    unsigned long long h;
    const char *name;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "Ks#:load", &h, &name, &n))
        return NULL;
    return zbLoad(h, (char *)name, (int)n);
}

static PyObject *m_free(PyObject *self, PyObject *args)
{
    unsigned long long h, lib;
    if (!PyArg_ParseTuple(args, "KK:free", &h, &lib))
        return NULL;
    return zbFree(h, lib);
}

static PyObject *m_sym(PyObject *self, PyObject *args)
{
    unsigned long long h, lib;
    const char *name;
    Py_ssize_t n;
    unsigned int ordinal;
    if (!PyArg_ParseTuple(args, "KKs#I:sym", &h, &lib, &name, &n, &ordinal))
        return NULL;
    return zbSym(h, lib, (char *)name, (int)n, ordinal);
}

static PyObject *m_read(PyObject *self, PyObject *args)
{
    unsigned long long h, addr;
    unsigned int size;
    int wide;
    if (!PyArg_ParseTuple(args, "KKIp:read", &h, &addr, &size, &wide))
        return NULL;
    return zbRead(h, addr, size, wide);
}

static PyObject *m_type_register(PyObject *self, PyObject *args)
{
    const char *s;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "s#:type_register", &s, &n))
        return NULL;
    return zbTypeRegister((char *)s, (int)n);
}

static PyObject *m_type_bind(PyObject *self, PyObject *args)
{
    long ptr, elem;
    if (!PyArg_ParseTuple(args, "ll:type_bind", &ptr, &elem))
        return NULL;
    return zbTypeBind(ptr, elem);
}

static PyObject *m_type_info(PyObject *self, PyObject *args)
{
    unsigned long long h;
    long id;
    if (!PyArg_ParseTuple(args, "Kl:type_info", &h, &id))
        return NULL;
    return zbTypeInfo(h, id);
}

static PyObject *m_mirror(PyObject *self, PyObject *args)
{
    unsigned long long h, srv, lin;
    long id;
    if (!PyArg_ParseTuple(args, "KKlK:mirror", &h, &srv, &id, &lin))
        return NULL;
    return zbMirror(h, srv, id, lin);
}

static PyObject *m_unmirror(PyObject *self, PyObject *args)
{
    unsigned long long h, lin;
    if (!PyArg_ParseTuple(args, "KK:unmirror", &h, &lin))
        return NULL;
    return zbUnmirror(h, lin);
}

static PyObject *m_callback_new(PyObject *self, PyObject *args)
{
    unsigned long long h;
    PyObject *handler;
    const char *sig;
    Py_ssize_t n;
    unsigned long long lin;
    if (!PyArg_ParseTuple(args, "KOs#K:callback_new", &h, &handler, &sig, &n, &lin))
        return NULL;
    return zbCallbackNew(h, handler, (char *)sig, (int)n, lin);
}

static PyObject *m_callback_free(PyObject *self, PyObject *args)
{
    unsigned long long h, addr;
    if (!PyArg_ParseTuple(args, "KK:callback_free", &h, &addr))
        return NULL;
    return zbCallbackFree(h, addr);
}

static PyObject *m_from_win(PyObject *self, PyObject *args)
{
    unsigned long long h, lin;
    long id;
    const char *data;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "Kly#K:from_win", &h, &id, &data, &n, &lin))
        return NULL;
    return zbFromWin(h, id, (char *)data, (int)n, lin);
}

static PyObject *m_to_win(PyObject *self, PyObject *args)
{
    unsigned long long h, lin;
    long id;
    const char *orig;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "KlKy#:to_win", &h, &id, &lin, &orig, &n))
        return NULL;
    return zbToWin(h, id, lin, (char *)orig, (int)n);
}

static PyObject *m_call(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    /* call(session, fn, flags, kinds: bytes, values: tuple[, result[, syncs]]): the hot
     * path, so vectorcall (METH_FASTCALL) and no format string. result is (type id,
     * address) of the object receiving a structure result; syncs are memsync
     * descriptions of pointer members (memsync.go). */
    if (nargs < 5 || nargs > 7 || !PyBytes_Check(args[3]) || !PyTuple_Check(args[4])) {
        PyErr_SetString(PyExc_TypeError, "call(session, fn, flags, kinds: bytes, values: tuple[, result[, syncs]])");
        return NULL;
    }
    unsigned long long h = PyLong_AsUnsignedLongLong(args[0]);
    unsigned long long fn = PyLong_AsUnsignedLongLong(args[1]);
    unsigned long flags = PyLong_AsUnsignedLong(args[2]);
    if (PyErr_Occurred())
        return NULL;
    if (PyBytes_GET_SIZE(args[3]) != PyTuple_GET_SIZE(args[4])) {
        PyErr_SetString(PyExc_ValueError, "call: one kind per value");
        return NULL;
    }
    return zbCall(h, fn, flags, PyBytes_AS_STRING(args[3]), args[4], nargs >= 6 ? args[5] : Py_None,
                  nargs == 7 ? args[6] : Py_None);
}

static PyObject *m_adopt(PyObject *self, PyObject *args)
{
    unsigned long long h, srv, lin;
    long id, count;
    PyObject *data;
    if (!PyArg_ParseTuple(args, "KKllKO:adopt", &h, &srv, &id, &count, &lin, &data))
        return NULL;
    return zbAdopt(h, srv, id, count, lin, data);
}

static PyMethodDef methods[] = {
    {"init", m_init, METH_VARARGS, "init(error_factory): register the exception factory."},
    {"resolve_config", m_resolve_config, METH_VARARGS, "resolve_config(kwargs_json, environ_json) -> json"},
    {"start", m_start, METH_VARARGS,
     "start(config_json, bin_dir, environ_json[, events]) -> session; events(kind, message) hears of "
     "prefix steps and server threads"},
    {"wine_info", m_wine_info, METH_VARARGS,
     "wine_info(config_json, environ_json) -> json {data_dir, data_dir_source, archs}"},
    {"stop", m_stop, METH_VARARGS, "stop(session): terminate the server."},
    {"release_thread", m_release_thread, METH_VARARGS,
     "release_thread(session, tid): the Linux thread tid ended: end its server thread."},
    {"alive", m_alive, METH_VARARGS, "alive(session) -> bool"},
    {"pids", m_pids, METH_VARARGS, "pids(session) -> (linux_pid, windows_pid)"},
    {"load", m_load, METH_VARARGS, "load(session, name) -> module handle"},
    {"free", m_free, METH_VARARGS, "free(session, handle)"},
    {"sym", m_sym, METH_VARARGS, "sym(session, handle, name, ordinal) -> address"},
    {"read", m_read, METH_VARARGS, "read(session, address, size, wide) -> bytes"},
    {"type_register", m_type_register, METH_VARARGS, "type_register(json) -> type id"},
    {"type_bind", m_type_bind, METH_VARARGS, "type_bind(pointer id, pointee id)"},
    {"type_info", m_type_info, METH_VARARGS, "type_info(session, id) -> json [size, align, offsets...]"},
    {"mirror", m_mirror, METH_VARARGS, "mirror(session, server_address, type id, linux_address)"},
    {"unmirror", m_unmirror, METH_VARARGS, "unmirror(session, linux_address)"},
    {"callback_new", m_callback_new, METH_VARARGS,
     "callback_new(session, handler, signature_json, linux_address) -> entry point address"},
    {"from_win", m_from_win, METH_VARARGS, "from_win(session, type id, windows bytes, linux address)"},
    {"to_win", m_to_win, METH_VARARGS, "to_win(session, type id, linux address, original bytes) -> bytes"},
    {"callback_free", m_callback_free, METH_VARARGS, "callback_free(session, address)"},
    {"call", (PyCFunction)(void (*)(void))m_call, METH_FASTCALL,
     "call(session, fn, flags, kinds, values[, result[, syncs]]) -> (result, last_error)"},
    {"adopt", m_adopt, METH_VARARGS,
     "adopt(session, server_address, type id, count, linux_address, data or None)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_core", "zugbruecke's Go core (cgo).", -1, methods,
};

PyMODINIT_FUNC PyInit__core(void) { return PyModule_Create(&module); }

