"""01 aws-sso-profiles: an ``[sso-session]`` and the ``sesha-backend-dev`` / ``-prod`` profiles in the
AWS config file.

The file is edited as text, section by section: our sections are updated key by key or appended, and
every other line (other profiles, comments, ordering) stays byte for byte as it was. The file is backed
up before the first change; when nothing differs, nothing is written and no backup is made.
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import botocore.session

_HEADER = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*$")
_TOP_LEVEL_KEY = re.compile(r"^([A-Za-z0-9_.-]+)\s*=\s*(.*?)\s*$")
_ACCOUNT_ID = re.compile(r"^\d{12}$")


class SsoProfileError(ValueError):
    """Bad settings or a config file that cannot be merged; nothing was written."""


@dataclass(frozen=True)
class SsoSettings:
    start_url: str
    sso_region: str
    accounts: dict[str, str]  # profile name → 12-digit account id
    role_name: str
    region: str = "eu-north-1"
    output: str = "json"
    session_name: str = "sesha"

    def __post_init__(self) -> None:
        if not self.start_url.startswith("https://"):
            raise SsoProfileError(f"sso start URL {self.start_url!r} must be https://… (the portal URL)")
        for profile, account in self.accounts.items():
            if not _ACCOUNT_ID.match(account):
                raise SsoProfileError(f"account id for {profile} must be 12 digits, got {account!r}")
        if not self.role_name:
            raise SsoProfileError(
                "role_name is empty: give the permission set name (e.g. AdministratorAccess)"
            )

    def sections(self) -> dict[str, dict[str, str]]:
        """The config sections to hold, header name → keys, in file order."""
        wanted = {
            f"sso-session {self.session_name}": {
                "sso_start_url": self.start_url,
                "sso_region": self.sso_region,
                "sso_registration_scopes": "sso:account:access",
            }
        }
        for profile, account in self.accounts.items():
            wanted[f"profile {profile}"] = {
                "sso_session": self.session_name,
                "sso_account_id": account,
                "sso_role_name": self.role_name,
                "region": self.region,
                "output": self.output,
            }
        return wanted


def config_path(path: str = "") -> Path:
    """``path``, else ``$AWS_CONFIG_FILE``, else ``~/.aws/config`` (the AWS CLI's own order).

    An existing file must be readable text: a folder, a file without read permission or one that is
    not UTF-8 is an SsoProfileError here, before anything is compared, backed up or written."""
    target = Path(path or os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config").expanduser()
    read_config(target)
    return target


def read_config(target: Path) -> str:
    """The config file's text ("" when it does not exist yet); SsoProfileError when it cannot be read."""
    try:
        return target.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except OSError as err:
        problem = err.strerror or str(err)
    except UnicodeDecodeError as err:
        problem = f"not UTF-8 text ({err.reason} at byte {err.start})"
    raise SsoProfileError(
        f"the AWS config file {target} cannot be read: {problem}; fix it or pass another file as "
        "aws_config_file (nothing was changed)"
    )


def _backup_path(target: Path, now: datetime | None) -> Path:
    """A ``<name>.bak-<time>`` next to ``target`` that does not exist yet: two writes within one second
    must not let the second backup (of the first write's result) overwrite the original."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    backup = target.with_name(f"{target.name}.bak-{stamp}")
    n = 1
    while backup.exists():
        backup = target.with_name(f"{target.name}.bak-{stamp}-{n}")
        n += 1
    return backup


def _normal(header: str) -> str:
    return " ".join(header.split())


def _section_spans(lines: list[str]) -> dict[str, tuple[int, int]]:
    """Header name → (header line index, end index exclusive)."""
    starts = [(i, _normal(m.group(1))) for i, line in enumerate(lines) if (m := _HEADER.match(line))]
    ends = [i for i, _ in starts[1:]] + [len(lines)]
    return {name: (start, end) for (start, name), end in zip(starts, ends, strict=False)}


def _update_section(lines: list[str], start: int, end: int, wanted: dict[str, str]) -> list[str]:
    body = lines[start + 1 : end]
    seen: set[str] = set()
    for i, line in enumerate(body):
        m = _TOP_LEVEL_KEY.match(line)
        if m and m.group(1) in wanted:
            seen.add(m.group(1))
            if m.group(2) != wanted[m.group(1)]:
                body[i] = f"{m.group(1)} = {wanted[m.group(1)]}"
    last = max((i for i, line in enumerate(body) if line.strip()), default=-1)
    missing = [f"{k} = {v}" for k, v in wanted.items() if k not in seen]
    return [lines[start], *body[: last + 1], *missing, *body[last + 1 :]]


def merge(text: str, sections: dict[str, dict[str, str]]) -> tuple[str, list[str]]:
    """``text`` with ``sections`` held, and the names of the sections that changed."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        raise SsoProfileError(
            f"the AWS config file does not parse ({exc}): fix it first; nothing was changed"
        ) from exc
    lines = text.splitlines()
    changed: list[str] = []
    for name, wanted in sections.items():
        spans = _section_spans(lines)
        if name in spans:
            start, end = spans[name]
            updated = _update_section(lines, start, end, wanted)
            if updated != lines[start:end]:
                lines[start:end] = updated
                changed.append(name)
        else:
            if lines and lines[-1].strip():
                lines.append("")
            lines += [f"[{name}]", *(f"{k} = {v}" for k, v in wanted.items())]
            changed.append(name)
    return ("\n".join(lines) + "\n" if lines else ""), changed


