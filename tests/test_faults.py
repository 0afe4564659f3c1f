"""Fault injection: kills, failed writes and damaged files never end in a silent difference.

Every scenario ends in one of two accepted outcomes: the final weights are bit-identical to an
uninterrupted run's, or a clear error (``ganlib.checkpoint.CheckpointError`` naming the file,
or a cache rebuild announced by a one-line notice that then yields identical weights). The
counts of the run are appended to ``.scratch/fault_counts.md`` when that folder exists.

(a) a training subprocess SIGKILLed at several points, resumed each time; (b) an exception
injected at every primitive write of a checkpoint save and of a cache publish; (c) every file a
checkpoint or cache entry consists of truncated, flipped, deleted or replaced; (d) one test per
finding of issue 11 (1-4, 6, 7) that failed on the code before the fix.
"""

from __future__ import annotations

import collections
import hashlib
import io
import json
import os
import pathlib
import signal
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

from ganlib import callbacks, checkpoint, data, models
from ganlib.book import zoo
from ganlib.checkpoint import CHECKPOINT_FILE, CheckpointError
from ganlib.training import GAN, make_gan, train

ROOT = pathlib.Path(__file__).resolve().parents[1]
EPOCHS, BATCH = 3, 16
COUNTS: collections.Counter = collections.Counter()


def toy_data(n=64, seed=0):
    return np.random.default_rng(seed).normal(0, 1, (n, 2)).astype("float32")


def toy_gan(seed=0, loss="nonsaturating"):
    return make_gan("toy", hidden_units=8, latent_dim=2, seed=seed, loss=loss, fused_adam=False,
                    jit_compile=False, mixed_precision="float32")


def state(gan):
    items = gan.state_items() if hasattr(gan, "state_items") else enumerate(gan.state_variables())  # old code
    return {key: var.numpy().copy() for key, var in items}


