"""What the timings depend on, recorded beside them: thread counts and the BLAS in use."""
from .common import SUITE_VERSION, blas_label, require_kernel, write_machine_profile


class TrackThreads:
    """Threads each library will use (the BLAS's name and version are in the parameter)."""

    params = [[f"blas: {blas_label()}", "numba", "cython (OpenMP)"]]
    param_names = ["library"]
    unit = "threads"
    version = SUITE_VERSION

    def setup_cache(self):
        """The machine's profile, written once per run whichever way asv was told of the machine."""
        return write_machine_profile()

    def track_threads(self, profile, library):
        if library.startswith("blas"):
            from threadpoolctl import threadpool_info
            return sum(i["num_threads"] for i in threadpool_info() if i.get("user_api") == "blas")
        default_threads = getattr(require_kernel(library.split()[0]).module, "default_threads", None)
        if default_threads is None:
            raise NotImplementedError("this build of vlr does not report its kernels' threads")
        return default_threads()
