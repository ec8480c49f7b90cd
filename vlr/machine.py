"""What a published number depends on: machine, versions, thread counts and the BLAS in use."""
import os
import platform
import sys
from importlib import metadata

from .kernel import kernel_status, load_kernel


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(package):
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def blas_info() -> list[dict]:
    """The BLAS NumPy uses, with its thread count (from threadpoolctl).

    Only the libraries shipped with or inside NumPy are listed when there are any: SciPy and
    others may load their own copy later in a process, which NumPy does not use.

    Returns
    -------
    list of dict
        internal_api, version, num_threads, threading_layer, architecture of each library.
    """
    import numpy
    from threadpoolctl import threadpool_info
    blas = [info for info in threadpool_info() if info.get("user_api") == "blas"]
    numpy_root = os.path.dirname(os.path.dirname(numpy.__file__)) + os.sep + "numpy"
    own = [info for info in blas if str(info.get("filepath", "")).startswith(numpy_root)]
    return [{k: info.get(k) for k in ("internal_api", "version", "num_threads", "threading_layer",
                                      "architecture")} for info in (own or blas)]


def machine_info(load_kernels: bool = True) -> dict:
    """A dict describing this machine and the software a measurement ran on.

    Parameters
    ----------
    load_kernels : bool
        Also import the compiled kernels to report their thread counts and OpenMP state.

    Returns
    -------
    dict
        cpu, cores, platform, python, versions, blas, env; with ``load_kernels`` also kernels,
        kernel_threads, cython_openmp and cython_simd_math.
    """
    info = {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "versions": {p: _version(p) for p in ("vlr", "numpy", "numba", "llvmlite", "Cython",
                                              "threadpoolctl")},
        "blas": blas_info(),
        "env": {k: os.environ[k] for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                          "NUMBA_NUM_THREADS", "OPENBLAS_CORETYPE",
                                          "OPENBLAS_L2_SIZE") if k in os.environ},
    }
    if load_kernels:
        status = kernel_status()
        info["kernels"] = status
        threads = {}
        for name in ("numba", "cython"):
            if status[name] == "available":
                module = load_kernel(name).module
                threads[name] = module.default_threads()
                if name == "cython":
                    info["cython_openmp"] = module.OPENMP
                    info["cython_simd_math"] = getattr(module, "SIMD_MATH", None)
                    info["versions"]["Cython"] = module.CYTHON_VERSION
        info["kernel_threads"] = threads
    return info


def describe(info: dict) -> str:
    """A few human-readable lines summarising :func:`machine_info`.

    Returns
    -------
    str
    """
    blas = ", ".join(f"{b['internal_api']} {b['version']} ({b['num_threads']} threads, "
                     f"{b['architecture']})" for b in info["blas"]) or "none found"
    v = info["versions"]
    lines = [
        f"machine : {info['cpu']}, {info['cores']} cores, {info['platform']}",
        f"software: Python {info['python']}, NumPy {v['numpy']}, Numba {v['numba']}, "
        f"Cython {v['Cython']}, vlr {v['vlr']}",
        f"BLAS    : {blas}",
    ]
    if "kernel_threads" in info:
        threads = ", ".join(f"{k} {n}" for k, n in info["kernel_threads"].items())
        omp, simd = info.get("cython_openmp"), info.get("cython_simd_math")
        lines.append(f"threads : {threads}" + ("" if omp is None else
                                               f" (cython built {'with' if omp else 'WITHOUT'} OpenMP"
                                               + ("" if simd is None else
                                                  f", {'SIMD' if simd else 'SCALAR'} exp/log1p") + ")"))
    if info["env"]:
        lines.append("env     : " + " ".join(f"{k}={v}" for k, v in info["env"].items()))
    return "\n".join(lines)
