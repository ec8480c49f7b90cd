"""Dask: one gradient step on an X larger than one worker's memory, on 1 and 2 local workers.

X (100 x 1e6 float64, 800 MB) is generated chunk-wise by Dask in every iteration and never held
whole: each worker has a 600 MB memory limit. The time per iteration includes generating X's
chunks on the workers -- the situation of data streamed from storage. The cluster is a real
``distributed.LocalCluster`` (worker processes on loopback), started in setup.
"""
import timeit

import numpy as np

import vlr
from .common import SUITE_VERSION, grid_name, only_with_everything

N_X, CHUNK = 100, 25_000
M = 200_000 if grid_name() == "tiny" else 1_000_000  # tiny: a smoke run that fits a worker
WORKER_MEMORY = "600MB"


class TimeDaskIteration:
    """Wall-clock time of one ``vlr.gradient_step`` on a Dask X (800 MB, 600 MB per worker)."""

    params = [[1, 2]]
    param_names = ["workers"]
    timer = timeit.default_timer
    version = SUITE_VERSION
    number = 1
    repeat = (2, 5, 60.0)
    timeout = 600

    def setup(self, workers):
        if only_with_everything():
            raise NotImplementedError(only_with_everything())
        import dask.array as da
        from distributed import Client, LocalCluster
        self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                    memory_limit=WORKER_MEMORY, host="127.0.0.1",
                                    dashboard_address=None)
        self.client = Client(self.cluster)
        rng = da.random.default_rng(0)
        self.X = rng.random((N_X, M), chunks=(N_X, CHUNK)) * 2 - 1
        self.Y = (rng.random((1, M), chunks=(1, CHUNK)) < 0.5).astype(np.float64)
        self.w = np.zeros((N_X, 1))
        vlr.gradients(self.w, 0.0, self.X[:, :CHUNK], self.Y[:, :CHUNK])  # imports, JIT on workers

    def teardown(self, workers):
        self.client.close()
        self.cluster.close()

    def time_iteration(self, workers):
        vlr.gradient_step(self.w, 0.0, self.X, self.Y, 0.01)
