"""Tests for ganlib.book.ch05b: synthetic test sets, ranking agreement, TSTR, label-embedding walks."""

import math

import numpy as np
import pytest

import ganlib
from ganlib.book import ch05b as se
from ganlib.metrics import classification_accuracy_score
from ganlib.models import mnist_logistic_regression


# ------------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def cgan():
    """An untrained class-conditional MLP GAN: tiny and deterministic."""
    return ganlib.make_gan("conditional_mlp", seed=0)


@pytest.fixture(scope="module")
def cdcgan():
    return ganlib.make_gan("conditional_dcgan", seed=1)


@pytest.fixture(scope="module")
def plain_gan():
    return ganlib.make_gan("mlp", seed=0)


def mean_threshold_classifier(batch):
    """Class 1 if the mean pixel is > 0.5, else class 0 (ties -> 0); 10 logits."""
    m = np.asarray(batch).reshape(len(batch), -1).mean(axis=1)
    logits = np.zeros((len(batch), 10))
    logits[:, 0] = 0.5 - m
    logits[:, 1] = m - 0.5
    logits[:, 2:] = -10.0
    return logits


def flicker_classifier(batch):
    """Class round(4 * mean) % 2: alternates along an intensity ramp."""
    m = np.asarray(batch).reshape(len(batch), -1).mean(axis=1)
    cls = np.round(4 * m).astype(int) % 2
    return np.eye(10)[cls]


def constant_classifier(batch):
    return np.tile(np.eye(10)[7], (len(batch), 1))


def ramp(n):
    """n constant images with intensities linspace(0, 1, n)."""
    return np.linspace(0, 1, n, dtype=np.float32)[:, None, None, None] * np.ones((1, 28, 28, 1), np.float32)


# ------------------------------------------------------------------------------------ synthetic_test_set
def test_synthetic_test_set_shapes_labels_and_content(cgan):
    x, y = se.synthetic_test_set(cgan, 3, num_classes=10, seed=5)
    assert x.shape == (30, 28, 28, 1) and x.dtype == np.float32
    assert y.dtype == np.int64
    np.testing.assert_array_equal(y, np.repeat(np.arange(10), 3))
    assert x.min() >= 0.0 and x.max() <= 1.0
    # the images are the generator's for these labels and this seed
    np.testing.assert_allclose(x, cgan.generate(30, labels=y, seed=5), atol=1e-6)
    x2, _ = se.synthetic_test_set(cgan, 3, seed=5)
    np.testing.assert_array_equal(x, x2)
    x4, y4 = se.synthetic_test_set(cgan, 2, num_classes=4)
    np.testing.assert_array_equal(y4, [0, 0, 1, 1, 2, 2, 3, 3])


def test_synthetic_test_set_bad_input(cgan, plain_gan):
    with pytest.raises(TypeError, match="gan"):
        se.synthetic_test_set("not a gan", 3)
    with pytest.raises(ValueError, match="gan"):
        se.synthetic_test_set(plain_gan, 3)
    with pytest.raises(ValueError, match="n_per_class"):
        se.synthetic_test_set(cgan, 0)
    with pytest.raises(ValueError, match="num_classes"):
        se.synthetic_test_set(cgan, 2, num_classes=11)
    with pytest.raises(ValueError, match="seed"):
        se.synthetic_test_set(cgan, 2, seed=-1)


# ------------------------------------------------------------------------------------ accuracies
def test_predict_labels_and_evaluate_classifiers_hand_computed():
    x = ramp(5)  # means 0, .25, .5, .75, 1 -> threshold predicts 0,0,0,1,1
    np.testing.assert_array_equal(se.predict_labels(mean_threshold_classifier, x, batch_size=2), [0, 0, 0, 1, 1])
    y = np.array([0, 1, 0, 1, 1])
    table = se.evaluate_classifiers(
        {"threshold": mean_threshold_classifier, "seven": constant_classifier},
        {"a": (x, y), "b": (x[:2], np.array([7, 0]))},
    )
    assert list(table.index) == ["threshold", "seven"] and list(table.columns) == ["a", "b"]
    assert table.loc["threshold", "a"] == pytest.approx(4 / 5)
    assert table.loc["threshold", "b"] == pytest.approx(1 / 2)
    assert table.loc["seven", "a"] == pytest.approx(0.0)
    assert table.loc["seven", "b"] == pytest.approx(1 / 2)


def test_evaluate_classifiers_bad_input():
    x = ramp(3)
    with pytest.raises(TypeError, match="classifiers"):
        se.evaluate_classifiers([mean_threshold_classifier], {"a": (x, [0, 0, 1])})
    with pytest.raises(ValueError, match="classifiers"):
        se.evaluate_classifiers({}, {"a": (x, [0, 0, 1])})
    with pytest.raises(TypeError, match="classifiers"):
        se.evaluate_classifiers({"m": 3}, {"a": (x, [0, 0, 1])})
    with pytest.raises(TypeError, match="sets"):
        se.evaluate_classifiers({"m": mean_threshold_classifier}, {"a": x})
    with pytest.raises(ValueError, match=r"sets\['a'\]\[1\]"):
        se.evaluate_classifiers({"m": mean_threshold_classifier}, {"a": (x, [0, 1])})
    with pytest.raises(ValueError, match="images"):
        se.predict_labels(mean_threshold_classifier, np.zeros((2, 28, 28)))
    with pytest.raises(TypeError, match="classifier"):
        se.predict_labels("model", x)
    with pytest.raises(ValueError, match="classifier"):
        se.predict_labels(lambda b: np.zeros(len(b)), x)


def test_accuracy_ci_matches_bootstrap_of_correctness():
    x = ramp(5)
    y = np.array([0, 1, 0, 1, 1])  # 4 of 5 correct
    ci = se.accuracy_ci(mean_threshold_classifier, x, y, n_bootstrap=300, seed=3)
    assert ci.estimate == pytest.approx(0.8)
    # independent recomputation of the same percentile bootstrap
    correct = np.array([1.0, 0.0, 1.0, 1.0, 1.0])
    rng = np.random.default_rng(3)
    values = [correct[rng.integers(0, 5, 5)].mean() for _ in range(300)]
    assert ci.low == pytest.approx(np.quantile(values, 0.025))
    assert ci.high == pytest.approx(np.quantile(values, 0.975))
    perfect = se.accuracy_ci(mean_threshold_classifier, x, [0, 0, 0, 1, 1], n_bootstrap=50)
    assert (perfect.estimate, perfect.low, perfect.high) == (1.0, 1.0, 1.0)


def test_accuracy_ci_bad_input():
    x = ramp(3)
    with pytest.raises(ValueError, match="n_bootstrap"):
        se.accuracy_ci(mean_threshold_classifier, x, [0, 0, 1], n_bootstrap=1)
    with pytest.raises(ValueError, match="confidence"):
        se.accuracy_ci(mean_threshold_classifier, x, [0, 0, 1], confidence=1.0)
    with pytest.raises(ValueError, match="y"):
        se.accuracy_ci(mean_threshold_classifier, x, [0, 0])


