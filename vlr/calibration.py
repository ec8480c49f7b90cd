"""Calibration of ``vlr.fastest``: classes of calls, their timings, and the file that keeps them.

Design:
  A. A *class* sums up what decides which kernel wins a call: what is timed (``step``: one
     gradient step; ``train``: an iteration of the training loop, where the compiled kernels
     loop without Python), X's dtype, its layout (``C``: examples adjacent; ``F``: features
     adjacent), and the octaves of n_x and m (``n_x 8-15``: 8 <= n_x <= 15). Octaves are fine
     enough that one kernel is within a few per cent of the best across a class.
  B. The first call of a new class *calibrates* it on that call's own arrays: each candidate
     (numpy, numba, cython -- the pure-Python kernels never win) runs the call's work -- a
     whole gradient step as ``vlr.gradient_step`` runs it, or 16 iterations of the training
     loop --, interleaved, best of five rounds, and the two fastest go to a paired playoff when
     they are within 10 % of each other (7 to 21 rounds: until the interval of the median ratio
     excludes 1); then the call goes on with the winner and returns its answer.
     Nothing of X's size is allocated, and no synthetic data is made.
  C. The winners and all timings are stored in ``fastest.json`` in the user's cache directory
     (``VLR_CACHE_DIR`` overrides), under a key (machine, versions, thread counts, BLAS); a
     different key discards the file, so a new NumPy, changed or rebuilt kernel code (a hash of
     their files) or another thread count recalibrates. The file carries a schema version;
     content vlr did not write is ignored with a warning, an unwritable location keeps the
     choices in memory (one warning), and a save merges with other processes' classes under
     an advisory file lock (``filelock``) before replacing the file atomically.
  D. ``VLR_FASTEST=<kernel>`` overrides the choice for every class (and skips calibration).
  E. An unaligned X (a view at an odd byte offset) goes to numba, which reads it (cython
     refuses it), or numpy.
  F. Threads: the calibration is created once, and classes are calibrated one at a time per
     process under a lock (so their timings do not compete with each other); a thread whose
     class is being calibrated waits for that answer. Once a class is known, a call takes no
     lock at all.
A calibration takes about 20 calls' worth of the call's own work, up to 60 with a long playoff
(a few ms for small X, a few seconds for a 1 GB X, plus a pause of at least 50 ms before each
timed block from 256 KB of X on: 1.5-7 s at 20 MB on a 2-core Zen 4); it is logged on the
``vlr`` logger, at WARNING level (shown on stderr unless logging is configured otherwise) when X
is large enough for it to be noticed.
:class:`vlr.registry.Fastest` makes the choices; this module measures and keeps them.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import statistics
import tempfile
from pathlib import Path
from typing import Callable

import numpy as np
from filelock import FileLock, Timeout

from . import kernels
from .machine import machine_info
from .timing import SETTLE_SECONDS, time_rounds

#: Kernels that can be chosen: the pure-Python kernels are never the fastest.
CANDIDATES: tuple[str, ...] = ("numpy", "numba", "cython")
#: What a class can time.
PURPOSES = ("step", "train")
ENV_OVERRIDE = "VLR_FASTEST"
ENV_CACHE_DIR = "VLR_CACHE_DIR"
#: From this size of X on, calibration timings pause between blocks so that another kernel's
#: thread pool (OpenBLAS spins ~0.1 s after a call) has gone idle.
THREADED_BYTES = 256 << 10
#: From this size of X on (about a second of timing or more), a calibration is announced on stderr.
ANNOUNCE_BYTES = 64 << 20
#: A calibration allocates at most max(this, a quarter of X's size) for a candidate's own
#: temporaries; a candidate that needs more (NumPy's O(m) temporaries at small n_x and large m:
#: ~57 bytes per example in float64, 7x X at n_x = 1) is not timed, and the log says so.
MEMORY_BUDGET_BYTES = 64 << 20
#: Seconds a save waits for another process holding the cache's lock before keeping to memory.
LOCK_TIMEOUT = 30.0

log = logging.getLogger("vlr")


#: A save's temporary file older than this (seconds) is debris of a writer that was killed.
DEBRIS_SECONDS = 60.0


def _remove_debris(directory) -> None:
    """Remove the temporary files of saves that never finished (a process killed between
    writing and renaming): writers hold the cache's lock while theirs exists, so an old one
    under the lock is nobody's."""
    import time
    from pathlib import Path
    now = time.time()
    for stale in Path(directory).glob(".fastest-*.json"):
        with contextlib.suppress(OSError):
            if now - stale.stat().st_mtime > DEBRIS_SECONDS:
                stale.unlink()


