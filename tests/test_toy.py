"""ganlib.book.ch02: KDE, D* on a grid, density ratios, training movies, a lone discriminator, figures."""

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy import stats  # noqa: E402

from ganlib import data, make_gan  # noqa: E402
from ganlib.book import ch02 as toy


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# ------------------------------------------------------------------ densities
def test_scott_bandwidth_matches_scipy():
    x = np.random.default_rng(0).normal(1.0, 2.0, size=500)
    kde = stats.gaussian_kde(x)
    assert toy.scott_bandwidth(x) == pytest.approx(kde.factor * np.std(x, ddof=1), rel=1e-12)
    assert toy.scott_bandwidth(x[:, None]) == pytest.approx(toy.scott_bandwidth(x))


def test_kde_matches_scipy_default_and_explicit_bandwidth():
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.normal(-2, 0.5, 300), rng.normal(2, 0.5, 300)])
    grid = np.linspace(-5, 5, 101)
    np.testing.assert_allclose(toy.kde_1d(x, grid), stats.gaussian_kde(x)(grid), rtol=1e-10, atol=1e-14)
    h = 0.15
    ref = stats.gaussian_kde(x, bw_method=h / np.std(x, ddof=1))(grid)
    np.testing.assert_allclose(toy.kde_1d(x, grid, bandwidth=h), ref, rtol=1e-10, atol=1e-14)
    # blocks do not change the sum
    np.testing.assert_allclose(toy.kde_1d(x, grid, bandwidth=h, block_size=7), ref, rtol=1e-10, atol=1e-14)


def test_kde_single_point_is_a_normal_density_and_integrates_to_one():
    grid = np.linspace(-10, 10, 4001)
    p = toy.kde_1d([0.0], grid, bandwidth=0.5)
    np.testing.assert_allclose(p, stats.norm.pdf(grid, 0.0, 0.5), rtol=1e-12, atol=1e-300)
    assert np.sum(p) * (grid[1] - grid[0]) == pytest.approx(1.0, abs=1e-6)


def test_kde_bad_input():
    with pytest.raises(ValueError, match="samples"):
        toy.kde_1d(np.ones(5), np.linspace(0, 1, 3))  # no spread: Scott's rule undefined
    with pytest.raises(ValueError, match="samples"):
        toy.kde_1d(np.ones((5, 2)), np.linspace(0, 1, 3), bandwidth=0.1)
    with pytest.raises(ValueError, match="bandwidth"):
        toy.kde_1d([0.0, 1.0], np.linspace(0, 1, 3), bandwidth=0.0)
    with pytest.raises(TypeError, match="bandwidth"):
        toy.kde_1d([0.0, 1.0], np.linspace(0, 1, 3), bandwidth="wide")
    with pytest.raises(ValueError, match="x_grid"):
        toy.kde_1d([0.0, 1.0], np.zeros((3, 2)))
    with pytest.raises(ValueError, match="samples"):
        toy.scott_bandwidth([1.0])
    with pytest.raises(ValueError, match="block_size"):
        toy.kde_1d([0.0, 1.0], [0.0], block_size=0)


def test_density_view_1d_computes_d_star_by_hand():
    mix = data.mixture_1d()
    rng = np.random.default_rng(2)
    gen = rng.normal(2.0, 0.5, size=400)  # a generator stuck on the right mode
    grid = np.linspace(-4, 4, 81)
    d = np.full(81, 0.5)
    v = toy.density_view_1d(mix, gen, grid, d_values=d, bandwidth=0.2)
    p = 0.5 * stats.norm.pdf(grid, -2, 0.5) + 0.5 * stats.norm.pdf(grid, 2, 0.5)
    q = stats.gaussian_kde(gen, bw_method=0.2 / np.std(gen, ddof=1))(grid)
    np.testing.assert_allclose(v.p_data, p, rtol=1e-10)
    np.testing.assert_allclose(v.p_g, q, rtol=1e-8)
    np.testing.assert_allclose(v.d_star, p / (p + q), rtol=1e-8)
    np.testing.assert_array_equal(v.d, d)
    assert v.samples.shape == (400,)
    # at the uncovered mode D* is (essentially) 1, at the covered one p/(p+q) ~ 1/3
    assert v.d_star[np.argmin(np.abs(grid + 2))] > 0.999


