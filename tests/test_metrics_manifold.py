"""ganlib.metrics.manifold: k-NN radii and PRDC against brute force and the authors' ``prdc``
package (blocks of every size, one or several threads, exact ties), and the exact radius test."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from ganlib.metrics import PRDCResult, knn_radii, prdc
from ganlib.metrics.manifold import sqrt_thresholds


def _prdc_package(real, fake, k, capsys):
    import prdc as prdc_package

    expected = prdc_package.compute_prdc(real.astype(np.float64), fake.astype(np.float64), nearest_k=k)
    capsys.readouterr()  # the package prints the set sizes
    return PRDCResult(**{key: float(value) for key, value in expected.items()})


def _grid_points(rng, n, d=3, levels=4, n_repeated=4, copies=6):
    """Integer points (exact distances, many exact ties), some repeated so their radius is 0."""
    x = rng.integers(0, levels, (n, d)).astype(np.float64)
    x[: n_repeated * copies] = np.repeat(x[:n_repeated], copies, axis=0)
    return x[rng.permutation(n)]


def _brute_force_radii(x, k):
    return np.sort(cdist(x, x), axis=1)[:, k]


# ---------------------------------------------------------------------- k-NN radii


def test_knn_radii_match_the_prdc_package():
    from prdc import prdc as ref

    x = np.random.default_rng(15).normal(size=(700, 6))
    expected = ref.compute_nearest_neighbour_distances(x, 5)
    np.testing.assert_allclose(knn_radii(x, 5, block_size=100), expected, rtol=1e-9)
    np.testing.assert_allclose(knn_radii(x, 5, block_size=4), expected, rtol=1e-9)


@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize("block_size", [1, 7, 2048])
def test_knn_radii_match_brute_force(block_size, threads):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(157, 5))
    for k in (1, 5):
        np.testing.assert_allclose(knn_radii(x, k, block_size=block_size, n_threads=threads),
                                   _brute_force_radii(x, k), rtol=1e-10)
    grid = _grid_points(rng, 150)
    for k in (1, 3, 5, 8):
        np.testing.assert_array_equal(knn_radii(grid, k, block_size=block_size, n_threads=threads),
                                      _brute_force_radii(grid, k))
    assert (_brute_force_radii(grid, 5) == 0).any()  # the repeated points are in the test


# ---------------------------------------------------------------------- exact thresholds


def _check_thresholds(radii):
    radii = np.asarray(radii, dtype=np.float64)
    t = sqrt_thresholds(radii)
    assert t.dtype == np.float64 and t.shape == radii.shape
    assert np.all(np.sqrt(t) >= radii)
    positive = t > 0
    with np.errstate(invalid="ignore"):
        assert np.all(np.sqrt(np.nextafter(t[positive], -np.inf)) < radii[positive])
    assert np.all(radii[~positive] == 0)  # t = 0 only for r = 0
    return t


def test_sqrt_thresholds_edge_cases():
    tiny = np.nextafter(0.0, 1.0)
    radii = np.array([0.0, tiny, 1e-200, 1e-160, 2.2250738585072014e-308, 1.0, 2.0, 3.0, np.sqrt(2.0), 1e150])
    t = _check_thresholds(radii)
    assert t[0] == 0.0
    assert t[1] == tiny and t[2] == tiny  # r*r underflows to 0, whose root is < r
    assert t[5] == 1.0 and t[6] == 4.0 and t[7] == 9.0  # exact squares
    # Squares that overflow: the largest double's root rounds to sqrt(max), nothing reaches above it.
    big = np.finfo(np.float64).max
    with np.errstate(over="ignore"):
        t_big = sqrt_thresholds(np.array([np.sqrt(big), np.nextafter(np.sqrt(big), np.inf), 1e200]))
    assert np.sqrt(t_big[0]) >= np.sqrt(big) > np.sqrt(np.nextafter(t_big[0], 0.0))
    assert np.isinf(t_big[1]) and np.isinf(t_big[2])


def test_sqrt_thresholds_random_radii_and_exact_equivalence():
    rng = np.random.default_rng(42)
    radii = np.concatenate([
        rng.uniform(0, 10, 4000),
        10.0 ** rng.uniform(-150, 150, 4000),
        10.0 ** rng.uniform(-170, -150, 2000),  # r*r subnormal: often rounded below r²
        np.sqrt(rng.integers(1, 10**6, 1000)).astype(np.float64),  # radii from integer squared distances
    ])
    squares = radii * radii
    # Both corrections are exercised: r*r too small (sqrt(r*r) < r) and r*r not the smallest.
    assert np.sum(np.sqrt(squares) < radii) > 100
    with np.errstate(invalid="ignore"):
        assert np.sum(np.sqrt(np.nextafter(squares, -np.inf)) >= radii) > 100
    t = _check_thresholds(radii)
    # sqrt(x) < r  <=>  x < t, for squared distances x within 40 ulps of t and further away.
    cols, lower, upper = [t], t.copy(), t.copy()
    for _ in range(40):
        lower, upper = np.nextafter(lower, -np.inf), np.nextafter(upper, np.inf)
        cols += [lower, upper]
    x = np.column_stack(cols + [t[:, None] * rng.uniform(0.5, 2.0, (len(t), 20))])
    x = np.maximum(x, 0.0)  # squared distances are >= 0
    np.testing.assert_array_equal(np.sqrt(x) < radii[:, None], x < t[:, None])


# ---------------------------------------------------------------------- PRDC


@pytest.mark.parametrize("n_real,n_fake,d,shift", [(1500, 1200, 16, 0.3), (600, 800, 64, 0.0)])
def test_prdc_matches_authors_package(n_real, n_fake, d, shift, capsys):
    rng = np.random.default_rng(16)
    real = rng.normal(size=(n_real, d))
    fake = 1.2 * rng.normal(size=(n_fake, d)) + shift
    expected = _prdc_package(real, fake, 5, capsys)
    ours = prdc(real, fake, nearest_k=5, block_size=128)
    assert isinstance(ours, PRDCResult)
    for key, value in ours.as_dict().items():
        assert isinstance(value, float)
        assert value == pytest.approx(getattr(expected, key), abs=1e-6), key


def _prdc_cases():
    rng = np.random.default_rng(7)
    real = rng.normal(size=(173, 6))
    yield "gaussian", real, 1.2 * rng.normal(size=(141, 6)) + 0.3, 5
    grid_real = _grid_points(rng, 150)
    grid_fake = _grid_points(rng, 120, levels=5, n_repeated=3)
    yield "grid_ties", grid_real, grid_fake, 3
    yield "grid_ties_k1", grid_real, grid_fake, 1
    # Fake points copied from the real set, plus duplicates within the real set.
    dup_real = np.vstack([real[:100], real[:20]])
    yield "copies", dup_real, np.vstack([real[50:120], rng.normal(size=(40, 6))]), 4


@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize("block_size", [1, 7, 2048])
def test_prdc_equals_the_package_with_small_blocks_and_ties(block_size, threads, capsys):
    for name, real, fake, k in _prdc_cases():
        expected = _prdc_package(real, fake, k, capsys)
        assert prdc(real, fake, nearest_k=k, block_size=block_size, n_threads=threads) == expected, name


def test_prdc_ties_are_strict_inequalities(capsys):
    # Real points 1 apart (k=1 radii exactly 1). A fake point at distance exactly 1 from both
    # is in neither open ball; moved slightly inwards it is in both.
    real = np.array([[0.0, 0.0], [1.0, 0.0], [10.0, 0.0], [11.0, 0.0]])
    on_spheres = np.array([[0.0, 1.0], [1.0, 1.0], [30.0, 0.0], [31.0, 0.0]])
    res = prdc(real, on_spheres, nearest_k=1, block_size=1)
    assert res.precision == 0.0 and res.density == 0.0
    inside = on_spheres.copy()
    inside[0] = [0.5, 0.5]
    res = prdc(real, inside, nearest_k=1, block_size=1)
    assert res.precision == 0.25 and res.density == 0.5
    for fake in (on_spheres, inside):
        assert prdc(real, fake, nearest_k=1, block_size=1) == _prdc_package(real, fake, 1, capsys)


def test_prdc_identical_and_far_apart():
    x = np.random.default_rng(17).normal(size=(300, 8))
    same = prdc(x, x.copy(), nearest_k=5, block_size=64)
    assert same.precision == 1.0 and same.recall == 1.0 and same.coverage == 1.0
    assert prdc(x, x + 100.0, nearest_k=5, block_size=64) == PRDCResult(0.0, 0.0, 0.0, 0.0)


_X = np.random.default_rng(0).normal(size=(10, 3))
_INF = _X.copy()
_INF[3, 1] = np.inf

BAD = [
    ("knn_radii", lambda: knn_radii(_X[:5], 5), ValueError, "k"),
    ("knn_radii", lambda: knn_radii(_X, 2, block_size=0), ValueError, "block_size"),
    ("knn_radii", lambda: knn_radii(_X[:, 0], 2), ValueError, "features"),
    ("knn_radii", lambda: knn_radii(_X, 2, n_threads=0), ValueError, "n_threads"),
    ("prdc", lambda: prdc(_X, _X[:5], nearest_k=5), ValueError, "nearest_k"),
    ("prdc", lambda: prdc(_X, _X, nearest_k=0), ValueError, "nearest_k"),
    ("prdc", lambda: prdc(_X, _X[:, :2]), ValueError, "real_features and fake_features"),
    ("prdc", lambda: prdc(_X, _INF), ValueError, "fake_features"),
    ("prdc", lambda: prdc(_X, _X, nearest_k=2, n_threads=1.5), TypeError, "n_threads"),
    ("sqrt_thresholds", lambda: sqrt_thresholds(np.array([1.0, -1.0])), ValueError, "radii"),
    ("sqrt_thresholds", lambda: sqrt_thresholds(np.array([np.nan])), ValueError, "radii"),
    ("sqrt_thresholds", lambda: sqrt_thresholds(np.ones((2, 2))), ValueError, "radii"),
]


@pytest.mark.parametrize("name, call, err, match", BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input(name, call, err, match):
    with pytest.raises(err, match=match):
        call()
