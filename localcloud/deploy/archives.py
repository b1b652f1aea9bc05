"""Pulumi assets and archives (as the mock runtime hands them over) turned into zip bytes.

Zips are built by ``infra.lambda_packaging.deterministic_zip`` (the program's own packager), so the same
code always gives the same bytes and the same hash, and an unchanged function is not updated."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path
from typing import Any

import pulumi

from infra.lambda_packaging import deterministic_zip


class UnsupportedAsset(ValueError):
    """An asset kind the local provider cannot read (remote URLs: nothing may be fetched here)."""


def is_asset(value: Any) -> bool:
    return isinstance(value, pulumi.Asset | pulumi.Archive)


def _asset_bytes(asset: pulumi.Asset) -> bytes:
    if isinstance(asset, pulumi.FileAsset):
        return Path(asset.path).read_bytes()
    if isinstance(asset, pulumi.StringAsset):
        return asset.text.encode()
    raise UnsupportedAsset(f"{type(asset).__name__} is not supported by the local provider; use a file")


def _entries(archive: pulumi.Archive, prefix: str = "") -> dict[str, bytes]:
    """Every file of an archive, by its path inside the archive."""
    if isinstance(archive, pulumi.FileArchive):
        path = Path(archive.path)
        if path.is_dir():
            return {
                prefix + p.relative_to(path).as_posix(): p.read_bytes()
                for p in path.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts
            }
        with zipfile.ZipFile(path) as zf:
            return {prefix + i.filename: zf.read(i) for i in zf.infolist() if not i.is_dir()}
    if isinstance(archive, pulumi.AssetArchive):
        files: dict[str, bytes] = {}
        for name, member in archive.assets.items():
            if isinstance(member, pulumi.Archive):
                sub = "" if name in (".", "") else name.rstrip("/") + "/"
                files.update(_entries(member, prefix + sub))
            else:
                files[prefix + name] = _asset_bytes(member)
        return files
    raise UnsupportedAsset(f"{type(archive).__name__} is not supported by the local provider; use a file")


def zip_bytes(value: pulumi.Archive | pulumi.Asset) -> bytes:
    """The archive as a deterministic zip (a zip file given as a FileArchive is passed through)."""
    if isinstance(value, pulumi.FileArchive) and Path(value.path).is_file():
        return Path(value.path).read_bytes()
    if isinstance(value, pulumi.Asset):
        return _asset_bytes(value)
    return deterministic_zip(_entries(value).items())


def fingerprint(value: pulumi.Archive | pulumi.Asset) -> dict[str, str]:
    """What the checkpoint keeps of an asset: its kind, path and content hash."""
    return {
        "kind": type(value).__name__,
        "path": str(getattr(value, "path", "")),
        "sha256": hashlib.sha256(zip_bytes(value)).hexdigest(),
    }
