"""Lambda archives and the dependencies layer, built reproducibly under ``build/``.

- A function's archive holds ``lambdas/__init__.py``, ``lambdas/core/`` and ``lambdas/<function>/``;
  entries are sorted and carry a fixed timestamp and mode, so the same code gives the same bytes (and
  the same hash, which is what tells Pulumi — or the local engine — that nothing changed).
- The dependencies layer (``python/…``) comes from ``lambdas/requirements.txt`` in one of two flavours,
  chosen by the stack setting ``layerPlatform``:
  ``lambda``: ``pip install`` wheels for the Lambda platform (manylinux2014_x86_64, the runtime's Python);
  ``host``: the distributions already installed in this interpreter (and what they require), copied from
  their ``RECORD`` files — offline and fast, for the embedded cloud whose workers run this same Python.
  Both are cached in ``build/layers/`` under a key hashed from the requirements and the target, so a
  deploy with no change never rebuilds.
"""

from __future__ import annotations

import base64
import hashlib
import io
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO_ROOT = Path(__file__).resolve().parent.parent
LAMBDAS_DIR = REPO_ROOT / "lambdas"
BUILD_DIR = REPO_ROOT / "build"
REQUIREMENTS = LAMBDAS_DIR / "requirements.txt"

# 1980-01-01 is the earliest date a zip entry can hold.
FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644
COMPRESS_LEVEL = 6
LAMBDA_PLATFORM = "manylinux2014_x86_64"
# Files a zip must never carry: byte code is rebuilt by the runtime and differs between machines.
SKIPPED_PARTS = {"__pycache__"}
SKIPPED_SUFFIXES = {".pyc", ".pyo"}


class PackagingError(RuntimeError):
    """An archive or layer cannot be built; the message says what to fix."""


@dataclass(frozen=True)
class BuiltArchive:
    """A zip on disk and its SHA-256 (base64, the form Lambda reports as ``CodeSha256``)."""

    path: Path
    sha256: str


def deterministic_zip(entries: Iterable[tuple[str, Path | bytes]]) -> bytes:
    """A zip of ``(archive name, file or content)`` pairs, sorted by name, with fixed timestamps and
    modes: the same files always give the same bytes, so the same hash."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as archive:
        for name, source in sorted(entries, key=lambda entry: entry[0]):
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE_TIME)
            info.external_attr = (0o100000 | FILE_MODE) << 16  # regular file, rw-r--r--
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so the mode above is honoured everywhere
            data = source if isinstance(source, bytes) else source.read_bytes()
            archive.writestr(info, data, compresslevel=COMPRESS_LEVEL)
    return buffer.getvalue()


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def _tree(root: Path, prefix: str) -> Iterator[tuple[str, Path]]:
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if (
            path.is_file()
            and not (SKIPPED_PARTS & set(relative.parts))
            and path.suffix not in SKIPPED_SUFFIXES
        ):
            yield f"{prefix}/{relative.as_posix()}", path


def function_entries(function: str, lambdas_dir: Path = LAMBDAS_DIR) -> list[tuple[str, Path]]:
    """The files of ``function``'s archive: the ``lambdas`` package marker, ``core`` and the function."""
    source = lambdas_dir / function
    if not (source / "handler.py").is_file():
        raise PackagingError(
            f"{source}/handler.py not found: a function is a folder lambdas/<name>/ with handler.py"
        )
    return [
        ("lambdas/__init__.py", lambdas_dir / "__init__.py"),
        *_tree(lambdas_dir / "core", "lambdas/core"),
        *_tree(source, f"lambdas/{function}"),
    ]


def _store(data: bytes, directory: Path, stem: str) -> BuiltArchive:
    """Write ``data`` to a content-addressed file (kept if it is already there)."""
    digest = hashlib.sha256(data).hexdigest()[:16]
    path = directory / f"{stem}-{digest}.zip"
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_bytes(data)
        partial.replace(path)  # atomic: a concurrent build never sees half a zip
    return BuiltArchive(path, sha256_b64(data))


def function_archive(
    function: str, lambdas_dir: Path = LAMBDAS_DIR, build_dir: Path = BUILD_DIR
) -> BuiltArchive:
    """Build (or reuse) ``build/functions/<function>-<hash>.zip``."""
    return _store(
        deterministic_zip(function_entries(function, lambdas_dir)), build_dir / "functions", function
    )


# --- dependencies layer ------------------------------------------------------------------------------


def read_requirements(requirements: Path) -> list[Requirement]:
    try:
        lines = requirements.read_text().splitlines()
    except OSError as exc:
        raise PackagingError(f"cannot read {requirements}: {exc.strerror}") from exc
    stripped = (line.split("#", 1)[0].strip() for line in lines)
    return [Requirement(line) for line in stripped if line]


def resolve_installed(requirements: Iterable[Requirement]) -> list[metadata.Distribution]:
    """The installed distributions that satisfy ``requirements``, with everything they require."""
    environment = default_environment()
    found: dict[str, metadata.Distribution] = {}
    pending = [(requirement, "") for requirement in requirements]
    while pending:
        requirement, extra = pending.pop()
        if requirement.marker and not _marker_applies(requirement, environment, extra):
            continue
        name = canonicalize_name(requirement.name)
        if name not in found:
            found[name] = _installed(requirement)
            for extra in ("", *sorted(requirement.extras)):
                pending.extend((Requirement(text), extra) for text in found[name].requires or ())
        else:
            for extra in sorted(requirement.extras):
                pending.extend((Requirement(text), extra) for text in found[name].requires or ())
    return [found[name] for name in sorted(found)]


