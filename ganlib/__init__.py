"""ganlib: GANs for model evaluation, in TensorFlow 2 / Keras 3.

Two layers, one direction. The **core** is a library a reader can reuse; the **book layer**
(:mod:`ganlib.book`) holds what the chapters need besides it, and only it imports the core,
never the other way round.

Core (one module per concern):

* :mod:`ganlib.data` — MNIST (with an offline fallback), toy mixtures, ``tf.data`` pipelines
* :mod:`ganlib.models` — one builder per model family: MLP and DCGAN players (plain and
  class-conditional), toy MLPs, MNIST classifiers, feature extractors; :mod:`ganlib.vae` — a VAE
* :mod:`ganlib.losses` — every GAN loss and penalty as a pure function
* :mod:`ganlib.training` — :class:`GAN` (a ``keras.Model``), :func:`train`, :func:`make_gan`;
  :mod:`ganlib.optimizers` — ``FusedAdam``, an opt-in fused Adam for CPUs
* :mod:`ganlib.callbacks` — sample grids, checkpoints, divergence guard, metric tracking
* :mod:`ganlib.metrics` — one module per metric family (Fréchet/FID, kernel/KID, PRDC, two-sample
  tests, classifier scores, mode coverage, bootstrap) and one metric suite
* :mod:`ganlib.plots` — figures
* :mod:`ganlib.utils` — one seed for everything

``import ganlib`` imports neither TensorFlow nor the book: submodules load on first use
(``ganlib.models``), and so do :class:`GAN`, :func:`make_gan`, :func:`train`, :func:`set_seed`.
"""

__version__ = "0.1.0"

_SUBMODULES = ("data", "models", "vae", "losses", "training", "optimizers", "callbacks", "metrics", "plots", "utils", "book")
_EXPORTS = {"GAN": "training", "make_gan": "training", "train": "training", "set_seed": "utils"}

__all__ = ["__version__", *_SUBMODULES, *_EXPORTS]


def __getattr__(name):
    import importlib

    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
