"""The registry: kernel names (and ``"auto"``) to kernel objects, and :class:`Fastest`.

``vlr.fastest`` (``kernel="auto"``) is the one :class:`Fastest`: not a kernel but a choice among
kernels -- for each class of call (:func:`vlr.calibration.shape_class`) the kernel measured
fastest for that class on this machine, timed on the first such call's own work, then kept on
disk (:class:`vlr.calibration.Calibration`).
"""
from __future__ import annotations

import logging
import threading
import warnings
import weakref
from typing import Any, Callable, Iterable

import numpy as np

from .calibration import (ANNOUNCE_BYTES, CANDIDATES, ENV_OVERRIDE, Calibration, fastest_override, cache_path,
                          over_memory_budget, shape_class, time_candidates)
from .data import make_step_data
from .kernel import LOADED, Kernel, available_kernels, load_kernel
from .step import StepMethods, gradient_step_with

log = logging.getLogger("vlr")
#: Training iterations timed per candidate when a training class is calibrated.
TRAIN_PROBE_ITERATIONS = 16
#: The learning rate of the step a step class is timed on (any rate costs the same).
PROBE_ALPHA = 0.01


class Fastest(StepMethods):
    """The fastest of some kernels for each class of call: what ``vlr.fastest`` is.

    A plain composition: it holds the kernels it chooses among (:attr:`candidates`) and one way
    to choose (:meth:`resolve`): for each class of call (:func:`vlr.calibration.shape_class`),
    the candidate measured fastest on this machine -- timed on the first such call's own work,
    then kept in the :class:`vlr.calibration.Calibration`. It has the methods of a
    :class:`vlr.Kernel` (``gradients``, ``gradient_step``, ``train``); each call runs the
    kernel :meth:`resolve` picks for it.

    Parameters
    ----------
    candidates : tuple of str, default ``("numpy", "numba", "cython")``
        The kernels it chooses among (those usable here).

    Attributes
    ----------
    name : str
        ``"auto"``.
    candidates : tuple of str
    """

    name = "auto"

    def __init__(self, candidates: tuple[str, ...] = CANDIDATES) -> None:
        self.candidates = tuple(candidates)
        self._calibration: Calibration | None = None
        self._chosen: dict[tuple, Kernel] = {}  # a cheap key of the class -> Kernel
        self._last: tuple | None = None  # (weak reference to the last X, purpose, its kernel)
        # Held while the calibration is created and while a class is measured and recorded
        # (re-entrant: a measurement's timed calls resolve to single kernels, but a user's
        # callback might come back); never taken once a class is known.
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"<vlr fastest: measured per class of call on the caller's data, cached in {cache_path()}>"

    def __reduce__(self) -> tuple:
        return get_kernel, ("auto",)

    @property
    def calibration(self) -> Calibration:
        """The :class:`Calibration` in use (loaded on first access)."""
        calibration = self._calibration
        if calibration is None:
            with self._lock:
                if self._calibration is None:
                    self._calibration = Calibration()
                calibration = self._calibration
        return calibration

    def reset(self) -> None:
        """Forget the loaded calibration and choices (the next call reads the cache file again)."""
        with self._lock:
            self._calibration = None
            self._chosen = {}
            self._last = None

    def resolve(self, X: np.ndarray, purpose: str = "step", args: tuple = (),
                call: Callable[[Kernel], Any] | None = None) -> Kernel:
        """The kernel that runs a call on ``X``: the candidate measured fastest for X's class.

        The one way :class:`Fastest` chooses: an unaligned X and ``VLR_FASTEST`` fix the
        kernel; otherwise the class's measured winner, measured now if it is not known yet.

        Parameters
        ----------
        X : ndarray
            A validated X (2-D float32/float64).
        purpose : {"step", "train", "device"}
            ``"device"``: X lives on a GPU, and the ``cuda`` kernel runs it (nothing is measured).
        args : tuple, optional
            The call's arguments on its own arrays -- ``(w, b, X, y)`` for a step, ``(w, b, X, y,
            alpha, iterations)`` for training -- with which a class not measured yet is measured:
            the public :func:`vlr.gradient_step` on them with each candidate (the whole call:
            at small X what a kernel leaves behind for the rest of the call can reverse a few
            per cent between two kernels), or its ``loop`` over a few of the iterations. Without
            them (and without ``call``) only a measured class answers (to log which kernel will
            run, say).
        call : callable(Kernel), optional
            The caller's whole call made with a given kernel (no side effects): what is timed for
            each candidate instead, so that the choice counts everything the call costs.

        Returns
        -------
        Kernel

        Raises
        ------
        ValueError
            Without ``args`` or ``call``, when X's class has not been measured yet (the message
            says how to measure it).
        """
        last = self._last  # the same X again (a training loop, a benchmark): no lookup at all
        if last is not None and last[0]() is X and last[1] == purpose:
            return last[2]
        if purpose == "device":
            return load_kernel("cuda")
        # the exact layout is cheaper to look up than the class's name (one dict lookup per call)
        key = (purpose, X.shape, X.strides, X.dtype.char, X.flags.aligned)
        kernel = self._chosen.get(key)
        if kernel is None:
            kernel = self._choice(X, purpose, args, call)
            if len(self._chosen) > 4096:  # many shapes: forget all but this one
                self._chosen = {}
            self._chosen[key] = kernel
        self._last = (weakref.ref(X), purpose, kernel)  # weak: never keeps a user's X alive
        return kernel

    def choose(self, X: np.ndarray, run: Callable | None = None, args: tuple = (),
               purpose: str = "step") -> Kernel:
        """:meth:`resolve` with the work to time given as ``run(kernel, *args)`` (the form of
        vlr 0.1; ``choose(X)`` alone is deprecated).

        Returns
        -------
        Kernel
        """
        if run is None:
            warnings.warn("vlr.fastest.choose(X) is deprecated and will be removed in vlr 0.3; "
                          "use vlr.fastest.resolve(X) (or resolve(X, purpose, args) to measure "
                          "a new class on the call's arrays)", DeprecationWarning, stacklevel=2)
            return self.resolve(X, purpose)
        return self.resolve(X, purpose, call=lambda k: run(k, *args))

    def checked_gradients(self, w, b, X, y):
        """The chosen kernel's :meth:`vlr.Kernel.checked_gradients`.

        Returns
        -------
        (J, dw, db, labels_ok, finite)
        """
        return self.resolve(X, "step", (w, b, X, y)).checked_gradients(w, b, X, y)

    def loop(self, w, b, X, y, alpha, iterations, cost_every=1):
        """The chosen kernel's :meth:`vlr.Kernel.loop`.

        Returns
        -------
        (w, b, costs)
        """
        args = (w, b, X, y, alpha, iterations)
        return self.resolve(X, "train", args).loop(*args, cost_every=cost_every)

    def _choice(self, X: np.ndarray, purpose: str, args: tuple,
                call: Callable[[Kernel], Any] | None) -> Kernel:
        """The kernel for X's class: fixed, known, or measured now with ``call`` (by default
        the work :func:`_work` makes of ``args``)."""
        if not X.flags.aligned:  # cython refuses an unaligned X; numba reads it
            return load_kernel("numba" if "numba" in available_kernels(("numba",)) else "numpy")
        override = fastest_override()
        if override:
            try:
                return load_kernel(override)
            except ValueError as exc:
                raise ValueError(f"{ENV_OVERRIDE}={override!r}: {exc}") from None
        cls = shape_class(X, purpose)
        usable = available_kernels(self.candidates)
        entry = self.calibration.classes.get(cls)
        if entry is not None and entry["kernel"] in usable:
            return load_kernel(entry["kernel"])
        if call is None and args:
            call = _work(purpose, args)
        if call is None:
            n_x, m = X.shape
            raise ValueError(
                f"the class {cls!r} has not been measured yet, so vlr.fastest.resolve(X) cannot say "
                f"which kernel it runs: make one call (vlr.gradients(w, b, X, Y) measures it on your "
                f"arrays), run `vlr tune --size {n_x}x{m}`, or pass the call's arguments, "
                f"resolve(X, {purpose!r}, args)")
        # One measurement at a time: a thread that needs a class another thread is timing waits
        # here, then finds its answer (timed once, not by every waiting thread).
        with self._lock:
            calibration = self.calibration  # reset() may have replaced it meanwhile
            entry = calibration.classes.get(cls)
            if entry is not None and entry["kernel"] in usable:
                return load_kernel(entry["kernel"])
            skipped = {k: why for k in usable for why in [over_memory_budget(k, X)] if why}
            if len(skipped) == len(usable):
                skipped = {}  # no compiled kernel here: numpy is the only choice
            kernels = [load_kernel(k) for k in usable if k not in skipped]
            # large X: a measurement of seconds; WARNING reaches stderr unless logging says otherwise
            log.log(logging.WARNING if X.nbytes >= ANNOUNCE_BYTES else logging.INFO,
                    "vlr: measuring the fastest kernel for %s on this call's data (once; "
                    "cached in %s)%s", cls, calibration.path,
                    "".join(f"; {k} {why}" for k, why in skipped.items()))
            return load_kernel(calibration.record(cls, time_candidates(kernels, call, X.nbytes)))

    def tune(self, sizes: Iterable[tuple[int, int]], dtype: str = "float64", order: str = "C",
             progress: Callable[[int, int, str], None] | None = None) -> dict[tuple, str]:
        """Calibrate the step and training classes of each shape now, on generated data.

        The first call of a class does the same on the caller's own arrays; this is for
        measuring ahead of time (``vlr tune``).

        Parameters
        ----------
        sizes : iterable of (n_x, m)
        dtype : {"float64", "float32"}
        order : {"C", "F"}
            X's layout: ``"C"`` (examples adjacent) or ``"F"`` (features adjacent).
        progress : callable(n_x, m, purpose), optional
            Called after each measurement.

        Returns
        -------
        dict
            (n_x, m, purpose) -> the chosen kernel's name.
        """
        winners = {}
        for n_x, m in sizes:
            w, b, X, Y = make_step_data(m, n_x, dtype)
            if order == "F":
                X = np.asfortranarray(X)
            for purpose, call in (("step", lambda X=X: self.gradients(w, b, X, Y)),
                                  ("train", lambda X=X: self.train(X, Y, 1, 0.01, w0=w, b0=b))):
                self.reset()  # measure, even if this process already chose
                self.calibration.classes.pop(shape_class(X, purpose), None)
                call()
                winners[(n_x, m, purpose)] = self.calibration.classes[shape_class(X, purpose)]["kernel"]
                if progress:
                    progress(n_x, m, purpose)
            del X
        return winners


