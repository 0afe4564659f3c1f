"""ganlib.validation: each check accepts what it should, converts it, and names the argument
when it refuses, in a table of cases per function."""

import numpy as np
import pytest

from ganlib import validation as V

OK = [
    (V.check_seed, (0,), {}, 0),
    (V.check_seed, (np.int64(7),), {}, 7),
    (V.check_seed, (None,), {"allow_none": True}, None),
    (V.check_float, (np.float32(0.5),), {}, 0.5),
    (V.check_float, (3,), {"minimum": 0, "inclusive": False}, 3.0),
    (V.check_float, (0,), {"minimum": 0}, 0.0),
    (V.check_float, (1.0,), {"minimum": 0, "maximum": 1}, 1.0),
    (V.check_bool, (np.bool_(True),), {}, True),
    (V.check_positive_int, (np.int32(4),), {}, 4),
    (V.check_probability, (0.25,), {}, 0.25),
    (V.check_choice, ("b",), {"choices": ["a", "b"]}, "b"),
    (V.check_class_index, (9,), {"num_classes": 10}, 9),
]


@pytest.mark.parametrize("check, args, kwargs, expected", OK, ids=lambda x: getattr(x, "__name__", None))
def test_accepts_and_converts(check, args, kwargs, expected):
    value = check(*args, "arg", **kwargs) if check is not V.check_class_index else check(*args, "arg", **kwargs)
    assert value == expected and type(value) is type(expected)


BAD = [
    (V.check_seed, (-1,), {}, ValueError, "seed_arg: expected an integer >= 0, got -1"),
    (V.check_seed, (1.5,), {}, TypeError, "expected an integer"),
    (V.check_seed, (None,), {}, TypeError, "expected an integer"),
    (V.check_float, (float("nan"),), {}, ValueError, "expected a finite number"),
    (V.check_float, (True,), {}, TypeError, "got bool"),
    (V.check_float, ("1",), {}, TypeError, "got str"),
    (V.check_float, (0.0,), {"minimum": 0, "inclusive": False}, ValueError, "expected a finite number > 0, got 0"),
    (V.check_float, (-1e-3,), {"minimum": 0}, ValueError, ">= 0"),
    (V.check_float, (1.0,), {"minimum": 0, "maximum": 1, "inclusive": (True, False)}, ValueError, "< 1"),
    (V.check_bool, (1,), {}, TypeError, "expected True or False"),
    (V.check_callable, (3,), {}, TypeError, "expected a callable, got int"),
    (V.check_mapping, ([1],), {}, TypeError, "expected a dict"),
    (V.check_mapping, ({},), {}, ValueError, "at least one entry"),
    (V.check_mapping, ({1: 2},), {}, TypeError, "string keys"),
    (V.check_model, ("model",), {}, TypeError, "expected a keras.Model, got str"),
    (V.check_gan, (object(),), {}, TypeError, "expected a ganlib.GAN"),
    (V.check_features, (np.ones(3),), {}, ValueError, "expected a 2-D array"),
    (V.check_features, (np.ones((2, 0)),), {}, ValueError, "at least one feature column"),
    (V.check_features, (np.full((3, 2), np.inf),), {}, ValueError, "finite"),
    (V.check_images, (np.ones(5),), {}, ValueError, "images"),
    (V.check_images, (np.full((2, 28, 28, 1), 200.0),), {"value_range": (0, 1)}, ValueError, "divide by 255"),
    (V.check_images, (np.ones((2, 28, 28)),), {"shape": (None, 28, 28, 1)}, ValueError, "expected shape (N, 28, 28, 1)"),
    (V.check_labels, (np.array([0, 1, 12]),), {"num_classes": 10}, ValueError, "labels in [0, 9]"),
    (V.check_labels, (np.array([0, 1]),), {"n": 3}, ValueError, "one label per sample"),
    (V.check_labels, (np.array([0.5]),), {}, TypeError, "integer labels"),
    (V.check_class_index, (10,), {"num_classes": 10}, ValueError, "[0, 9]"),
    (V.check_choice, ("c",), {"choices": ["a", "b"]}, ValueError, "expected one of ['a', 'b']"),
    (V.check_probability, (1.5,), {}, ValueError, "[0, 1]"),
    (V.check_positive_int, (0,), {}, ValueError, ">= 1"),
    (V.check_probability_rows, (np.array([[0.5, 0.6]]),), {}, ValueError, "rows summing to 1"),
    (V.check_probability_rows, (np.array([[1.5, -0.5]]),), {}, ValueError, "non-negative"),
    (V.check_probability_rows, (np.array([[2.0, 3.0]]),), {}, ValueError, "apply a softmax"),
    (V.check_probability_rows, (np.array([[np.nan, 1.0]]),), {}, ValueError, "finite"),
    (V.check_probability_rows, (np.array([0.5, 0.5]),), {}, ValueError, "2-D"),
    (V.check_psd_matrix, (-np.eye(3),), {}, ValueError, "3 negative eigenvalue(s), the smallest -1"),
    (V.check_psd_matrix, (np.diag([1.0, -1e-3]),), {}, ValueError, "positive semi-definite"),
    (V.check_psd_matrix, (np.ones((2, 3)),), {}, ValueError, "square"),
    (V.check_psd_matrix, (np.triu(np.ones((3, 3))),), {}, ValueError, "symmetric"),
    (V.check_psd_eigenvalues, (np.array([2.0, -1.0]),), {}, ValueError, "1 negative eigenvalue(s)"),
    (V.check_model_output, (np.array([[0.0, 1.0], [np.nan, 2.0], [np.inf, 0.0]]),), {"first_row": 10}, ValueError,
     "2 NaN/inf value(s) in 2 row(s), the first in row 11"),
    (V.check_feature_scale, (np.full((2, 3), 1e160),), {}, ValueError, "values too large for float64 distances"),
    (V.check_feature_scale, (np.array([[1e154, 1e154]]),), {}, ValueError, "values too large"),
]


