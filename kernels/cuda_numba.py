"""Numba CUDA: the same step on an NVIDIA GPU, one fused pass over X, examples over threads.

Design:
  A. ``_partials``: each block takes tiles of :data:`THREADS` examples (a grid-stride loop over
     tiles). A thread computes z for its example (features in a loop: with X C-ordered, a warp
     reads 32 adjacent examples of one row at a time), the reference's stable loss and dz
     (:mod:`.two_loops`: e = exp(-|z|), never overflows) in float64, and keeps dz in shared
     memory; then the block sweeps the tile's features, a thread per feature summing
     X[j, tile]·dz while the tile is in cache (with X F-ordered the threads of a warp read 32
     adjacent features). X is read once from memory; any strides work and X is never copied.
  B. dw is summed in float64 in one of two ways (``reduce``): ``"atomic"``, each tile's partial
     sum added with ``cuda.atomic.add`` to one row; or ``"blocks"``, a row per block that only
     that block writes, summed by the second kernel. J, db and the count of labels outside
     [0, 1] go to a small float64 ``state`` array (b, J·m, db·m, bad labels) by atomics.
  C. ``_finish`` divides by m, casts dw to X's dtype and flags non-finite values; ``_update``
     (training) does the same and takes the step on the device: w, b, the costs and the
     accumulators stay on the GPU for the whole descent, nothing crosses to the host per
     iteration.
Under ``NUMBA_ENABLE_CUDASIM=1`` Numba's CUDA simulator runs these kernels' Python on the CPU
(one OS thread per GPU thread): that is how the tests check their logic without a GPU.
"""
import math

import numpy as np
from numba import cuda

from ._shapes import check_cost_every, check_dtypes, check_iterations, check_lengths, check_real

if not cuda.is_available():
    raise ImportError("no CUDA GPU is usable here (numba.cuda.is_available() is False: no "
                      "NVIDIA driver or device)")

#: Threads per block: also the tile of examples a block holds in shared memory.
THREADS = 128
#: Blocks per streaming multiprocessor the grid asks for (the grid-stride loop does the rest).
BLOCKS_PER_SM = 4
#: How dw's partial sums are combined: "atomic" (one row, float64 atomics) or "blocks".
REDUCE = "atomic"
_B, _J, _DB, _BAD = range(4)  # the state array: b, Σloss, Σdz, labels outside [0, 1]


@cuda.jit(device=True, inline=True)
def _loss_and_dz(z, y):
    e = math.exp(-abs(z))
    if z > 0.0:
        return math.log1p(e) + (1.0 - y) * z, ((1.0 - y) - y * e) / (1.0 + e)
    return math.log1p(e) - y * z, ((1.0 - y) * e - y) / (1.0 + e)


@cuda.jit
def _partials(X, w, y, state, with_loss, acc, by_block):
    # acc OUT (+=), (rows, n_x) float64: row 0 by atomics, or this block's own row; state OUT (+=)
    dz_tile = cuda.shared.array(THREADS, np.float64)
    sums = cuda.shared.array((3, THREADS), np.float64)
    n_x, m = X.shape
    t = cuda.threadIdx.x
    row = cuda.blockIdx.x if by_block else 0
    b = state[_B]
    J = 0.0
    db = 0.0
    bad = 0.0
    for i0 in range(cuda.blockIdx.x * THREADS, m, cuda.gridDim.x * THREADS):
        i = i0 + t
        dz = 0.0
        if i < m:
            z = b
            for j in range(n_x):
                z += w[j] * X[j, i]
            yi = y[i]
            loss, dz = _loss_and_dz(z, yi)
            if with_loss:
                J += loss
            db += dz
            if not (yi >= 0.0 and yi <= 1.0):  # NaN too
                bad += 1.0
        dz_tile[t] = dz
        cuda.syncthreads()
        n_t = min(THREADS, m - i0)
        for j in range(t, n_x, THREADS):
            s = 0.0
            for k in range(n_t):
                s += X[j, i0 + k] * dz_tile[k]
            if by_block:
                acc[row, j] += s
            else:
                cuda.atomic.add(acc, (0, j), s)
        cuda.syncthreads()  # the tile's dz is read before the next tile overwrites it
    sums[0, t] = J
    sums[1, t] = db
    sums[2, t] = bad
    cuda.syncthreads()
    half = THREADS // 2
    while half > 0:  # tree sum in shared memory
        if t < half:
            for q in range(3):
                sums[q, t] += sums[q, t + half]
        cuda.syncthreads()
        half //= 2
    if t == 0:
        cuda.atomic.add(state, _J, sums[0, 0])
        cuda.atomic.add(state, _DB, sums[1, 0])
        cuda.atomic.add(state, _BAD, sums[2, 0])