def _marker_applies(requirement: Requirement, environment: dict[str, str], extra: str) -> bool:
    assert requirement.marker is not None
    return requirement.marker.evaluate({**environment, "extra": extra})


def _installed(requirement: Requirement) -> metadata.Distribution:
    try:
        distribution = metadata.distribution(requirement.name)
    except metadata.PackageNotFoundError as exc:
        raise PackagingError(
            f"{requirement.name} (from lambdas/requirements.txt) is not installed in {sys.prefix}: "
            "run `make setup` (or pip install it), or build the layer with layerPlatform: lambda"
        ) from exc
    if requirement.specifier and not requirement.specifier.contains(distribution.version, prereleases=True):
        raise PackagingError(
            f"installed {requirement.name} {distribution.version} does not satisfy {requirement}; "
            "update the virtualenv (`make setup`) or the requirement"
        )
    return distribution


def distribution_entries(distribution: metadata.Distribution) -> Iterator[tuple[str, Path]]:
    """The files a distribution installed into site-packages, as layer entries ``python/<file>``."""
    files = distribution.files
    if files is None:
        raise PackagingError(f"{distribution.metadata['Name']} has no RECORD file; reinstall it with pip")
    for file in files:
        parts = file.parts
        # Scripts live outside site-packages (../../bin); byte code is not shipped.
        if parts[0] == ".." or SKIPPED_PARTS & set(parts) or file.suffix in SKIPPED_SUFFIXES:
            continue
        path = Path(distribution.locate_file(file))
        if path.is_file():
            yield f"python/{file.as_posix()}", path


def _layer_key(requirements_text: str, flavour: str, detail: Iterable[str]) -> str:
    hasher = hashlib.sha256()
    for part in (requirements_text, flavour, *detail):
        hasher.update(part.encode() + b"\0")
    return hasher.hexdigest()[:16]


def _cached(path: Path) -> BuiltArchive | None:
    digest_file = path.with_suffix(".sha256")
    if path.exists() and digest_file.exists():
        return BuiltArchive(path, digest_file.read_text().strip())
    return None


def _write_layer(data: bytes, path: Path) -> BuiltArchive:
    path.parent.mkdir(parents=True, exist_ok=True)
    built = BuiltArchive(path, sha256_b64(data))
    partial = path.with_suffix(".partial")
    partial.write_bytes(data)
    partial.replace(path)
    path.with_suffix(".sha256").write_text(built.sha256)
    return built


def host_layer(requirements: Path = REQUIREMENTS, build_dir: Path = BUILD_DIR) -> BuiltArchive:
    """The layer from this interpreter's installed distributions (offline; for the embedded cloud)."""
    distributions = resolve_installed(read_requirements(requirements))
    pins = [f"{canonicalize_name(d.metadata['Name'])}=={d.version}" for d in distributions]
    python = f"{sys.implementation.cache_tag}-{sys.platform}"
    key = _layer_key(requirements.read_text(), "host", [python, *pins])
    path = build_dir / "layers" / f"dependencies-host-{key}.zip"
    cached = _cached(path)
    if cached:
        return cached
    entries = [entry for distribution in distributions for entry in distribution_entries(distribution)]
    return _write_layer(deterministic_zip(entries), path)


def pip_command(requirements: Path, target: Path, python_version: str) -> list[str]:
    """The pip invocation that fetches Lambda-platform wheels only (no sdists, no host builds)."""
    return [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--platform",
        LAMBDA_PLATFORM,
        "--implementation",
        "cp",
        "--python-version",
        python_version,
        "--only-binary=:all:",
        "--target",
        str(target),
        "-r",
        str(requirements),
    ]


def lambda_layer(
    requirements: Path = REQUIREMENTS, runtime: str = "python3.11", build_dir: Path = BUILD_DIR
) -> BuiltArchive:
    """The layer from wheels for the Lambda platform (needs PyPI; for AWS)."""
    python_version = runtime.removeprefix("python")
    key = _layer_key(requirements.read_text(), "lambda", [LAMBDA_PLATFORM, python_version])
    path = build_dir / "layers" / f"dependencies-lambda-{key}.zip"
    cached = _cached(path)
    if cached:
        return cached
    with tempfile.TemporaryDirectory(prefix="layer-", dir=build_dir if build_dir.exists() else None) as tmp:
        target = Path(tmp) / "python"
        result = subprocess.run(
            pip_command(requirements, target, python_version), capture_output=True, text=True
        )
        if result.returncode != 0:
            raise PackagingError(
                f"pip could not fetch Lambda wheels for {requirements}:\n{result.stderr.strip()}"
            )
        return _write_layer(deterministic_zip(_tree(target, "python")), path)


def dependencies_layer(platform: str, runtime: str, requirements: Path = REQUIREMENTS) -> BuiltArchive:
    """The dependencies layer for the stack's ``layerPlatform`` (``host`` or ``lambda``)."""
    if platform == "host":
        return host_layer(requirements)
    if platform == "lambda":
        return lambda_layer(requirements, runtime)
    raise PackagingError(f"unknown layerPlatform {platform!r}: use 'host' (embedded cloud) or 'lambda' (AWS)")
