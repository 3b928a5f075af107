"""A drop-in for ``ctypes`` whose DLLs run in a Windows process under Wine.

Importing this module starts the default session (configured like any CtypesSession:
environment variables and configuration files; ``arch`` defaults to win32) and exposes its
ctypes namespace here, plus its ``zb_*`` methods.
"""

from .._session import CtypesSession as _CtypesSession, namespace_of as _namespace_of

_session = _CtypesSession()

globals().update(_namespace_of(_session))

zb_terminate = _session.zb_terminate
_zb_terminate = _session.zb_terminate
zb_get_parameter = _session.zb_get_parameter
zb_set_parameter = _session.zb_set_parameter


def __getattr__(name):
    # zb_id, zb_client_up, zb_server_up are live properties of the session.
    if name in ("zb_id", "zb_client_up", "zb_server_up"):
        return getattr(_session, name)
    raise AttributeError(f"module 'zugbruecke.ctypes' has no attribute {name!r}")
