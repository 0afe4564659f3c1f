"""ganlib: GANs for model evaluation, in TensorFlow 2 / Keras 3.

The library behind the executable book. One module per concern:

* :mod:`ganlib.data` — MNIST (with an offline fallback) and toy mixtures, ``tf.data`` pipelines
* :mod:`ganlib.models` — the source article's MLP GAN, the TensorFlow DCGAN, conditional variants,
  toy MLPs, MNIST classifiers; :mod:`ganlib.vae` — a VAE for comparison
* :mod:`ganlib.losses` — every GAN loss and penalty as a pure function
* :mod:`ganlib.training` — :class:`GAN` (a ``keras.Model``), :func:`train`, :func:`make_gan`
* :mod:`ganlib.callbacks` — sample grids, checkpoints, divergence guard, metric tracking
* :mod:`ganlib.metrics` — FID, KID, IS, precision/recall/density/coverage, C2ST, CAS, …
* :mod:`ganlib.plots` — figures for the book
* :mod:`ganlib.profiles` — run profiles (``smoke`` / ``cpu`` / ``gpu``)
* :mod:`ganlib.zoo` — trained models shared between chapters, cached on disk
* chapter-specific experiment logic: :mod:`ganlib.toy` (ch. 2), :mod:`ganlib.theory` (ch. 3),
  :mod:`ganlib.reference_loops` (ch. 4, benchmarks), :mod:`ganlib.evaluation` (ch. 5.1),
  :mod:`ganlib.synthetic_eval` (ch. 5.2), :mod:`ganlib.diagnostics` (ch. 6), :mod:`ganlib.comparison` (ch. 7)
* :mod:`ganlib.book` — notebook helpers: computed numbers in prose, checked claims, timing
"""

__version__ = "0.1.0"

from .book import Stopwatch as _Stopwatch

_IMPORT_STOPWATCH = _Stopwatch()  # a chapter's run time includes importing TensorFlow

from .profiles import PROFILES, Profile, get_profile, profile_name  # noqa: E402,F401  (no TensorFlow needed)
from .utils import REPOSITORY_URL, environment_report, quiet_native_stderr, set_seed, setup_notebook  # noqa: E402,F401

with quiet_native_stderr():  # TensorFlow's C++ start-up lines are noise on every page
    import tensorflow as _tf  # noqa: E402,F401

from . import book, callbacks, data, exercises, losses, metrics, models, plots, training, vae, zoo  # noqa: E402,F401
from . import comparison, diagnostics, evaluation, reference_loops, synthetic_eval, theory, toy  # noqa: E402,F401
from .training import GAN, make_gan, train  # noqa: F401,E402