@cuda.jit
def _finish(acc, m, dw, flags):
    # dw OUT = Σ rows of acc / m in dw's dtype; flags[0] += 1 per non-finite dw
    n_rows, n_x = acc.shape
    for j in range(cuda.grid(1), n_x, cuda.gridsize(1)):
        s = 0.0
        for r in range(n_rows):
            s += acc[r, j]
        dw[j] = s / m
        if not math.isfinite(dw[j]):
            cuda.atomic.add(flags, 0, 1)


@cuda.jit
def _update(acc, m, w, dw, alpha, state, costs, k, with_loss, flags):
    # One step of the descent on the device, in the CPU kernels' arithmetic: dw = Σ/m cast to X's
    # dtype (the store into dw), then w -= alpha·dw in X's dtype (alpha has it); acc is zeroed for
    # the next pass; one thread records the cost, moves b (float64) and zeroes the sums.
    n_rows, n_x = acc.shape
    for j in range(cuda.grid(1), n_x, cuda.gridsize(1)):
        s = 0.0
        for r in range(n_rows):
            s += acc[r, j]
            acc[r, j] = 0.0
        dw[j] = s / m
        w[j] = w[j] - alpha * dw[j]
        if not math.isfinite(w[j]):
            cuda.atomic.add(flags, 0, 1)
    if cuda.grid(1) == 0:
        if with_loss:
            costs[k] = state[_J] / m
        state[_B] = state[_B] - alpha * (state[_DB] / m)
        state[_J] = 0.0
        state[_DB] = 0.0