def test_density_view_1d_bad_input():
    mix = data.mixture_1d()
    grid = np.linspace(-1, 1, 5)
    with pytest.raises(TypeError, match="data_distribution"):
        toy.density_view_1d(object(), [0.0, 1.0], grid)
    with pytest.raises(ValueError, match="d_values"):
        toy.density_view_1d(mix, [0.0, 1.0], grid, d_values=np.full(4, 0.5))
    with pytest.raises(ValueError, match="d_values"):
        toy.density_view_1d(mix, [0.0, 1.0], grid, d_values=np.full(5, 1.5))
    with pytest.raises(ValueError, match="gen_samples"):
        toy.density_view_1d(mix, [0.0], grid)


# ------------------------------------------------------------------ density ratios
def test_discriminator_log_odds_known_values():
    out = toy.discriminator_log_odds([0.5, 0.8, 0.2])
    np.testing.assert_allclose(out, [0.0, math.log(4.0), -math.log(4.0)], atol=1e-12)
    assert toy.discriminator_log_odds([1.0], eps=1e-3)[0] == pytest.approx(math.log(0.999 / 0.001))
    with pytest.raises(ValueError, match="d_values"):
        toy.discriminator_log_odds([1.2])
    with pytest.raises(ValueError, match="eps"):
        toy.discriminator_log_odds([0.5], eps=0.5)
    with pytest.raises(TypeError, match="eps"):
        toy.discriminator_log_odds([0.5], eps=None)


def test_density_ratio_comparison_is_exact_for_d_star():
    grid = np.linspace(-4, 4, 161)
    p = stats.norm.pdf(grid, 0, 1)
    q = stats.norm.pdf(grid, 1, 1)
    d_star = p / (p + q)
    r = toy.density_ratio_comparison(d_star, p, q, min_density=0.05)
    # log p/q = -x^2/2 + (x-1)^2/2 = 1/2 - x for these two normals
    np.testing.assert_allclose(r["log_ratio"], 0.5 - grid, atol=1e-9)
    assert r["median_abs_error"] < 1e-9 and r["max_abs_error"] < 1e-9
    assert r["n_support"] == int(np.sum((p >= 0.05) & (q >= 0.05)))
    # a constant D = 1/2 is wrong by |1/2 - x| on the common support
    flat = toy.density_ratio_comparison(np.full_like(grid, 0.5), p, q)
    assert flat["max_abs_error"] == pytest.approx(np.max(np.abs(0.5 - grid[flat["support"]])))
    # no common support -> NaN errors, NaN log ratio where a density is 0
    empty = toy.density_ratio_comparison([0.5, 0.5], [1.0, 0.0], [0.0, 1.0])
    assert empty["n_support"] == 0 and math.isnan(empty["median_abs_error"])
    assert np.all(np.isnan(empty["log_ratio"]))


def test_density_ratio_comparison_bad_input():
    with pytest.raises(ValueError, match="p_g"):
        toy.density_ratio_comparison([0.5, 0.5], [1.0, 1.0], [1.0])
    with pytest.raises(ValueError, match="p_data"):
        toy.density_ratio_comparison([0.5], [-1.0], [1.0])
    with pytest.raises(ValueError, match="min_density"):
        toy.density_ratio_comparison([0.5], [1.0], [1.0], min_density=0)


def test_discriminator_accuracy_hand_computed():
    assert toy.discriminator_accuracy([0.9, 0.6, 0.4, 0.7], [0.1, 0.8]) == pytest.approx(0.5 * 0.75 + 0.5 * 0.5)
    assert toy.discriminator_accuracy([0.5], [0.5]) == pytest.approx(0.5)  # ties count as "generated"
    assert toy.discriminator_accuracy([0.5], [0.5], threshold=0.4) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="d_fake"):
        toy.discriminator_accuracy([0.5], [1.5])
    with pytest.raises(ValueError, match="threshold"):
        toy.discriminator_accuracy([0.5], [0.5], threshold=2.0)


def test_discriminator_probability_is_sigmoid_of_logits():
    logits_fn = lambda x: 3.0 * np.asarray(x)  # noqa: E731
    x = np.array([-1.0, 0.0, 2.0, 400.0])
    np.testing.assert_allclose(toy.discriminator_probability(logits_fn, x, batch_size=3),
                               1.0 / (1.0 + np.exp(-3.0 * x)), rtol=1e-12)
    with pytest.raises(TypeError, match="discriminator"):
        toy.discriminator_probability("not callable", x)
    with pytest.raises(ValueError, match="x"):
        toy.discriminator_probability(logits_fn, np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="batch_size"):
        toy.discriminator_probability(logits_fn, x, batch_size=0)