@pytest.mark.parametrize("check, args, kwargs, error, message", BAD, ids=lambda x: getattr(x, "__name__", None))
def test_refuses_and_names_the_argument(check, args, kwargs, error, message):
    name = "seed_arg" if check is V.check_seed else "arg"
    if check is V.check_class_index:
        kwargs = dict(kwargs)
        with pytest.raises(error) as info:
            check(*args, name, **kwargs)
    else:
        with pytest.raises(error) as info:
            check(*args, name, **kwargs)
    assert str(info.value).startswith(name + ":") and message in str(info.value)


def test_check_gan_tells_conditional_from_unconditional():
    from ganlib import make_gan

    gan = make_gan("toy")
    assert V.check_gan(gan, "gan") is gan
    with pytest.raises(ValueError, match="gan: expected a class-conditional GAN"):
        V.check_gan(gan, "gan", conditional=True)


def test_psd_checks_accept_round_off_and_singular_matrices():
    v = np.array([1.0, 2.0, -1.0])
    singular = np.outer(v, v)  # rank 1: Cholesky fails, the eigenvalues decide
    assert V.check_psd_matrix(singular, "s") is not None
    # A negative eigenvalue of -1e-6 x the largest is round-off (PSD_RTOL = 1e-4); -1e-3 is not.
    q, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(3, 3)))
    for smallest, ok in ((-1e-6, True), (-1e-3, False)):
        a = (q * np.array([1.0, 0.5, smallest])) @ q.T
        if ok:
            np.testing.assert_array_equal(V.check_psd_matrix(a, "a"), a)
        else:
            with pytest.raises(ValueError, match="a: expected a positive semi-definite"):
                V.check_psd_matrix(a, "a")
    np.testing.assert_array_equal(V.check_psd_eigenvalues([0.0, 0.0], "z"), [0.0, 0.0])  # zero matrix: PSD


def test_probability_rows_model_output_and_feature_scale_pass_valid_input():
    p = V.check_probability_rows([[0.25, 0.75], [1.0, 0.0]], "p")
    assert p.dtype == np.float64 and p.shape == (2, 2)
    out = np.arange(6.0).reshape(3, 2)
    assert V.check_model_output(out, "model") is out
    # Squared row norms up to float64 max / 4 are accepted: 2 x (1e153)^2 = 2e306.
    big = np.full((2, 2), 1e153)
    assert V.check_feature_scale(big, "f") is big
