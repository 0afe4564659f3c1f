"""Checkers for the exercises of Chapter 4 (the source article's code, corrected).

Each ``check_exercise_K(answer)`` recomputes the expected answer with ganlib, prints a verdict
(with a hint when the answer is wrong) and returns ``True``/``False``. ``answer=None`` means
"not answered yet". The exercise data are module constants so the notebook and the checkers
use the same numbers.
"""

from __future__ import annotations

import numpy as np

from . import close_to, report

__all__ = [
    "EX1_HIDDEN_UNITS",
    "EX2_N_REAL",
    "EX2_N_FAKE",
    "EX3_BATCH_SIZE",
    "EX3_EPOCHS",
    "EX4_SNIPPET",
    "numbered",
    "expected_exercise_1",
    "expected_exercise_2",
    "expected_exercise_3",
    "expected_exercise_4",
    "check_exercise_1",
    "check_exercise_2",
    "check_exercise_3",
    "check_exercise_4",
]

#: Exercise 1: the hidden width of the source's two MLPs (the source uses 256).
EX1_HIDDEN_UNITS = 128
#: Exercise 2: a discriminator batch ``np.concatenate([real_batch, fake_batch])`` of this many rows each.
EX2_N_REAL = 3
EX2_N_FAKE = 2
#: Exercise 3: the source's loops run with this batch size and number of epochs.
EX3_BATCH_SIZE = 64
EX3_EPOCHS = 10
#: Exercise 4: the Keras 2 "combined model" recipe, run under Keras 3. One line makes D never learn.
EX4_SNIPPET = """\
g, d = ganlib.models.mlp_generator(), ganlib.models.mlp_discriminator()
bce = keras.losses.BinaryCrossentropy(from_logits=True)
d.compile(optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5), loss=bce)
d.trainable = False
z = keras.Input(shape=(100,))
combined = keras.Model(z, d(g(z)))
combined.compile(optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5), loss=bce)
for real in batches:  # real: (64, 28, 28, 1)
    fake = g.predict_on_batch(np.random.normal(size=(64, 100)))
    d.train_on_batch(np.concatenate([real, fake]),
                     np.concatenate([np.ones((64, 1)), np.zeros((64, 1))]))
    combined.train_on_batch(np.random.normal(size=(64, 100)), np.ones((64, 1)))
"""


def numbered(snippet: str = EX4_SNIPPET) -> str:
    """``snippet`` with line numbers ``" 1 | ..."`` (for printing an exercise's code)."""
    from ..ch04 import with_line_numbers

    if not isinstance(snippet, str):
        raise TypeError(f"snippet: expected a str, got {type(snippet).__name__}")
    return with_line_numbers(snippet)


def expected_exercise_1() -> int:
    """Parameters of the source's generator + discriminator with :data:`EX1_HIDDEN_UNITS` hidden
    units, counted by Keras on ganlib's builders (the source's architecture)."""
    from ...models import mlp_discriminator, mlp_generator

    g = mlp_generator(latent_dim=100, hidden_units=EX1_HIDDEN_UNITS)
    d = mlp_discriminator(hidden_units=EX1_HIDDEN_UNITS)
    return int(g.count_params() + d.count_params())


def expected_exercise_2() -> np.ndarray:
    """Labels ``(EX2_N_REAL + EX2_N_FAKE,)``: 1 for each real row, then 0 for each generated row."""
    return np.concatenate([np.ones(EX2_N_REAL), np.zeros(EX2_N_FAKE)])


def expected_exercise_3() -> float:
    """Fraction of the generated rows that the source's loops label "real" (1), from the
    closed form :func:`ganlib.book.ch04.source_article_counts`."""
    from ..ch04 import source_article_counts

    c = source_article_counts(EX3_BATCH_SIZE, EX3_EPOCHS)
    labelled_real = sum(c[p]["fake_labelled_real"] for p in ("train_generator", "train_discriminator"))
    labelled_fake = sum(c[p]["fake_labelled_fake"] for p in ("train_generator", "train_discriminator"))
    return labelled_real / (labelled_real + labelled_fake)


def expected_exercise_4() -> int:
    """The line of :data:`EX4_SNIPPET` that freezes D before D's own first ``train_on_batch``."""
    for i, line in enumerate(EX4_SNIPPET.splitlines(), 1):
        if line.replace(" ", "") == "d.trainable=False":
            return i
    raise RuntimeError("EX4_SNIPPET has no 'd.trainable = False' line")  # pragma: no cover


def check_exercise_1(answer) -> bool:
    """Total parameters of the source's G and D with 128 hidden units (an integer)."""
    ok = close_to(answer, expected_exercise_1(), rtol=0.0, atol=0.5)
    return report(ok, "Exercise 1", "a Dense layer from m to n units has m*n weights plus n biases; "
                  "G is 100 -> h -> 784 and D is 784 -> h -> 1.")


def check_exercise_2(answer) -> bool:
    """Labels of the batch ``np.concatenate([real_batch, fake_batch])``: shape (5,) or (5, 1)."""
    if answer is None:
        return report(None, "Exercise 2")
    try:
        arr = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return report(False, "Exercise 2", "give an array of 0s and 1s.")
    expected = expected_exercise_2()
    if arr.shape not in (expected.shape, expected.shape + (1,)):
        return report(False, "Exercise 2", f"one label per row: shape {expected.shape} or {expected.shape + (1,)}.")
    return report(bool(np.array_equal(arr.reshape(-1), expected)), "Exercise 2",
                  "the real rows come first in the batch, and real means label 1.")


def check_exercise_3(answer) -> bool:
    """Fraction of generated rows labelled "real" by the source's loops (a number in [0, 1])."""
    ok = close_to(answer, expected_exercise_3(), rtol=1e-3)
    return report(ok, "Exercise 3", "count fake rows per epoch: B*B labelled 1 in train_generator's inner loop, "
                  "B labelled 0 after it, B labelled 0 in train_discriminator.")


def check_exercise_4(answer) -> bool:
    """The line number (an integer) of the line that keeps D from ever learning."""
    if answer is None:
        return report(None, "Exercise 4")
    ok = isinstance(answer, (int, np.integer)) and not isinstance(answer, bool) and int(answer) == expected_exercise_4()
    return report(ok, "Exercise 4", "when does Keras 3 decide which weights d.train_on_batch updates, and is d "
                  "trainable at that moment?")