def same(a, b) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The uninterrupted run every interrupted one must reproduce bit for bit."""
    gan = toy_gan()
    train(gan, toy_data(), epochs=EPOCHS, batch_size=BATCH, seed=3,
          checkpoint_dir=tmp_path_factory.mktemp("ref"), verbose=0)
    return state(gan)


def resume_outcome(directory, reference, what) -> str:
    """Resume in ``directory`` with a fresh GAN: ``"identical"``, ``"clear error"`` or fail."""
    gan = toy_gan(seed=0)
    try:
        train(gan, toy_data(), epochs=EPOCHS, batch_size=BATCH, seed=3, checkpoint_dir=directory, verbose=0)
    except CheckpointError as exc:
        assert str(directory) in str(exc), f"{what}: the error names neither file nor folder: {exc}"
        return "clear error"
    assert same(state(gan), reference), f"{what}: resumed to different weights (a silent difference)"
    return "identical"


# ---------------------------------------------------------------------- (a) SIGKILL
_SCRIPT = textwrap.dedent('''
    import os, signal, sys
    import numpy as np
    sys.path.insert(0, {root!r})
    from ganlib import checkpoint
    from ganlib.training import make_gan, train
    import keras

    where, at = sys.argv[2], int(sys.argv[3])
    kill = lambda: os.kill(os.getpid(), signal.SIGKILL)

    class Killer(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if where == "batch" and self.epoch == at and batch == 1:
                kill()
        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch
            if where == "epoch_begin" and epoch == at:
                kill()

    if where == "save":  # killed inside the save of epoch `at`: temporary file written, not renamed
        real = checkpoint._replace
        def replace(src, dst):
            if str(dst).endswith("checkpoint.npz") and train_state["epoch"] == at:
                kill()
            real(src, dst)
        checkpoint._replace = replace
    train_state = {{"epoch": 0}}

    class Epochs(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            train_state["epoch"] = epoch + 1

    x = np.random.default_rng(0).normal(0, 1, (64, 2)).astype("float32")
    gan = make_gan("toy", hidden_units=8, latent_dim=2, seed=0, fused_adam=False, jit_compile=False,
                   mixed_precision="float32")
    train(gan, x, epochs={epochs}, batch_size={batch}, seed=3, checkpoint_dir=sys.argv[1], verbose=0,
          callbacks=[Epochs(), Killer()])
    np.savez(sys.argv[1] + "-final.npz", **{{k: v.numpy() for k, v in gan.state_items()}})
''')


def test_sigkilled_training_resumes_to_identical_weights(tmp_path, reference):
    script = tmp_path / "run.py"
    script.write_text(_SCRIPT.format(root=str(ROOT), epochs=EPOCHS, batch=BATCH))
    folder = tmp_path / "ckpt"
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    # One run killed in the middle of epoch 1, one inside the save of epoch 2 (temporary file
    # written, not yet renamed); the third process finishes. (The script also kills at an
    # epoch's start: "epoch_begin".)
    plan = [("batch", 1), ("save", 2), ("none", -1)]
    for where, at in plan:
        proc = subprocess.run([sys.executable, str(script), str(folder), where, str(at)], env=env,
                              capture_output=True, text=True, timeout=300)
        if where == "none":
            assert proc.returncode == 0, proc.stderr[-2000:]
        else:
            assert proc.returncode == -signal.SIGKILL, (where, proc.returncode, proc.stderr[-2000:])
            COUNTS["kill points (SIGKILL)"] += 1
    with np.load(str(folder) + "-final.npz") as f:
        final = {k: f[k] for k in f.files}
    assert same(final, reference), "SIGKILLed and resumed run differs from the uninterrupted one"
    COUNTS["SIGKILL: identical weights"] += len(plan) - 1


# ---------------------------------------------------------------------- (b) failed writes
class Injected(BaseException):
    """An exit between two writes (BaseException: nothing in Keras catches it)."""


def _inject(monkeypatch, fail_at: int, partial: bool, log: list):
    """Make the ``fail_at``-th primitive write in ganlib.checkpoint raise (``0``: count only)."""
    real = {"_write_file": checkpoint._write_file, "_replace": checkpoint._replace, "_rename": checkpoint._rename}

    def wrap(name):
        def op(*args):
            log.append(name)
            if len(log) == fail_at:
                if partial and name == "_write_file":
                    path, payload = args
                    real[name](path, payload[: len(payload) // 2])  # half written, then the exit
                raise Injected(f"injected at write {fail_at} ({name})")
            return real[name](*args)
        return op

    for name in real:
        monkeypatch.setattr(checkpoint, name, wrap(name))


def test_an_exit_between_any_two_checkpoint_writes_resumes_identically(tmp_path, reference, monkeypatch):
    log: list = []
    with monkeypatch.context() as m:
        _inject(m, 0, False, log)
        train(toy_gan(), toy_data(), epochs=EPOCHS, batch_size=BATCH, seed=3, checkpoint_dir=tmp_path / "count",
              verbose=0)
    n_writes = len(log)
    assert n_writes == 2 * EPOCHS  # per save: the temporary file, then the rename
    outcomes = collections.Counter()
    for k in range(1, n_writes + 1):
        for partial in (False, True):
            if partial and log[k - 1] != "_write_file":
                continue
            folder = tmp_path / f"k{k}-{partial}"
            with monkeypatch.context() as m:
                _inject(m, k, partial, [])
                with pytest.raises(Injected):
                    train(toy_gan(), toy_data(), epochs=EPOCHS, batch_size=BATCH, seed=3, checkpoint_dir=folder,
                          verbose=0)
            outcomes[resume_outcome(folder, reference, f"checkpoint write {k} partial={partial}")] += 1
    COUNTS["checkpoint-save faults injected"] += sum(outcomes.values())
    for key, value in outcomes.items():
        COUNTS[f"checkpoint-save faults: {key}"] += value
    assert outcomes["identical"] == sum(outcomes.values())


def _zoo(x, **kw):
    return zoo.trained_gan("toy", x, epochs=1, batch_size=BATCH, seed=5, snapshots=3, verbose=0,
                           hidden_units=8, latent_dim=2, fused_adam=False, jit_compile=False,
                           mixed_precision="float32", **kw)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GANLIB_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache" / "gans"


def _entry(cache_root) -> pathlib.Path:
    (entry,) = [p for p in cache_root.iterdir() if p.is_dir() and not p.name.endswith(".partial")]
    return entry


def _same_result(a, b) -> bool:
    return same(state(a.gan), state(b.gan)) and a.snapshots.keys() == b.snapshots.keys() and all(
        np.array_equal(a.snapshots[k], b.snapshots[k]) for k in a.snapshots)


def test_an_exit_between_any_two_cache_writes_then_a_new_call_gives_the_same_model(cache, monkeypatch, capsys):
    x = toy_data(48, seed=1)
    log: list = []
    with monkeypatch.context() as m:
        _inject(m, 0, False, log)
        clean = _zoo(x)
    n_writes = len(log)
    assert log[-3:] == ["_write_file", "_replace", "_rename"]  # the publish: manifest, then the folder
    outcomes = collections.Counter()
    for k in range(1, n_writes + 1):
        for partial in (False, True):
            if partial and log[k - 1] != "_write_file":
                continue
            monkeypatch.setenv("GANLIB_CACHE", str(cache.parent.parent / f"cache-{k}-{partial}"))
            with monkeypatch.context() as m:
                _inject(m, k, partial, [])
                with pytest.raises(Injected):
                    _zoo(x)
            again = _zoo(x)
            assert not again.cached
            assert _same_result(clean, again), f"cache write {k} partial={partial}: a different model"
            outcomes["identical"] += 1
    COUNTS["cache-publish faults injected"] += sum(outcomes.values())
    COUNTS["cache-publish faults: identical"] += outcomes["identical"]


# ---------------------------------------------------------------------- (c) damaged files
def _corruptions():
    def truncate(n):
        return lambda b: b[:n] if n >= 0 else b[:len(b) + n]

    def flip(frac):
        def f(b):
            b = bytearray(b)
            i = min(len(b) - 1, int(len(b) * frac))
            b[i] ^= 0xFF
            return bytes(b)
        return f

    return {
        "empty": truncate(0), "truncated to half": lambda b: b[: len(b) // 2], "last 10 bytes cut": truncate(-10),
        "byte flipped at 1%": flip(0.01), "byte flipped at 50%": flip(0.5), "byte flipped at 99%": flip(0.99),
        "garbage": lambda b: os.urandom(len(b)), "JSON text": lambda b: b'{"epoch": 3',
        "deleted": None,
    }


def _corrupt(path: pathlib.Path, how) -> None:
    if how is None:
        path.unlink()
    else:
        path.write_bytes(how(path.read_bytes()))


def _rewrite_meta(path: pathlib.Path, edit) -> None:
    """A valid zip whose ``__meta__`` JSON was edited (``edit(meta_bytes) -> bytes``)."""
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files}
    arrays["__meta__"] = np.frombuffer(edit(arrays["__meta__"].tobytes()), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    path.write_bytes(buffer.getvalue())


META_EDITS = {
    "metadata not JSON": lambda b: b"{not json",
    "metadata a JSON list": lambda b: b"[1, 2]",
    "epoch edited": lambda b: json.dumps(dict(json.loads(b), epoch=1)).encode(),
    "epoch removed": lambda b: json.dumps({k: v for k, v in json.loads(b).items() if k != "epoch"}).encode(),
}


def test_every_damaged_checkpoint_file_is_a_clear_error(tmp_path, reference):
    # A run stopped after epoch 2, whose only file is then damaged in every way we know of.
    source = tmp_path / "source"
    train(toy_gan(), toy_data(), epochs=2, batch_size=BATCH, seed=3, checkpoint_dir=source, verbose=0)
    files = sorted(p.name for p in source.iterdir())
    assert files == [CHECKPOINT_FILE]
    good = (source / CHECKPOINT_FILE).read_bytes()
    outcomes = collections.Counter()
    cases = [(name, lambda p, how=how: _corrupt(p, how)) for name, how in _corruptions().items()]
    cases += [(name, lambda p, e=e: _rewrite_meta(p, e)) for name, e in META_EDITS.items()]
    for name, damage in cases:
        folder = tmp_path / name.replace(" ", "_")
        folder.mkdir()
        (folder / CHECKPOINT_FILE).write_bytes(good)
        damage(folder / CHECKPOINT_FILE)
        if name == "deleted":  # nothing to resume from: a fresh run, identical by determinism
            outcome = resume_outcome(folder, reference, name)
        else:
            with pytest.raises(CheckpointError) as info:
                train(toy_gan(), toy_data(), epochs=EPOCHS, batch_size=BATCH, seed=3, checkpoint_dir=folder,
                      verbose=0)
            message = str(info.value)
            assert str(folder / CHECKPOINT_FILE) in message and "Delete" in message, message
            outcome = "clear error"
        outcomes[outcome] += 1
    COUNTS["checkpoint corruptions tried"] += sum(outcomes.values())
    for key, value in outcomes.items():
        COUNTS[f"checkpoint corruptions: {key}"] += value
    assert sum(outcomes.values()) == len(cases)


def test_every_damaged_cache_file_is_rebuilt_with_a_notice(cache, monkeypatch, capsys):
    x = toy_data(48, seed=2)
    clean = _zoo(x)
    entry = _entry(cache)
    names = sorted(p.name for p in entry.iterdir())
    assert names == [CHECKPOINT_FILE, "manifest.json"]
    saved = {n: (entry / n).read_bytes() for n in names}
    outcomes = collections.Counter()
    for file_name in names:
        for how_name, how in _corruptions().items():
            for n, content in saved.items():
                (entry / n).write_bytes(content)
            _corrupt(entry / file_name, how)
            capsys.readouterr()
            again = _zoo(x)
            out = capsys.readouterr().out
            assert _same_result(clean, again), f"{file_name} {how_name}: a different model"
            if again.cached:  # only a damage the checks prove harmless may load silently
                outcomes["identical (loaded)"] += 1
            else:
                notices = [line for line in out.splitlines() if "damaged, rebuilding" in line]
                assert len(notices) == 1 and str(entry) in notices[0], out
                outcomes["rebuilt with a notice"] += 1
            entry = _entry(cache)
    COUNTS["cache corruptions tried"] += sum(outcomes.values())
    for key, value in outcomes.items():
        COUNTS[f"cache corruptions: {key}"] += value
    assert outcomes["rebuilt with a notice"] == sum(outcomes.values())


# ---------------------------------------------------------------------- (d) one test per finding
class _StopAt(keras.callbacks.Callback):
    def __init__(self, epoch):
        super().__init__()
        self.at = epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.at:
            raise KeyboardInterrupt("simulated interruption")


def test_finding1_state_and_epoch_cannot_disagree(tmp_path, reference, monkeypatch):
    # Fail every os.replace in turn (the old save replaced state.npz, then meta.json): a resume
    # must still end on the uninterrupted run's weights.
    real_replace = os.replace
    for k in range(1, 5):  # the old save replaced state.npz, then meta.json: 4 = epoch 2's meta
        calls = []

        def failing(src, dst, k=k, calls=calls):
            calls.append(dst)
            if len(calls) == k:
                raise Injected(f"exit at replace {k}")
            real_replace(src, dst)

        folder = tmp_path / f"r{k}"
        monkeypatch.setattr(os, "replace", failing)
        try:
            train(toy_gan(), toy_data(), epochs=EPOCHS, batch_size=BATCH, seed=3, checkpoint_dir=folder, verbose=0)
        except Injected:
            pass
        finally:
            monkeypatch.setattr(os, "replace", real_replace)
        gan = toy_gan()
        train(gan, toy_data(), epochs=EPOCHS, batch_size=BATCH, seed=3, checkpoint_dir=folder, verbose=0)
        assert same(state(gan), reference), f"exit at os.replace call {k}: resumed to other weights"


def test_finding2_a_checkpoint_of_another_run_is_refused_by_field(tmp_path):
    folder = tmp_path / "run"
    x = toy_data()
    with pytest.raises(KeyboardInterrupt):
        train(toy_gan(), x, epochs=EPOCHS, batch_size=BATCH, seed=3, checkpoint_dir=folder, verbose=0,
              callbacks=[_StopAt(2)])
    for kwargs, field in (({"seed": 4}, "seed"), ({"batch_size": 8}, "batch_size"),
                          ({"x": toy_data(seed=9)}, "data_hash")):
        args = {"x": x, "seed": 3, "batch_size": BATCH, **kwargs}
        with pytest.raises(ValueError, match=field) as info:
            train(toy_gan(), args.pop("x"), epochs=EPOCHS, checkpoint_dir=folder, verbose=0, **args)
        assert str(folder) in str(info.value)
    with pytest.raises(ValueError, match="epochs"):
        train(toy_gan(), x, epochs=1, batch_size=BATCH, seed=3, checkpoint_dir=folder, verbose=0)
    # Starting fresh is explicit.
    hist = train(toy_gan(), x, epochs=1, batch_size=BATCH, seed=4, checkpoint_dir=folder, verbose=0, resume="never")
    assert hist.resumed_from is None
    # A truncated file: an error naming it, and the GAN is untouched (all or nothing).
    (path,) = [p for p in folder.iterdir() if p.suffix == ".npz"]
    path.write_bytes(path.read_bytes()[:-50])
    gan = toy_gan()
    before = state(gan)
    with pytest.raises(ValueError, match="Delete") as info:
        train(gan, x, epochs=EPOCHS, batch_size=BATCH, seed=4, checkpoint_dir=folder, verbose=0)
    assert str(path) in str(info.value)
    assert same(state(gan), before)


def test_finding2_load_state_matches_by_path_and_is_all_or_nothing(tmp_path):
    gan = toy_gan(seed=1)
    gan.save_state(tmp_path / "s.npz")
    # The same generator, a wider discriminator: the old load_state overwrote the generator
    # before it met the first mismatched shape.
    keras.utils.set_random_seed(7)
    other = GAN(models.toy_generator(latent_dim=2, hidden_units=8), models.toy_discriminator(hidden_units=9))
    other.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(1e-3))
    before = state(other)
    with pytest.raises(ValueError, match="shape"):
        other.load_state(tmp_path / "s.npz")
    assert same(state(other), before)  # nothing was assigned
    twin = toy_gan(seed=2)
    twin.load_state(tmp_path / "s.npz")
    assert same(state(twin), state(gan))


def test_a_cached_dropout_model_loads_in_a_process_that_built_other_dropout_layers_first(tmp_path):
    # Found in the cpu book build: chapter 4 cached the DCGAN, and chapter 5.1's kernel, which had
    # built fewer Dropout layers, refused the entry ("missing discriminator/seed_generator_2/...")
    # and trained the same model a second time. Keras numbers each SeedGenerator per process.
    saved = make_gan("dcgan", seed=0)
    saved.save_state(tmp_path / "s.npz")
    for _ in range(3):
        keras.layers.Dropout(0.5)  # each takes the next seed_generator_<n>
    later = make_gan("dcgan", seed=1)
    names = [v.path for v in later.discriminator.variables if "seed_generator" in v.path]
    assert len(names) == 2 and not any(n.startswith("seed_generator/") for n in names)  # the numbers differ
    later.load_state(tmp_path / "s.npz")
    assert same(state(later), state(saved))
    # the two dropout states stay distinct keys, in the model's order
    keys = [k for k, _ in later.state_items() if "seed_generator" in k]
    assert keys == ["discriminator/seed_generator/seed_generator_state",
                    "discriminator/seed_generator/seed_generator_state#1"]


class _Blowup(keras.callbacks.Callback):
    """Scale the critic's output layer by 1e9 at the start of one epoch: a finite blow-up."""

    def __init__(self, at):
        super().__init__()
        self.at = at

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.at:
            kernel = self.model.discriminator.trainable_weights[-2]
            kernel.assign(kernel * 1e9)