def test_per_class_accuracy_hand_computed():
    x = ramp(5)  # predictions 0,0,0,1,1
    acc = se.per_class_accuracy(mean_threshold_classifier, x, [0, 1, 0, 1, 0], num_classes=3)
    # class 0: images 0,2,4 -> predicted 0,0,1 -> 2/3; class 1: images 1,3 -> 0,1 -> 1/2; class 2: none
    np.testing.assert_allclose(acc[:2], [2 / 3, 1 / 2])
    assert math.isnan(acc[2])
    with pytest.raises(ValueError, match="y"):
        se.per_class_accuracy(mean_threshold_classifier, x, [0, 1, 0, 1, 5], num_classes=3)
    with pytest.raises(ValueError, match="num_classes"):
        se.per_class_accuracy(mean_threshold_classifier, x, [0, 1, 0, 1, 0], num_classes=1)


def test_filter_by_judge_hand_computed():
    x = ramp(6)  # means 0, .2, .4, .6, .8, 1 -> threshold predicts 0,0,0,1,1,1
    y = np.array([0, 1, 0, 1, 0, 1])
    kx, ky, acc = se.filter_by_judge(mean_threshold_classifier, x, y, num_classes=3)
    np.testing.assert_array_equal(ky, [0, 0, 1, 1])  # images 0, 2, 3, 5
    np.testing.assert_allclose(kx, x[[0, 2, 3, 5]])
    np.testing.assert_allclose(acc[:2], [2 / 3, 2 / 3])
    assert math.isnan(acc[2])
    # the judge is always right on what it kept
    assert se.per_class_accuracy(mean_threshold_classifier, kx, ky, num_classes=3)[:2].tolist() == [1.0, 1.0]
    cx, cy, _ = se.filter_by_judge(mean_threshold_classifier, x, y, n_per_class=1, num_classes=3)
    np.testing.assert_array_equal(cy, [0, 1])
    np.testing.assert_allclose(cx, x[[0, 3]])


def test_filter_by_judge_bad_input():
    x = ramp(3)
    with pytest.raises(ValueError, match="n_per_class"):
        se.filter_by_judge(mean_threshold_classifier, x, [0, 1, 0], n_per_class=0)
    with pytest.raises(ValueError, match="labels"):
        se.filter_by_judge(mean_threshold_classifier, x, [0, 1, 12])
    with pytest.raises(TypeError, match="judge"):
        se.filter_by_judge(None, x, [0, 1, 0])


# ------------------------------------------------------------------------------------ ranking_agreement
def test_ranking_agreement_identical_scores():
    scores = {"a": 0.9, "b": 0.8, "c": 0.7, "d": 0.95, "e": 0.5}
    out = se.ranking_agreement(scores, dict(reversed(list(scores.items()))))
    assert out["kendall_tau"] == pytest.approx(1.0)
    assert out["spearman_rho"] == pytest.approx(1.0)
    assert out["p_value"] == pytest.approx(2 / 120)  # exact: only 1 of 5! orders gives tau = 1, two-sided
    assert out["same_order"] is True and out["discordant_pairs"] == []
    assert out["mean_abs_gap"] == 0.0 and out["max_abs_gap"] == 0.0 and out["n"] == 5


def test_ranking_agreement_hand_computed_swap():
    real = [0.1, 0.2, 0.3, 0.4]
    syn = [0.1, 0.3, 0.2, 0.4]  # ranks 1,3,2,4: one discordant pair of six
    out = se.ranking_agreement(real, syn)
    assert out["kendall_tau"] == pytest.approx((5 - 1) / 6)
    assert out["spearman_rho"] == pytest.approx(1 - 6 * 2 / (4 * 15))
    assert out["same_order"] is False
    assert out["discordant_pairs"] == [(1, 2)]
    assert out["mean_gap"] == pytest.approx(0.0, abs=1e-12)  # gaps 0, +0.1, -0.1, 0
    assert out["mean_abs_gap"] == pytest.approx(0.05)
    assert out["max_abs_gap"] == pytest.approx(0.1)
    rev = se.ranking_agreement(real, real[::-1])
    assert rev["kendall_tau"] == pytest.approx(-1.0) and len(rev["discordant_pairs"]) == 6


def test_ranking_agreement_constant_scores_rank_nothing():
    out = se.ranking_agreement([0.3, 0.2, 0.1], [0.1, 0.1, 0.1])
    assert math.isnan(out["kendall_tau"]) and math.isnan(out["p_value"]) and math.isnan(out["spearman_rho"])
    assert out["same_order"] is False and len(out["discordant_pairs"]) == 3  # ordered vs tied
    assert out["mean_gap"] == pytest.approx(-0.1)
    both = se.ranking_agreement([0.5, 0.5], [0.2, 0.2])
    assert both["same_order"] is True and math.isnan(both["kendall_tau"])


def test_ranking_agreement_names_in_discordant_pairs():
    out = se.ranking_agreement({"x": 1.0, "y": 2.0, "z": 3.0}, {"z": 0.7, "y": 0.5, "x": 1.0})
    # real: x < y < z; synthetic: y < z < x -> (x, y) and (x, z) swap, (y, z) agrees
    assert out["discordant_pairs"] == [("x", "y"), ("x", "z")]
    assert out["kendall_tau"] == pytest.approx((1 - 2) / 3)


def test_ranking_agreement_bad_input():
    with pytest.raises(ValueError, match="real_scores"):
        se.ranking_agreement([0.5], [0.5])
    with pytest.raises(ValueError, match="synthetic_scores"):
        se.ranking_agreement([0.1, 0.2, 0.3], [0.1, 0.2])
    with pytest.raises(ValueError, match="synthetic_scores"):
        se.ranking_agreement({"a": 1, "b": 2}, {"a": 1, "c": 2})
    with pytest.raises(TypeError, match="synthetic_scores"):
        se.ranking_agreement({"a": 1, "b": 2}, [1, 2])
    with pytest.raises(ValueError, match="synthetic_scores"):
        se.ranking_agreement([0.1, 0.2], [float("nan"), 0.2])


