"""02 github-oidc: provider reuse, role creation or trust-policy append, and the trust rules."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.stub import Stubber

from runbooks import github_oidc as oidc

ADMIN = "arn:aws:iam::123456789012:policy/deploy-sesha-backend"  # created by the `iam` fixture below
PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
REPO = oidc.Repository("SeshaNews/sesha-backend")


@pytest.fixture
def iam(iam: Any) -> Any:
    """IAM with the deploy policy the role is given (a customer-managed one: loading AWS's managed
    policies into moto costs seconds per test)."""
    iam.create_policy(
        PolicyName="deploy-sesha-backend",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        ),
    )
    return iam


def subjects_of(policy: dict[str, Any]) -> list[str]:
    (ours,) = [
        s
        for s in policy["Statement"]
        if s.get("Principal", {}).get("Federated", "").endswith("githubusercontent.com")
    ]
    return ours["Condition"]["StringLike"][oidc.SUB_KEY]


def test_provider_is_created_once_then_reused(iam: Any) -> None:
    first = oidc.ensure_provider(iam)
    second = oidc.ensure_provider(iam)
    assert first.created and not second.created and second.arn == first.arn
    assert len(iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]) == 1
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=first.arn)
    assert got["ClientIDList"] == ["sts.amazonaws.com"]


def test_existing_provider_gets_the_audience_added(iam: Any) -> None:
    # moto lacks AddClientIDToOpenIDConnectProvider: the request shapes are checked with a Stubber
    stubber = Stubber(iam)
    stubber.add_response("list_open_id_connect_providers", {"OpenIDConnectProviderList": [{"Arn": PROVIDER}]})
    stubber.add_response(
        "get_open_id_connect_provider",
        {"ClientIDList": ["sigstore"], "ThumbprintList": oidc.THUMBPRINTS, "Url": oidc.PROVIDER_HOST},
        {"OpenIDConnectProviderArn": PROVIDER},
    )
    stubber.add_response(
        "add_client_id_to_open_id_connect_provider",
        {},
        {"OpenIDConnectProviderArn": PROVIDER, "ClientID": "sts.amazonaws.com"},
    )
    with stubber:
        result = oidc.ensure_provider(iam)
    stubber.assert_no_pending_responses()
    assert result == oidc.ProviderResult(PROVIDER, created=False, audience_added=True)


def test_entity_already_exists_on_create_falls_back_to_the_existing_provider(iam: Any) -> None:
    # the real case: list showed nothing (another run was creating it), create said EntityAlreadyExists
    stubber = Stubber(iam)
    stubber.add_response("list_open_id_connect_providers", {"OpenIDConnectProviderList": []})
    stubber.add_client_error(
        "create_open_id_connect_provider",
        service_error_code="EntityAlreadyExists",
        http_status_code=409,
        expected_params={
            "Url": "https://token.actions.githubusercontent.com",
            "ClientIDList": ["sts.amazonaws.com"],
            "ThumbprintList": oidc.THUMBPRINTS,
        },
    )
    stubber.add_response("list_open_id_connect_providers", {"OpenIDConnectProviderList": [{"Arn": PROVIDER}]})
    stubber.add_response(
        "get_open_id_connect_provider",
        {
            "ClientIDList": ["sts.amazonaws.com"],
            "ThumbprintList": oidc.THUMBPRINTS,
            "Url": oidc.PROVIDER_HOST,
        },
        {"OpenIDConnectProviderArn": PROVIDER},
    )
    with stubber:
        result = oidc.ensure_provider(iam)
    stubber.assert_no_pending_responses()
    assert result == oidc.ProviderResult(PROVIDER)


def test_new_role_trusts_the_repository_with_aud_equals_and_sub_like(iam: Any) -> None:
    provider = oidc.ensure_provider(iam).arn
    result = oidc.ensure_role(iam, provider, [REPO.subject()], [ADMIN])
    assert result.created and result.attached == [ADMIN]
    stored = oidc.read_trust_policy(iam)
    (statement,) = stored["Statement"]
    assert statement["Principal"] == {"Federated": provider}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"] == {
        "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
        "StringLike": {"token.actions.githubusercontent.com:sub": ["repo:SeshaNews/sesha-backend:*"]},
    }
    attached = iam.list_attached_role_policies(RoleName="github-actions")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [ADMIN]


def test_second_run_changes_nothing(iam: Any) -> None:
    provider = oidc.ensure_provider(iam).arn
    oidc.ensure_role(iam, provider, [REPO.subject()], [ADMIN])
    again = oidc.ensure_role(iam, provider, [REPO.subject()], [ADMIN])
    assert not again.created and not again.policy_changed and again.attached == []


def test_existing_role_gets_the_repository_appended_and_other_statements_kept(iam: Any) -> None:
    provider = oidc.ensure_provider(iam).arn
    other = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    first = oidc.trust_policy(provider, ["repo:SeshaNews/website:*"])
    first["Statement"].insert(0, other)
    iam.create_role(RoleName="github-actions", AssumeRolePolicyDocument=json.dumps(first))
    result = oidc.ensure_role(iam, provider, [REPO.subject()], [])
    stored = oidc.read_trust_policy(iam)
    assert result.policy_changed and stored["Statement"][0] == other
    assert subjects_of(stored) == ["repo:SeshaNews/website:*", "repo:SeshaNews/sesha-backend:*"]


def test_wildcard_under_string_equals_is_moved_to_string_like() -> None:
    # the real case: StringEquals "repo:Org/Repo:*" compared literally, no token ever matched
    existing = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": PROVIDER},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        oidc.AUD_KEY: "sts.amazonaws.com",
                        oidc.SUB_KEY: "repo:SeshaNews/website:*",
                    }
                },
            }
        ]
    }
    policy = oidc.trust_policy(PROVIDER, [REPO.subject()], existing)
    (statement,) = policy["Statement"]
    assert statement["Condition"]["StringEquals"] == {oidc.AUD_KEY: "sts.amazonaws.com"}
    assert subjects_of(policy) == ["repo:SeshaNews/website:*", "repo:SeshaNews/sesha-backend:*"]
    oidc.validate(policy, PROVIDER)


def test_exact_and_wildcard_subjects_in_one_statement_are_merged_into_one_string_like() -> None:
    # the real case: StringEquals sub (exact) AND StringLike sub (wildcard) in one statement — ANDed, unusable
    existing = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": PROVIDER},
                "Action": ["sts:AssumeRoleWithWebIdentity"],
                "Condition": {
                    "StringEquals": {
                        oidc.AUD_KEY: "sts.amazonaws.com",
                        oidc.SUB_KEY: "repo:SeshaNews/sesha-backend:ref:refs/heads/dev",
                    },
                    "StringLike": {oidc.SUB_KEY: "repo:SeshaNews/sesha-backend:*"},
                },
            }
        ]
    }
    with pytest.raises(oidc.TrustPolicyError, match="ANDed"):
        oidc.validate(existing, PROVIDER)
    policy = oidc.trust_policy(PROVIDER, [REPO.subject()], existing)
    assert subjects_of(policy) == [
        "repo:SeshaNews/sesha-backend:ref:refs/heads/dev",
        "repo:SeshaNews/sesha-backend:*",
    ]
    assert oidc.SUB_KEY not in policy["Statement"][0]["Condition"]["StringEquals"]


def test_casing_follows_github_and_duplicates_go() -> None:
    # the real case: the repository typed lower-case never matched GitHub's "SeshaNews/sesha-backend"
    merged = oidc.dedupe_subjects(
        ["repo:seshanews/sesha-backend:*", "repo:SeshaNews/website:*", "repo:SeshaNews/website:*"],
        ["repo:SeshaNews/sesha-backend:*"],
    )
    assert merged == ["repo:SeshaNews/website:*", "repo:SeshaNews/sesha-backend:*"]


def test_immutable_subject_format() -> None:
    repo = oidc.Repository("octocat/my-repo", owner_id=123456, repo_id=456789)
    assert repo.subject() == "repo:octocat@123456/my-repo@456789:*"
    assert repo.subject("ref:refs/heads/main") == "repo:octocat@123456/my-repo@456789:ref:refs/heads/main"
    policy = oidc.trust_policy(PROVIDER, [repo.subject()])
    oidc.validate(policy, PROVIDER)
    # both formats side by side: a repository not yet switched keeps working
    both = oidc.dedupe_subjects(["repo:octocat/my-repo:*"], [repo.subject()])
    assert both == ["repo:octocat/my-repo:*", "repo:octocat@123456/my-repo@456789:*"]
    with pytest.raises(oidc.TrustPolicyError, match="both owner_id and repo_id"):
        oidc.Repository("octocat/my-repo", owner_id=1)


@pytest.mark.parametrize("name", ["sesha-backend", "https://github.com/SeshaNews/sesha-backend", "a/b/c"])
def test_repository_must_be_owner_slash_repo(name: str) -> None:
    with pytest.raises(oidc.TrustPolicyError, match="Owner/Repo"):
        oidc.Repository(name)


def test_validation_failure_leaves_the_original_policy_intact(iam: Any) -> None:
    provider = oidc.ensure_provider(iam).arn
    oidc.ensure_role(iam, provider, [REPO.subject()], [])
    before = oidc.read_trust_policy(iam)
    many = [f"repo:SeshaNews/service-{i:03d}:*" for i in range(80)]
    with pytest.raises(oidc.TrustPolicyError, match="over IAM's limit of 2048"):
        oidc.ensure_role(iam, provider, many, [])
    assert oidc.read_trust_policy(iam) == before


def test_validation_failure_sends_no_write(iam: Any) -> None:
    # request shapes: a policy that fails validation never reaches UpdateAssumeRolePolicy
    document = json.dumps(oidc.trust_policy(PROVIDER, [REPO.subject()]))
    stubber = Stubber(iam)
    stubber.add_response(
        "get_role",
        {
            "Role": {
                "Path": "/",
                "RoleName": "github-actions",
                "RoleId": "AROAEXAMPLEEXAMPLE01",
                "Arn": "arn:aws:iam::123456789012:role/github-actions",
                "CreateDate": "2026-01-01T00:00:00Z",
                "AssumeRolePolicyDocument": document,
            }
        },
        {"RoleName": "github-actions"},
    )
    with stubber, pytest.raises(oidc.TrustPolicyError, match="not repo:Owner/Repo"):
        oidc.ensure_role(iam, PROVIDER, ["SeshaNews/sesha-backend"], [])
    stubber.assert_no_pending_responses()


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"StringLike": {oidc.SUB_KEY: ["repo:A/b:*"]}}, "aud"),
        ({"StringEquals": {oidc.AUD_KEY: "sts.amazonaws.com"}}, "every GitHub repository"),
        (
            {
                "StringEquals": {oidc.AUD_KEY: "sts.amazonaws.com"},
                "StringLike": {oidc.SUB_KEY: ["repo:A/b:*", "repo:A/b:*"]},
            },
            "duplicate",
        ),
    ],
)
def test_validate_refuses_policies_that_do_not_work(condition: dict[str, Any], message: str) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": PROVIDER},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": condition,
            }
        ],
    }
    with pytest.raises(oidc.TrustPolicyError, match=message):
        oidc.validate(policy, PROVIDER)


def test_dry_run_writes_nothing(iam: Any) -> None:
    provider = oidc.ensure_provider(iam, dry_run=True)
    assert provider.created and iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []
    role = oidc.ensure_role(iam, provider.arn, [REPO.subject()], [ADMIN], dry_run=True)
    assert (
        role.created
        and role.policy_changed
        and subjects_of(role.policy) == ["repo:SeshaNews/sesha-backend:*"]
    )
    assert iam.list_roles()["Roles"] == []


@pytest.mark.parametrize(
    ("role_name", "policy_arns", "message"),
    [
        ("bad role!", [ADMIN], "is not one IAM accepts"),
        ("r" * 65, [ADMIN], "is not one IAM accepts"),
        ("", [ADMIN], "is not one IAM accepts"),
        ("github-actions", ["not-an-arn"], "not IAM policy ARNs"),
        ("github-actions", "arn:aws:iam::aws:policy/AdministratorAccess", "must be a list"),
    ],
)
def test_role_name_and_policy_arns_iam_refuses_are_refused_first_even_in_a_dry_run(
    iam: Any, role_name: str, policy_arns: Any, message: str
) -> None:
    provider = oidc.ensure_provider(iam).arn
    for dry_run in (True, False):
        with pytest.raises(oidc.TrustPolicyError, match=message):
            oidc.ensure_role(iam, provider, [REPO.subject()], policy_arns, role_name, dry_run=dry_run)
    assert iam.list_roles()["Roles"] == []
