"""Stack configuration files ``infra/Pulumi.<stack>.yaml`` with Pulumi's passphrase secrets.

The format is the Pulumi CLI's own, so a file written here is read by ``pulumi config`` and vice versa:

- ``encryptionsalt: v1:<base64 salt>:v1:<base64 nonce>:<base64 ciphertext>`` — the salt of the key
  derivation, followed by the word ``pulumi`` encrypted with the derived key (how a passphrase is
  verified before anything is decrypted);
- a secret value is ``{secure: "v1:<base64 nonce>:<base64 ciphertext>"}``.

The key is PBKDF2-HMAC-SHA256 over the passphrase (1,000,000 iterations, 32 bytes), the cipher
AES-256-GCM with a 12-byte random nonce; the ciphertext carries GCM's tag at its end.

The passphrase comes from ``PULUMI_CONFIG_PASSPHRASE`` (wins when set, even when set to the empty
string — an empty passphrase is a valid one) or from the file named by ``PULUMI_CONFIG_PASSPHRASE_FILE``
(surrounding whitespace stripped). With neither, :meth:`Passphrase.from_env` fails at once: nothing
here ever prompts.

Typical use::

    cfg = stack_config.load("local")
    cfg.set_value("writer", "extractive")
    cfg.set_value("proxyUrl", "", secret=True, passphrase=Passphrase.from_env())
    cfg.save()
    values = cfg.decrypted(Passphrase.from_env())   # cfg.secret_keys() names the secret ones
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PROJECT = "sesha-pulumi"
INFRA_DIR = Path(__file__).resolve().parent

PASSPHRASE_ENV = "PULUMI_CONFIG_PASSPHRASE"
PASSPHRASE_FILE_ENV = "PULUMI_CONFIG_PASSPHRASE_FILE"

# Pulumi's passphrase secrets manager (pkg/secrets/passphrase): these must match for files to be
# interchangeable with the CLI.
KDF_ITERATIONS = 1_000_000
KEY_BYTES = 32
SALT_BYTES = 8
NONCE_BYTES = 12
VERSION = "v1"
VERIFIER_PLAINTEXT = "pulumi"


class StackConfigError(RuntimeError):
    """A stack file or a secret cannot be used; the message says what to do."""


class PassphraseMissing(StackConfigError):
    """Neither passphrase variable is set."""


class WrongPassphrase(StackConfigError):
    """The passphrase does not open this stack's secrets."""


@dataclass(frozen=True)
class Passphrase:
    """A stack passphrase and where it came from (for messages; the value is never printed)."""

    value: str = field(repr=False)
    source: str = "argument"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Passphrase:
        """The passphrase from the environment, as the Pulumi CLI finds it.

        ``PULUMI_CONFIG_PASSPHRASE`` set to ``""`` is an (empty) passphrase; unset is not. An empty
        ``PULUMI_CONFIG_PASSPHRASE_FILE`` counts as unset, as it does for the CLI.
        """
        env = os.environ if environ is None else environ
        if PASSPHRASE_ENV in env:
            return cls(env[PASSPHRASE_ENV], PASSPHRASE_ENV)
        path = env.get(PASSPHRASE_FILE_ENV, "")
        if path:
            try:
                text = Path(path).expanduser().read_text()
            except OSError as exc:
                raise StackConfigError(
                    f"{PASSPHRASE_FILE_ENV}={path} cannot be read ({exc.strerror}): point it at the file "
                    f"holding the stack passphrase, or set {PASSPHRASE_ENV} instead"
                ) from exc
            return cls(text.strip(), f"{PASSPHRASE_FILE_ENV} ({path})")
        raise PassphraseMissing(
            f"no stack passphrase: set {PASSPHRASE_ENV} (the local stack's is the non-secret 'sesha-local') "
            f"or {PASSPHRASE_FILE_ENV} to a file holding it; it is never prompted for"
        )