# ------------------------------------------------------------------------------------ classifier zoo
def _tiny_mnist(n=40, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 10
    x = rng.uniform(0, 0.2, (n, 28, 28, 1)).astype(np.float32)
    for i, c in enumerate(y):  # a bright column at the class position: learnable
        x[i, :, 2 + 2 * c, 0] = 1.0
    return x, y.astype(np.int64)


def test_train_classifier_zoo_names_shapes_and_determinism():
    x, y = _tiny_mnist()
    zoo = se.train_classifier_zoo(x, y, epochs=1, seed=0, few_fraction=0.25)
    assert tuple(zoo) == se.ZOO_NAMES
    logits = {name: np.asarray(m(x[:3], training=False)) for name, m in zoo.items()}
    assert all(v.shape == (3, 10) for v in logits.values())
    # a model does not depend on which others are trained, and is reproducible for a seed
    again = se.train_classifier_zoo(x, y, epochs=1, seed=0, few_fraction=0.25, include=["MLP, noisy labels"])
    assert list(again) == ["MLP, noisy labels"]
    np.testing.assert_allclose(np.asarray(again["MLP, noisy labels"](x[:3], training=False)),
                               logits["MLP, noisy labels"], atol=1e-5)
    other = se.train_classifier_zoo(x, y, epochs=1, seed=1, include=["logistic regression"])
    assert not np.allclose(np.asarray(other["logistic regression"](x[:3], training=False)),
                           logits["logistic regression"])


def test_stratified_subset_one_per_class():
    y = np.repeat(np.arange(10), 7)
    idx = se._stratified_subset(y, 23, np.random.default_rng(0))
    counts = np.bincount(y[idx], minlength=10)
    assert len(idx) == 23 and counts.min() == 2 and counts.max() == 3


def test_train_classifier_zoo_bad_input():
    x, y = _tiny_mnist(20)
    with pytest.raises(ValueError, match="epochs"):
        se.train_classifier_zoo(x, y, epochs=0)
    with pytest.raises(ValueError, match="few_fraction"):
        se.train_classifier_zoo(x, y, epochs=1, few_fraction=0.0)
    with pytest.raises(ValueError, match="label_noise"):
        se.train_classifier_zoo(x, y, epochs=1, label_noise=1.0)
    with pytest.raises(ValueError, match="y"):
        se.train_classifier_zoo(x, y + 5, epochs=1)
    with pytest.raises(ValueError, match="x"):
        se.train_classifier_zoo(x[..., 0], y, epochs=1)
    with pytest.raises(ValueError, match="include"):
        se.train_classifier_zoo(x, y, epochs=1, include=["SVM"])
    with pytest.raises(TypeError, match="include"):
        se.train_classifier_zoo(x, y, epochs=1, include="CNN")


# ------------------------------------------------------------------------------------ TSTR
def test_train_on_synthetic_test_on_real_matches_cas(cgan):
    x, y = _tiny_mnist(30)
    xt, yt = _tiny_mnist(20, seed=1)
    out = se.train_on_synthetic_test_on_real(cgan, x, y, xt, yt, mnist_logistic_regression, epochs=1,
                                             batch_size=16, seed=2, mixed=False)
    assert list(out) == ["real", "synthetic"]
    ref_real = classification_accuracy_score(x, y, xt, yt, mnist_logistic_regression, epochs=1, batch_size=16, seed=2)
    x_syn = cgan.generate(30, labels=y, seed=3)
    ref_syn = classification_accuracy_score(x_syn, y, xt, yt, mnist_logistic_regression, epochs=1, batch_size=16, seed=2)
    assert out["real"] == pytest.approx(ref_real)
    assert out["synthetic"] == pytest.approx(ref_syn)


def test_train_on_synthetic_test_on_real_training_sets(cgan, monkeypatch):
    """Which data and budgets each entry is trained with (the CAS itself is replaced by a recorder)."""
    calls = []

    def fake_cas(train_x, train_y, test_x, test_y, make_classifier, *, epochs, batch_size, seed):
        calls.append((np.array(train_x), np.array(train_y), epochs, batch_size, seed))
        return float(len(calls))

    monkeypatch.setattr(ganlib.metrics, "classification_accuracy_score", fake_cas)
    x, y = _tiny_mnist(12)
    out = se.train_on_synthetic_test_on_real(cgan, x, y, x, y, mnist_logistic_regression, epochs=3,
                                             batch_size=8, seed=5)
    assert out == {"real": 1.0, "synthetic": 2.0, "real + synthetic": 3.0, "real, 2x epochs": 4.0}
    x_syn = cgan.generate(12, labels=y, seed=6)
    np.testing.assert_array_equal(calls[0][0], x)
    np.testing.assert_allclose(calls[1][0], x_syn, atol=1e-6)
    np.testing.assert_array_equal(calls[1][1], y)
    np.testing.assert_allclose(calls[2][0], np.concatenate([x, x_syn]), atol=1e-6)
    np.testing.assert_array_equal(calls[2][1], np.concatenate([y, y]))
    assert [c[2] for c in calls] == [3, 3, 3, 6]
    assert {(c[3], c[4]) for c in calls} == {(8, 5)}


def test_train_on_synthetic_test_on_real_bad_input(cgan, plain_gan):
    x, y = _tiny_mnist(20)
    with pytest.raises(ValueError, match="gan"):
        se.train_on_synthetic_test_on_real(plain_gan, x, y, x, y, mnist_logistic_regression, epochs=1)
    with pytest.raises(ValueError, match="y_test"):
        se.train_on_synthetic_test_on_real(cgan, x, y, x, y + 10, mnist_logistic_regression, epochs=1)
    with pytest.raises(TypeError, match="make_classifier"):
        se.train_on_synthetic_test_on_real(cgan, x, y, x, y, "logreg", epochs=1)
    with pytest.raises(TypeError, match="mixed"):
        se.train_on_synthetic_test_on_real(cgan, x, y, x, y, mnist_logistic_regression, epochs=1, mixed="yes")
    with pytest.raises(ValueError, match="epochs"):
        se.train_on_synthetic_test_on_real(cgan, x, y, x, y, mnist_logistic_regression, epochs=0)


# ------------------------------------------------------------------------------------ latent walks
def test_class_embeddings_are_the_embedding_table(cgan):
    table = se.class_embeddings(cgan)
    ref = cgan.generator.get_layer("label_embedding").get_weights()[0]
    assert table.shape == (10, 50)
    np.testing.assert_array_equal(table, ref)


@pytest.mark.parametrize("which", ["cgan", "cdcgan"])
def test_embedding_interpolation_generator_reproduces_generator(which, request):
    gan = request.getfixturevalue(which)
    sub = se.embedding_interpolation_generator(gan)
    z = gan.sample_noise(4, seed=9)
    labels = np.array([0, 3, 3, 9])
    ref = gan.generate(4, labels=labels, z=z)
    out = np.asarray(sub([z, se.class_embeddings(gan)[labels]], training=False))
    np.testing.assert_allclose(out, ref, atol=1e-6)
    # every weight except the embedding table is shared with the generator, not copied
    gen_ids = {id(v) for v in gan.generator.weights}
    assert len(sub.weights) == len(gan.generator.weights) - 1
    assert all(id(v) in gen_ids for v in sub.weights)


def test_latent_walk_endpoints_and_midpoint(cgan):
    z = cgan.sample_noise(1, seed=4)
    walk = se.latent_walk(cgan, 4, 9, 5, z=z)
    assert walk.shape == (5, 28, 28, 1) and walk.dtype == np.float32
    np.testing.assert_allclose(walk[0], cgan.generate(1, labels=[4], z=z)[0], atol=1e-6)
    np.testing.assert_allclose(walk[-1], cgan.generate(1, labels=[9], z=z)[0], atol=1e-6)
    table = se.class_embeddings(cgan)
    mid = se.embedding_interpolation_generator(cgan)([z, 0.5 * (table[4] + table[9])[None]], training=False)
    np.testing.assert_allclose(walk[2], np.asarray(mid)[0], atol=1e-6)
    # the default z is gan.sample_noise(1, seed); a walk from a class to itself is constant
    np.testing.assert_allclose(se.latent_walk(cgan, 4, 9, 5, seed=4), walk, atol=1e-6)
    same = se.latent_walk(cgan, 2, 2, 3, seed=0)
    np.testing.assert_allclose(same[0], same[2], atol=1e-6)


def test_latent_walk_bad_input(cgan, plain_gan):
    with pytest.raises(ValueError, match="class_a"):
        se.latent_walk(cgan, 10, 1, 5)
    with pytest.raises(TypeError, match="class_b"):
        se.latent_walk(cgan, 1, 2.5, 5)
    with pytest.raises(ValueError, match="n_steps"):
        se.latent_walk(cgan, 1, 2, 1)
    with pytest.raises(ValueError, match="z"):
        se.latent_walk(cgan, 1, 2, 3, z=np.zeros(7))
    with pytest.raises(ValueError, match="gan"):
        se.latent_walk(plain_gan, 1, 2, 3)
    with pytest.raises(ValueError, match="gan"):
        se.class_embeddings(plain_gan)


def test_walk_predictions_and_decision_flips_hand_computed():
    x = ramp(5)  # means 0, .25, .5, .75, 1
    clfs = {"threshold": mean_threshold_classifier, "flicker": flicker_classifier, "constant": constant_classifier}
    preds = se.walk_predictions(clfs, x)
    np.testing.assert_array_equal(preds.loc["threshold"].to_numpy(), [0, 0, 0, 1, 1])
    np.testing.assert_array_equal(preds.loc["flicker"].to_numpy(), [0, 1, 0, 1, 0])
    np.testing.assert_allclose(np.asarray(preds.columns, dtype=float), [0, 0.25, 0.5, 0.75, 1])
    flips = se.decision_flips(clfs, x)
    assert flips.loc["threshold", "flip_t"] == pytest.approx(0.75)
    assert flips.loc["threshold", "changes"] == 1
    assert flips.loc["threshold", "path"] == "0 → 1"
    assert (flips.loc["threshold", "start"], flips.loc["threshold", "end"]) == (0, 1)
    assert flips.loc["flicker", "flip_t"] == pytest.approx(0.25)
    assert flips.loc["flicker", "changes"] == 4
    assert flips.loc["flicker", "path"] == "0 → 1 → 0 → 1 → 0"
    assert math.isnan(flips.loc["constant", "flip_t"]) and flips.loc["constant", "changes"] == 0
    custom = se.decision_flips({"threshold": mean_threshold_classifier}, x, t=[0, 1, 2, 3, 4])
    assert custom.loc["threshold", "flip_t"] == 3.0


def test_walk_predictions_bad_input():
    x = ramp(4)
    with pytest.raises(ValueError, match="t"):
        se.walk_predictions({"m": mean_threshold_classifier}, x, t=[0, 1])
    with pytest.raises(ValueError, match="images"):
        se.decision_flips({"m": mean_threshold_classifier}, x[:, :, :, 0])
    with pytest.raises(TypeError, match="classifiers"):
        se.decision_flips(mean_threshold_classifier, x)


# ------------------------------------------------------------------------------------ pandas input and figures
def test_ranking_agreement_accepts_pandas_series():
    import pandas as pd

    real = pd.Series({"a": 0.9, "b": 0.8, "c": 0.7})
    syn = pd.Series({"c": 0.75, "a": 0.7, "b": 0.85})  # synthetic order b > c > a: all three pairs swap
    out = se.ranking_agreement(real, syn)
    assert out["kendall_tau"] == pytest.approx(-1 / 3)  # P = 1 (b, c), Q = 2
    assert out["discordant_pairs"] == [("a", "b"), ("a", "c")]


def test_plot_accuracy_agreement_points_and_errorbars():
    import matplotlib.pyplot as plt

    from ganlib.metrics import BootstrapResult

    real = {"m1": 0.9, "m2": 0.8}
    syn = {"m2": 0.85, "m1": 0.95}
    fig = se.plot_accuracy_agreement(real, syn, real_ci={"m1": (0.85, 0.93), "m2": BootstrapResult(0.8, 0.75, 0.84, 0.02)})
    ax = fig.axes[0]
    # the diagonal plus one marker line per model, at (real, synthetic)
    points = [line.get_xydata()[0] for line in ax.get_lines() if line.get_marker() == "o"]
    np.testing.assert_allclose(points, [[0.9, 0.95], [0.8, 0.85]])
    assert ax.get_xlabel() == "accuracy on the real test set"
    plt.close(fig)
    with pytest.raises(ValueError, match="synthetic"):
        se.plot_accuracy_agreement(real, {"m1": 0.9, "m3": 0.8})
    with pytest.raises(TypeError, match="real"):
        se.plot_accuracy_agreement([0.9, 0.8], [0.9, 0.8])
    with pytest.raises(ValueError, match="real_ci"):
        se.plot_accuracy_agreement(real, syn, real_ci={"m1": (0.95, 0.85), "m2": (0.7, 0.9)})
    with pytest.raises(ValueError, match="synthetic_ci"):
        se.plot_accuracy_agreement(real, syn, synthetic_ci={"m1": (0.9, 1.0)})


def test_plot_decision_walk_layout():
    import matplotlib.pyplot as plt

    x = ramp(5)
    preds = se.walk_predictions({"threshold": mean_threshold_classifier, "flicker": flicker_classifier}, x)
    fig = se.plot_decision_walk(x, preds, title="ramp")
    assert len(fig.axes) == 5 + 1  # one axes per image, one heat map
    heat = fig.axes[-1]
    texts = [t.get_text() for t in heat.texts]
    assert texts == ["0", "0", "0", "1", "1", "0", "1", "0", "1", "0"]  # row by row
    plt.close(fig)
    with pytest.raises(ValueError, match="predictions"):
        se.plot_decision_walk(x[:4], preds)
    with pytest.raises(TypeError, match="predictions"):
        se.plot_decision_walk(x, preds.to_numpy())


# ------------------------------------------------------------------------------------ one run's verdict numbers
def test_compare_test_sets_hand_computed():
    x = ramp(5)  # threshold predicts 0,0,0,1,1; flicker 0,1,0,1,0; seven always 7
    clfs = {"threshold": mean_threshold_classifier, "flicker": flicker_classifier, "seven": constant_classifier}
    real = (x, np.array([0, 0, 0, 1, 1]))       # accuracies 1.0, 0.6, 0.0
    synthetic = (x, np.array([7, 7, 7, 1, 0]))  # accuracies 0.2, 0.4, 0.6: the reversed order
    out = se.compare_test_sets(clfs, real, synthetic, reference="threshold", n_bootstrap=50, seed=4)
    assert out["reference_real"] == pytest.approx(1.0) and out["reference_synthetic"] == pytest.approx(0.2)
    assert out["kendall_tau"] == pytest.approx(-1.0) and out["n_discordant"] == 3 and out["same_order"] is False
    assert out["mean_gap"] == pytest.approx((-0.8 - 0.2 + 0.6) / 3)
    assert out["mean_abs_gap"] == pytest.approx((0.8 + 0.2 + 0.6) / 3)
    # the real set's mean 95 % half-width: 0 for the always-right and the always-wrong classifier
    flicker = se.accuracy_ci(flicker_classifier, *real, n_bootstrap=50, seed=4)
    assert out["real_ci_half"] == pytest.approx((flicker.high - flicker.low) / 2 / 3)
    assert out["real_ci_half"] > 0


def test_compare_test_sets_bad_input():
    x = ramp(3)
    pair = (x, np.array([0, 0, 1]))
    with pytest.raises(ValueError, match="reference"):
        se.compare_test_sets({"a": mean_threshold_classifier, "b": constant_classifier}, pair, pair, reference="c")
    with pytest.raises(ValueError, match="classifiers"):
        se.compare_test_sets({"a": mean_threshold_classifier}, pair, pair, reference="a")
    with pytest.raises(ValueError, match="n_bootstrap"):
        se.compare_test_sets({"a": mean_threshold_classifier, "b": constant_classifier}, pair, pair, reference="a",
                             n_bootstrap=1)
    with pytest.raises(TypeError, match="sets"):
        se.compare_test_sets({"a": mean_threshold_classifier, "b": constant_classifier}, pair, x, reference="a")


# ------------------------------------------------------------------------------------ scarce real test data
def test_estimator_error_hand_computed():
    out = se.estimator_error([0.5, 0.7, 0.9], 0.6)
    # mean 0.7: bias 0.1; variance ((-0.2)² + 0² + 0.2²) / 3; MSE ((-0.1)² + 0.1² + 0.3²) / 3 = bias² + variance
    assert out["bias"] == pytest.approx(0.1)
    assert out["variance"] == pytest.approx(0.08 / 3)
    assert out["mse"] == pytest.approx(0.11 / 3)
    assert out["mse"] == pytest.approx(out["bias"] ** 2 + out["variance"])
    assert out["rmse"] == pytest.approx(math.sqrt(0.11 / 3))
    single = se.estimator_error([0.25], 0.25)
    assert single == {"bias": 0.0, "variance": 0.0, "mse": 0.0, "rmse": 0.0}


@pytest.mark.parametrize("estimates, truth, error, match", [
    ([], 0.5, ValueError, "estimates"),
    ([[0.1, 0.2]], 0.5, ValueError, "estimates"),
    ([0.1, float("nan")], 0.5, ValueError, "estimates"),
    ([0.1, 0.2], float("inf"), ValueError, "truth"),
    ([0.1, 0.2], "0.5", TypeError, "truth"),
])
def test_estimator_error_bad_input(estimates, truth, error, match):
    with pytest.raises(error, match=match):
        se.estimator_error(estimates, truth)


def test_worth_in_real_images_hand_computed():
    # mean a(1 - a) = (0.09 + 0.16) / 2 = 0.125; mean squared miss = (0.1² + 0.1²) / 2 = 0.01
    assert se.worth_in_real_images([0.9, 0.8], [0.8, 0.9]) == pytest.approx(12.5)
    # a guess that misses by b is worth a(1 - a)/b² real images: n real images have MSE a(1 - a)/n
    assert se.worth_in_real_images([0.5], [0.4]) == pytest.approx(25.0)
    assert se.worth_in_real_images([0.7, 0.2], [0.7, 0.2]) == math.inf
    assert se.worth_in_real_images([1.0, 0.0], [0.9, 0.1]) == 0.0  # the real accuracies have no variance


@pytest.mark.parametrize("real, guess, error, match", [
    ([0.9, 0.8], [0.8], ValueError, "guess"),
    ([0.9, 1.2], [0.8, 0.9], ValueError, "real_accuracy"),
    ([0.9], [-0.1], ValueError, "guess"),
    ([], [], ValueError, "real_accuracy"),
    ("0.9", [0.8], TypeError, "real_accuracy"),
])
def test_worth_in_real_images_bad_input(real, guess, error, match):
    with pytest.raises(error, match=match):
        se.worth_in_real_images(real, guess)


def test_combined_estimate_hand_computed():
    assert float(se.combined_estimate(0.6, 10, 0.9, 20.0)) == pytest.approx((10 * 0.6 + 20 * 0.9) / 30)
    assert float(se.combined_estimate(0.6, 10, 0.9, 0)) == pytest.approx(0.6)
    assert float(se.combined_estimate(0.6, 10, 0.9, math.inf)) == pytest.approx(0.9)
    out = se.combined_estimate(np.array([0.5, 1.0]), 5, 0.0, 5)
    np.testing.assert_allclose(out, [0.25, 0.5])
    np.testing.assert_allclose(se.combined_estimate(0.5, 5, np.array([0.0, 1.0]), 5), [0.25, 0.75])


def test_combined_estimate_error_formula_exact():
    """bias = (1 - w) b and variance = w² a(1 - a)/n, from the exact binomial distribution of the real
    estimate; at b² = a(1 - a)(2n + n0)/(n n0) the combination ties with the real images alone."""
    from scipy import stats

    a, n, n0 = 0.7, 12, 8.0
    k = np.arange(n + 1)
    pmf = stats.binom.pmf(k, n, a)
    w = n / (n + n0)
    tie = math.sqrt(a * (1 - a) * (2 * n + n0) / (n * n0))
    for b in (-0.2, 0.05, tie, -tie):
        est = se.combined_estimate(k / n, n, a + b, n0) if 0 <= a + b <= 1 else None
        if est is None:
            continue
        bias = float(np.sum(pmf * est)) - a
        mse = float(np.sum(pmf * (est - a) ** 2))
        assert bias == pytest.approx((1 - w) * b)
        assert mse == pytest.approx(w**2 * a * (1 - a) / n + (1 - w) ** 2 * b**2)
    est = se.combined_estimate(k / n, n, a - tie, n0)
    assert float(np.sum(pmf * (est - a) ** 2)) == pytest.approx(a * (1 - a) / n)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(n_real=0), ValueError, "n_real"),
    (dict(n_real=2.5), TypeError, "n_real"),
    (dict(worth=-1.0), ValueError, "worth"),
    (dict(worth=float("nan")), ValueError, "worth"),
    (dict(guess=1.2), ValueError, "guess"),
    (dict(guess=np.zeros(3)), ValueError, "guess"),
    (dict(real_accuracy=np.array([0.1, -0.5])), ValueError, "real_accuracy"),
])
def test_combined_estimate_bad_input(kwargs, error, match):
    args = dict(real_accuracy=np.array([0.5, 0.6]), n_real=5, guess=0.5, worth=3.0) | kwargs
    with pytest.raises(error, match=match):
        se.combined_estimate(**args)


