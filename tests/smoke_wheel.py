"""Smoke test of an installed vlr (a wheel in a fresh venv; run from outside the clone): every
CPU kernel runs -- the Cython extension and Numba included -- and agrees with the two-loop reference.

    python tests/smoke_wheel.py        (exit 0: every kernel ran and agreed)

Not collected by pytest: the test suite runs against the editable install instead.
"""
import sys

import numpy as np

import vlr


def main() -> int:
    from vlr.kernel import KERNELS  # the five CPU kernels; cuda needs a GPU (tests/test_cuda.py)
    status = vlr.kernel_status(KERNELS)
    missing = {name: why for name, why in status.items() if why != "available"}
    if missing:
        print(f"kernels not available: {missing}", file=sys.stderr)
        return 1
    rng = np.random.default_rng(0)
    for dtype in (np.float64, np.float32):
        X = rng.standard_normal((7, 300)).astype(dtype)
        Y = (rng.random((1, 300)) < 0.5).astype(dtype)
        w = (rng.standard_normal((7, 1)) * 0.3).astype(dtype)
        J0, dw0, db0 = vlr.gradients(w, 0.1, X, Y, kernel="two_loops")
        for name in list(status) + ["auto"]:
            J, dw, db = vlr.gradients(w, 0.1, X, Y, kernel=name)
            rtol = 1e-10 if dtype == np.float64 else 2e-4
            np.testing.assert_allclose([J, db], [J0, db0], rtol=rtol, atol=1e-6)
            np.testing.assert_allclose(dw, dw0, rtol=rtol, atol=1e-6)
        w_trained, b, costs = vlr.train(X, Y, 50, 0.5, kernel="cython", cost_every=10)
        assert len(costs) == 5 and costs[-1] < costs[0]
    module = vlr.get_kernel("cython").module
    print(f"vlr {vlr.__version__} from {vlr.__file__}: all {len(status)} kernels ran and agree "
          f"(cython: OpenMP {module.OPENMP}, ISA {module.VECTOR_ISA}, run-time dispatch "
          f"{module.RUNTIME_DISPATCH})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