@functools.lru_cache(maxsize=16)
def _derive_key(passphrase: str, salt: bytes) -> bytes:
    # 1M PBKDF2 rounds take about a second: derive once per (passphrase, salt) and process.
    return hashlib.pbkdf2_hmac("sha256", passphrase.encode(), salt, KDF_ITERATIONS, dklen=KEY_BYTES)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def encrypt_value(key: bytes, plaintext: str) -> str:
    """``v1:<nonce>:<ciphertext+tag>``, base64 each, as Pulumi's symmetric crypter writes it."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), None)
    return f"{VERSION}:{_b64(nonce)}:{_b64(sealed)}"


def decrypt_value(key: bytes, ciphertext: str) -> str:
    """Open a ``v1:<nonce>:<ciphertext>`` value; :class:`WrongPassphrase` when the key does not fit."""
    parts = ciphertext.split(":")
    if len(parts) != 3 or parts[0] != VERSION:
        raise StackConfigError(f"not a Pulumi v1 secret value: {ciphertext[:20]}…")
    try:
        nonce, sealed = base64.b64decode(parts[1], validate=True), base64.b64decode(parts[2], validate=True)
    except ValueError as exc:
        raise StackConfigError(f"secret value is not valid base64: {ciphertext[:20]}…") from exc
    if len(nonce) != NONCE_BYTES:
        raise StackConfigError("secret value has a nonce of the wrong size")
    try:
        return AESGCM(key).decrypt(nonce, sealed, None).decode()
    except InvalidTag as exc:
        raise WrongPassphrase("secret value does not decrypt with this passphrase") from exc


def new_encryption_salt(passphrase: Passphrase) -> str:
    """A fresh ``encryptionsalt`` line value for a stack protected by ``passphrase``."""
    salt = secrets.token_bytes(SALT_BYTES)
    verifier = encrypt_value(_derive_key(passphrase.value, salt), VERIFIER_PLAINTEXT)
    return f"{VERSION}:{_b64(salt)}:{verifier}"


def key_from_encryption_salt(encryption_salt: str, passphrase: Passphrase, stack: str = "") -> bytes:
    """The AES key of a stack, after checking the passphrase against the stored verifier."""
    version, _, rest = encryption_salt.partition(":")
    salt_b64, _, verifier = rest.partition(":")
    if version != VERSION or not verifier:
        raise StackConfigError(f"stack {stack!r}: malformed encryptionsalt (expected v1:<salt>:v1:…)")
    key = _derive_key(passphrase.value, base64.b64decode(salt_b64))
    try:
        ok = decrypt_value(key, verifier) == VERIFIER_PLAINTEXT
    except WrongPassphrase:
        ok = False
    if not ok:
        empty = ", which is set but empty" if not passphrase.value else ""
        raise WrongPassphrase(
            f"incorrect passphrase for stack {stack!r} (from {passphrase.source}{empty}): set "
            f"{PASSPHRASE_ENV} or {PASSPHRASE_FILE_ENV} to the passphrase the stack was created with"
        )
    return key


def full_key(key: str, project: str = PROJECT) -> str:
    """``proxyUrl`` → ``sesha-pulumi:proxyUrl``; namespaced keys (``aws:region``) are kept."""
    return key if ":" in key else f"{project}:{key}"


def _is_secure(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"secure"} and isinstance(value["secure"], str)


def _contains_secure(value: Any) -> bool:
    if _is_secure(value):
        return True
    if isinstance(value, dict):
        return any(_contains_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_secure(v) for v in value)
    return False


def _open(value: Any, key: bytes) -> Any:
    if _is_secure(value):
        return decrypt_value(key, value["secure"])
    if isinstance(value, dict):
        return {k: _open(v, key) for k, v in value.items()}
    if isinstance(value, list):
        return [_open(v, key) for v in value]
    return value


@dataclass
class StackConfig:
    """One stack's file: its ``encryptionsalt`` and its ``config`` map (secrets still encrypted)."""

    stack: str
    path: Path
    encryption_salt: str | None = None
    config: dict[str, Any] = field(default_factory=dict)
    # Keys other than encryptionsalt/config (e.g. secretsprovider) are kept as they were.
    extra: dict[str, Any] = field(default_factory=dict)

    def secret_keys(self) -> list[str]:
        return sorted(k for k, v in self.config.items() if _contains_secure(v))

    def get(self, key: str, default: Any = None) -> Any:
        """A plain value (secrets come back as their ``{secure: …}`` envelope)."""
        return self.config.get(full_key(key), default)

    def key(self, passphrase: Passphrase, *, create: bool = False) -> bytes:
        """This stack's AES key; with ``create`` a stack without secrets yet gets a new salt."""
        if self.encryption_salt is None:
            if not create:
                raise StackConfigError(
                    f"stack {self.stack!r} has no encryptionsalt in {self.path}: it holds no secrets yet "
                    "(set one with stack_config.set_value(..., secret=True))"
                )
            self.encryption_salt = new_encryption_salt(passphrase)
        return key_from_encryption_salt(self.encryption_salt, passphrase, self.stack)

    def set_value(
        self, key: str, value: Any, *, secret: bool = False, passphrase: Passphrase | None = None
    ) -> None:
        """Set ``key`` (in memory; :meth:`save` writes). A secret needs the passphrase."""
        if secret:
            if passphrase is None:
                raise StackConfigError(f"setting secret {key!r} needs the stack passphrase")
            text = value if isinstance(value, str) else yaml.safe_dump(value)
            value = {"secure": encrypt_value(self.key(passphrase, create=True), text)}
        self.config[full_key(key)] = value

    def remove(self, key: str) -> None:
        self.config.pop(full_key(key), None)

    def decrypted(self, passphrase: Passphrase | None = None) -> dict[str, Any]:
        """Every value in clear, keys in full (``project:key``); :meth:`secret_keys` says which were secret.

        A stack without secrets needs no passphrase; otherwise ``None`` means :meth:`Passphrase.from_env`.
        """
        if not self.secret_keys():
            return dict(self.config)
        if passphrase is None:
            passphrase = Passphrase.from_env()
        key = self.key(passphrase)
        return {k: _open(v, key) for k, v in self.config.items()}

    def to_yaml(self) -> str:
        data: dict[str, Any] = {}
        if self.encryption_salt is not None:
            data["encryptionsalt"] = self.encryption_salt
        data.update(self.extra)
        data["config"] = self.config
        return yaml.safe_dump(data, sort_keys=False, default_flow_style=False)

    def save(self) -> Path:
        self.path.write_text(self.to_yaml())
        return self.path


