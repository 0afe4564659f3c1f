"""The checkpoint file: one self-describing ``.npz`` written atomically, and its integrity checks.

A checkpoint is a single file, ``checkpoint.npz`` in the checkpoint folder, holding

* ``var/<key>``: every state variable of a :class:`ganlib.GAN` (both models, both optimizers),
  keyed by its role and Keras path (``generator/hidden1/kernel``, ``g_optimizer/iteration``);
* ``extra/<key>``: arrays of callbacks that keep state across a resume (e.g. the snapshots of
  :class:`ganlib.callbacks.SampleGrid`);
* ``__meta__``: JSON (as bytes) with the format version, the number of epochs done, the loss
  history, the run's fingerprint (what the run depends on: models, loss, optimizers, data, seed,
  batch size, steps per epoch) and a SHA-256 over every array's key, dtype, shape and bytes and
  over the rest of the metadata.

Why one file: the state, the epoch it belongs to and the fingerprint cannot disagree, and
:func:`atomic_write` (temporary file in the same folder, ``fsync``, ``os.replace``) either
leaves the previous checkpoint or puts the new one in place, never a mixture. Every read goes
through :func:`read_checkpoint`, which raises :class:`CheckpointError` (naming the file and what
to do) for a missing key, a bad zip, a truncated file or a checksum that does not match.

The primitive writes (:func:`_write_file`, :func:`_replace`, :func:`_rename`) are module
functions so that the fault-injection tests can make any one of them fail.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pathlib
import zipfile

import numpy as np

__all__ = [
    "CheckpointError",
    "CHECKPOINT_FILE",
    "FORMAT_VERSION",
    "atomic_write",
    "write_checkpoint",
    "read_checkpoint",
    "file_sha256",
    "array_digest",
]

CHECKPOINT_FILE = "checkpoint.npz"
FORMAT_VERSION = 2
_META = "__meta__"


class CheckpointError(ValueError):
    """A checkpoint (or cache entry) that cannot be used: corrupted, of another run, or missing.

    The message names the file or folder and what to do about it.
    """


# ---------------------------------------------------------------------- primitive writes
def _write_file(path: pathlib.Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _replace(src, dst) -> None:
    os.replace(src, dst)


def _rename(src, dst) -> None:
    os.rename(src, dst)


def _fsync_dir(directory: pathlib.Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def atomic_write(path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the new one, never a part.

    The bytes go to ``<path>.<pid>.tmp`` in the same folder, are flushed to disk, then renamed
    over ``path`` (``os.replace`` is atomic within one file system). A failure removes the
    temporary file when it can; a leftover one (the process was killed) is harmless.
    """
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        _write_file(tmp, data)
        _replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
    _fsync_dir(path.parent)


def file_sha256(path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def array_digest(arrays: dict) -> str:
    """SHA-256 over the sorted keys, dtypes, shapes and bytes of a dict of arrays."""
    h = hashlib.sha256()
    for key in sorted(arrays):
        value = np.ascontiguousarray(arrays[key])
        h.update(key.encode())
        h.update(str(value.dtype).encode())
        h.update(repr(tuple(value.shape)).encode())
        h.update(value.view(np.uint8).tobytes() if value.size else b"")
    return h.hexdigest()


def _digest(arrays: dict, meta: dict) -> str:
    """The checksum a checkpoint stores: its arrays and its metadata (without the checksum)."""
    body = json.dumps({k: v for k, v in meta.items() if k != "digest"}, sort_keys=True)
    return hashlib.sha256((array_digest(arrays) + body).encode()).hexdigest()


# ---------------------------------------------------------------------- the checkpoint file
def write_checkpoint(path, variables: dict, meta: dict, extras: dict | None = None) -> None:
    """Write one checkpoint file atomically.

    Args:
      path: the ``.npz`` file.
      variables: key -> array of every state variable.
      meta: JSON-serialisable metadata (``epoch``, ``history``, ``fingerprint``, ...); the
        format version and the checksum are added here.
      extras: key -> array kept for callbacks (e.g. snapshots).
    """
    arrays = {f"var/{k}": np.asarray(v) for k, v in variables.items()}
    arrays.update({f"extra/{k}": np.asarray(v) for k, v in (extras or {}).items()})
    meta = dict(meta, format=FORMAT_VERSION)
    meta["digest"] = _digest(arrays, meta)
    arrays[_META] = np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    atomic_write(path, buffer.getvalue())


def read_checkpoint(path, *, remedy: str) -> tuple[dict, dict, dict]:
    """Read and verify a checkpoint file: ``(meta, variables, extras)``.

    Everything is read into memory and checked (zip structure and CRCs, the metadata, the
    SHA-256 over all arrays) before anything is returned, so a caller can validate the whole
    state before assigning any of it. ``remedy`` says what the user can do (put into the
    :class:`CheckpointError` message with the file's path).
    """
    path = pathlib.Path(path)

    def fail(reason: str, exc: BaseException | None = None) -> CheckpointError:
        return CheckpointError(f"checkpoint {path}: {reason}. {remedy}")

    if not path.is_file():
        raise fail("the file does not exist")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError, zlib_error()) as exc:
        raise fail(f"the file is damaged or truncated ({type(exc).__name__}: {exc})") from exc
    if _META not in arrays:
        raise fail("no metadata in the file (not a ganlib checkpoint, or written by an older ganlib)")
    try:
        meta = json.loads(arrays.pop(_META).tobytes().decode())
        if not isinstance(meta, dict):
            raise ValueError("the metadata is not a JSON object")
        version, digest = meta["format"], meta["digest"]
        int(meta["epoch"])
        dict(meta["history"])
        dict(meta["fingerprint"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise fail(f"its metadata is damaged ({type(exc).__name__}: {exc})") from exc
    if version != FORMAT_VERSION:
        raise fail(f"format version {version!r}, this ganlib reads version {FORMAT_VERSION}")
    if _digest(arrays, meta) != digest:
        raise fail("its contents do not match the checksum stored with them (the file was modified or damaged)")
    variables = {k[len("var/"):]: v for k, v in arrays.items() if k.startswith("var/")}
    extras = {k[len("extra/"):]: v for k, v in arrays.items() if k.startswith("extra/")}
    return meta, variables, extras


def zlib_error():
    import zlib

    return zlib.error