def fastest_override() -> str | None:
    """The kernel ``$VLR_FASTEST`` fixes for every class of call, or None: unset, empty or
    ``auto`` mean no override (the measured choice).

    Raises
    ------
    ValueError
        Naming the variable when it holds anything else than a kernel's name or ``auto``.

    Returns
    -------
    str or None
    """
    import os
    from .kernel import KERNELS
    value = os.environ.get(ENV_OVERRIDE, "").strip()
    if value in ("", "auto"):
        return None
    if value not in KERNELS:
        raise ValueError(f"{ENV_OVERRIDE}={value!r} is not a kernel: the valid kernels are "
                         f"{', '.join(KERNELS)}; auto (or unset) means the measured choice")
    return value


def _octave(n):
    lo = 1 << (n.bit_length() - 1)
    return str(lo) if lo == 1 else f"{lo}-{2 * lo - 1}"


def shape_class(X: np.ndarray, purpose: str = "step") -> str:
    """The class of a call on ``X`` (a validated 2-D float32/float64 ndarray).

    Returns
    -------
    str
        e.g. ``"step float64 C n_x 8-15 m 1024-2047"``.
    """
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {PURPOSES}, got {purpose!r}")
    n_x, m = X.shape
    layout = "C" if abs(X.strides[1]) <= abs(X.strides[0]) else "F"
    return f"{purpose} {X.dtype.name} {layout} n_x {_octave(n_x)} m {_octave(m)}"


def cache_path() -> Path:
    """Where the calibration is stored: ``$VLR_CACHE_DIR/fastest.json`` or the user cache dir.

    Returns
    -------
    Path
    """
    root = os.environ.get(ENV_CACHE_DIR)
    if not root:
        from platformdirs import user_cache_dir
        root = user_cache_dir("vlr")
    return Path(root) / "fastest.json"


def kernels_fingerprint() -> str:
    """A short hash of the kernels' code (sources and the built extension), so that a change to
    any of them -- a new release, an edited or rebuilt kernel -- recalibrates.

    Returns
    -------
    str
        16 hex digits.
    """
    digest = hashlib.sha256()
    for path in sorted(Path(kernels.__file__).parent.iterdir()):
        if path.suffix in (".py", ".pyx", ".h", ".so", ".pyd"):
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def cache_key() -> dict:
    """What a calibration is valid for: machine, versions, kernel code, thread counts, BLAS (a
    JSON-able dict).

    Returns
    -------
    dict
    """
    info = machine_info(load_kernels=True)
    return {k: info[k] for k in ("cpu", "cores", "python", "versions", "blas", "env", "kernels",
                                 "kernel_threads")} | {"cython_openmp": info.get("cython_openmp"),
                                                       "cython_simd_math": info.get("cython_simd_math"),
                                                       "kernel_code": kernels_fingerprint()}