# Pulumi's rule for a stack name; it also keeps ``Pulumi.<stack>.yaml`` inside the program's folder.
_STACK_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")


def check_stack_name(stack: Any) -> str:
    """``stack`` if Pulumi accepts it as a stack name, else a StackConfigError saying why."""
    if not isinstance(stack, str) or not _STACK_NAME.fullmatch(stack) or stack in (".", ".."):
        raise StackConfigError(
            f"{stack!r} is not a stack name: use 1 to 100 letters, digits, '-', '_' or '.' "
            "(the stacks are local, sesha-backend-dev and sesha-backend-prod)"
        )
    return stack


def stack_file(stack: str, infra_dir: Path = INFRA_DIR) -> Path:
    return Path(infra_dir) / f"Pulumi.{check_stack_name(stack)}.yaml"


def load(stack: str, infra_dir: Path = INFRA_DIR, *, must_exist: bool = False) -> StackConfig:
    """Read ``Pulumi.<stack>.yaml``; a missing file is an empty config unless ``must_exist``."""
    path = stack_file(stack, infra_dir)
    if not path.exists():
        if must_exist:
            raise StackConfigError(
                f"no stack file {path}: create the stack first (notebook 04, runbooks.pulumi_login_and_stack)"
            )
        return StackConfig(stack=stack, path=path)
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise StackConfigError(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("config") or {}, dict):
        raise StackConfigError(f"{path}: expected a mapping with a 'config' mapping")
    extra = {k: v for k, v in data.items() if k not in ("encryptionsalt", "config")}
    return StackConfig(
        stack=stack,
        path=path,
        encryption_salt=data.get("encryptionsalt"),
        config=dict(data.get("config") or {}),
        extra=extra,
    )


def set_value(
    stack: str,
    key: str,
    value: Any,
    *,
    secret: bool = False,
    passphrase: Passphrase | None = None,
    infra_dir: Path = INFRA_DIR,
) -> StackConfig:
    """Set one value in the stack's file and save it (secrets encrypted with ``passphrase``)."""
    cfg = load(stack, infra_dir)
    if secret and passphrase is None:
        passphrase = Passphrase.from_env()
    cfg.set_value(key, value, secret=secret, passphrase=passphrase)
    cfg.save()
    return cfg


def decrypted(
    stack: str, passphrase: Passphrase | None = None, infra_dir: Path = INFRA_DIR
) -> dict[str, Any]:
    """All of a stack's config in clear (keys full, ``project:key``)."""
    return load(stack, infra_dir).decrypted(passphrase)
