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