def test_scarce_subgroup_errors_deterministic_cases():
    # the classifier is right on every real image (a = 1) and wrong on every generated one (s = 0)
    out = se.scarce_subgroup_errors(np.ones(8, bool), np.zeros(5), [4, 16], synthetic_worth=4.0,
                                    other_accuracy=0.5, other_worth=12.0, calibration=(0.2, 0.5),
                                    calibrated_worth=6.0, n_draws=50, seed=1)
    assert list(out.columns) == ["n", "estimator", "mean_estimate", "truth", "bias", "variance", "mse", "rmse"]
    assert out["n"].tolist() == [4] * 5 + [16] * 5
    assert se.SCARCE_ESTIMATORS == ("real only", "synthetic only", "real + synthetic", "real + other classes",
                                    "real + calibrated synthetic")
    assert out["estimator"].tolist() == list(se.SCARCE_ESTIMATORS) * 2
    rows = out.set_index(["estimator", "n"])
    assert (out["truth"] == 1.0).all()
    assert rows.loc[("real only", 4), "mse"] == 0.0
    assert rows.loc[("synthetic only", 16), "bias"] == pytest.approx(-1.0)
    assert rows.loc[("synthetic only", 16), "mse"] == pytest.approx(1.0)
    for n in (4, 16):  # constant estimates: (n * 1 + n0 * guess) / (n + n0)
        comb = n / (n + 4.0)
        other = (n + 12.0 * 0.5) / (n + 12.0)
        assert rows.loc[("real + synthetic", n), "mean_estimate"] == pytest.approx(comb)
        assert rows.loc[("real + synthetic", n), "mse"] == pytest.approx((1 - comb) ** 2)
        assert rows.loc[("real + other classes", n), "bias"] == pytest.approx(other - 1)
        assert rows.loc[("real + other classes", n), "variance"] == pytest.approx(0.0, abs=1e-15)
        # calibrated: every draw has s = 0, guessed as clip(0.2 + 0.5 * 0) = 0.2, worth 6 real images
        calibrated = (n + 6.0 * 0.2) / (n + 6.0)
        assert rows.loc[("real + calibrated synthetic", n), "mean_estimate"] == pytest.approx(calibrated)
        assert rows.loc[("real + calibrated synthetic", n), "mse"] == pytest.approx((1 - calibrated) ** 2)