def test_finding3_a_finite_blowup_is_never_checkpointed(tmp_path, capsys):
    gan = toy_gan(loss="wasserstein")
    hist = train(gan, toy_data(), epochs=EPOCHS, batch_size=BATCH, seed=3, checkpoint_dir=tmp_path, verbose=0,
                 callbacks=[_Blowup(2)])
    out = capsys.readouterr().out
    assert hist.diverged and "diverged in epoch 3" in out
    assert "last good checkpoint (after epoch 2)" in out
    assert max(abs(v) for v in hist.history["d_loss"][:2]) < 1e6


def test_finding4_cache_keeps_snapshots_of_a_killed_run_and_lock_waits_time_out(cache, capsys):
    x = toy_data(48, seed=3)
    with pytest.raises(KeyboardInterrupt):
        zoo.trained_gan("toy", x, epochs=3, batch_size=BATCH, seed=5, snapshots=3, verbose=0, hidden_units=8,
                        latent_dim=2, fused_adam=False, callbacks=[_StopAt(2)])
    resumed = zoo.trained_gan("toy", x, epochs=3, batch_size=BATCH, seed=5, snapshots=3, verbose=0,
                              hidden_units=8, latent_dim=2, fused_adam=False)
    assert sorted(resumed.snapshots) == [0, 1, 2, 3]
    # A frozen holder: the wait ends with a message naming the lock and its holder.
    import fcntl

    lock = cache / "toy-frozen.lock"
    lock.write_text("pid=999999 host=elsewhere\n")
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        with pytest.raises(TimeoutError, match="pid=999999 host=elsewhere") as info:
            with zoo._exclusive(lock, timeout=0.6, poll=0.1):
                pass
        assert str(lock) in str(info.value)


