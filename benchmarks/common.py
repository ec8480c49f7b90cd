"""What every benchmark of the suite shares: the kernels, the grid, the size budgets, the data,
the paired timer and the streaming-read roof (numpy's ``benchmarks/benchmarks/common.py`` is the
model).

The suite benchmarks *any* commit of vlr (``asv run <commit>^!``): asv installs that commit and
runs this suite, from the working tree, against it. So the suite takes its tools from this
working tree's files -- the kernel list (``kernels/__init__.py``), the grid (``vlr/study/grid.py``),
the data (``vlr/data.py``), the timer (``vlr/timing.py``) and the roof
(``vlr/study/bandwidth.py``), each a file that imports nothing of vlr -- loaded by path, and
imports nothing from the installed vlr beyond its public interface (``get_kernel``,
``gradients``, ``gradient_step``, ``train``, ``available_kernels``), which every commit has.
Where an older commit lacks something a benchmark needs, the benchmark raises
``NotImplementedError`` in ``setup`` (asv shows n/a), never fails.
"""
import importlib.util
import os
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent


def _load(relative):
    """The working tree's file ``relative`` (one that imports nothing of vlr) as a module."""
    name = "vlr_suite_" + relative.replace("/", "_").removesuffix(".py")
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, _ROOT / relative)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


_grid = _load("vlr/study/grid.py")
#: Every kernel, in the study's order (vlr's one list).
KERNELS = list(_load("kernels/__init__.py").MODULES)
SUITE_VERSION = _grid.SUITE_VERSION
grid, grid_name, skip_reason = _grid.grid, _grid.grid_name, _grid.skip_reason
#: The full grid, every benchmark's asv parameters whatever grid is in effect; a point outside
#: the grid in effect is skipped with ``outside_grid``'s reason (asv: n/a).
params = _grid.params
outside_grid = _grid.outside_grid
#: Why a benchmark outside the quick grid's set is skipped now, or "".
only_with_everything = _grid.only_with_everything
#: Why a pure-Python kernel gets no single call at a point over its budget (bench_once.py).
once_reason = _grid.once_reason
make_step_data = _load("vlr/data.py").make_step_data
#: Best seconds per call of each function, their blocks interleaved (A, B, A, B, ...) with a
#: pause before each so that no other block's thread pool is spinning.
interleaved_seconds = _load("vlr/timing.py").time_interleaved
#: Seconds per call of each function in every interleaved round: ``rounds[r][i]``.
interleaved_rounds = _load("vlr/timing.py").time_rounds
stream_read_seconds = _load("vlr/study/bandwidth.py").stream_read_seconds
#: The measured costs of the study's model (bench_model.py).
model_parameters = _load("vlr/study/model_parameters.py")


def as_samples(values):
    """A ``track_`` benchmark's return value that asv records as samples, not one number.

    asv (0.6) treats a returned ``{"samples": [...], "number": 1}`` as it treats a timing
    benchmark's repeats: the value it shows and compares is their median, with its 99 %
    interval and quartiles, and ``asv run --record-samples`` keeps the samples themselves (the
    study's intervals are computed from them; ``--append-samples`` adds a later run's).
    """
    return {"samples": [float(v) for v in values], "number": 1}


def require_kernel(name):
    """The installed vlr's kernel ``name``, or NotImplementedError (asv: n/a) if it has none."""
    import vlr
    if name not in vlr.available_kernels():
        raise NotImplementedError(f"kernel {name!r} is not available in this build of vlr")
    return vlr.get_kernel(name)


def write_machine_profile():
    """Write this machine's profile, ``benchmarks/machines/<asv name>.json`` (or under
    ``$VLR_MACHINES_DIR``), with the installed vlr: so a machine registered with plain
    ``asv machine`` is profiled by its first ``asv run`` as one registered by ``vlr study``.
    Nothing is written when the installed vlr cannot describe machines or asv knows several
    machine names here (which one runs is not passed to benchmarks).

    Returns
    -------
    str or None
        The profile's path.
    """
    try:
        from vlr.machine import machine_info
        from vlr.study.machines import local_machine_name, write_profile
    except ImportError:
        return None
    name = local_machine_name()
    if name is None:
        return None
    target = os.environ.get("VLR_MACHINES_DIR") or _ROOT / "benchmarks" / "machines"
    return str(write_profile(name, machine_info(), target))


def blas_label():
    """The BLAS libraries of this process, e.g. ``OpenBLAS 0.3.31 SkylakeX`` (threadpoolctl)."""
    from threadpoolctl import threadpool_info
    return "; ".join(f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')}"
                     for i in threadpool_info() if i.get("user_api") == "blas") or "none"