def test_scarce_subgroup_errors_statistics_and_seed():
    real = np.array([1, 1, 1, 0, 0, 0, 0, 0, 0, 0])  # a = 0.3
    out = se.scarce_subgroup_errors(real, np.ones(40), [20], synthetic_worth=0.0, other_accuracy=0.3,
                                    other_worth=math.inf, calibration=(-0.7, 1.0), calibrated_worth=math.inf,
                                    n_draws=20000, seed=3)
    rows = out.set_index("estimator")
    # real only: unbiased, variance a(1 - a)/n (binomial); 20,000 draws: a few per cent of Monte Carlo error
    assert abs(rows.loc["real only", "bias"]) < 0.003
    assert rows.loc["real only", "variance"] == pytest.approx(0.3 * 0.7 / 20, rel=0.05)
    np.testing.assert_allclose(out["mse"], out["bias"] ** 2 + out["variance"], rtol=1e-10, atol=1e-15)
    # worth 0: the combination is the real estimate; worth inf: the guess, exactly the truth here
    assert rows.loc["real + synthetic", "mse"] == pytest.approx(rows.loc["real only", "mse"])
    assert rows.loc["real + other classes", "mse"] == pytest.approx(0.0, abs=1e-24)
    # worth inf: the calibrated guess alone, clip(-0.7 + 1.0 * 1) = 0.3 for every draw (s = 1): exact
    assert rows.loc["real + calibrated synthetic", "mse"] == pytest.approx(0.0, abs=1e-24)
    again = se.scarce_subgroup_errors(real, np.ones(40), [20], synthetic_worth=0.0, other_accuracy=0.3,
                                      other_worth=math.inf, calibration=(-0.7, 1.0), calibrated_worth=math.inf,
                                      n_draws=20000, seed=3)
    assert again.equals(out)