def test_finding6_training_arguments_are_checked_before_the_graph():
    gan = toy_gan()
    with pytest.raises(ValueError, match="learning_rate"):
        gan.compile(g_optimizer=keras.optimizers.Adam(-1e-3), d_optimizer=keras.optimizers.Adam(1e-3))
    with pytest.raises(ValueError, match="learning_rate"):
        gan.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(float("nan")))
    with pytest.raises(ValueError, match="d_learning_rate"):
        make_gan("toy", d_learning_rate=0.0)
    GAN(gan.generator, gan.discriminator, weight_decay=np.float32(0.1))  # NumPy scalars are numbers
    with pytest.raises(ValueError, match=r"generator's output \(2,\).*discriminator's input \(2,\).*\(3,\)"):
        train(toy_gan(), np.zeros((32, 3), "float32"), epochs=1, batch_size=16, verbose=0)
    cgan = make_gan("conditional_mlp", hidden_units=8, latent_dim=4, fused_adam=False, jit_compile=False)
    images = np.random.default_rng(0).uniform(0, 1, (16, 28, 28, 1)).astype("float32")
    with pytest.raises(ValueError, match=r"y: expected labels in \[0, 9\]"):
        train(cgan, images, np.full(16, 10), epochs=1, batch_size=8, verbose=0)