def test_fit_discriminator_learns_the_log_density_ratio():
    # real N(0, 1), fake N(1, 1): log D*/(1-D*) = log p/q = 1/2 - x (a line)
    rng = np.random.default_rng(3)
    real = rng.normal(0.0, 1.0, size=(4000, 1))
    fake = rng.normal(1.0, 1.0, size=(4000, 1))
    disc = toy.fit_discriminator(real, fake, steps=400, batch_size=256, seed=0)
    grid = np.linspace(-1.0, 2.0, 7)
    log_odds = toy.discriminator_log_odds(toy.discriminator_probability(disc, grid))
    np.testing.assert_allclose(log_odds, 0.5 - grid, atol=0.3)


def test_fit_discriminator_uses_adam_with_the_given_beta_1():
    # One real and one fake point: every minibatch is those two points repeated, so a hand-written
    # loop with Keras' Adam(learning_rate, beta_1) must give the same weights. Adam's first step
    # does not depend on beta_1 (bias correction), so take several.
    import keras
    import tensorflow as tf

    from ganlib.losses import discriminator_loss
    from ganlib.models import toy_discriminator

    real, fake = np.array([[-1.0]]), np.array([[1.5]])

    def by_hand(beta_1, steps=5, lr=1e-2, batch=4, seed=0):
        keras.utils.set_random_seed(seed)
        model = toy_discriminator(data_dim=1)
        opt = keras.optimizers.Adam(lr, beta_1=beta_1)
        xr = tf.constant(np.repeat(real, batch, axis=0), tf.float32)
        xf = tf.constant(np.repeat(fake, batch, axis=0), tf.float32)
        for _ in range(steps):
            with tf.GradientTape() as tape:
                loss = discriminator_loss(model(xr, training=True), model(xf, training=True))
            grads = tape.gradient(loss, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables))
        return model.get_weights()

    fitted = toy.fit_discriminator(real, fake, steps=5, batch_size=4, learning_rate=1e-2, beta_1=0.5, seed=0)
    expected, other = by_hand(0.5), by_hand(0.9)
    for w, e in zip(fitted.get_weights(), expected):
        np.testing.assert_allclose(w, e, rtol=1e-5, atol=1e-6)
    assert max(float(np.max(np.abs(e - o))) for e, o in zip(expected, other)) > 1e-4  # beta_1 matters


def test_fit_discriminator_bad_input():
    with pytest.raises(ValueError, match="real and fake"):
        toy.fit_discriminator(np.zeros((4, 1)), np.zeros((4, 2)), steps=1)
    with pytest.raises(ValueError, match="steps"):
        toy.fit_discriminator(np.zeros(4), np.zeros(4), steps=0)
    with pytest.raises(ValueError, match="learning_rate"):
        toy.fit_discriminator(np.zeros(4), np.zeros(4), steps=1, learning_rate=-1.0)
    for bad in (1.0, -0.1):
        with pytest.raises(ValueError, match="beta_1"):
            toy.fit_discriminator(np.zeros(4), np.zeros(4), steps=1, beta_1=bad)
    with pytest.raises(TypeError, match="beta_1"):
        toy.fit_discriminator(np.zeros(4), np.zeros(4), steps=1, beta_1="0.5")
    with pytest.raises(TypeError, match="real"):
        toy.fit_discriminator(None, np.zeros(4), steps=1)


# ------------------------------------------------------------------ training movies
def test_train_with_movie_records_frames():
    mix = data.mixture_1d()
    x = mix.sample(64, seed=0)
    gan = make_gan("toy", data_dim=1, learning_rate=1e-3, seed=0)
    grid = np.linspace(-3, 3, 13)
    history, movie = toy.train_with_movie(gan, x, epochs=3, batch_size=16, every=2, n_samples=50,
                                          x_grid=grid, seed=0, verbose=0)
    assert movie.epochs == [0, 2, 3]  # start, every 2nd epoch, the last one
    assert movie.steps == [0, 8, 12]  # 64 // 16 = 4 generator steps per epoch
    assert len(movie) == 3 and len(history.history["d_loss"]) == 3
    assert all(s.shape == (50, 1) and s.dtype == np.float32 for s in movie.samples)
    assert all(d.shape == (13,) and np.all((d >= 0) & (d <= 1)) for d in movie.d_values)
    # the last frame is the trained model, generated with the movie's fixed noise seed
    np.testing.assert_allclose(movie.samples[-1], gan.generate(50, seed=1234), rtol=1e-6)
    np.testing.assert_allclose(movie.d_values[-1], gan.discriminate(grid[:, None]), rtol=1e-6)
    assert not np.allclose(movie.samples[0], movie.samples[-1])
    assert movie.frame(9) == 1 and movie.frame(100) == 2
    with pytest.raises(TypeError, match="step"):
        movie.frame(1.5)