def test_scarce_subgroup_errors_seed_sequence():
    """An int seed and a sequence of ints both seed numpy's SeedSequence; the first draws are the real counts."""
    real = np.array([1, 1, 0, 1, 0])  # a = 0.6
    args = dict(synthetic_worth=1.0, other_accuracy=0.5, other_worth=1.0, calibration=(0.0, 1.0),
                calibrated_worth=1.0, n_draws=30)
    for seed in (4, (4, 2), [0, 9]):
        out = se.scarce_subgroup_errors(real, [1, 0], [7], seed=seed, **args)
        expected = np.random.default_rng(np.random.SeedSequence(seed)).binomial(7, 0.6, size=30) / 7
        assert out.set_index("estimator").loc["real only", "mean_estimate"] == pytest.approx(expected.mean())
    first, second = (se.scarce_subgroup_errors(real, [1, 0], [7], seed=s, **args) for s in ((1, 2), (2, 1)))
    assert not first.equals(second)  # (seed, class) pairs are distinct streams, unlike seed + class


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(real_correct=[0, 2, 1]), ValueError, "real_correct"),
    (dict(real_correct=[]), ValueError, "real_correct"),
    (dict(synthetic_correct=np.ones((2, 2))), ValueError, "synthetic_correct"),
    (dict(sizes=[0, 5]), ValueError, "sizes"),
    (dict(sizes=[]), ValueError, "sizes"),
    (dict(sizes=5), TypeError, "sizes"),
    (dict(synthetic_worth=-1.0), ValueError, "synthetic_worth"),
    (dict(other_worth=float("nan")), ValueError, "other_worth"),
    (dict(other_accuracy=1.5), ValueError, "other_accuracy"),
    (dict(calibrated_worth=-0.5), ValueError, "calibrated_worth"),
    (dict(calibration=(0.1,)), TypeError, "line"),
    (dict(calibration="ab"), TypeError, "line"),
    (dict(calibration=(0.1, float("nan"))), ValueError, "slope"),
    (dict(n_draws=1), ValueError, "n_draws"),
    (dict(seed=-2), ValueError, "seed"),
    (dict(seed=()), ValueError, "seed"),
    (dict(seed=(1, -1)), ValueError, "seed"),
    (dict(seed=1.5), TypeError, "seed"),
])
def test_scarce_subgroup_errors_bad_input(kwargs, error, match):
    args = dict(real_correct=[1, 0, 1], synthetic_correct=[0, 1], sizes=[2], synthetic_worth=1.0,
                other_accuracy=0.5, other_worth=2.0, calibration=(0.0, 1.0), calibrated_worth=1.0, n_draws=10,
                seed=0) | kwargs
    with pytest.raises(error, match=match):
        se.scarce_subgroup_errors(**args)


