"""The five implementations of one logistic-regression gradient step -- the objects of the study.

Every module here exposes the same function, so a newcomer can read them side by side
(scipy.fft's backends work the same way)::

    gradients(w, b, X, y) -> (J, dw, db)

with ``X`` of shape ``(n_x, m)`` (examples are columns, as in the course), ``w`` of shape
``(n_x,)``, ``y`` of shape ``(m,)``, ``b`` a float, and ``dw`` returned with ``X``'s dtype.
The public interface in :mod:`vlr` validates user input once and reshapes it to this form;
the modules still check shapes themselves (O(1)) so a direct call cannot read out of bounds.

One math, five implementations
------------------------------
All kernels compute the same numerically stable formulas and differ only by rounding.
With ``z = wᵀx + b`` and ``e = exp(-|z|)`` (never overflows)::

    loss(z, y) = log1p(e) + (1 - y)·z      if z > 0      (= log(1 + eᶻ) - y·z)
               = log1p(e) - y·z            if z <= 0
    dz(z, y)   = ((1 - y) - y·e) / (1 + e)  if z > 0      (= σ(z) - y, without cancellation)
               = ((1 - y)·e - y) / (1 + e)  if z <= 0

    J = Σ loss / m        dw = X·dz / m        db = Σ dz / m

(scikit-learn's ``HalfBinomialLoss`` uses the same split.) The course's ``log(a)`` form gives
``-inf``/``NaN`` once ``|z|`` exceeds ~36; this form stays finite for any finite ``z``.

Modules
-------
two_loops   pure Python, a loop over examples and one over features -- the reference
one_loop    a loop over examples, NumPy over features (the course's "partial" version)
full_numpy  zero explicit loops (the course's final version)
numba_jit   Numba ``@njit``, one fused pass over X, threads over examples
cython_omp  Cython extension, one fused pass over X, OpenMP threads when compiled with them
cuda_numba  Numba CUDA, one fused pass over X on an NVIDIA GPU (the sixth kernel, beside the study)
"""

#: The sixth kernel, on an NVIDIA GPU (Numba's CUDA target): not one of the study's five CPU
#: kernels, registered beside them (``kernel="cuda"``; ``"auto"`` picks it for X on the GPU).
DEVICE_MODULES = {"cuda": "cuda_numba"}

#: Registry name -> module here, in the study's order (slowest to fastest idea): the one list of
#: kernels (:mod:`vlr.kernel` registers them; the asv suite reads this file for its parameters).
MODULES = {
    "two_loops": "two_loops",
    "one_loop": "one_loop",
    "numpy": "full_numpy",
    "numba": "numba_jit",
    "cython": "cython_omp",
}
