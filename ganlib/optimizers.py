"""An opt-in optimizer for CPUs: :class:`FusedAdam`, Keras' Adam with one fused kernel per weight tensor.

Keras' ``Adam.update_step`` is about a dozen elementwise TensorFlow operations per weight tensor,
each a separate kernel launch and pass over the weights. TensorFlow's ``ResourceApplyAdam``
kernel computes the same update in one pass. :class:`FusedAdam` is a
``keras.optimizers.Adam`` that overrides only Keras' documented extension points for optimizers
(``build``, which creates the moment slots with ``add_variable_from_reference``, and
``update_step``), so everything else ``Optimizer.apply`` does (learning-rate schedules,
clipping, weight decay, EMA, gradient accumulation, loss scaling, the step counter) is Keras'
own code.

**Why it exists, and why it is opt-in** (``benchmarks/RESULTS.md``, 2-core CPU, steady-state
training steps with ``update="simultaneous"``): the fused update made the source's MLP GAN
(429k weights, batch 64, 50 steps per call) 1.28x as fast as Keras' Adam (2026-11-25, an Intel
Xeon; 1.13x on 2026-12-06, an AMD EPYC), and made little difference to the TensorFlow-tutorial
DCGAN, whose step is bound by convolutions (1.03x and 1.02x in the same two runs). Under XLA,
which fuses Keras' elementwise operations itself (``jit_compile=True``, what
:func:`ganlib.make_gan` selects on a GPU), it brings nothing. So :class:`ganlib.GAN` never
depends on it: ``GAN.compile`` defaults to ``keras.optimizers.Adam``, and
:func:`ganlib.make_gan` picks :class:`FusedAdam` only where it measured faster
(``fused_adam="auto"``: a step without XLA on one replica, for each player with at least
:data:`FUSED_MIN_WEIGHTS` weights).

**Public API only.** It overrides ``build`` and ``update_step`` and uses
``add_variable_from_reference``, ``iterations``, ``beta_1``, ``beta_2``, ``epsilon``,
``keras.Variable.value`` and the TensorFlow variable's ``handle`` with
``tf.raw_ops.ResourceApplyAdam``; no private attribute of Keras' optimizers. Because
``Adam.build`` would create a second set of moments, ``build`` calls the base class's ``build``
(``super(keras.optimizers.Adam, self).build``) and creates its own.

**Numerics.** The kernel folds Keras' bias correction into the step size exactly as Keras does,
``α_t = lr·sqrt(1 − β₂ᵗ)/(1 − β₁ᵗ)``; ``m += (g − m)(1 − β₁)``; ``v += (g² − v)(1 − β₂)``;
``θ −= α_t·m/(sqrt(v) + ε)``. It forms ``1 − β₂`` from the float32 ``β₂`` (for β₂ = 0.999:
0.99998713e-3, where Keras rounds 1e-3 to float32), so training agrees with
``keras.optimizers.Adam`` to about 1e-5 relative, not bit for bit (``tests/test_fast_paths.py``).

**Limits.** No AMSGrad variant (``amsgrad=True`` raises), and one device: under a
``tf.distribute`` strategy with several replicas use ``keras.optimizers.Adam`` (``build``
raises). Sparse gradients (``IndexedSlices``, from embedding look-ups) are densified, as Keras'
Adam does.
"""

from __future__ import annotations

import keras
import tensorflow as tf

__all__ = ["FusedAdam", "FUSED_MIN_WEIGHTS"]

#: The smallest number of weights per player for which ``make_gan(fused_adam="auto")`` picks
#: :class:`FusedAdam`: for tiny models, such as the 2-D toy GANs (about 34k weights per
#: player), the kernel's threading costs more than the passes it saves.
FUSED_MIN_WEIGHTS = 100_000


def _identity(variable) -> int:
    """The identity of a weight as ``update_step`` sees it: Keras' TensorFlow backend hands it the
    backend variable (``keras.Variable.value``), other code the ``keras.Variable`` itself."""
    if isinstance(variable, keras.Variable):
        variable = variable.value
    return id(variable)


class FusedAdam(keras.optimizers.Adam):
    """``keras.optimizers.Adam`` whose update of each weight tensor is one fused TensorFlow kernel.

    Same arguments and defaults as ``keras.optimizers.Adam`` (``learning_rate=0.001``,
    ``beta_1=0.9``, ``beta_2=0.999``, ``epsilon=1e-7``, and the common optimizer options), except
    that ``amsgrad`` must be ``False``. See the module docstring for when it pays and how closely
    it matches Keras' Adam.

    Attributes (after ``build``):
      momentums, velocities: the first and second moment estimates, one variable per weight, in
        the order of the weights.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                 name="fused_adam", **kwargs):
        if amsgrad is not False:
            raise ValueError(
                f"amsgrad: FusedAdam implements Adam without AMSGrad; expected False, got {amsgrad!r} "
                "(use keras.optimizers.Adam(amsgrad=True))"
            )
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                         amsgrad=False, name=name, **kwargs)
        self.momentums: list = []
        self.velocities: list = []
        self._moments_of: dict = {}

    def build(self, var_list):
        """Create one first- and one second-moment slot per weight (zeros, like Keras' Adam)."""
        if self.built:
            return
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        if replicas > 1:
            raise ValueError(
                f"FusedAdam: runs on one device, got a tf.distribute strategy with {replicas} replicas "
                "(use keras.optimizers.Adam there)"
            )
        # The parent of Adam, not Adam: Adam.build would create a second set of moment slots.
        super(keras.optimizers.Adam, self).build(var_list)
        self.momentums = [self.add_variable_from_reference(v, name="momentum") for v in var_list]
        self.velocities = [self.add_variable_from_reference(v, name="velocity") for v in var_list]
        self._moments_of = {_identity(v): (m, s) for v, m, s in zip(var_list, self.momentums, self.velocities)}

    def update_step(self, gradient, variable, learning_rate):
        """Adam's update of ``variable`` as one ``ResourceApplyAdam`` kernel."""
        moments = self._moments_of.get(_identity(variable))
        if moments is None:
            raise ValueError(f"variable: {variable.name} is not one of the weights this optimizer was built for")
        m, v = moments
        dtype = variable.dtype
        step = tf.cast(self.iterations + 1, dtype)
        beta_1 = tf.constant(self.beta_1, dtype)
        beta_2 = tf.constant(self.beta_2, dtype)
        tf.raw_ops.ResourceApplyAdam(
            var=variable.handle,
            m=m.handle,
            v=v.handle,
            beta1_power=tf.pow(beta_1, step),
            beta2_power=tf.pow(beta_2, step),
            lr=tf.cast(learning_rate, dtype),
            beta1=beta_1,
            beta2=beta_2,
            epsilon=tf.constant(self.epsilon, dtype),
            grad=tf.cast(tf.convert_to_tensor(gradient), dtype),  # IndexedSlices -> dense, as Keras' Adam
        )