def _work(purpose: str, args: tuple) -> Callable[[Kernel], Any]:
    """What a new class is timed on, with each candidate, from a call's arguments: a whole
    gradient step as a user calls it (validation, kernel, update), or a few of the call's
    training iterations."""
    if purpose == "step":
        w, b, X, y = args
        return lambda k: gradient_step_with(k, w, b, X, y, PROBE_ALPHA)
    *head, iterations = args
    probe = (*head, max(1, min(iterations, TRAIN_PROBE_ITERATIONS)))
    return lambda k: k.loop(*probe)


#: The one instance: ``vlr.fastest`` and ``kernel="auto"``.
FASTEST = Fastest()


def get_kernel(name: str | Kernel | Fastest) -> Kernel | Fastest:
    """Return the kernel object registered as ``name``.

    Parameters
    ----------
    name : str, Kernel or Fastest
        A registry name, ``"auto"`` for :data:`vlr.fastest` (the kernel measured fastest for
        each class of X, see :mod:`vlr.calibration`), or a kernel object.

    Returns
    -------
    Kernel or Fastest

    Raises
    ------
    ValueError
        If ``name`` is unknown (the message lists the valid names) or the kernel cannot be used
        on this machine (the message says why).
    TypeError
        If ``name`` is neither a string nor a kernel object.
    """
    if isinstance(name, str):
        kernel = LOADED.get(name)  # the common case, without a call: a loaded kernel
        if kernel is not None:
            return kernel
        return FASTEST if name == "auto" else load_kernel(name)
    if isinstance(name, (Kernel, Fastest)):
        return name
    raise TypeError(f"kernel must be a name or a vlr kernel object, got {type(name).__name__}")