def test_finding7_keras_mnist_with_another_sha256_is_refused(tmp_path, monkeypatch):
    home = tmp_path / "keras"
    path = home / "datasets" / "mnist.npz"
    path.parent.mkdir(parents=True)
    rng = np.random.default_rng(0)
    np.savez(path, x_train=rng.integers(0, 256, (20, 28, 28), dtype=np.uint8), y_train=np.arange(20) % 10,
             x_test=rng.integers(0, 256, (10, 28, 28), dtype=np.uint8), y_test=np.arange(10) % 10)
    monkeypatch.setenv("KERAS_HOME", str(home))
    monkeypatch.setattr(data, "_online", lambda timeout=3.0: False)
    with pytest.raises(data.MnistUnavailableError, match="SHA-256") as info:
        data.load_mnist("keras", verbose=False)
    assert str(path) in str(info.value)
    assert hashlib.sha256(path.read_bytes()).hexdigest() != data.KERAS_MNIST_SHA256


def teardown_module(module):
    folder = ROOT / ".scratch"
    if COUNTS and folder.is_dir():
        lines = [f"- {key}: {value}" for key, value in sorted(COUNTS.items())]
        with open(folder / "fault_counts.md", "a") as handle:
            handle.write(f"\n## tests/test_faults.py run (pid {os.getpid()})\n" + "\n".join(lines) + "\n")
