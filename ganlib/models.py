"""Model builders: GAN generators and discriminators, toy-data MLPs and MNIST classifiers.

Every builder returns a functional :class:`keras.Model`. Conventions (see ``CONTRIBUTING.md``):

* Image generators map ``z`` of shape ``(B, latent_dim)`` (``z ~ N(0, I)``) to ``float32``
  images of shape ``(B, 28, 28, 1)`` in ``[0, 1]``.
* Discriminators map images (and, for conditional models, labels) to **logits** of shape
  ``(B, 1)``, ``float32``; the probability "real" is ``D(x) = sigmoid(logit)``. The sigmoid is
  folded into the losses (``log sigmoid(l) = -softplus(-l)``), which is numerically stable.
* Classifiers map images to logits of shape ``(B, num_classes)``.
* Under a ``mixed_float16`` dtype policy the hidden layers compute in float16 but the last
  layers are built with ``dtype="float32"``, so every output is ``float32`` (the field notes:
  keep the last layer and the loss in float32).

:func:`train_classifier` fits a classifier, :func:`pretrained_mnist_classifier` trains the
evaluation CNN once and caches its weights, :func:`feature_extractor` exposes the penultimate
``"features"`` layer used by FID/KID/PRDC.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

import keras
from keras import layers

from .validation import as_array, check_bool, check_choice, check_images, check_labels, check_model, check_positive_int, check_seed, check_str

__all__ = [
    "mlp_generator",
    "mlp_discriminator",
    "dcgan_generator",
    "dcgan_discriminator",
    "conditional_mlp_generator",
    "conditional_mlp_discriminator",
    "conditional_dcgan_generator",
    "conditional_dcgan_discriminator",
    "toy_generator",
    "toy_discriminator",
    "mnist_classifier",
    "mnist_mlp_classifier",
    "mnist_logistic_regression",
    "feature_extractor",
    "train_classifier",
    "pretrained_mnist_classifier",
    "IMAGE_SHAPE",
    "LABEL_EMBEDDING_DIM",
]

#: Shape of one MNIST image in ganlib: height, width, channels.
IMAGE_SHAPE = (28, 28, 1)
#: Size of the label embedding used by every class-conditional model.
LABEL_EMBEDDING_DIM = 50
#: Negative slope of every LeakyReLU (the DCGAN tutorial uses Keras' default of 0.3 in TF 2.x
#: ``LeakyReLU()``; Keras 3 ``LeakyReLU()`` defaults to the same 0.3).
_LEAKY_SLOPE = 0.3
_IMAGE_PIXELS = 28 * 28


def _hidden_activation(activation: str, name: str):
    """A fresh activation layer for ``"relu"`` or ``"leaky_relu"`` (slope 0.3)."""
    if activation == "relu":
        return layers.ReLU(name=name)
    return layers.LeakyReLU(negative_slope=_LEAKY_SLOPE, name=name)


def _image_input(name: str = "image") -> keras.KerasTensor:
    return keras.Input(shape=IMAGE_SHAPE, dtype="float32", name=name)


def _label_input() -> keras.KerasTensor:
    # Labels are int64 (N,) in ganlib; int32 is what Embedding lookups use on every backend, and
    # the functional model casts int64 inputs to the declared dtype.
    return keras.Input(shape=(), dtype="int32", name="label")


def _latent_input(latent_dim: int) -> keras.KerasTensor:
    return keras.Input(shape=(latent_dim,), dtype="float32", name="z")


# --------------------------------------------------------------------------------------------
# MLP GAN (the source article)
# --------------------------------------------------------------------------------------------


def mlp_generator(latent_dim: int = 100, hidden_units: int = 256, name: str = "mlp_generator") -> keras.Model:
    """The source article's fully connected generator ``G(z)``.

    Architecture (source article): ``Dense(hidden_units, relu) -> Dense(784, sigmoid)``, followed
    by ``Reshape(28, 28, 1)`` so that, like every ganlib generator, it emits images.
    With the defaults it has ``100*256 + 256 + 256*784 + 784 = 227,344`` parameters.

    The source article calls ``z`` "the generator's output noise"; ``z`` is the generator's
    *input* noise, drawn from the prior ``p_z = N(0, I)``.

    Args:
      latent_dim: size ``d`` of ``z`` (int >= 1).
      hidden_units: width of the hidden layer (int >= 1).
      name: model name.

    Returns:
      ``keras.Model``: ``z`` ``(B, latent_dim)`` float32 -> images ``(B, 28, 28, 1)`` float32 in
      ``[0, 1]`` (sigmoid output, computed in float32 under mixed precision).
    """
    latent_dim = check_positive_int(latent_dim, "latent_dim")
    hidden_units = check_positive_int(hidden_units, "hidden_units")
    name = check_str(name, "name")
    z = _latent_input(latent_dim)
    h = layers.Dense(hidden_units, activation="relu", name="hidden")(z)
    x = layers.Dense(_IMAGE_PIXELS, activation="sigmoid", dtype="float32", name="pixels")(h)
    x = layers.Reshape(IMAGE_SHAPE, dtype="float32", name="image")(x)
    return keras.Model(z, x, name=name)


def mlp_discriminator(
    hidden_units: int = 256, activation: str = "relu", name: str = "mlp_discriminator"
) -> keras.Model:
    """The source article's fully connected discriminator, returning logits.

    Architecture (source article): ``Flatten -> Dense(hidden_units, relu) -> Dense(1, sigmoid)``.
    ganlib drops the final sigmoid and returns the logit; the sigmoid is folded into the loss
    (``log D(x) = -softplus(-logit)``), which is the numerically stable form of the same model.
    With the defaults it has ``784*256 + 256 + 256 + 1 = 201,217`` parameters.

    Args:
      hidden_units: width of the hidden layer (int >= 1).
      activation: ``"relu"`` (source article) or ``"leaky_relu"`` (negative slope 0.3).
      name: model name.

    Returns:
      ``keras.Model``: images ``(B, 28, 28, 1)`` float32 in ``[0, 1]`` -> logits ``(B, 1)``
      float32.
    """
    hidden_units = check_positive_int(hidden_units, "hidden_units")
    activation = check_choice(activation, "activation", ["relu", "leaky_relu"])
    name = check_str(name, "name")
    image = _image_input()
    h = layers.Flatten(name="flatten")(image)
    h = layers.Dense(hidden_units, name="hidden")(h)
    h = _hidden_activation(activation, "hidden_activation")(h)
    logit = layers.Dense(1, dtype="float32", name="logit")(h)
    return keras.Model(image, logit, name=name)


# --------------------------------------------------------------------------------------------
# DCGAN (TensorFlow tutorial)
# --------------------------------------------------------------------------------------------


#: The tutorial's width: its layers have 4, 2 and 1 times this many channels (256, 128, 64).
DCGAN_FILTERS = 64


def _dcgan_upsampling_stack(x, filters: int):
    """The tutorial generator after its ``Reshape(7, 7, 4f)``: (B,7,7,C) -> (B,28,28,1) in [0,1]."""
    x = layers.Conv2DTranspose(2 * filters, 5, strides=1, padding="same", use_bias=False, name="deconv1")(x)
    x = layers.BatchNormalization(name="bn1")(x)
    x = layers.LeakyReLU(negative_slope=_LEAKY_SLOPE, name="lrelu1")(x)
    x = layers.Conv2DTranspose(filters, 5, strides=2, padding="same", use_bias=False, name="deconv2")(x)
    x = layers.BatchNormalization(name="bn2")(x)
    x = layers.LeakyReLU(negative_slope=_LEAKY_SLOPE, name="lrelu2")(x)
    # The tutorial's last layer is Conv2DTranspose(1, 5, 2, 'same', use_bias=False,
    # activation='tanh'); the tanh is split out so that it (and the rescaling) run in float32.
    x = layers.Conv2DTranspose(1, 5, strides=2, padding="same", use_bias=False, name="deconv3")(x)
    x = layers.Activation("tanh", dtype="float32", name="tanh")(x)
    return layers.Rescaling(0.5, offset=0.5, dtype="float32", name="to_unit_interval")(x)


def _dcgan_projection(z, filters: int):
    x = layers.Dense(7 * 7 * 4 * filters, use_bias=False, name="project")(z)
    x = layers.BatchNormalization(name="bn0")(x)
    x = layers.LeakyReLU(negative_slope=_LEAKY_SLOPE, name="lrelu0")(x)
    return layers.Reshape((7, 7, 4 * filters), name="reshape")(x)


def dcgan_generator(
    latent_dim: int = 100, filters: int = DCGAN_FILTERS, name: str = "dcgan_generator"
) -> keras.Model:
    """The DCGAN generator of the TensorFlow tutorial (tensorflow.org/tutorials/generative/dcgan).

    Architecture: ``Dense(7*7*256, no bias) -> BN -> LeakyReLU -> Reshape(7, 7, 256) ->
    Conv2DTranspose(128, 5, stride 1) -> BN -> LeakyReLU -> Conv2DTranspose(64, 5, stride 2) ->
    BN -> LeakyReLU -> Conv2DTranspose(1, 5, stride 2) -> tanh`` (all ``padding="same"``,
    ``use_bias=False``), then ``Rescaling(0.5, offset=0.5)``: ``x = (tanh(.) + 1) / 2``. The
    rescaling maps the tutorial's ``[-1, 1]`` output to ganlib's ``[0, 1]`` images; it has no
    weights, so the model is the tutorial's (2,330,944 parameters for ``latent_dim=100``).
    ``filters`` scales every width: the layers have ``4f, 2f, f`` channels (the tutorial's 256,
    128, 64 for the default ``f = 64``); ``filters=32`` has 909,472 parameters and needs about a
    quarter of the multiply-adds.

    Args:
      latent_dim: size of ``z ~ N(0, I)`` (int >= 1).
      filters: the width ``f`` (int >= 1).
      name: model name.

    Returns:
      ``keras.Model``: ``z`` ``(B, latent_dim)`` float32 -> images ``(B, 28, 28, 1)`` float32 in
      ``[0, 1]`` (tanh and rescaling computed in float32 under mixed precision).
    """
    latent_dim = check_positive_int(latent_dim, "latent_dim")
    filters = check_positive_int(filters, "filters")
    name = check_str(name, "name")
    z = _latent_input(latent_dim)
    image = _dcgan_upsampling_stack(_dcgan_projection(z, filters), filters)
    return keras.Model(z, image, name=name)


def _dcgan_downsampling_stack(x, filters: int):
    """The tutorial discriminator after its input: (B,28,28,C) in [-1,1] -> logits (B,1)."""
    x = layers.Conv2D(filters, 5, strides=2, padding="same", name="conv1")(x)
    x = layers.LeakyReLU(negative_slope=_LEAKY_SLOPE, name="lrelu1")(x)
    x = layers.Dropout(0.3, name="dropout1")(x)
    x = layers.Conv2D(2 * filters, 5, strides=2, padding="same", name="conv2")(x)
    x = layers.LeakyReLU(negative_slope=_LEAKY_SLOPE, name="lrelu2")(x)
    x = layers.Dropout(0.3, name="dropout2")(x)
    x = layers.Flatten(name="flatten")(x)
    return layers.Dense(1, dtype="float32", name="logit")(x)


def dcgan_discriminator(filters: int = DCGAN_FILTERS, name: str = "dcgan_discriminator") -> keras.Model:
    """The DCGAN discriminator of the TensorFlow tutorial, returning logits.

    Architecture: ``Rescaling(2, offset=-1)`` (ganlib's ``[0, 1]`` images to the tutorial's
    ``[-1, 1]``) ``-> Conv2D(64, 5, stride 2) -> LeakyReLU -> Dropout(0.3) -> Conv2D(128, 5,
    stride 2) -> LeakyReLU -> Dropout(0.3) -> Flatten -> Dense(1)`` (``padding="same"``).
    Like the tutorial it returns a logit (212,865 parameters). ``filters`` scales the widths
    (``f, 2f`` channels; the tutorial's 64, 128 for the default; 55,233 parameters for 32).

    Args:
      filters: the width ``f`` (int >= 1).
      name: model name.

    Returns:
      ``keras.Model``: images ``(B, 28, 28, 1)`` float32 in ``[0, 1]`` -> logits ``(B, 1)``
      float32.
    """
    filters = check_positive_int(filters, "filters")
    name = check_str(name, "name")
    image = _image_input()
    x = layers.Rescaling(2.0, offset=-1.0, name="to_symmetric_range")(image)
    return keras.Model(image, _dcgan_downsampling_stack(x, filters), name=name)


# --------------------------------------------------------------------------------------------
# Class-conditional GANs (keras.io conditional GAN style label conditioning)
# --------------------------------------------------------------------------------------------


def _label_channel(label, num_classes: int, height: int, width: int):
    """``label (B,) -> Embedding(num_classes, 50) -> Dense(height*width) -> (B, height, width, 1)``."""
    e = layers.Embedding(num_classes, LABEL_EMBEDDING_DIM, name="label_embedding")(label)
    e = layers.Dense(height * width, name="label_projection")(e)
    return layers.Reshape((height, width, 1), name="label_channel")(e)


def conditional_mlp_generator(
    num_classes: int = 10,
    latent_dim: int = 100,
    hidden_units: int = 256,
    name: str = "conditional_mlp_generator",
) -> keras.Model:
    """Class-conditional version of :func:`mlp_generator`, ``G(z, y)``.

    Architecture: ``label -> Embedding(num_classes, 50)``, concatenated with ``z`` to a
    ``(B, latent_dim + 50)`` vector, ``-> Dense(hidden_units, relu) -> Dense(784, sigmoid) ->
    Reshape(28, 28, 1)`` (the source article's generator with the label appended to its input,
    as in Mirza & Osindero 2014).

    Args:
      num_classes: number of classes (int >= 2).
      latent_dim: size of ``z ~ N(0, I)`` (int >= 1).
      hidden_units: width of the hidden layer (int >= 1).
      name: model name.

    Returns:
      ``keras.Model``: ``[z (B, latent_dim) float32, label (B,) int]`` -> images
      ``(B, 28, 28, 1)`` float32 in ``[0, 1]``.
    """
    num_classes = check_positive_int(num_classes, "num_classes", minimum=2)
    latent_dim = check_positive_int(latent_dim, "latent_dim")
    hidden_units = check_positive_int(hidden_units, "hidden_units")
    name = check_str(name, "name")
    z = _latent_input(latent_dim)
    label = _label_input()
    e = layers.Embedding(num_classes, LABEL_EMBEDDING_DIM, name="label_embedding")(label)
    h = layers.Concatenate(name="z_and_label")([z, e])
    h = layers.Dense(hidden_units, activation="relu", name="hidden")(h)
    x = layers.Dense(_IMAGE_PIXELS, activation="sigmoid", dtype="float32", name="pixels")(h)
    x = layers.Reshape(IMAGE_SHAPE, dtype="float32", name="image")(x)
    return keras.Model([z, label], x, name=name)


def conditional_mlp_discriminator(
    num_classes: int = 10,
    hidden_units: int = 256,
    activation: str = "relu",
    name: str = "conditional_mlp_discriminator",
) -> keras.Model:
    """Class-conditional version of :func:`mlp_discriminator`, ``D(x, y)``, returning logits.

    Architecture: ``label -> Embedding(num_classes, 50) -> Dense(784) -> Reshape(28, 28, 1)``,
    concatenated with the image as a second channel (keras.io conditional GAN style), ``->
    Flatten -> Dense(hidden_units, activation) -> Dense(1)``.

    Args:
      num_classes: number of classes (int >= 2).
      hidden_units: width of the hidden layer (int >= 1).
      activation: ``"relu"`` or ``"leaky_relu"``.
      name: model name.

    Returns:
      ``keras.Model``: ``[image (B, 28, 28, 1) float32 in [0, 1], label (B,) int]`` -> logits
      ``(B, 1)`` float32.
    """
    num_classes = check_positive_int(num_classes, "num_classes", minimum=2)
    hidden_units = check_positive_int(hidden_units, "hidden_units")
    activation = check_choice(activation, "activation", ["relu", "leaky_relu"])
    name = check_str(name, "name")
    image = _image_input()
    label = _label_input()
    channel = _label_channel(label, num_classes, 28, 28)
    h = layers.Concatenate(axis=-1, name="image_and_label")([image, channel])
    h = layers.Flatten(name="flatten")(h)
    h = layers.Dense(hidden_units, name="hidden")(h)
    h = _hidden_activation(activation, "hidden_activation")(h)
    logit = layers.Dense(1, dtype="float32", name="logit")(h)
    return keras.Model([image, label], logit, name=name)


def conditional_dcgan_generator(
    num_classes: int = 10,
    latent_dim: int = 100,
    filters: int = DCGAN_FILTERS,
    name: str = "conditional_dcgan_generator",
) -> keras.Model:
    """Class-conditional version of :func:`dcgan_generator`, ``G(z, y)``.

    Architecture: ``z`` is projected as in the tutorial to ``(B, 7, 7, 4f)`` (256 channels for the
    default ``filters=64``); ``label -> Embedding(num_classes, 50) -> Dense(49) -> Reshape(7, 7,
    1)`` is concatenated as one more channel; the tutorial's transposed-convolution stack follows
    (``2f, f, 1`` channels), then ``Rescaling(0.5, offset=0.5)`` to ``[0, 1]``.

    Args:
      num_classes: number of classes (int >= 2).
      latent_dim: size of ``z ~ N(0, I)`` (int >= 1).
      filters: the width ``f`` (int >= 1), as in :func:`dcgan_generator`.
      name: model name.

    Returns:
      ``keras.Model``: ``[z (B, latent_dim) float32, label (B,) int]`` -> images
      ``(B, 28, 28, 1)`` float32 in ``[0, 1]``.
    """
    num_classes = check_positive_int(num_classes, "num_classes", minimum=2)
    latent_dim = check_positive_int(latent_dim, "latent_dim")
    filters = check_positive_int(filters, "filters")
    name = check_str(name, "name")
    z = _latent_input(latent_dim)
    label = _label_input()
    x = _dcgan_projection(z, filters)
    channel = _label_channel(label, num_classes, 7, 7)
    x = layers.Concatenate(axis=-1, name="features_and_label")([x, channel])
    return keras.Model([z, label], _dcgan_upsampling_stack(x, filters), name=name)


def conditional_dcgan_discriminator(
    num_classes: int = 10, filters: int = DCGAN_FILTERS, name: str = "conditional_dcgan_discriminator"
) -> keras.Model:
    """Class-conditional version of :func:`dcgan_discriminator`, ``D(x, y)``, returning logits.

    Architecture: the image is rescaled to ``[-1, 1]``; ``label -> Embedding(num_classes, 50) ->
    Dense(784) -> Reshape(28, 28, 1)`` is concatenated as a second channel (keras.io conditional
    GAN style); the tutorial's convolution stack follows (``f, 2f`` channels), ending in
    ``Dense(1)``.

    Args:
      num_classes: number of classes (int >= 2).
      filters: the width ``f`` (int >= 1), as in :func:`dcgan_discriminator`.
      name: model name.

    Returns:
      ``keras.Model``: ``[image (B, 28, 28, 1) float32 in [0, 1], label (B,) int]`` -> logits
      ``(B, 1)`` float32.
    """
    num_classes = check_positive_int(num_classes, "num_classes", minimum=2)
    filters = check_positive_int(filters, "filters")
    name = check_str(name, "name")
    image = _image_input()
    label = _label_input()
    x = layers.Rescaling(2.0, offset=-1.0, name="to_symmetric_range")(image)
    channel = _label_channel(label, num_classes, 28, 28)
    x = layers.Concatenate(axis=-1, name="image_and_label")([x, channel])
    return keras.Model([image, label], _dcgan_downsampling_stack(x, filters), name=name)


# --------------------------------------------------------------------------------------------
# Toy GAN for 1-D / 2-D mixtures
# --------------------------------------------------------------------------------------------


def toy_generator(
    data_dim: int = 2,
    latent_dim: int = 8,
    hidden_units: int = 128,
    depth: int = 3,
    name: str = "toy_generator",
) -> keras.Model:
    """A small ReLU MLP generator for 1-D/2-D Gaussian mixtures.

    Architecture: ``depth`` x ``Dense(hidden_units, relu)`` then a linear ``Dense(data_dim)``
    (float32), the usual "ring of Gaussians" set-up (e.g. Metz et al. 2017, unrolled GANs).

    Args:
      data_dim: dimension ``d`` of a data point (int >= 1).
      latent_dim: size of ``z ~ N(0, I)`` (int >= 1).
      hidden_units: width of each hidden layer (int >= 1).
      depth: number of hidden layers (int >= 1).
      name: model name.

    Returns:
      ``keras.Model``: ``z`` ``(B, latent_dim)`` float32 -> points ``(B, data_dim)`` float32
      (unbounded).
    """
    data_dim = check_positive_int(data_dim, "data_dim")
    latent_dim = check_positive_int(latent_dim, "latent_dim")
    hidden_units = check_positive_int(hidden_units, "hidden_units")
    depth = check_positive_int(depth, "depth")
    name = check_str(name, "name")
    z = _latent_input(latent_dim)
    h = z
    for i in range(depth):
        h = layers.Dense(hidden_units, activation="relu", name=f"hidden{i + 1}")(h)
    x = layers.Dense(data_dim, dtype="float32", name="point")(h)
    return keras.Model(z, x, name=name)


def toy_discriminator(
    data_dim: int = 2,
    hidden_units: int = 128,
    depth: int = 3,
    activation: str = "leaky_relu",
    name: str = "toy_discriminator",
) -> keras.Model:
    """A small MLP discriminator for 1-D/2-D data, returning logits.

    Architecture: ``depth`` x ``(Dense(hidden_units) -> activation)`` then ``Dense(1)``
    (float32 logit). LeakyReLU (slope 0.3) is the default: it keeps gradients flowing to the
    generator where the discriminator saturates.

    Args:
      data_dim: dimension ``d`` of a data point (int >= 1).
      hidden_units: width of each hidden layer (int >= 1).
      depth: number of hidden layers (int >= 1).
      activation: ``"leaky_relu"`` or ``"relu"``.
      name: model name.

    Returns:
      ``keras.Model``: points ``(B, data_dim)`` float32 -> logits ``(B, 1)`` float32.
    """
    data_dim = check_positive_int(data_dim, "data_dim")
    hidden_units = check_positive_int(hidden_units, "hidden_units")
    depth = check_positive_int(depth, "depth")
    activation = check_choice(activation, "activation", ["relu", "leaky_relu"])
    name = check_str(name, "name")
    x = keras.Input(shape=(data_dim,), dtype="float32", name="point")
    h = x
    for i in range(depth):
        h = layers.Dense(hidden_units, name=f"hidden{i + 1}")(h)
        h = _hidden_activation(activation, f"activation{i + 1}")(h)
    logit = layers.Dense(1, dtype="float32", name="logit")(h)
    return keras.Model(x, logit, name=name)


# --------------------------------------------------------------------------------------------
# MNIST classifiers
# --------------------------------------------------------------------------------------------


def mnist_classifier(num_classes: int = 10, feature_dim: int = 128, name: str = "mnist_classifier") -> keras.Model:
    """The small CNN used as ganlib's MNIST evaluation network (features for FID/KID/PRDC).

    Architecture (the classic Keras MNIST convnet): ``Conv2D(32, 3, relu) -> MaxPool(2) ->
    Conv2D(64, 3, relu) -> MaxPool(2) -> Flatten -> Dropout(0.25) -> Dense(feature_dim, relu,
    name="features") -> Dense(num_classes, name="logits")``. The ``"features"`` layer is the
    penultimate layer that :func:`feature_extractor` exposes.

    Args:
      num_classes: number of classes (int >= 2).
      feature_dim: width of the ``"features"`` layer (int >= 1).
      name: model name.

    Returns:
      ``keras.Model``: images ``(B, 28, 28, 1)`` float32 in ``[0, 1]`` -> logits
      ``(B, num_classes)`` float32.
    """
    num_classes = check_positive_int(num_classes, "num_classes", minimum=2)
    feature_dim = check_positive_int(feature_dim, "feature_dim")
    name = check_str(name, "name")
    image = _image_input()
    x = layers.Conv2D(32, 3, activation="relu", name="conv1")(image)
    x = layers.MaxPooling2D(2, name="pool1")(x)
    x = layers.Conv2D(64, 3, activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(2, name="pool2")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(0.25, name="dropout")(x)
    features = layers.Dense(feature_dim, activation="relu", name="features")(x)
    logits = layers.Dense(num_classes, dtype="float32", name="logits")(features)
    return keras.Model(image, logits, name=name)


def mnist_mlp_classifier(
    hidden_units: int = 128, num_classes: int = 10, name: str = "mnist_mlp_classifier"
) -> keras.Model:
    """A one-hidden-layer MLP classifier: ``Flatten -> Dense(hidden_units, relu, name="features")
    -> Dense(num_classes, name="logits")``.

    Args:
      hidden_units: width of the hidden (``"features"``) layer (int >= 1).
      num_classes: number of classes (int >= 2).
      name: model name.

    Returns:
      ``keras.Model``: images ``(B, 28, 28, 1)`` float32 -> logits ``(B, num_classes)`` float32.
    """
    hidden_units = check_positive_int(hidden_units, "hidden_units")
    num_classes = check_positive_int(num_classes, "num_classes", minimum=2)
    name = check_str(name, "name")
    image = _image_input()
    x = layers.Flatten(name="flatten")(image)
    features = layers.Dense(hidden_units, activation="relu", name="features")(x)
    logits = layers.Dense(num_classes, dtype="float32", name="logits")(features)
    return keras.Model(image, logits, name=name)


def mnist_logistic_regression(num_classes: int = 10, name: str = "mnist_logistic_regression") -> keras.Model:
    """Multinomial logistic regression on raw pixels: ``Flatten -> Dense(num_classes)``.

    ``p(y = k | x) = softmax(W vec(x) + b)_k`` with ``W`` of shape ``(num_classes, 784)``.

    Args:
      num_classes: number of classes (int >= 2).
      name: model name.

    Returns:
      ``keras.Model``: images ``(B, 28, 28, 1)`` float32 -> logits ``(B, num_classes)`` float32.
    """
    num_classes = check_positive_int(num_classes, "num_classes", minimum=2)
    name = check_str(name, "name")
    image = _image_input()
    x = layers.Flatten(name="flatten")(image)
    logits = layers.Dense(num_classes, dtype="float32", name="logits")(x)
    return keras.Model(image, logits, name=name)


def feature_extractor(classifier, layer: str = "features") -> keras.Model:
    """A model that maps a classifier's inputs to the output of one of its layers.

    Args:
      classifier: a functional ``keras.Model`` (e.g. :func:`mnist_classifier`).
      layer: name of the layer whose output is the feature vector (default the penultimate
        ``"features"`` layer).

    Returns:
      ``keras.Model``: the classifier's inputs, e.g. images ``(B, 28, 28, 1)``, -> that layer's
      output, e.g. ``(B, feature_dim)``. It shares weights with ``classifier``.
    """
    check_model(classifier, "classifier")
    check_str(layer, "layer")
    names = [lyr.name for lyr in classifier.layers]
    if layer not in names:
        raise ValueError(f"layer: expected one of the classifier's layers {names}, got {layer!r}")
    try:
        inputs = classifier.inputs
    except (AttributeError, ValueError):
        inputs = None
    if not inputs:
        raise ValueError(
            "classifier: expected a functional (or built Sequential) keras.Model with defined inputs, "
            f"got {type(classifier).__name__} {classifier.name!r} without inputs"
        )
    if len(inputs) == 1:  # a single input stays a tensor, as in the classifier itself
        inputs = inputs[0]
    return keras.Model(inputs, classifier.get_layer(layer).output, name=f"{classifier.name}_{layer}")


# --------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------


def _compile_classifier(model: keras.Model) -> None:
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
    )


def _classifier_arrays(model: keras.Model, x, y, x_name: str, y_name: str):
    """Validate (x, y) against the model's input/output shapes; return float32 x and int64 y."""
    x = as_array(x, x_name, min_samples=1)
    input_shape = tuple(model.input_shape) if not isinstance(model.input_shape, list) else None
    if input_shape is None:
        raise ValueError(f"model: expected a single-input classifier, got inputs {model.input_shape}")
    want = input_shape[1:]
    if x.ndim != len(input_shape) or any(w is not None and w != a for w, a in zip(want, x.shape[1:])):
        shape_txt = "(N, " + ", ".join("?" if w is None else str(w) for w in want) + ")"
        raise ValueError(f"{x_name}: expected shape {shape_txt} (the model's input), got shape {x.shape}")
    y = as_array(y, y_name, ndim=1, dtype="int")
    if len(y) != len(x):
        raise ValueError(f"{y_name}: expected one label per example in {x_name} ({len(x)}), got {len(y)}")
    n_out = model.output_shape[-1] if not isinstance(model.output_shape, list) else None
    if y.size and (y.min() < 0 or (n_out is not None and y.max() >= n_out)):
        hi = "" if n_out is None else f" and < {n_out} (the model's outputs)"
        raise ValueError(f"{y_name}: expected labels >= 0{hi}, got values in [{y.min()}, {y.max()}]")
    return x.astype(np.float32, copy=False), y.astype(np.int64, copy=False)


def train_classifier(
    model,
    x,
    y,
    *,
    epochs: int,
    batch_size: int = 128,
    seed: int = 0,
    validation_data=None,
    verbose: int = 0,
) -> keras.callbacks.History:
    """Fit a classifier that returns logits with sparse categorical cross-entropy.

    Loss: ``-(1/B) sum_i log softmax(f(x_i))_{y_i}``. If ``model`` is not compiled yet it is
    compiled with ``Adam(1e-3)``, ``SparseCategoricalCrossentropy(from_logits=True)`` and an
    ``"accuracy"`` metric. The data are shuffled every epoch by a ``tf.data`` pipeline seeded
    with ``seed`` (weights initialisation and dropout follow the global Keras seed: call
    ``ganlib.set_seed`` first for full reproducibility).

    Args:
      model: a single-input ``keras.Model`` returning logits ``(B, num_classes)``.
      x: inputs ``(N, *input_shape)`` matching the model's input, e.g. ``(N, 28, 28, 1)``.
      y: integer labels ``(N,)`` in ``0..num_classes-1``.
      epochs: number of passes over the data (int >= 1).
      batch_size: minibatch size (int >= 1).
      seed: shuffling seed (int >= 0).
      validation_data: optional ``(x_val, y_val)`` evaluated after every epoch.
      verbose: Keras verbosity (0, 1 or 2).

    Returns:
      The ``keras.callbacks.History`` of ``fit`` (``history.history["accuracy"]`` etc.).
    """
    import tensorflow as tf

    check_model(model, "model")
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    seed = check_seed(seed)
    if verbose not in (0, 1, 2) or isinstance(verbose, bool):
        raise ValueError(f"verbose: expected 0, 1 or 2, got {verbose!r}")
    x, y = _classifier_arrays(model, x, y, "x", "y")
    val = None
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise TypeError(
                f"validation_data: expected a pair (x_val, y_val), got {type(validation_data).__name__}"
            )
        x_val, y_val = _classifier_arrays(model, *validation_data, "validation_data[0]", "validation_data[1]")
        val = tf.data.Dataset.from_tensor_slices((x_val, y_val)).batch(batch_size)

    if not getattr(model, "compiled", False):
        _compile_classifier(model)
    data = (
        tf.data.Dataset.from_tensor_slices((x, y))
        .shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        .prefetch(tf.data.AUTOTUNE)
    )
    # shuffle=False: the dataset above already reshuffles every epoch with the seed.
    return model.fit(data, epochs=epochs, validation_data=val, shuffle=False, verbose=verbose)


def _cache_dir() -> Path:
    """ganlib's cache directory, ``ganlib.data.cache_dir()`` (imported lazily)."""
    from .data import cache_dir

    return Path(cache_dir())


def _classifier_cache_key(x: np.ndarray, y: np.ndarray, epochs: int, seed: int, arch: str) -> str:
    data_hash = hashlib.sha1()
    data_hash.update(np.ascontiguousarray(x, dtype=np.float32).tobytes())
    data_hash.update(np.ascontiguousarray(y, dtype=np.int64).tobytes())
    data_hash.update(repr((x.shape, y.shape)).encode())
    text = f"{data_hash.hexdigest()}|epochs={epochs}|seed={seed}|{arch}|keras={keras.__version__}"
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def pretrained_mnist_classifier(
    x_train,
    y_train,
    *,
    epochs: int,
    seed: int = 0,
    cache: bool = True,
    verbose: int = 0,
) -> keras.Model:
    """Train :func:`mnist_classifier` on ``(x_train, y_train)`` once, then reuse the weights.

    The weights are stored in ``ganlib.data.cache_dir() / "classifiers"`` under a key that is a
    hash of (SHA-1 of the training images and labels, ``epochs``, ``seed``, the architecture
    name, the Keras version). A later call with the same inputs loads the weights instead of
    training. The file is written to a temporary name and moved into place with ``os.replace``,
    so a crash never leaves a half-written cache entry. Training calls
    ``keras.utils.set_random_seed(seed)`` first (this reseeds Python, NumPy and TensorFlow),
    so the same inputs give the same network.

    Args:
      x_train: images ``(N, 28, 28, 1)`` float in ``[0, 1]``.
      y_train: labels ``(N,)`` int in ``0..9``.
      epochs: training epochs (int >= 1).
      seed: seed for initialisation, dropout and shuffling (int >= 0).
      cache: read/write the weight cache (``False``: always train, write nothing).
      verbose: Keras verbosity for ``fit``.

    Returns:
      A compiled :func:`mnist_classifier` ``keras.Model``: images -> logits ``(B, 10)``.
    """
    epochs = check_positive_int(epochs, "epochs")
    seed = check_seed(seed)
    cache = check_bool(cache, "cache")
    x = check_images(x_train, "x_train", shape=(None, *IMAGE_SHAPE), value_range=(0.0, 1.0))
    y = check_labels(y_train, "y_train", n=len(x), num_classes=10, n_name="x_train")

    arch = "mnist_classifier(num_classes=10,feature_dim=128)"
    path = None
    if cache:
        folder = _cache_dir() / "classifiers"
        path = folder / f"mnist_classifier-{_classifier_cache_key(x, y, epochs, seed, arch)}.weights.h5"
        if path.exists():
            model = mnist_classifier()
            model.load_weights(path)
            _compile_classifier(model)
            return model

    keras.utils.set_random_seed(seed)
    model = mnist_classifier()
    train_classifier(model, x, y, epochs=epochs, seed=seed, verbose=verbose)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Keras requires the ".weights.h5" suffix, so the temporary name keeps it.
        tmp = path.with_name(f"{path.name[: -len('.weights.h5')]}.tmp{os.getpid()}.weights.h5")
        try:
            model.save_weights(tmp)
            os.replace(tmp, path)
        finally:
            if tmp.exists():
                tmp.unlink()
    return model
