# Types of zugbruecke.ctypes.wintypes: ctypes.wintypes as typeshed describes it.
from ctypes.wintypes import *  # noqa: F403 - the whole namespace, re-exported
