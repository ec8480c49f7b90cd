"""What the timings depend on, recorded beside them: thread counts and the BLAS in use."""
from vlr.machine import blas_info
from vlr.study_grid import SUITE_VERSION


def _blas_label():
    return "; ".join(f"{b['internal_api']} {b['version']} {b['architecture']}" for b in blas_info()) or "none"


class TrackThreads:
    """Threads each library will use (the BLAS's name and version are in the parameter)."""

    params = [[f"blas: {_blas_label()}", "numba", "cython (OpenMP)"]]
    param_names = ["library"]
    unit = "threads"
    version = SUITE_VERSION

    def track_threads(self, library):
        if library.startswith("blas"):
            return sum(b["num_threads"] for b in blas_info())
        import vlr
        kernel = vlr.get_kernel(library.split()[0])
        return kernel.module.default_threads()