def _three_class_predictions():
    """Real: class 0 -> 3/4 right, class 1 -> 2/4, class 2 -> 4/4. Generated: 1/2, 2/2, 1/2."""
    y_real = np.repeat([0, 1, 2], 4)
    p_real = np.array([0, 0, 0, 1, 1, 1, 0, 0, 2, 2, 2, 2])
    y_syn = np.repeat([0, 1, 2], 2)
    p_syn = np.array([0, 1, 1, 1, 2, 0])
    return p_real, y_real, p_syn, y_syn


def test_scarce_subgroup_study_hand_computed():
    p_real, y_real, p_syn, y_syn = _three_class_predictions()
    out = se.scarce_subgroup_study(p_real, y_real, p_syn, y_syn, [2, 3], num_classes=3, n_draws=20, seed=5)
    assert list(out.columns[:9]) == ["class", "synthetic_accuracy", "synthetic_worth", "other_accuracy", "other_worth",
                                     "calibration_intercept", "calibration_slope", "calibrated_accuracy",
                                     "calibrated_worth"]
    assert len(out) == 3 * 2 * len(se.SCARCE_ESTIMATORS)
    per_class = out.groupby("class").first()
    np.testing.assert_allclose(per_class["truth"], [0.75, 0.5, 1.0])
    np.testing.assert_allclose(per_class["synthetic_accuracy"], [0.5, 1.0, 0.5])
    # class 0: references 1 and 2 with a = (0.5, 1.0), s = (1.0, 0.5):
    #   worth = mean a(1 - a) / mean (s - a)² = ((0.25 + 0) / 2) / ((0.25 + 0.25) / 2) = 0.5
    #   other classes: guess for 1 is a_2 = 1.0, for 2 is a_1 = 0.5 (leave one out): also 0.5
    assert per_class.loc[0, "synthetic_worth"] == pytest.approx(0.5)
    assert per_class.loc[0, "other_accuracy"] == pytest.approx(0.75)
    assert per_class.loc[0, "other_worth"] == pytest.approx(0.5)
    # class 2: references 0 and 1 with a = (0.75, 0.5), s = (0.5, 1.0):
    #   worth = ((0.1875 + 0.25) / 2) / ((0.0625 + 0.25) / 2) = 1.4; leave-one-out guesses (0.5, 0.75): 3.5
    assert per_class.loc[2, "synthetic_worth"] == pytest.approx(1.4)
    assert per_class.loc[2, "other_accuracy"] == pytest.approx(0.625)
    assert per_class.loc[2, "other_worth"] == pytest.approx(3.5)
    # calibration, class 0: the line through (s, a) = (1.0, 0.5) and (0.5, 1.0) is a = 1.5 - s, so the guess
    #   from s_0 = 0.5 is 1.0; leave one out, each line has one point (no slope): the other class's a,
    #   guesses (1.0, 0.5) for a = (0.5, 1.0), worth (0.25 / 2) / (0.5 / 2) = 0.5
    np.testing.assert_allclose(per_class.loc[0, ["calibration_intercept", "calibration_slope", "calibrated_accuracy",
                                                 "calibrated_worth"]].to_numpy(float), [1.5, -1.0, 1.0, 0.5])
    # class 1: references 0 and 2 have the same s = 0.5: no slope, the guess is their mean real accuracy
    np.testing.assert_allclose(per_class.loc[1, ["calibration_intercept", "calibration_slope", "calibrated_accuracy"]]
                               .to_numpy(float), [0.875, 0.0, 0.875])
    # class 2: the line through (0.5, 0.75) and (1.0, 0.5) is a = 1 - s / 2: guess 0.75 from s_2 = 0.5;
    #   leave one out it equals the control (guesses 0.5, 0.75): worth 3.5
    np.testing.assert_allclose(per_class.loc[2, ["calibration_intercept", "calibration_slope", "calibrated_accuracy",
                                                 "calibrated_worth"]].to_numpy(float), [1.0, -0.5, 0.75, 3.5])
    # each class's rows are scarce_subgroup_errors with those values and the seed (seed, class)
    ref = se.scarce_subgroup_errors(p_real[y_real == 2] == 2, p_syn[y_syn == 2] == 2, [2, 3], synthetic_worth=1.4,
                                    other_accuracy=0.625, other_worth=3.5, calibration=(1.0, -0.5),
                                    calibrated_worth=3.5, n_draws=20, seed=(5, 2))
    got = out[out["class"] == 2].iloc[:, 9:].reset_index(drop=True)
    assert list(got.columns) == list(ref.columns)
    np.testing.assert_allclose(got[["mse", "bias"]].to_numpy(), ref[["mse", "bias"]].to_numpy(), rtol=1e-12)


def test_scarce_subgroup_study_bad_input():
    p_real, y_real, p_syn, y_syn = _three_class_predictions()
    with pytest.raises(ValueError, match="real_labels"):
        se.scarce_subgroup_study(p_real, y_real, p_syn, y_syn, [2], num_classes=4)  # no class 3
    with pytest.raises(ValueError, match="synthetic_labels"):
        se.scarce_subgroup_study(p_real, y_real, p_syn[:4], y_syn[:4], [2], num_classes=3)  # no generated 2
    with pytest.raises(ValueError, match="real_predictions"):
        se.scarce_subgroup_study(p_real[:-1], y_real, p_syn, y_syn, [2], num_classes=3)
    with pytest.raises(ValueError, match="synthetic_predictions"):
        se.scarce_subgroup_study(p_real, y_real, p_syn + 3, y_syn, [2], num_classes=3)
    with pytest.raises(ValueError, match="num_classes"):
        se.scarce_subgroup_study(p_real, y_real, p_syn, y_syn, [2], num_classes=2)


# a = (0.6, 0.7, 0.9), s = (0.3, 0.4, 0.5): s̄ = 0.4, ā = 0.7333; Σ(s - s̄)(a - ā) = 0.03, Σ(s - s̄)² = 0.02
CAL_REAL, CAL_SYN = [0.6, 0.7, 0.9], [0.3, 0.4, 0.5]