def over_memory_budget(name: str, X: np.ndarray) -> str | None:
    """Why candidate ``name`` is not timed on ``X`` (its temporaries exceed the calibration's
    memory budget, :data:`MEMORY_BUDGET_BYTES` or a quarter of X), or None when it is.

    Returns
    -------
    str or None
    """
    if name != "numpy":  # the compiled kernels' scratch is O(n_x · threads + tile)
        return None
    from .kernels import full_numpy
    need = full_numpy.temporary_bytes(X.shape[1], X.itemsize)
    budget = max(MEMORY_BUDGET_BYTES, X.nbytes // 4)
    if need <= budget:
        return None
    return (f"not timed: its temporaries (~{need / 2**20:.0f} MiB) exceed the calibration's "
            f"memory budget of {budget / 2**20:.0f} MiB")


#: Runners-up within this fraction of the winner's best time go to a playoff (see
#: :func:`time_candidates`).
PLAYOFF_MARGIN = 0.10
#: Paired rounds of a playoff before its first look, and added at each further look.
PLAYOFF_ROUNDS = 7
#: The most paired rounds of a playoff: still undecided then, the median decides.
PLAYOFF_MAX_ROUNDS = 21
#: Confidence of the interval that decides a playoff.
PLAYOFF_LEVEL = 0.95


def median_interval(values: list[float], level: float = PLAYOFF_LEVEL) -> tuple[float, float]:
    """A distribution-free interval for the median of ``values``: the order statistics the
    sign test gives (binomial, p = 1/2), covering at least ``level`` -- no assumption on how
    a noisy machine's timings are spread. With 7 values at 95 % it is their range; with 21,
    the 6th to the 16th.

    Returns
    -------
    (float, float)
    """
    from scipy import stats
    ordered = sorted(values)
    n = len(ordered)
    # the largest k with P(Binomial(n, 1/2) <= k) <= (1 - level) / 2 gives the interval
    # [x_k, x_(n-1-k)] of the sorted values (0-based): the median lies below x_k only when at
    # most k values lie below it
    k = int(stats.binom.ppf((1 - level) / 2, n, 0.5))
    if stats.binom.cdf(k, n, 0.5) > (1 - level) / 2:
        k -= 1
    k = max(k, 0)
    return ordered[k], ordered[n - 1 - k]


def playoff(more_rounds: Callable[[int], list[list[float]]],
            first: int | None = None, most: int | None = None) -> dict:
    """Paired rounds of two candidates, until the interval of the median ratio of their
    times (:func:`median_interval`) lies on one side of 1, or ``most`` rounds.

    Parameters
    ----------
    more_rounds : callable(int) -> list of [float, float]
        Times that many more rounds: ``[seconds of a, seconds of b]`` each, back to back.
    first, most : int, optional
        Rounds before the first look (default :data:`PLAYOFF_ROUNDS`, also the rounds added at
        each further look) and the most rounds (:data:`PLAYOFF_MAX_ROUNDS`).

    Returns
    -------
    dict
        ``ratio``: the median of a's time ÷ b's; ``interval``: its interval; ``rounds``: how
        many; ``decided``: whether the interval excludes 1 (else the median decided alone).
    """
    first = PLAYOFF_ROUNDS if first is None else first
    most = PLAYOFF_MAX_ROUNDS if most is None else most
    rounds = list(more_rounds(first))
    while True:
        ratios = [r[0] / r[1] for r in rounds]
        low, high = median_interval(ratios)
        decided = high < 1 or low > 1
        if decided or len(rounds) >= most:
            return {"ratio": paired_median_ratio(rounds), "interval": [low, high],
                    "rounds": len(rounds), "decided": decided}
        rounds += more_rounds(min(first, most - len(rounds)))


def paired_median_ratio(rounds: list[list[float]]) -> float:
    """The median over rounds of the first side's time ÷ the second's, each pair timed back to
    back in one round (what a ratio of two best-of times is not: immune to slow phases of a
    shared machine that hit one side's best and not the other's).

    Returns
    -------
    float
    """
    return statistics.median(r[0] / r[1] for r in rounds)


def close_pair(seconds: dict[str, float], margin: float | None = None) -> tuple[str, str] | None:
    """The two fastest names of ``seconds`` if the second is within ``margin`` (default
    :data:`PLAYOFF_MARGIN`) of the first -- a difference a few best-of-5 timings on a noisy
    machine cannot settle -- else None.

    Returns
    -------
    (str, str) or None
    """
    margin = PLAYOFF_MARGIN if margin is None else margin
    ranked = sorted(seconds, key=lambda name: seconds[name])
    if len(ranked) < 2 or seconds[ranked[1]] > seconds[ranked[0]] * (1 + margin):
        return None
    return ranked[0], ranked[1]


def time_candidates(kernels: list, run: Callable, nbytes: int) -> dict:
    """Time ``run(kernel)`` for each kernel and pick the fastest.

    Every kernel is timed interleaved, best of five rounds. If the two fastest are within
    :data:`PLAYOFF_MARGIN` of each other, they go to a :func:`playoff`: timed again,
    alternating, :data:`PLAYOFF_ROUNDS` rounds at a time until the interval of their median
    paired ratio says which is faster (at most :data:`PLAYOFF_MAX_ROUNDS`), and the one with
    the smaller median wins. (On a 2-core Zen 4 guest whose blocks of one kernel moved ±25 %
    from one to the next, 7 rounds could not resolve a 10-17 % difference.)

    Parameters
    ----------
    kernels : list of Kernel
    run : callable(Kernel)
        The work to time: a call's own step or training iterations, on its own arrays.
    nbytes : int
        Bytes of X: large X gets longer blocks and pauses for thread pools to settle.

    Returns
    -------
    dict
        ``kernel``: the winner's name; ``seconds``: {name: best seconds per run}; and, after a
        playoff, ``playoff``: {"pair": [a, b], "ratio": median of a's time ÷ b's,
        "interval": its interval, "rounds": paired rounds, "decided": whether the interval
        excluded 1}.
    """
    large = nbytes >= THREADED_BYTES
    timing = dict(min_time=0.01 if large else 0.002, settle=SETTLE_SECONDS if large else 0.0)
    calls = {k.name: functools.partial(run, k) for k in kernels}
    rounds = time_rounds(list(calls.values()), repeat=5, **timing)
    seconds = {name: min(column) for name, column in zip(calls, zip(*rounds))}
    outcome: dict = {"kernel": min(seconds, key=lambda name: seconds[name]), "seconds": seconds}
    pair = close_pair(seconds)
    if pair is not None:
        both = [calls[pair[0]], calls[pair[1]]]
        result = playoff(lambda n: time_rounds(both, repeat=n, **timing))
        outcome["kernel"] = pair[0] if result["ratio"] <= 1 else pair[1]
        outcome["playoff"] = {"pair": list(pair), **result}
    return outcome


#: Version of the cache file's layout; a file of another version is recalibrated.
SCHEMA_VERSION = 2

_warned: set[str] = set()  # cache problems already warned about in this process


def _warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        log.warning("%s", message)


def _valid_classes(classes: object) -> bool:
    """Whether ``classes`` is what :meth:`Calibration.save` writes: class -> entry."""
    return isinstance(classes, dict) and all(
        isinstance(cls, str) and isinstance(entry, dict)
        and isinstance(entry.get("kernel"), str)
        and isinstance(entry.get("seconds"), dict)
        and all(isinstance(k, str) and isinstance(v, (int, float)) for k, v in entry["seconds"].items())
        for cls, entry in classes.items())


class Calibration:
    """The per-class choices, loaded from and saved to :func:`cache_path`.

    The cache can never fail a call: a file that is not what vlr wrote is ignored with a
    warning on the ``vlr`` logger (naming the file) and recalibrated; a location that cannot be
    written keeps the choices in memory for the process and warns once. A save merges with what
    another process wrote meanwhile, under an advisory lock (``fastest.json.lock``), then
    replaces the file atomically.

    Attributes
    ----------
    path : Path
    key : dict
        What the stored choices are valid for (see :func:`cache_key`).
    classes : dict
        class -> {"kernel": name, "seconds": {kernel: seconds}}.
    discarded : str or None
        Why a stored file was not used, if it was not.
    in_memory : bool
        True once the cache location proved unusable: choices are kept for this process only.
    """

    def __init__(self, path: str | Path | None = None, key: dict | None = None) -> None:
        self.path = Path(path) if path is not None else cache_path()
        self.key = cache_key() if key is None else key
        self.classes: dict[str, dict] = {}
        self.discarded: str | None = None
        self.in_memory = False
        self.classes = self._read(announce=True)

    def _read(self, announce: bool = False) -> dict[str, dict]:
        """The classes stored in the file for this key ({} if none, unusable or of another key)."""
        try:
            stored = json.loads(self.path.read_bytes())
        except FileNotFoundError:
            return {}
        except OSError as exc:  # the location (a directory, a file in its path): save() warns
            if announce:
                self.discarded = f"unreadable ({exc})"
            return {}
        except ValueError as exc:  # not JSON, not UTF-8
            reason: str | None = f"unreadable ({exc})"
        else:
            reason = None
        if reason is None:
            if not isinstance(stored, dict) or not isinstance(stored.get("key"), dict):
                reason = "not a vlr calibration file (no key)"
            elif stored.get("schema") != SCHEMA_VERSION:
                if announce:
                    self.discarded = (f"written by another vlr (schema {stored.get('schema')!r}, "
                                      f"this vlr writes {SCHEMA_VERSION})")
                return {}
            elif stored["key"] != self.key:
                if announce:
                    self.discarded = "made on another machine or with other versions / thread counts"
                return {}
            elif not _valid_classes(stored.get("classes")):
                reason = "not a vlr calibration file (malformed classes)"
        if reason is not None:
            if announce:
                self.discarded = reason
                _warn_once(f"vlr: ignoring the calibration cache {self.path}: {reason}; "
                           f"recalibrating")
            return {}
        return {cls: entry for cls, entry in stored["classes"].items()}

    def save(self) -> None:
        """Merge with the file on disk under an advisory lock, then write it atomically (a
        concurrent reader sees the old or the new file). Never raises: an unusable location
        turns :attr:`in_memory` on and warns once."""
        if self.in_memory:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with FileLock(str(self.path) + ".lock", timeout=LOCK_TIMEOUT):
                self.classes = self._read() | self.classes  # keep what other processes added
                text = json.dumps({"schema": SCHEMA_VERSION, "key": self.key,
                                   "classes": self.classes}, indent=1, sort_keys=True)
                _remove_debris(self.path.parent)
                fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".fastest-", suffix=".json")
                try:
                    with os.fdopen(fd, "w") as f:
                        f.write(text)
                    os.replace(tmp, self.path)
                except BaseException:
                    with contextlib.suppress(OSError):
                        os.unlink(tmp)
                    raise
        except (OSError, Timeout) as exc:
            self.in_memory = True
            _warn_once(f"vlr: cannot write the calibration cache {self.path} ({exc}); keeping "
                       f"this process's choices in memory (set {ENV_CACHE_DIR} to a writable "
                       f"directory to keep them)")

    def record(self, cls: str, outcome: dict) -> str:
        """Store class ``cls``'s outcome (what :func:`time_candidates` returns: ``kernel``,
        ``seconds`` and perhaps ``playoff``) and save; return the winner.

        Returns
        -------
        str
            The winner's name.
        """
        self.classes[cls] = dict(outcome)
        self.save()  # merged with the disk's classes; ours win
        return outcome["kernel"]
