"""X larger than one machine: gradients and training on a ``dask.array`` X chunked over examples.

Design:
  A. X is (n_x, m), one chunk over features and any chunks over examples (columns); Y is
     matched to X's column chunks. Each block runs a local kernel (``"auto"``: the fastest on
     the worker) and returns its partial sums ``(J·m_c, db·m_c, m_c, dw·m_c)`` plus the label
     and finiteness checks, as one small float64 column.
  B. Dask sums the columns with its tree reduction (``sum(split_every=...)``) and the client
     divides by m. w goes into the graph once, as a single ``dask.delayed`` key, so each worker
     receives it once per iteration, not once per block.
  C. Training is a loop on the client: one graph per iteration, w and b updated locally.
Whatever scheduler is active runs the graphs: the threaded one by default, or a
``distributed.Client`` (``Client("tcp://scheduler:8786")`` for a real cluster,
``Client(LocalCluster())`` for local processes) once it is created.
"""
import sys

import numpy as np

from ._validation import (check_labels, check_X, check_Y_shape, explain_non_finite, initial_w,
                          refuse_unsupported, validate_iterations, validate_scalar, validate_w)
from .descent import check_descent, descend

#: How many partial sums Dask adds per node of its reduction tree.
SPLIT_EVERY = 8
_HEAD = 5  # J·m_c, db·m_c, m_c, labels outside [0, 1], non-finite outputs; then dw·m_c


def is_dask_array(x: object) -> bool:
    """True if ``x`` is a ``dask.array.Array`` (without importing Dask when it is not in use).

    Returns
    -------
    bool
    """
    da = sys.modules.get("dask.array")
    return da is not None and isinstance(x, da.Array)


def _block_sums(X_block, Y_block, w, b, kernel):
    """Partial sums of one block of examples, on a worker: a (n_x + 5, 1) float64 column.

    ``kernel`` arrives pickled by name, so it is the worker's own (``"auto"``: calibrated on the
    worker's own blocks)."""
    X_block = np.asarray(X_block)
    if not X_block.flags.aligned:  # a block unpickled from the network can start at any byte
        X_block = np.array(X_block)
    y = np.require(np.asarray(Y_block).reshape(-1), dtype=X_block.dtype, requirements="CA")
    w = np.require(w, requirements="CA")
    kernel = kernel.resolve(X_block, "step", (w, b, X_block, y))
    J, dw, db, labels_ok, finite = kernel.checked_gradients(w, b, X_block, y)
    m_c = X_block.shape[1]
    column = np.empty((_HEAD + X_block.shape[0], 1))
    column[:_HEAD, 0] = J * m_c, db * m_c, m_c, not labels_ok, not finite
    column[_HEAD:, 0] = np.asarray(dw, dtype=np.float64) * m_c
    return column


def prepare(w, b, X, Y):
    """Check X, Y, w, b; return (w flat in X's dtype, w's shape, b, Y as (1, m) aligned to X).

    Returns
    -------
    (w_flat, w_shape, b, Y)
    """
    import dask.array as da
    refuse_unsupported(X, "X")  # blocks of masked arrays: their _meta says so
    refuse_unsupported(Y, "Y")
    if any(np.isnan(s) for s in X.shape):
        raise ValueError("X must have known chunk sizes; call X.compute_chunk_sizes() first")
    check_X(X)  # what validate_X checks of a NumPy X, with its messages
    n_x, m = X.shape
    if X.numblocks[0] != 1:
        raise ValueError(f"X must be chunked over examples only (one chunk of all {n_x} features); "
                         f"use X.rechunk({{0: -1}})")
    check_Y_shape(np.shape(Y), m)  # None: shape ()
    Y = (Y if is_dask_array(Y) else da.from_array(np.asarray(Y))).reshape(1, m)
    if Y.dtype.kind not in "biuf":
        raise TypeError(f"Y must hold real numbers, got dtype {Y.dtype}")
    Y = Y.rechunk((1, X.chunks[1]))
    w_flat, w_shape = validate_w(w, n_x, X.dtype, m)
    if not np.isfinite(w_flat).all():  # checked once here, not per block
        raise ValueError("w contains NaN or inf")
    return w_flat, w_shape, validate_scalar(b, "b"), Y


def gradients_prepared(w_flat, b, X, Y, kernel):
    """One Dask graph for validated arguments (:func:`prepare`'s): ``(J, dw, db)``, dw flat.

    Returns
    -------
    (J, dw, db)
    """
    import dask
    import dask.array as da
    n_x = X.shape[0]
    parts = da.map_blocks(_block_sums, X, Y, dask.delayed(w_flat, pure=True), b, kernel,
                          chunks=((_HEAD + n_x,), (1,) * X.numblocks[1]), dtype=np.float64,
                          meta=np.empty((0, 0)))
    total = parts.sum(axis=1, split_every=SPLIT_EVERY).compute()
    J_m, db_m, m, bad_labels, non_finite = total[:_HEAD]
    if bad_labels:
        check_labels(Y.compute().reshape(-1))  # raises, saying how
    if non_finite:
        explain_non_finite(X, w_flat, X_finite=bool(da.isfinite(X).all().compute()), J=J_m)
    return J_m / m, (total[_HEAD:] / m).astype(X.dtype), db_m / m


def gradients(w, b, X, Y, kernel):
    """:func:`vlr.gradients` for a ``dask.array`` X, with a kernel object.

    Returns
    -------
    (J, dw, db)
    """
    w_flat, w_shape, b, Y = prepare(w, b, X, Y)
    J, dw, db = gradients_prepared(w_flat, b, X, Y, kernel)
    return J, dw.reshape(w_shape), db


def gradient_step(w, b, X, Y, alpha, kernel):
    """:func:`vlr.gradient_step` for a ``dask.array`` X, with a kernel object.

    Returns
    -------
    (w, b, J, dw, db)
        The parameters after the step, and the cost and gradients before it.
    """
    alpha = validate_scalar(alpha, "alpha", minimum=0)
    w_flat, w_shape, b, Y = prepare(w, b, X, Y)
    J, dw, db = gradients_prepared(w_flat, b, X, Y, kernel)
    w_new = w_flat - X.dtype.type(alpha) * dw
    return w_new.reshape(w_shape), b - alpha * db, J, dw.reshape(w_shape), db


def train(X, Y, iterations, alpha, kernel, w0=None, b0=0.0, progress=None, cost_every=1):
    """:func:`vlr.train` for a ``dask.array`` X, with a kernel object: one Dask graph per iteration.

    ``progress``, if given, is called with the iteration number after each iteration.

    Returns
    -------
    (w, b, costs)
    """
    w0, w_shape, b, Y = prepare(initial_w(w0, X.shape[0], X.dtype), b0, X, Y)
    iterations = validate_iterations(iterations)
    alpha = validate_scalar(alpha, "alpha", minimum=0)
    w, b, costs = descend(lambda w, b: gradients_prepared(w, b, X, Y, kernel), w0, b, alpha,
                          iterations, cost_every, progress)
    check_descent(X, w0, w, b, costs)
    return w.reshape(w_shape), b, costs
