"""Compiled kernels that survive ``os.fork``: GNU OpenMP's thread pool released before a fork.

Both compiled kernels run their threads on GNU OpenMP (libgomp): Cython's ``prange`` directly, and
Numba's ``parallel=True`` code through its default ``omp`` threading layer, which loads the same
libgomp. libgomp keeps a pool of worker threads per launching thread and has no fork handler, so
a child forked after a parallel region inherits a pool whose threads do not exist: its next
parallel region waits for them forever (Cython), or Numba's own guard terminates it ("fork()
called from a process already using GNU OpenMP"). ``multiprocessing`` with the ``fork`` start
method (Linux's default before Python 3.14) and joblib's ``multiprocessing`` backend do exactly
this. OpenBLAS survives the same fork because it resets its pool in the child.

vlr does the equivalent for libgomp with :func:`os.register_at_fork`, once a compiled kernel has
been loaded:

- **before a fork**, the forking thread's OpenMP pool is released with OpenMP 5.0's
  ``omp_pause_resource_all(omp_pause_hard)`` (libgomp from GCC 9 on) in every libgomp that
  threadpoolctl finds in the process. The child then starts with no pool and builds its own on
  its first parallel region, with all its threads; the parent rebuilds its pool on its next
  parallel region (measured: the first call after a fork 0.1–0.2 ms slower, once per fork; the
  kernels' speed is otherwise unchanged).
- **in the child**, Numba's ``omp`` layer is told the child's own pid (its guard compares the pid
  that started it with ``getppid()``), which is now safe because the child's pool is new.

LLVM's and Intel's OpenMP runtimes have fork handlers of their own and are left alone. Where the
pause is missing (a libgomp older than GCC 9), nothing is released and Numba's guard is left as
it is; use the ``spawn`` or ``forkserver`` start method there.
"""
from __future__ import annotations

import ctypes
import os
import sys

#: ``omp_pause_hard`` from OpenMP 5.0's ``omp_pause_resource_t``: threads are shut down.
OMP_PAUSE_HARD = 2

_installed = False
#: True in a process (and, inherited, in its child) whose last fork released every libgomp pool.
_released = False


def install() -> None:
    """Register the fork handlers (once per process; called when a compiled kernel loads)."""
    global _installed
    if _installed or not hasattr(os, "register_at_fork"):
        return
    import threadpoolctl  # noqa: F401  (imported now, not inside a fork handler)
    os.register_at_fork(before=_release_openmp_pools, after_in_child=_rearm_numba_in_child)
    _installed = True


def _libgomp_pause_functions() -> list:
    """``omp_pause_resource_all`` of every libgomp loaded in this process (None where missing)."""
    from threadpoolctl import ThreadpoolController

    functions: list = []
    for lib in ThreadpoolController().select(internal_api="openmp").lib_controllers:
        if lib.prefix != "libgomp":
            continue  # LLVM's libomp and Intel's libiomp5 reset themselves in the child
        try:
            dll = ctypes.CDLL(lib.filepath, mode=os.RTLD_NOLOAD)
            pause = dll.omp_pause_resource_all
        except (OSError, AttributeError):
            functions.append(None)
            continue
        pause.argtypes = [ctypes.c_int]
        pause.restype = ctypes.c_int
        functions.append(pause)
    return functions


def _release_openmp_pools() -> None:
    """Before a fork: shut down the forking thread's pool in every libgomp (see the module)."""
    global _released
    try:
        functions = _libgomp_pause_functions()
        _released = bool(functions) and all(f is not None and f(OMP_PAUSE_HARD) == 0
                                            for f in functions)
    except Exception:  # a fork handler must never stop the fork
        _released = False


def _rearm_numba_in_child() -> None:
    """In the child: point Numba's ``omp`` layer's fork guard at this process."""
    parallel = sys.modules.get("numba.np.ufunc.parallel")
    if not _released or parallel is None or not getattr(parallel, "_is_initialized", False):
        return
    if getattr(parallel, "_threading_layer", None) != "omp":
        return  # tbb and workqueue handle forks themselves
    try:
        from numba.np.ufunc import omppool  # type: ignore[attr-defined]

        # omppool's launch_threads(n) records getpid() as the process that owns the pool, and
        # sets the thread count it set at start-up again: what a freshly started layer does.
        ctypes.CFUNCTYPE(None, ctypes.c_int)(omppool.launch_threads)(parallel.NUM_THREADS)
    except Exception:  # Numba changed its internals: its guard stays, and says what happened
        pass
