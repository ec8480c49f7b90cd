"""The measured ``fastest``: per class of X, the kernel that timed fastest on this machine.

Design:
  A. A *shape class* sums up what decides which kernel wins: the size of X against the caches
     (``small``: about the L2s, ``medium``: the L3, ``large`` streams from memory), few or many
     features (``narrow``: n_x <= 16, where the per-example exp/log1p dominate; ``wide``),
     the dtype, and the layout (``C``: examples adjacent; ``F``: features adjacent).
  B. A class is *calibrated* once: each candidate kernel (numpy, numba, cython -- the
     pure-Python ones never win) times a gradient step on synthetic data of the class's
     representative shape, interleaved, best of a few repeats. The winner and all timings are
     stored in ``fastest.json`` in the user's cache directory (``VLR_CACHE_DIR`` overrides).
  C. The file carries a key (machine, versions, thread counts, BLAS); a different key discards
     it, so a new NumPy, a rebuilt extension or another thread count recalibrates.
  D. ``VLR_FASTEST=<kernel>`` overrides the choice for every class (and skips calibration).
  E. An unaligned X (a view at an odd byte offset) goes to numba, which reads it (cython
     refuses it), or numpy.
Classes are calibrated lazily, at the first call that needs one (a status line says so), or
all at once with ``vlr tune``.
"""
import json
import os
import tempfile
from pathlib import Path

import numpy as np

from .kernel_methods import KernelMethods

#: Kernels that can be chosen: the pure-Python kernels are never the fastest.
CANDIDATES = ("numpy", "numba", "cython")
#: Upper bounds, in bytes of X, of the size classes: about the L2 of both cores (512 KiB each on
#: the development machine), and its L3 (32 MiB).
SMALL_BYTES = 1 << 20
MEDIUM_BYTES = 32 << 20
#: At most this many features is "narrow".
NARROW_N_X = 16
#: (n_x, m) timed for each (size, aspect); m is scaled so X has the size in float64 and float32.
REPRESENTATIVE = {
    ("small", "narrow"): (8, 4096),
    ("small", "wide"): (128, 512),
    ("medium", "narrow"): (8, 262_144),
    ("medium", "wide"): (256, 8192),
    ("large", "narrow"): (8, 1_048_576),  # 64 MiB: twice the L3, small enough to calibrate fast
    ("large", "wide"): (256, 32_768),
}
ENV_OVERRIDE = "VLR_FASTEST"
ENV_CACHE_DIR = "VLR_CACHE_DIR"


def shape_class(X):
    """The class of ``X`` (a validated 2-D float32/float64 ndarray), e.g. ``"large-wide-float64-C"``."""
    nbytes = X.nbytes
    size = "small" if nbytes <= SMALL_BYTES else "medium" if nbytes <= MEDIUM_BYTES else "large"
    aspect = "narrow" if X.shape[0] <= NARROW_N_X else "wide"
    layout = "C" if abs(X.strides[1]) <= abs(X.strides[0]) else "F"
    return f"{size}-{aspect}-{X.dtype.name}-{layout}"


def all_classes():
    """Every shape class, in calibration order (small first)."""
    return [f"{size}-{aspect}-{dtype}-{layout}" for (size, aspect) in REPRESENTATIVE
            for dtype in ("float64", "float32") for layout in ("C", "F")]


def cache_path():
    """Where the calibration is stored: ``$VLR_CACHE_DIR/fastest.json`` or the user cache dir."""
    root = os.environ.get(ENV_CACHE_DIR)
    if not root:
        from platformdirs import user_cache_dir
        root = user_cache_dir("vlr")
    return Path(root) / "fastest.json"


def cache_key():
    """What a calibration is valid for: machine, versions, thread counts, BLAS (a JSON-able dict)."""
    from .machine import machine_info
    info = machine_info(load_kernels=True)
    return {k: info[k] for k in ("cpu", "cores", "python", "versions", "blas", "env", "kernels",
                                 "kernel_threads")} | {"cython_openmp": info.get("cython_openmp")}


def _example(cls):
    """Synthetic (w, b, X, Y) of class ``cls``'s representative shape, dtype and layout."""
    from .study_grid import make_step_data
    size, aspect, dtype, layout = cls.split("-")
    n_x, m = REPRESENTATIVE[(size, aspect)]
    if dtype == "float32":
        m *= 2  # the same bytes of X
    w, b, X, Y = make_step_data(m, n_x, np.dtype(dtype))
    if layout == "F":
        X = np.asfortranarray(X)
    return w, b, X, Y


