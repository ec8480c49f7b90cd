"""The study model's parameters, measured on this machine in the same run as the grid.

Each parameter is one measured cost (``vlr/study/model_parameters.py``: the interpreter's cost
per element, NumPy's fixed cost and per-example work, its GEMVs' bandwidth and the stream-read
bandwidth with the working set in L2, L3 and memory), measured once in ``setup_cache`` at sizes
off the study's grid. The site predicts every cell of the grid from these alone and compares
the prediction with the cells measured (``vlr predict`` measures the same on any machine).
"""
from .common import SUITE_VERSION, model_parameters, require_kernel, stream_read_seconds


class TrackModelParameter:
    """One measured cost of the model (seconds, or bytes per second, or bytes: see its name)."""

    params = [model_parameters.parameter_names()]
    param_names = ["parameter"]
    unit = "value (seconds, bytes/s or bytes)"
    version = SUITE_VERSION
    timeout = 600

    def setup_cache(self):
        try:
            from vlr.machine import cpu_facts
            steps = {k: (lambda w, b, X, Y, k=require_kernel(k): k.gradient_step(w, b, X, Y, 0.01))
                     for k in ("two_loops", "one_loop", "numpy")}
        except (ImportError, NotImplementedError):
            return None  # an older vlr: shown n/a
        import numba
        return model_parameters.measure(
            steps, cpu_facts()["caches_kib"],
            lambda a: stream_read_seconds(a, numba.get_num_threads()))

    setup_cache.timeout = 600

    def setup(self, values, parameter):
        if values is None:
            raise NotImplementedError("this vlr cannot measure the model's parameters")

    def track_parameter(self, values, parameter):
        return values[parameter]
