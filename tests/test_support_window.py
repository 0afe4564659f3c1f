"""The TensorFlow/Keras support window: one window, stated the same way everywhere, and the
set-up cell's one-line advice outside it."""

import pathlib
import re
import tomllib

import pytest

from ganlib.book import notebook

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _pins(path: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / path).read_text().splitlines():
        m = re.match(r"^(tensorflow|keras)==([\w.]+)", line.strip())
        if m:
            pins[m.group(1)] = m.group(2)
    return pins


def test_both_ends_of_the_window_are_the_pinned_test_environments():
    newest, oldest = _pins("requirements.txt"), _pins("requirements-oldest.txt")
    assert (oldest["tensorflow"], newest["tensorflow"]) == notebook.TESTED_TENSORFLOW
    assert (oldest["keras"], newest["keras"]) == notebook.TESTED_KERAS


def test_pyproject_tf_extra_states_the_window():
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["tf"]
    assert extra == notebook.tested_requirements()


def test_make_test_runs_the_oldest_end_too():
    makefile = (ROOT / "Makefile").read_text()
    test_target = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "test-oldest" in test_target and "requirements-oldest.txt" in makefile


@pytest.mark.parametrize("tf, keras, kind, named", [
    ("2.21.0", "3.15.1", None, []),
    ("2.18.1", "3.8.0", None, []),
    ("2.19.0", "3.10.0", None, []),        # Colab's runtime of 2026.01
    ("2.21.4", "3.15.9", None, []),        # a later patch release of the newest tested minor version
    ("2.21.0rc1", "3.15.1", None, []),
    ("2.17.1", "3.8.0", "older", ["TensorFlow 2.17.1"]),
    ("2.19.0", "3.5.0", "older", ["Keras 3.5.0"]),
    ("2.16.2", "3.3.3", "older", ["TensorFlow 2.16.2", "Keras 3.3.3"]),
    ("2.22.0", "3.15.1", "newer", ["TensorFlow 2.22.0"]),
])
def test_setup_cell_advice_outside_the_window(tf, keras, kind, named):
    advice = notebook.version_advice(tf, keras)
    if kind is None:
        assert advice is None
        return
    assert kind in advice and "pip install" in advice and "restart the runtime" in advice
    assert all(text in advice for text in named), advice  # names the versions out of the window
    assert ("TensorFlow" in advice.split(" is ")[0]) == any(n.startswith("TensorFlow") for n in named)
