"""Pieces of the local deploy engine that need no cloud: policy documents rendered as the AWS provider
renders them, Pulumi-style auto-names, deterministic archives, the order of deletes, tag updates."""

from __future__ import annotations

import json
import re
from pathlib import Path

import boto3
import pulumi
import pytest
from moto import mock_aws

from localcloud.deploy import archives, policy_document
from localcloud.deploy.backend import LockHeld, StateBackend
from localcloud.deploy.handlers.base import retag
from localcloud.deploy.provider import auto_name, integral
from localcloud.deploy.state import deletion_order


def test_policy_document_single_values_are_strings_and_lists_sorted_descending() -> None:
    rendered = policy_document.render(
        {
            "statements": [
                {"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::a/*"]},
                {
                    "sid": "Two",
                    "effect": "Deny",
                    "actions": ["dynamodb:GetItem", "dynamodb:Query"],
                    "resources": ["arn:b", "arn:a", "arn:c"],
                },
            ]
        }
    )

    document = json.loads(rendered["json"])
    assert document["Version"] == "2012-10-17"
    assert document["Statement"][0] == {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::a/*",
    }
    assert document["Statement"][1] == {
        "Sid": "Two",
        "Effect": "Deny",
        "Action": ["dynamodb:Query", "dynamodb:GetItem"],
        "Resource": ["arn:c", "arn:b", "arn:a"],
    }
    assert list(document["Statement"][1]) == ["Sid", "Effect", "Action", "Resource"]


def test_policy_document_principals_and_conditions() -> None:
    rendered = policy_document.render(
        {
            "statements": [
                {
                    "actions": ["sts:AssumeRole"],
                    "principals": [{"type": "Service", "identifiers": ["lambda.amazonaws.com"]}],
                    "conditions": [
                        {"test": "StringEquals", "variable": "aws:SourceAccount", "values": ["1"]}
                    ],
                },
                {"actions": ["s3:GetObject"], "principals": [{"type": "*", "identifiers": ["*"]}]},
            ]
        }
    )

    statements = json.loads(rendered["json"])["Statement"]
    assert statements[0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert statements[0]["Condition"] == {"StringEquals": {"aws:SourceAccount": "1"}}
    assert statements[1]["Principal"] == "*"


def test_policy_document_json_is_indented_minified_is_compact_both_go_escaped() -> None:
    rendered = policy_document.render({"statements": [{"actions": ["a:B"], "resources": ["x<y>&z"]}]})

    assert rendered["json"].startswith('{\n  "Version": "2012-10-17",\n  "Statement": [\n    {')
    assert rendered["minifiedJson"] == (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"a:B","Resource":"x\\u003cy\\u003e\\u0026z"}]}'
    )
    assert json.loads(rendered["json"]) == json.loads(rendered["minifiedJson"])


def test_auto_names_are_the_logical_name_and_seven_hex_characters() -> None:
    name = auto_name("data-Pages", 63, lowercase=True)

    assert re.fullmatch(r"data-pages-[0-9a-f]{7}", name)
    assert auto_name("data-pages", 63, lowercase=True) != name
    assert len(auto_name("x" * 100, 28, lowercase=True)) == 28


def test_whole_numbers_from_the_runtime_become_ints() -> None:
    assert integral({"timeout": 10.0, "rate": 0.5, "nested": [{"size": 3.0}]}) == {
        "timeout": 10,
        "rate": 0.5,
        "nested": [{"size": 3}],
    }


def test_archives_zip_deterministically(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("def handler(e, c):\n    return 1\n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text("X = 1\n")
    archive = pulumi.AssetArchive(
        {".": pulumi.FileArchive(str(tmp_path)), "extra.txt": pulumi.StringAsset("hi")}
    )

    first = archives.zip_bytes(archive)
    (tmp_path / "app.py").touch()  # a new mtime must not change the bytes

    assert archives.zip_bytes(archive) == first
    assert archives.fingerprint(archive)["sha256"] == archives.fingerprint(archive)["sha256"]


def test_dependents_are_deleted_before_what_they_depend_on() -> None:
    role = {"urn": "role", "dependencies": []}
    policy = {"urn": "policy", "dependencies": ["role"]}
    function = {"urn": "function", "dependencies": ["role", "policy"]}
    component = {"urn": "component", "dependencies": []}
    child = {"urn": "child", "dependencies": [], "parent": "component"}

    order = [r["urn"] for r in deletion_order([role, component, policy, child, function])]

    assert order.index("function") < order.index("policy") < order.index("role")
    assert order.index("child") < order.index("component")


def test_retag_removes_the_keys_no_longer_declared_then_sets_the_declared_ones() -> None:
    calls: list[tuple[str, object]] = []

    retag(
        {"tags": {"b": "3", "c": "4"}},
        {"tags": {"z": "0", "a": "1", "b": "2"}},
        lambda keys: calls.append(("untag", keys)),
        lambda tags: calls.append(("tag", tags)),
    )

    assert calls == [("untag", ["a", "z"]), ("tag", {"b": "3", "c": "4"})]


def test_retag_with_nothing_to_remove_or_set_calls_nothing() -> None:
    calls: list[str] = []

    retag({"tags": None}, {}, lambda keys: calls.append("untag"), lambda tags: calls.append("tag"))

    assert calls == []


def test_every_type_and_data_source_the_program_uses_has_a_handler() -> None:
    from infra.resource_types import USED_CALLS, USED_TYPES
    from localcloud.deploy.handlers import REGISTRY
    from localcloud.deploy.invokes import DATA_SOURCES

    assert sorted(USED_TYPES - set(REGISTRY)) == []
    assert sorted(USED_CALLS - set(DATA_SOURCES)) == []


def test_a_damaged_lock_still_refuses_the_deploy_naming_what_can_be_read() -> None:
    # given a lock object whose body is not a JSON object, and one whose pid is not a number
    with mock_aws():
        s3 = boto3.client("s3", region_name="eu-north-1")
        s3.create_bucket(
            Bucket="sesha-backend-pulumi-local",
            CreateBucketConfiguration={"LocationConstraint": "eu-north-1"},
        )
        backend = StateBackend(s3, "sesha-backend-pulumi-local", "sesha-pulumi", "local")
        s3.put_object(Bucket=backend.bucket, Key=f"{backend.lock_prefix}a.json", Body=b"[1, 2]")
        s3.put_object(
            Bucket=backend.bucket,
            Key=f"{backend.lock_prefix}b.json",
            Body=json.dumps({"pid": "twelve", "username": "ci", "hostname": "runner"}).encode(),
        )

        # when a deploy asks for the lock, then it is refused and both locks are reported
        locks = backend.locks()
        with pytest.raises(LockHeld, match="is locked by"):
            backend.acquire_lock()

    assert sorted((lock.pid, lock.username) for lock in locks) == [(None, "?"), (None, "ci")]