def test_training_movie_bad_input():
    with pytest.raises(ValueError, match="every"):
        toy.TrainingMovie(every=0)
    with pytest.raises(TypeError, match="n_samples"):
        toy.TrainingMovie(n_samples=2.5)
    with pytest.raises(ValueError, match="x_grid"):
        toy.TrainingMovie(x_grid=np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="step"):
        toy.TrainingMovie().frame(0)
    gan = make_gan("toy", data_dim=1, seed=0)
    with pytest.raises(ValueError, match="seed"):
        toy.train_with_movie(gan, np.zeros((8, 1)), epochs=1, batch_size=4, seed=-1)


# ------------------------------------------------------------------ figures
def test_density_panels_and_sample_panels():
    mix = data.mixture_1d()
    grid = np.linspace(-4, 4, 41)
    v = toy.density_view_1d(mix, mix.sample(200, seed=0), grid, d_values=np.full(41, 0.5))
    fig = toy.density_panels_1d([v, v, v], titles=["a", "b", "c"], ncols=2)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    # 3 main axes + 3 twin axes for D(x)
    assert len(visible) == 6
    assert [ax.get_title() for ax in visible[:3]] == ["a", "b", "c"]
    with pytest.raises(TypeError, match="views"):
        toy.density_panels_1d([])
    with pytest.raises(TypeError, match=r"views\[0\]"):
        toy.density_panels_1d([1])
    with pytest.raises(ValueError, match="titles"):
        toy.density_panels_1d([v], titles=["a", "b"])

    ring = data.ring_of_gaussians()
    pts = ring.sample(100, seed=0)
    fig = toy.sample_panels_2d([pts, pts], real=pts, means=ring.means, titles=["x", "y"], lim=3)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 2 and visible[0].get_xlim() == (-3.0, 3.0)
    assert visible[1].get_legend() is None and visible[0].get_legend() is not None
    with pytest.raises(ValueError, match=r"sample_sets\[0\]"):
        toy.sample_panels_2d([np.zeros((5, 3))])
    with pytest.raises(TypeError, match="sample_sets"):
        toy.sample_panels_2d(np.zeros((5, 2)))


def test_dynamics_figure():
    history = {"d_loss": [1.3, 1.38, 1.39], "g_loss": [0.8, 0.7, 0.69]}
    fig = toy.dynamics_figure(history, steps_per_epoch=10, frame_steps=[0, 10, 20, 30],
                              curves={"jsd": [0.6, 0.2, 0.1, 0.05]}, references={"jsd": 0.0},
                              loss_references={"log 4": math.log(4)})
    assert len(fig.axes) == 2
    x_loss = fig.axes[0].lines[0].get_xdata()
    np.testing.assert_array_equal(x_loss, [10, 20, 30])  # epochs done x steps per epoch
    with pytest.raises(ValueError, match="references"):
        toy.dynamics_figure(history, steps_per_epoch=10, frame_steps=[0], curves={"a": [1.0]}, references={"b": 0})
    with pytest.raises(TypeError, match="history"):
        toy.dynamics_figure({"d_loss": [1.0]}, steps_per_epoch=1)
    with pytest.raises(ValueError, match="steps_per_epoch"):
        toy.dynamics_figure(history, steps_per_epoch=0)


def test_density_ratio_figure():
    grid = np.linspace(-4, 4, 81)
    p = stats.norm.pdf(grid, 0, 1)
    q = stats.norm.pdf(grid, 1, 1)
    fig = toy.density_ratio_figure(grid, p / (p + q), p, q, ylim=(-5, 5))
    assert fig.axes[1].get_ylim() == (-5.0, 5.0)
    # the log-odds line of D = D* lies on the true log ratio 1/2 - x
    log_odds_line = fig.axes[1].lines[1].get_ydata()
    np.testing.assert_allclose(log_odds_line, 0.5 - grid, atol=1e-6)
    with pytest.raises(ValueError, match="ylim"):
        toy.density_ratio_figure(grid, p / (p + q), p, q, ylim=(1, 0))
    with pytest.raises(ValueError, match="log_ratio"):
        toy.density_ratio_figure(grid, p / (p + q), p, q, log_ratio=np.zeros(3))
    with pytest.raises(ValueError, match="d_values"):
        toy.density_ratio_figure(grid, np.full(81, 2.0), p, q)
