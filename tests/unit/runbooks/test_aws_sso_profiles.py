"""01 aws-sso-profiles: merge into the AWS config without touching anything else."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from runbooks import aws_sso_profiles as sso

SETTINGS = sso.SsoSettings(
    start_url="https://sesha.awsapps.com/start",
    sso_region="eu-north-1",
    accounts={"sesha-backend-dev": "111111111111", "sesha-backend-prod": "222222222222"},
    role_name="AdministratorAccess",
)

# A user's config as found in the wild: a default profile, a comment, an unrelated SSO profile with a
# nested s3 block, and an outdated sesha-backend-dev profile carrying one key of the user's own.
EXISTING = """\
# my settings — keep this comment
[default]
region = eu-west-1

[profile other]
sso_session = corp
sso_account_id = 999999999999
s3 =
  max_concurrent_requests = 20

[profile sesha-backend-dev]
sso_session = sesha
sso_account_id = 111111111111
sso_role_name = ReadOnly
region = eu-west-1
cli_pager =

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
"""


def test_fresh_file_gets_session_and_both_profiles(tmp_path: Path) -> None:
    path = tmp_path / "aws" / "config"
    result = sso.write(SETTINGS, str(path))
    assert result.changed == ["sso-session sesha", "profile sesha-backend-dev", "profile sesha-backend-prod"]
    assert result.backup is None  # nothing to back up
    assert path.stat().st_mode & 0o777 == 0o600
    resolved = sso.verify(SETTINGS, str(path))
    assert resolved["sesha-backend-prod"]["sso_account_id"] == "222222222222"
    assert resolved["sesha-backend-dev"]["session.sso_start_url"] == "https://sesha.awsapps.com/start"


def test_merge_keeps_every_other_line_and_backs_up_first(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text(EXISTING)
    result = sso.write(SETTINGS, str(path), now=datetime(2026, 12, 3, 16, 0, tzinfo=UTC))
    assert result.backup == tmp_path / "config.bak-20261203T160000Z"
    assert result.backup.read_text() == EXISTING
    text = path.read_text()
    # other profiles, the comment and the nested block are untouched, byte for byte
    assert text.startswith(EXISTING.split("[profile sesha-backend-dev]")[0])
    assert (
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n" in text
    )
    # the outdated profile is corrected in place, the user's own key kept
    dev = text.split("[profile sesha-backend-dev]")[1].split("[")[0]
    assert (
        "sso_role_name = AdministratorAccess" in dev and "region = eu-north-1" in dev and "cli_pager =" in dev
    )
    assert "ReadOnly" not in text
    assert sso.verify(SETTINGS, str(path))["sesha-backend-dev"]["sso_role_name"] == "AdministratorAccess"
    assert sso.resolve_profile("other", str(path))["sso_account_id"] == "999999999999"


def test_second_run_changes_nothing_and_makes_no_backup(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text(EXISTING)
    sso.write(SETTINGS, str(path), now=datetime(2026, 12, 3, 16, 0, tzinfo=UTC))
    after_first = path.read_text()
    second = sso.write(SETTINGS, str(path), now=datetime(2026, 12, 3, 16, 5, tzinfo=UTC))
    assert second.changed == [] and second.backup is None
    assert path.read_text() == after_first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config", "config.bak-20261203T160000Z"]


def test_config_path_follows_the_aws_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "from-env"))
    assert sso.config_path("") == tmp_path / "from-env"
    assert sso.config_path(str(tmp_path / "given")) == tmp_path / "given"
    monkeypatch.delenv("AWS_CONFIG_FILE")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert sso.config_path("") == tmp_path / ".aws" / "config"


def test_unparsable_file_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "config"
    broken = "[default]\nregion = eu-north-1\n[default]\nregion = x\n"  # duplicate section
    path.write_text(broken)
    with pytest.raises(sso.SsoProfileError, match=r"does not parse.*nothing was changed"):
        sso.write(SETTINGS, str(path))
    assert path.read_text() == broken
    assert list(tmp_path.iterdir()) == [path]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start_url": "sesha.awsapps.com/start"}, "must be https"),
        ({"accounts": {"sesha-backend-dev": "1234"}}, "12 digits"),
        ({"role_name": ""}, "permission set"),
    ],
)
def test_bad_settings_are_refused(changes: dict[str, object], message: str) -> None:
    fields = {**SETTINGS.__dict__, **changes}
    with pytest.raises(sso.SsoProfileError, match=message):
        sso.SsoSettings(**fields)


def test_verify_notices_a_profile_that_differs(tmp_path: Path) -> None:
    path = tmp_path / "config"
    sso.write(SETTINGS, str(path))
    path.write_text(path.read_text().replace("222222222222", "333333333333"))
    with pytest.raises(sso.SsoProfileError, match=r"sesha-backend-prod.*resolves differently"):
        sso.verify(SETTINGS, str(path))


def test_restore_puts_the_backup_back(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text(EXISTING)
    result = sso.write(SETTINGS, str(path))
    assert result.backup is not None
    sso.restore(result.backup, str(path))
    assert path.read_text() == EXISTING
    with pytest.raises(sso.SsoProfileError, match="not a backup"):
        sso.restore(tmp_path / "elsewhere", str(path))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda path: path.write_bytes(b"\xff\xfe[default]\n"), "not UTF-8"),
        (lambda path: path.mkdir(), "Is a directory"),
    ],
)
def test_an_unreadable_config_file_is_a_clear_error_and_left_alone(
    tmp_path: Path, make, message: str
) -> None:
    path = tmp_path / "config"
    make(path)

    with pytest.raises(sso.SsoProfileError, match=f"cannot be read: {message}.*nothing was changed"):
        sso.config_path(str(path))
    with pytest.raises(sso.SsoProfileError, match="cannot be read"):
        sso.write(SETTINGS, str(path))
    assert list(tmp_path.iterdir()) == [path]


def test_two_writes_in_the_same_second_keep_the_original_backup(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text(EXISTING)
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    first = sso.write(SETTINGS, str(path), now=now)
    other = sso.SsoSettings(**{**SETTINGS.__dict__, "role_name": "ReadOnlyAccess"})
    second = sso.write(other, str(path), now=now)

    assert first.backup is not None and second.backup is not None and first.backup != second.backup
    assert first.backup.read_text() == EXISTING


def test_restore_keeps_the_current_file_too(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text(EXISTING)
    result = sso.write(SETTINGS, str(path))
    path.write_text(path.read_text() + "\n[profile edited-since]\nregion = eu-west-1\n")
    assert result.backup is not None

    sso.restore(result.backup, str(path))

    assert path.read_text() == EXISTING
    kept = [p for p in tmp_path.iterdir() if p not in (path, result.backup)]
    assert len(kept) == 1 and "edited-since" in kept[0].read_text()
    with pytest.raises(sso.SsoProfileError, match="does not exist"):
        sso.restore(tmp_path / "config.bak-never", str(path))