def test_calibration_line_hand_computed():
    intercept, slope = se.calibration_line(CAL_REAL, CAL_SYN)
    assert slope == pytest.approx(1.5)  # 0.03 / 0.02
    assert intercept == pytest.approx(0.7 + 1 / 30 - 1.5 * 0.4)  # ā − β s̄ = 0.1333
    assert se.calibration_line([0.5, 0.9], [0.2, 0.4]) == pytest.approx((0.1, 2.0))  # the line through two points
    assert se.calibration_line([0.4, 0.8, 0.9], [0.3, 0.3, 0.3]) == pytest.approx((0.7, 0.0))  # no spread: the mean
    assert se.calibration_line([0.6], [0.2]) == pytest.approx((0.6, 0.0))


def test_calibrated_guess_hand_computed():
    line = se.calibration_line(CAL_REAL, CAL_SYN)
    assert float(se.calibrated_guess(0.2, line)) == pytest.approx(0.1333333 + 0.3)
    assert float(se.calibrated_guess(0.6, line)) == 1.0  # 1.0333 clipped to an accuracy
    assert float(se.calibrated_guess(0.0, (-0.2, 1.0))) == 0.0
    out = se.calibrated_guess(np.array([[0.0, 0.5], [1.0, 0.25]]), (0.1, 0.8))
    assert out.shape == (2, 2)
    np.testing.assert_allclose(out, [[0.1, 0.5], [0.9, 0.3]])


def test_leave_one_out_calibration_hand_computed():
    # leave out 0: the line through (0.4, 0.7), (0.5, 0.9) is a = -0.1 + 2 s -> 0.5 at s = 0.3
    # leave out 1: through (0.3, 0.6), (0.5, 0.9): a = 0.15 + 1.5 s -> 0.75 at s = 0.4
    # leave out 2: through (0.3, 0.6), (0.4, 0.7): a = 0.3 + s -> 0.8 at s = 0.5
    guesses = se.leave_one_out_calibration(CAL_REAL, CAL_SYN)
    np.testing.assert_allclose(guesses, [0.5, 0.75, 0.8])
    # worth: mean a(1 - a) = (0.24 + 0.21 + 0.09) / 3 = 0.18; mean squared miss (0.01 + 0.0025 + 0.01) / 3
    assert se.worth_in_real_images(CAL_REAL, guesses) == pytest.approx(24.0)
    # with two references each line has one point: the guess is the other reference's accuracy
    np.testing.assert_allclose(se.leave_one_out_calibration([0.2, 0.9], [0.5, 0.1]), [0.9, 0.2])


@pytest.mark.parametrize("function, args, error, match", [
    ("calibration_line", ([0.5, 0.6], [0.5]), ValueError, "synthetic_accuracy"),
    ("calibration_line", ([], []), ValueError, "real_accuracy"),
    ("calibration_line", ([0.5, 1.2], [0.5, 0.6]), ValueError, "real_accuracy"),
    ("calibration_line", ([0.5, 0.6], [0.5, float("nan")]), ValueError, "synthetic_accuracy"),
    ("leave_one_out_calibration", ([0.5], [0.5]), ValueError, "real_accuracy"),
    ("leave_one_out_calibration", ([0.5, 0.6], [[0.5, 0.6]]), ValueError, "synthetic_accuracy"),
    ("calibrated_guess", (1.5, (0.0, 1.0)), ValueError, "synthetic_accuracy"),
    ("calibrated_guess", (0.5, (0.0, 1.0, 2.0)), TypeError, "line"),
    ("calibrated_guess", (0.5, 0.3), TypeError, "line"),
    ("calibrated_guess", (0.5, (float("inf"), 1.0)), ValueError, "intercept"),
])
def test_calibration_bad_input(function, args, error, match):
    with pytest.raises(error, match=match):
        getattr(se, function)(*args)


def test_plot_calibration_points_and_lines():
    import matplotlib.pyplot as plt

    real = np.array([0.6, 0.7, 0.9, 0.5])
    syn = np.array([0.3, 0.4, 0.5, 0.45])
    fig = se.plot_calibration(real, syn, 3, title="t")
    ax = fig.axes[0]
    assert ax.get_title() == "t"
    lines = {line.get_label(): line for line in ax.get_lines()}
    np.testing.assert_allclose(lines["reference subgroups"].get_xydata(), [[0.3, 0.6], [0.4, 0.7], [0.5, 0.9]])
    x, y = lines["calibration line (least squares)"].get_data()
    np.testing.assert_allclose(y, np.clip(0.7 + 1 / 30 - 0.6 + 1.5 * x, 0, 1))
    np.testing.assert_allclose(lines["subgroup 3: calibrated guess"].get_xydata(), [[0.45, 0.1333333 + 0.675]])
    np.testing.assert_allclose(lines["subgroup 3: real accuracy (not used)"].get_xydata(), [[0.45, 0.5]])
    np.testing.assert_allclose(lines["control: mean of the other subgroups"].get_ydata(), [0.7333333] * 2)
    assert [t.get_text() for t in ax.texts] == ["0", "1", "2"]
    plt.close(fig)
    with pytest.raises(ValueError, match="subgroup"):
        se.plot_calibration(real, syn, 4)
    with pytest.raises(TypeError, match="subgroup"):
        se.plot_calibration(real, syn, 1.0)
    with pytest.raises(ValueError, match="real_accuracy"):
        se.plot_calibration(real[:2], syn[:2], 0)
    with pytest.raises(TypeError, match="title"):
        se.plot_calibration(real, syn, 0, title=3)


def test_plot_estimator_errors_panels_and_lines():
    import matplotlib.pyplot as plt
    import pandas as pd

    left = pd.DataFrame({"real only": [0.2, 0.1], "synthetic only": [0.3, 0.3]}, index=[10, 40])
    right = pd.DataFrame({"real only": [0.15, 0.05]}, index=[10, 40])
    fig = se.plot_estimator_errors({"one case": left, "all cases": right})
    assert [ax.get_title() for ax in fig.axes] == ["one case", "all cases"]
    lines = fig.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["real only", "synthetic only"]
    np.testing.assert_allclose(lines[1].get_xydata(), [[10, 0.3], [40, 0.3]])
    assert fig.axes[0].get_xscale() == "log" and fig.axes[0].get_yscale() == "log"
    plt.close(fig)
    with pytest.raises(ValueError, match="values > 0"):
        se.plot_estimator_errors({"p": left * 0})
    with pytest.raises(TypeError, match="panels"):
        se.plot_estimator_errors(left)
    with pytest.raises(TypeError, match=r"panels\['p'\]"):
        se.plot_estimator_errors({"p": left.to_numpy()})
    with pytest.raises(ValueError, match="index"):
        se.plot_estimator_errors({"p": left.set_axis([0, 40])})
