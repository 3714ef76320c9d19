"""The C allocator set up for large uploads, once per process."""

import ctypes
import functools
import sys

MiB = 1024 * 1024
# glibc's mallopt() parameters (malloc.h).
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3


@functools.cache
def keep_freed_memory_for_reuse():
    """Have the C allocator keep memory it is given back, up to what an upload uses.

    By default glibc returns memory to the system as soon as 128 KiB lie free at the top of a
    heap, and, in a worker's threads, maps blocks of a MiB afresh time and again. Reading a body
    a MiB at a time, gunicorn and Django allocate and free such blocks all the time: the system
    then clears every page again, and a large upload spends most of its CPU time on that.
    """
    if sys.platform != "linux":
        return  # other systems' allocators have no such settings
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt:  # glibc's; musl's does nothing
        mallopt(M_MMAP_THRESHOLD, 16 * MiB)
        mallopt(M_TRIM_THRESHOLD, 64 * MiB)