@cuda.jit
def _zero(acc):
    n_rows, n_x = acc.shape
    for q in range(cuda.grid(1), n_rows * n_x, cuda.gridsize(1)):
        acc[q // n_x, q % n_x] = 0.0


# --- the host side: arguments, launches -----------------------------------------------------


def is_device_array(x):
    """True for an array on the GPU: anything with ``__cuda_array_interface__`` (CuPy, PyTorch
    CUDA tensors, Numba device arrays) or a Numba (simulated) device array.

    Returns
    -------
    bool
    """
    return hasattr(x, "__cuda_array_interface__") or bool(getattr(x, "__cuda_ndarray__", False))


def _on_device(x):
    """``x`` as a Numba device array: a view of a device array, or a copy of a host one."""
    if getattr(x, "__cuda_ndarray__", False):
        return x, False
    if hasattr(x, "__cuda_array_interface__"):
        return cuda.as_cuda_array(x), False
    x = np.asarray(x)
    if not (x.flags.c_contiguous or x.flags.f_contiguous):  # one transfer needs one buffer
        x = np.ascontiguousarray(x)
    return cuda.to_device(x), True


def _grid(m):
    device = cuda.current_context().device  # (the simulator has no get_current_device)
    sms = getattr(device, "MULTIPROCESSOR_COUNT", 1)
    return max(1, min(-(-m // THREADS), BLOCKS_PER_SM * sms))


def _checked(w, X, y):
    """(w, X, y) as device arrays with the raw-kernel shapes and one float dtype, and whether X
    was copied to the device."""
    X, copied = _on_device(X)
    w, _ = _on_device(w)
    y, _ = _on_device(y)
    for name, arr, ndim in (("X", X, 2), ("w", w, 1), ("y", y, 1)):
        if len(arr.shape) != ndim:
            raise ValueError(f"{name} must be {ndim}-D for a raw kernel, got shape {tuple(arr.shape)}")
    check_dtypes(w, X, y)
    check_lengths(w, X, y)
    return w, X, y, copied


def _accumulator(n_x, grid, reduce):
    if reduce not in ("atomic", "blocks"):
        raise ValueError(f"reduce must be 'atomic' or 'blocks', got {reduce!r}")
    acc = cuda.device_array((grid if reduce == "blocks" else 1, n_x), dtype=np.float64)
    _zero[_grid(acc.size), THREADS](acc)
    return acc


def gradients_device(w, b, X, y, reduce=None):
    """The step on the GPU: ``(J, dw, db, labels_ok, finite)`` with ``dw`` a Numba device array
    of X's dtype (the inputs may live on the host: they are copied once).

    Parameters
    ----------
    w, b, X, y
        As in :func:`vlr.kernels.two_loops.gradients`; arrays on the host or the device.
    reduce : {"atomic", "blocks"}, optional
        How dw's partial sums are combined (default :data:`REDUCE`).

    Returns
    -------
    (float, DeviceNDArray, float, bool, bool)
    """
    w, X, y, _ = _checked(w, X, y)
    b = check_real(b, "b")
    n_x, m = X.shape
    grid = _grid(m)
    reduce = reduce or REDUCE
    acc = _accumulator(n_x, grid, reduce)
    state = cuda.to_device(np.array([b, 0.0, 0.0, 0.0]))
    _partials[grid, THREADS](X, w, y, state, True, acc, reduce == "blocks")
    dw = cuda.device_array(n_x, dtype=X.dtype)
    flags = cuda.to_device(np.zeros(1, dtype=np.int64))
    _finish[_grid(n_x), THREADS](acc, m, dw, flags)
    _, J, db, bad = state.copy_to_host()
    J, db = J / m, db / m
    finite = math.isfinite(J) and math.isfinite(db) and flags.copy_to_host()[0] == 0
    return J, dw, db, bad == 0, finite


def gradients_checked(w, b, X, y, reduce=None):
    """:func:`gradients`, plus ``labels_ok`` and ``finite`` (as the CPU kernels return them).

    Returns
    -------
    (J, dw, db, labels_ok, finite)
        ``dw`` on the host (a NumPy array) when X was, else on the device.
    """
    J, dw, db, labels_ok, finite = gradients_device(w, b, X, y, reduce)
    return J, (dw if is_device_array(X) else dw.copy_to_host()), db, labels_ok, finite


def gradients(w, b, X, y, reduce=None):
    """Cost and gradients of logistic regression in one fused pass over X on the GPU.

    Same parameters and returns as :func:`vlr.kernels.two_loops.gradients` (``dw`` a NumPy
    array for a host X, a Numba device array for a device X), plus ``reduce`` as in
    :func:`gradients_device`.
    """
    J, dw, db, _, _ = gradients_checked(w, b, X, y, reduce)
    return J, dw, db


def labels_ok(y):
    """Whether every label of the device (or host) vector ``y`` lies in [0, 1], checked on the GPU.

    Returns
    -------
    bool
    """
    y, _ = _on_device(y)
    state = cuda.to_device(np.zeros(4))
    _count_bad[_grid(y.shape[0]), THREADS](y, state)
    return state.copy_to_host()[_BAD] == 0


@cuda.jit
def _count_bad(y, state):
    for i in range(cuda.grid(1), y.shape[0], cuda.gridsize(1)):
        if not (y[i] >= 0.0 and y[i] <= 1.0):
            cuda.atomic.add(state, _BAD, 1.0)


def train_device(w, b, X, y, alpha, iterations, cost_every=1, reduce=None):
    """Gradient descent with every iteration on the GPU: two kernel launches per step, no
    transfer to the host until the end.

    Returns
    -------
    (DeviceNDArray, float, ndarray, bool)
        The trained weights (X's dtype, on the device), the bias, the costs (J before steps 0,
        k, 2k, ...) and whether every w stayed finite.
    """
    w, X, y, _ = _checked(w, X, y)
    b, alpha = check_real(b, "b"), check_real(alpha, "alpha", positive=True)
    iterations, cost_every = check_iterations(iterations), check_cost_every(cost_every)
    n_x, m = X.shape
    grid = _grid(m)
    reduce = reduce or REDUCE
    acc = _accumulator(n_x, grid, reduce)
    w = _copy(w)  # the caller's w is never changed
    dw = cuda.device_array(n_x, dtype=X.dtype)
    state = cuda.to_device(np.array([b, 0.0, 0.0, 0.0]))
    costs = cuda.device_array(-(-iterations // cost_every), dtype=np.float64)
    flags = cuda.to_device(np.zeros(1, dtype=np.int64))
    step = X.dtype.type(alpha)
    for it in range(iterations):
        with_loss = it % cost_every == 0
        _partials[grid, THREADS](X, w, y, state, with_loss, acc, reduce == "blocks")
        _update[_grid(n_x), THREADS](acc, m, w, dw, step, state, costs, it // cost_every, with_loss, flags)
    b_out = float(state.copy_to_host()[_B])
    return w, b_out, costs.copy_to_host(), flags.copy_to_host()[0] == 0


@cuda.jit
def _copy_kernel(src, dst):
    for i in range(cuda.grid(1), src.shape[0], cuda.gridsize(1)):
        dst[i] = src[i]


def _copy(v):
    out = cuda.device_array(v.shape[0], dtype=v.dtype)
    _copy_kernel[_grid(v.shape[0]), THREADS](v, out)
    return out


def train(w, b, X, y, alpha, iterations, cost_every=1, reduce=None):
    """Gradient descent on the GPU (see :func:`train_device`); returns ``(w, b, costs)`` with
    ``w`` on the host when X was, as the CPU kernels' ``train`` does."""
    w_out, b_out, costs, _ = train_device(w, b, X, y, alpha, iterations, cost_every, reduce)
    return (w_out if is_device_array(X) else w_out.copy_to_host()), b_out, costs


@cuda.jit
def _axpy(w, dw, a, out):
    for j in range(cuda.grid(1), w.shape[0], cuda.gridsize(1)):
        out[j] = w[j] + a * dw[j]


def axpy(w, dw, a):
    """``w + a·dw`` as a new device vector of w's dtype (one gradient-descent update).

    Returns
    -------
    DeviceNDArray
    """
    out = cuda.device_array(w.shape[0], dtype=w.dtype)
    _axpy[_grid(w.shape[0]), THREADS](w, dw, np.dtype(w.dtype).type(a), out)
    return out


@cuda.jit
def _count_non_finite(X, count):
    n_x, m = X.shape
    for q in range(cuda.grid(1), n_x * m, cuda.gridsize(1)):
        if not math.isfinite(X[q // m, q % m]):
            cuda.atomic.add(count, 0, 1)


def all_finite(X):
    """Whether every value of the device matrix ``X`` is finite (one pass on the GPU; vlr asks
    only after a step came out non-finite, to say why).

    Returns
    -------
    bool
    """
    count = cuda.to_device(np.zeros(1, dtype=np.int64))
    _count_non_finite[_grid(X.shape[0] * X.shape[1]), THREADS](X, count)
    return count.copy_to_host()[0] == 0


def device_info(copy_bytes=256 * 2**20):
    """The GPU this kernel runs on: name, compute capability, driver, memory, and the
    host-to-device copy bandwidth measured now on ``copy_bytes`` (what a NumPy X costs to send).

    Returns
    -------
    dict
    """
    import time
    context = cuda.current_context()
    device = context.device
    name = getattr(device, "name", b"simulator")
    name = name.decode() if isinstance(name, bytes) else str(name)
    try:
        free, total = context.get_memory_info()
    except Exception:  # the simulator has no memory to report
        total = 0
    try:
        from numba.cuda.cudadrv.driver import driver
        version = driver.get_version()
        driver_version = ".".join(map(str, version)) if isinstance(version, tuple) else str(version)
    except Exception:
        driver_version = "unknown (simulator)"
    host = np.ones(copy_bytes // 8)
    best = math.inf
    for _ in range(3):
        start = time.perf_counter()
        cuda.to_device(host)
        cuda.synchronize()
        best = min(best, time.perf_counter() - start)
    return {"name": name, "compute_capability": ".".join(map(str, getattr(device, "compute_capability", ("?",)))),
            "driver": driver_version, "memory_gb": total / 1e9 if 0 < total < math.inf else None,
            "copy_gb_s": host.nbytes / best / 1e9}


@cuda.jit
def _read_all(X, out):
    # a read-only reduction over every element: the device's streaming-read roof for X
    n_x, m = X.shape
    s = 0.0
    for q in range(cuda.grid(1), n_x * m, cuda.gridsize(1)):
        s += X[q // m, q % m]
    cuda.atomic.add(out, 0, s)


def stream_read_seconds(X, repeat=5):
    """Best seconds of one read-only pass over the device array ``X`` (the roof a step is judged
    against: its bytes ÷ these seconds).

    Returns
    -------
    float
    """
    import time
    out = cuda.to_device(np.zeros(1))
    _read_all[_grid(X.shape[0] * X.shape[1]), THREADS](X, out)  # compile, warm
    cuda.synchronize()
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        _read_all[_grid(X.shape[0] * X.shape[1]), THREADS](X, out)
        cuda.synchronize()
        best = min(best, time.perf_counter() - start)
    return best