@dataclass(frozen=True)
class WriteResult:
    path: Path
    changed: list[str] = field(default_factory=list)
    backup: Path | None = None


def write(settings: SsoSettings, path: str = "", now: datetime | None = None) -> WriteResult:
    """Merge the SSO session and profiles into the config file (backed up first if it changes)."""
    target = config_path(path)
    old = read_config(target)
    new, changed = merge(old, settings.sections())
    if not changed:
        return WriteResult(target)
    backup = None
    if target.exists():
        backup = _backup_path(target, now)
        shutil.copy2(target, backup)
    else:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(new)
    if target.exists():
        shutil.copymode(target, tmp)
    else:
        tmp.chmod(0o600)
    tmp.replace(target)  # atomic: a reader never sees half a file
    return WriteResult(target, changed, backup)


def resolve_profile(profile: str, path: str = "") -> dict[str, str]:
    """The profile as botocore resolves it, with its SSO session's settings folded in."""
    session = botocore.session.Session(profile=profile)
    session.set_config_variable("config_file", str(config_path(path)))
    full = session.full_config
    if profile not in full.get("profiles", {}):
        raise SsoProfileError(f"botocore finds no profile {profile!r} in {config_path(path)}")
    scoped = dict(session.get_scoped_config())
    sso_session = full.get("sso_sessions", {}).get(scoped.get("sso_session", ""))
    if sso_session is None:
        raise SsoProfileError(
            f"profile {profile!r} names sso_session {scoped.get('sso_session')!r}, which is missing"
        )
    return {**scoped, **{f"session.{k}": v for k, v in sso_session.items()}}


def verify(settings: SsoSettings, path: str = "") -> dict[str, dict[str, str]]:
    """Every profile resolved by botocore; :class:`SsoProfileError` if one differs from ``settings``."""
    sections = settings.sections()
    session_keys = sections[f"sso-session {settings.session_name}"]
    resolved = {}
    for profile in settings.accounts:
        got = resolve_profile(profile, path)
        expected = {**sections[f"profile {profile}"], **{f"session.{k}": v for k, v in session_keys.items()}}
        wrong = {k: (got.get(k), v) for k, v in expected.items() if got.get(k) != v}
        if wrong:
            raise SsoProfileError(f"profile {profile!r} resolves differently (got, expected): {wrong}")
        resolved[profile] = got
    return resolved


def restore(backup: Path, path: str = "") -> Path:
    """Roll back: put ``backup`` (made by :func:`write`) back in place of the config file."""
    target = config_path(path)
    if not backup.name.startswith(f"{target.name}.bak-"):
        raise SsoProfileError(f"{backup} is not a backup of {target}: pick a {target.name}.bak-<time> file")
    if not backup.is_file():
        raise SsoProfileError(f"backup {backup} does not exist: pick one of the {target.name}.bak-* files")
    if target.exists():  # the current file (edits made since included) is kept too: nothing is lost
        shutil.copy2(target, _backup_path(target, None))
    shutil.copy2(backup, target)
    return target
