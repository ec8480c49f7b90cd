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


#: (vendor, family) -> [(first model, last model, generation)]: what /proc/cpuinfo's numbers mean.
_GENERATIONS: dict[tuple[str, int | None], list[tuple[int, int, str]]] = {
    ("AuthenticAMD", 23): [(0x00, 0x2F, "Zen"), (0x30, 0x7F, "Zen 2"), (0x90, 0x9F, "Zen 2")],
    ("AuthenticAMD", 25): [(0x00, 0x0F, "Zen 3"), (0x10, 0x1F, "Zen 4"), (0x20, 0x5F, "Zen 3"),
                           (0x60, 0x7F, "Zen 4"), (0xA0, 0xAF, "Zen 4")],
    ("AuthenticAMD", 26): [(0x00, 0xFF, "Zen 5")],
    ("GenuineIntel", 6): [(0x55, 0x55, "Skylake-SP"), (0x6A, 0x6C, "Ice Lake-SP"),
                          (0x7D, 0x7E, "Ice Lake"), (0x8C, 0x8D, "Tiger Lake"),
                          (0x8F, 0x8F, "Sapphire Rapids"), (0x97, 0x9A, "Alder Lake"),
                          (0xAA, 0xAC, "Meteor Lake"), (0xAD, 0xAE, "Granite Rapids"),
                          (0xB7, 0xBF, "Raptor Lake"), (0xCF, 0xCF, "Emerald Rapids")],
}


def _cpuinfo() -> dict:
    """The first processor's fields of /proc/cpuinfo ({} where there is none)."""
    fields: dict = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if not line.strip():
                    break
                key, _, value = line.partition(":")
                fields[key.strip()] = value.strip()
    except OSError:
        pass
    return fields


def vector_isa(flags) -> str:
    """The widest x86 vector instruction set among CPU ``flags`` ("AVX-512", "AVX2", ...).

    Returns
    -------
    str
    """
    flags = set(flags)
    for flag, name in (("avx512f", "AVX-512"), ("avx2", "AVX2"), ("avx", "AVX"),
                       ("sse4_2", "SSE4.2"), ("sse2", "SSE2")):
        if flag in flags:
            return name
    return "unknown"


def _read_stripped(path: str) -> str:
    with open(path) as f:
        return f.read().strip()


def _caches() -> dict:
    """L1d, L2, L3 sizes in KiB (per core where private) from sysfs ({} where there is none)."""
    sizes: dict[str, int] = {}
    root = "/sys/devices/system/cpu/cpu0/cache"
    try:
        entries = sorted(os.listdir(root))
    except OSError:
        return sizes
    for entry in entries:
        if not entry.startswith("index"):
            continue
        try:
            level, kind, size = (_read_stripped(os.path.join(root, entry, name))
                                 for name in ("level", "type", "size"))
        except OSError:
            continue
        if kind == "Instruction":
            continue
        kib = int(size[:-1]) * (1024 if size.endswith("M") else 1) if size[-1] in "KM" else int(size) // 1024
        sizes[f"L{level}{'d' if level == '1' else ''}"] = kib
    return sizes


def cpu_facts() -> dict:
    """What the CPU is, by its own description: vendor, family and model, the generation they
    mean, the vector ISA, the caches and the cores.

    Returns
    -------
    dict
        model, vendor, family, model_number, generation (None if not known), vector_isa,
        caches_kib ({"L1d": 32, "L2": 512, "L3": 32768}), cores.
    """
    info = _cpuinfo()
    vendor = info.get("vendor_id", "")
    family: int | None
    model: int | None
    try:
        family, model = int(info.get("cpu family", "")), int(info.get("model", ""))
    except ValueError:
        family = model = None
    generation = next((name for lo, hi, name in _GENERATIONS.get((vendor, family), [])
                       if model is not None and lo <= model <= hi), None)
    return {"model": _cpu_model(), "vendor": vendor or platform.machine(), "family": family,
            "model_number": model, "generation": generation,
            "vector_isa": vector_isa(info.get("flags", "").split()),
            "caches_kib": _caches(), "cores": os.cpu_count()}


def _numba_target():
    """The CPU LLVM compiles Numba's kernels for (e.g. "znver3"), or None without llvmlite."""
    try:
        import llvmlite.binding as llvm  # type: ignore[import-untyped]
        return llvm.get_host_cpu_name()
    except Exception:  # not installed, or an llvmlite without it
        return None


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
        "cpu_facts": cpu_facts(),
        "numba_target": _numba_target(),
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
                    isa = getattr(module, "VECTOR_ISA", None)
                    if isa and getattr(module, "RUNTIME_DISPATCH", False):
                        isa += " + AVX2/AVX-512 loss loop chosen at load"
                    info["cython_vector_isa"] = isa
                    info["versions"]["Cython"] = module.CYTHON_VERSION
        info["kernel_threads"] = threads
        info["gpu"] = (load_kernel("cuda").module.device_info() if status.get("cuda") == "available"
                       else {"unavailable": status.get("cuda", "not registered")})
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
    facts = info.get("cpu_facts", {})
    caches = ", ".join(f"{k} {v // 1024} MB" if v >= 1024 else f"{k} {v} KB"
                       for k, v in facts.get("caches_kib", {}).items())
    built = [f"numba for {info['numba_target']}"] if info.get("numba_target") else []
    if info.get("cython_vector_isa"):
        built.append(f"cython for {info['cython_vector_isa']}")
    lines = [
        f"machine : {info['cpu']}, {info['cores']} cores, {info['platform']}",
        f"cpu     : {facts.get('generation') or 'generation unknown'} "
        f"(family {facts.get('family')} model {facts.get('model_number')}), "
        f"{facts.get('vector_isa', '?')}" + (f", {caches}" if caches else "")
        + (f"; kernels built: {', '.join(built)}" if built else ""),
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
                                                  f", {'SIMD' if simd else 'SCALAR'} exp") + ")"))
    gpu = info.get("gpu")
    if gpu:
        lines.append("gpu     : " + (gpu["unavailable"] if "unavailable" in gpu else
                                     f"{gpu['name']} (compute capability {gpu['compute_capability']}, "
                                     f"driver {gpu['driver']}, "
                                     + (f"{gpu['memory_gb']:.0f} GB" if gpu["memory_gb"] else "memory unknown")
                                     + "; host-to-device "
                                     f"copy {gpu['copy_gb_s']:.1f} GB/s measured now)"))
    if info["env"]:
        lines.append("env     : " + " ".join(f"{k}={v}" for k, v in info["env"].items()))
    return "\n".join(lines)
