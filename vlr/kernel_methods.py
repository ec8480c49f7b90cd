"""The methods every kernel object has: the public functions with ``kernel=self``."""


class KernelMethods:
    """``gradients``, ``gradient_step`` and ``train`` of :mod:`vlr`, run with this kernel."""

    def gradients(self, w, b, X, Y):
        """Cost and gradients with this kernel; see :func:`vlr.gradients`."""
        from .step import gradients
        return gradients(w, b, X, Y, kernel=self)

    def gradient_step(self, w, b, X, Y, alpha):
        """One gradient-descent step with this kernel; see :func:`vlr.gradient_step`."""
        from .step import gradient_step
        return gradient_step(w, b, X, Y, alpha, kernel=self)

    def train(self, X, Y, iterations, alpha, w0=None, b0=0.0):
        """Gradient descent with this kernel; see :func:`vlr.train`."""
        from .step import train
        return train(X, Y, iterations, alpha, kernel=self, w0=w0, b0=b0)
