"""Function code and layers, unpacked once per content hash into the executor's cache (what Lambda
mounts as ``/var/task`` and ``/opt``)."""

from __future__ import annotations

import hashlib
import io
import shutil
import threading
import uuid
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

_locks: dict[Path, threading.Lock] = {}
_locks_guard = threading.Lock()


class NotAZip(ValueError):
    """Uploaded code or layer content that is not a zip archive."""


def check_zip(data: bytes) -> None:
    """Raise :class:`NotAZip` unless ``data`` is a readable zip archive."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            archive.infolist()
    except (zipfile.BadZipFile, ValueError) as err:
        raise NotAZip(str(err)) from err


def _extract(data: bytes, target: Path) -> None:
    """Extract, keeping the executable bits (layers ship binaries; ``zipfile`` drops modes)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            path = Path(archive.extract(info, target))
            mode = (info.external_attr >> 16) & 0o777
            if mode and not info.is_dir():
                path.chmod(mode | 0o400)


def _publish(target: Path, fill: Callable[[Path], None]) -> Path:
    """Build a directory next to ``target`` and rename it into place, so no worker ever sees a
    half-extracted tree (another daemon may share the cache)."""
    if target.is_dir():
        return target
    with _locks_guard:
        lock = _locks.setdefault(target, threading.Lock())
    with lock:  # cold starts of functions sharing a layer extract it once
        if target.is_dir():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
        try:
            fill(staging)
            staging.rename(target)
        except OSError:
            if not target.is_dir():
                raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


def task_root(cache: Path, code_sha256: str, code: bytes) -> Path:
    """The function's unpacked zip (``/var/task``)."""
    name = hashlib.sha256(code_sha256.encode()).hexdigest()[:32]

    def fill(staging: Path) -> None:
        staging.mkdir(parents=True)  # an empty zip is valid: the handler's import then fails, as on Lambda
        _extract(code, staging)

    return _publish(cache / "code" / name, fill)


def opt_dir(cache: Path, layers: Sequence[tuple[str, bytes]]) -> Path | None:
    """The function's layers merged in order into one directory (``/opt``); None without layers.

    ``layers`` holds (content hash, zip bytes) pairs; a later layer's files win, as on Lambda."""
    if not layers:
        return None
    name = hashlib.sha256("\n".join(sha for sha, _ in layers).encode()).hexdigest()[:32]

    def fill(staging: Path) -> None:
        staging.mkdir(parents=True)
        for _, data in layers:
            _extract(data, staging)

    return _publish(cache / "opt" / name, fill)
