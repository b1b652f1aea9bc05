"""Stack files with Pulumi's passphrase secrets: round trip, the passphrase's sources, wrong passphrases."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
import yaml
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from infra import stack_config
from infra.stack_config import Passphrase, PassphraseMissing, StackConfigError, WrongPassphrase

PHRASE = Passphrase("correct horse")


def test_secret_round_trip_keeps_plain_values_plain(tmp_path: Path) -> None:
    stack_config.set_value("dev", "writer", "extractive", infra_dir=tmp_path)
    stack_config.set_value(
        "dev", "proxyUrl", "http://proxy:3128", secret=True, passphrase=PHRASE, infra_dir=tmp_path
    )
    stack_config.set_value("dev", "aws:region", "eu-north-1", infra_dir=tmp_path)

    raw = yaml.safe_load((tmp_path / "Pulumi.dev.yaml").read_text())
    assert raw["config"]["sesha-pulumi:writer"] == "extractive"
    assert raw["config"]["sesha-pulumi:proxyUrl"]["secure"].startswith("v1:")
    assert "proxy:3128" not in (tmp_path / "Pulumi.dev.yaml").read_text()
    cfg = stack_config.load("dev", tmp_path)
    assert cfg.secret_keys() == ["sesha-pulumi:proxyUrl"]
    assert stack_config.decrypted("dev", PHRASE, tmp_path) == {
        "sesha-pulumi:writer": "extractive",
        "sesha-pulumi:proxyUrl": "http://proxy:3128",
        "aws:region": "eu-north-1",
    }


def test_files_follow_pulumis_v1_layout(tmp_path: Path) -> None:
    """Salt of 8 bytes, PBKDF2-SHA256 with 1,000,000 rounds to a 32-byte key, AES-256-GCM with a 12-byte
    nonce, the word ``pulumi`` as the passphrase check: decrypted here independently of the module."""
    stack_config.set_value("dev", "token", "s3cr3t", secret=True, passphrase=PHRASE, infra_dir=tmp_path)
    raw = yaml.safe_load((tmp_path / "Pulumi.dev.yaml").read_text())

    version, salt_b64, check_version, nonce_b64, sealed_b64 = raw["encryptionsalt"].split(":")
    salt = base64.b64decode(salt_b64)
    key = hashlib.pbkdf2_hmac("sha256", PHRASE.value.encode(), salt, 1_000_000, dklen=32)
    check = AESGCM(key).decrypt(base64.b64decode(nonce_b64), base64.b64decode(sealed_b64), None)
    value_version, value_nonce, value_sealed = raw["config"]["sesha-pulumi:token"]["secure"].split(":")
    value = AESGCM(key).decrypt(base64.b64decode(value_nonce), base64.b64decode(value_sealed), None)

    assert (version, check_version, value_version) == ("v1", "v1", "v1")
    assert len(salt) == 8 and len(base64.b64decode(nonce_b64)) == 12
    assert check == b"pulumi"
    assert value == b"s3cr3t"


def test_wrong_passphrase_is_a_clear_error(tmp_path: Path) -> None:
    stack_config.set_value("dev", "token", "x", secret=True, passphrase=PHRASE, infra_dir=tmp_path)

    with pytest.raises(
        WrongPassphrase, match=r"incorrect passphrase for stack 'dev'.*PULUMI_CONFIG_PASSPHRASE"
    ):
        stack_config.decrypted("dev", Passphrase("wrong"), tmp_path)


def test_a_second_secret_reuses_the_stacks_salt(tmp_path: Path) -> None:
    stack_config.set_value("dev", "a", "1", secret=True, passphrase=PHRASE, infra_dir=tmp_path)
    salt = stack_config.load("dev", tmp_path).encryption_salt
    stack_config.set_value("dev", "b", "2", secret=True, passphrase=PHRASE, infra_dir=tmp_path)

    assert stack_config.load("dev", tmp_path).encryption_salt == salt
    assert stack_config.decrypted("dev", PHRASE, tmp_path) == {"sesha-pulumi:a": "1", "sesha-pulumi:b": "2"}


def test_adding_a_secret_with_another_passphrase_is_refused(tmp_path: Path) -> None:
    stack_config.set_value("dev", "a", "1", secret=True, passphrase=PHRASE, infra_dir=tmp_path)

    with pytest.raises(WrongPassphrase):
        stack_config.set_value(
            "dev", "b", "2", secret=True, passphrase=Passphrase("other"), infra_dir=tmp_path
        )


def test_a_stack_without_secrets_needs_no_passphrase(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    stack_config.set_value("dev", "writer", "extractive", infra_dir=tmp_path)

    assert stack_config.decrypted("dev", None, tmp_path) == {"sesha-pulumi:writer": "extractive"}


def test_empty_passphrase_is_a_passphrase_unset_is_not() -> None:
    assert Passphrase.from_env({"PULUMI_CONFIG_PASSPHRASE": ""}).value == ""
    with pytest.raises(PassphraseMissing, match=r"PULUMI_CONFIG_PASSPHRASE.*never prompted"):
        Passphrase.from_env({})


def test_empty_passphrase_encrypts_and_differs_from_another(tmp_path: Path) -> None:
    empty = Passphrase.from_env({"PULUMI_CONFIG_PASSPHRASE": ""})
    stack_config.set_value("dev", "a", "1", secret=True, passphrase=empty, infra_dir=tmp_path)

    assert stack_config.decrypted("dev", empty, tmp_path) == {"sesha-pulumi:a": "1"}
    with pytest.raises(WrongPassphrase):
        stack_config.decrypted("dev", Passphrase(" "), tmp_path)


def test_passphrase_file_is_read_and_stripped(tmp_path: Path) -> None:
    secret_file = tmp_path / "phrase.txt"
    secret_file.write_text("correct horse\n")

    phrase = Passphrase.from_env({"PULUMI_CONFIG_PASSPHRASE_FILE": str(secret_file)})

    assert phrase.value == "correct horse"
    assert "phrase.txt" in phrase.source


def test_passphrase_variable_wins_over_the_file(tmp_path: Path) -> None:
    secret_file = tmp_path / "phrase.txt"
    secret_file.write_text("from-file")

    phrase = Passphrase.from_env(
        {"PULUMI_CONFIG_PASSPHRASE": "", "PULUMI_CONFIG_PASSPHRASE_FILE": str(secret_file)}
    )

    assert phrase.value == ""


def test_empty_file_variable_counts_as_unset() -> None:
    with pytest.raises(PassphraseMissing):
        Passphrase.from_env({"PULUMI_CONFIG_PASSPHRASE_FILE": ""})


def test_unreadable_passphrase_file_says_which(tmp_path: Path) -> None:
    with pytest.raises(StackConfigError, match=r"missing.txt cannot be read"):
        Passphrase.from_env({"PULUMI_CONFIG_PASSPHRASE_FILE": str(tmp_path / "missing.txt")})


def test_passphrase_is_not_shown_in_its_repr() -> None:
    assert "correct horse" not in repr(PHRASE)


def test_structured_values_and_unknown_top_level_keys_survive_a_save(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.dev.yaml").write_text(
        "secretsprovider: passphrase\nconfig:\n  sesha-pulumi:zones:\n    - eu-north-1a\n    - eu-north-1b\n"
    )
    cfg = stack_config.load("dev", tmp_path)
    cfg.set_value("natGatewayCount", 1)
    cfg.save()

    raw = yaml.safe_load((tmp_path / "Pulumi.dev.yaml").read_text())
    assert raw["secretsprovider"] == "passphrase"
    assert raw["config"] == {
        "sesha-pulumi:zones": ["eu-north-1a", "eu-north-1b"],
        "sesha-pulumi:natGatewayCount": 1,
    }


def test_missing_stack_file_when_required_points_to_runbook_04(tmp_path: Path) -> None:
    with pytest.raises(StackConfigError, match="notebook 04"):
        stack_config.load("nope", tmp_path, must_exist=True)


def test_the_local_stacks_secrets_open_with_the_documented_passphrase() -> None:
    cfg = stack_config.load("local", must_exist=True)

    values = cfg.decrypted(Passphrase("sesha-local"))

    assert set(cfg.secret_keys()) <= set(values)
    assert values["sesha-pulumi:proxyUrl"] in ("", "none")


@pytest.mark.parametrize("stack", ["../x", "a/b", "", ".", "..", "has space", "x" * 101, None])
def test_a_stack_name_pulumi_refuses_is_a_clear_error_and_no_path_escapes(tmp_path: Path, stack) -> None:
    with pytest.raises(StackConfigError, match="is not a stack name"):
        stack_config.load(stack, tmp_path)
    with pytest.raises(StackConfigError, match="is not a stack name"):
        stack_config.set_value(stack, "writer", "extractive", infra_dir=tmp_path / "infra")
    assert list(tmp_path.iterdir()) == []


def test_an_empty_passphrase_is_named_as_empty(tmp_path: Path) -> None:
    stack_config.set_value("dev", "proxyUrl", "x", secret=True, passphrase=PHRASE, infra_dir=tmp_path)

    with pytest.raises(WrongPassphrase, match="set but empty"):
        stack_config.decrypted("dev", Passphrase("", "PULUMI_CONFIG_PASSPHRASE"), tmp_path)