def measure_class(cls, candidates=None, repeat=3, min_time=0.05):
    """Time one gradient step of each candidate kernel on class ``cls``; return {kernel: seconds}."""
    from .registry import available_kernels, get_kernel
    from .timing import time_interleaved
    names = [k for k in (candidates or CANDIDATES) if k in available_kernels()]
    w, b, X, Y = _example(cls)
    steps = [(lambda k=get_kernel(name): k.gradients(w, b, X, Y)) for name in names]
    return dict(zip(names, time_interleaved(steps, repeat=repeat, min_time=min_time)))


class Calibration:
    """The per-class choices, loaded from and saved to :func:`cache_path`.

    Attributes
    ----------
    path : Path
    key : dict
        What the stored choices are valid for (see :func:`cache_key`).
    classes : dict
        class -> {"kernel": name, "seconds": {kernel: seconds}}.
    """

    def __init__(self, path=None, key=None):
        self.path = Path(path) if path is not None else cache_path()
        self.key = cache_key() if key is None else key
        self.classes = {}
        self.discarded = None  # why a stored file was not used, if it was not
        self._load()

    def _load(self):
        try:
            stored = json.loads(self.path.read_text())
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            self.discarded = f"unreadable ({exc})"
            return
        if stored.get("key") != self.key:
            self.discarded = "made on another machine or with other versions / thread counts"
            return
        self.classes = stored.get("classes", {})

    def save(self):
        """Write the file atomically (a concurrent reader sees the old or the new file)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"key": self.key, "classes": self.classes}, indent=1, sort_keys=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".fastest-", suffix=".json")
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, self.path)

    def calibrate(self, cls, **kwargs):
        """Measure class ``cls``, store its winner, save; return the winner's name."""
        seconds = measure_class(cls, **kwargs)
        winner = min(seconds, key=seconds.get)
        self.classes[cls] = {"kernel": winner, "seconds": seconds}
        self.save()
        return winner


class Fastest(KernelMethods):
    """The kernel that measured fastest for each class of X (what ``vlr.fastest`` is).

    It has the methods of a :class:`vlr.Kernel` (``gradients``, ``gradient_step``, ``train``);
    each call picks the kernel for its X's class with :meth:`choose`.
    """

    name = "auto"

    def __init__(self):
        self._calibration = None
        self._chosen = {}  # (nbytes class inputs) -> Kernel, so a call costs one dict lookup

    def __repr__(self):
        return f"<vlr fastest: measured per class of X, cached in {cache_path()}>"

    @property
    def calibration(self):
        """The :class:`Calibration` in use (loaded on first access)."""
        if self._calibration is None:
            self._calibration = Calibration()
        return self._calibration

    def reset(self):
        """Forget the loaded calibration and choices (the next call reads the cache file again)."""
        self._calibration = None
        self._chosen.clear()

    def choose(self, X):
        """The :class:`vlr.Kernel` to use for ``X`` (a validated ndarray); may calibrate its class."""
        nbytes, (s0, s1) = X.nbytes, X.strides
        key = (nbytes <= SMALL_BYTES, nbytes <= MEDIUM_BYTES, X.shape[0] <= NARROW_N_X,
               X.dtype.char, abs(s1) <= abs(s0), X.flags.aligned)  # cheaper to hash than the class
        kernel = self._chosen.get(key)
        if kernel is None:
            kernel = self._chosen[key] = self._choose_class(shape_class(X), X.flags.aligned)
        return kernel

    def _choose_class(self, cls, aligned=True):
        from .registry import available_kernels, get_kernel
        if not aligned:
            return get_kernel("numba" if "numba" in available_kernels() else "numpy")
        override = os.environ.get(ENV_OVERRIDE)
        if override:
            try:
                return get_kernel(override)
            except ValueError as exc:
                raise ValueError(f"{ENV_OVERRIDE}={override!r}: {exc}") from None
        entry = self.calibration.classes.get(cls)
        if entry is None:
            from rich.console import Console
            with Console(stderr=True).status(
                    f"vlr: measuring the fastest kernel for {cls} X (once; cached in "
                    f"{self.calibration.path})"):
                self.calibration.calibrate(cls)
            entry = self.calibration.classes[cls]
        return get_kernel(entry["kernel"])


#: The one instance: ``vlr.fastest`` and ``kernel="auto"``.
FASTEST = Fastest()


def tune(classes=None, progress=None):
    """Calibrate ``classes`` (default: all) now and save them; return {class: winner}.

    Parameters
    ----------
    classes : list of str, optional
    progress : callable(str), optional
        Called before each class is measured.
    """
    calibration = FASTEST.calibration
    winners = {}
    for cls in classes or all_classes():
        if progress:
            progress(cls)
        winners[cls] = calibration.calibrate(cls)
    FASTEST.reset()
    return winners
