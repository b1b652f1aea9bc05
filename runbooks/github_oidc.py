"""02 github-oidc: GitHub Actions' OIDC identity provider and the ``github-actions`` role it may assume.

Trust-policy rules, each from a real failure:

- ``aud`` goes under ``StringEquals``; ``sub`` patterns go under ``StringLike`` only. A wildcard under
  ``StringEquals`` is compared literally and never matches; an exact subject under ``StringEquals`` plus
  a wildcard under ``StringLike`` in one statement are ANDed, so no token satisfies both.
- the repository is written with the casing GitHub puts in the token (``StringLike`` is case-sensitive);
  a differently cased duplicate of a given repository is replaced, exact duplicates are dropped.
- GitHub's immutable subject format (``repo:owner@<id>/repo@<id>:…``) is available as an option.
- the policy is validated (structure, conditions, size) before it is written; if validation or the
  write fails, the role keeps its original policy.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

PROVIDER_HOST = "token.actions.githubusercontent.com"
PROVIDER_URL = f"https://{PROVIDER_HOST}"
AUDIENCE = "sts.amazonaws.com"
AUD_KEY = f"{PROVIDER_HOST}:aud"
SUB_KEY = f"{PROVIDER_HOST}:sub"
# Thumbprints of GitHub's OIDC certificate chains (AWS no longer checks them for this provider, but the
# API still records them).
THUMBPRINTS = ["6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"]
ROLE_NAME = "github-actions"
# IAM's default quota on a role trust policy (characters, whitespace excluded); raisable to 4096.
TRUST_POLICY_MAX_CHARS = 2048
_REPOSITORY = re.compile(r"^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$")
_SUBJECT = re.compile(r"^repo:([^/:@]+)(@\d+)?/([^/:@]+)(@\d+)?:.+$")


class TrustPolicyError(ValueError):
    """The trust policy would not work as intended; it was not written."""


@dataclass(frozen=True)
class Repository:
    """A GitHub repository as GitHub spells it, with its immutable ids when known."""

    full_name: str  # "Owner/Repo", casing as GitHub reports it
    owner_id: int | None = None
    repo_id: int | None = None

    def __post_init__(self) -> None:
        if not _REPOSITORY.match(self.full_name):
            raise TrustPolicyError(f"repository {self.full_name!r} must be 'Owner/Repo' as GitHub shows it")
        if (self.owner_id is None) != (self.repo_id is None):
            raise TrustPolicyError("the immutable subject format needs both owner_id and repo_id")

    def subject(self, suffix: str = "*") -> str:
        """The ``sub`` pattern for this repository (``repo:Owner/Repo:*`` or its immutable form)."""
        owner, repo = self.full_name.split("/")
        if self.owner_id is not None:
            return f"repo:{owner}@{self.owner_id}/{repo}@{self.repo_id}:{suffix}"
        return f"repo:{owner}/{repo}:{suffix}"


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _subject_identity(subject: str) -> tuple[str, ...]:
    """A subject with its repository part lower-cased: equal identities differ only in casing."""
    parts = subject.split(":", 2)
    return (parts[0], parts[1].lower(), *parts[2:]) if len(parts) == 3 else (subject,)


def dedupe_subjects(existing: list[str], added: list[str]) -> list[str]:
    """``existing`` then ``added``, exact duplicates dropped; an added subject replaces an existing one
    that differs only in the repository's casing (the added one carries GitHub's casing)."""
    added_ids = {_subject_identity(s): s for s in added}
    kept = [s for s in existing if _subject_identity(s) not in added_ids or s in added]
    result: list[str] = []
    for subject in [*kept, *added]:
        if subject not in result:
            result.append(subject)
    return result


def _is_ours(statement: dict[str, Any], provider_arn: str) -> bool:
    return (
        statement.get("Effect") == "Allow"
        and statement.get("Principal", {}).get("Federated") == provider_arn
        and "sts:AssumeRoleWithWebIdentity" in _as_list(statement.get("Action"))
    )


def _statement(provider_arn: str, subjects: list[str], audience: str) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": {"Federated": provider_arn},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {AUD_KEY: audience},
            "StringLike": {SUB_KEY: subjects},
        },
    }


def trust_policy(
    provider_arn: str, subjects: list[str], existing: dict[str, Any] | None = None, audience: str = AUDIENCE
) -> dict[str, Any]:
    """The role's trust policy: ``existing`` with its GitHub statements folded into one that allows
    every previous subject plus ``subjects``; other statements are kept as they are."""
    statements = list((existing or {}).get("Statement", []))
    if isinstance(statements, dict):
        statements = [statements]
    previous: list[str] = []
    others = []
    for statement in statements:
        if not _is_ours(statement, provider_arn):
            others.append(statement)
            continue
        for operator in ("StringEquals", "StringLike"):
            previous += _as_list(statement.get("Condition", {}).get(operator, {}).get(SUB_KEY))
    merged = dedupe_subjects(previous, subjects)
    return {"Version": "2012-10-17", "Statement": [*others, _statement(provider_arn, merged, audience)]}


def validate(policy: dict[str, Any], provider_arn: str, max_chars: int = TRUST_POLICY_MAX_CHARS) -> None:
    """Refuse a trust policy that could not work or that IAM would reject for size."""
    ours = [s for s in policy.get("Statement", []) if _is_ours(s, provider_arn)]
    if not ours:
        raise TrustPolicyError(f"no statement lets {provider_arn} assume the role")
    for statement in ours:
        condition = statement.get("Condition", {})
        if SUB_KEY in condition.get("StringEquals", {}):
            raise TrustPolicyError(
                f"{SUB_KEY} under StringEquals: a wildcard there never matches, and next to StringLike "
                "the two are ANDed; put every subject under StringLike"
            )
        if not _as_list(condition.get("StringEquals", {}).get(AUD_KEY)):
            raise TrustPolicyError(f"{AUD_KEY} must be required under StringEquals (audience {AUDIENCE})")
        subjects = _as_list(condition.get("StringLike", {}).get(SUB_KEY))
        if not subjects:
            raise TrustPolicyError("no subject pattern: the role would trust every GitHub repository")
        bad = [s for s in subjects if not _SUBJECT.match(s)]
        if bad:
            raise TrustPolicyError(f"subject(s) {bad} are not repo:Owner/Repo:… patterns")
        if len(subjects) != len(set(subjects)):
            raise TrustPolicyError("duplicate subject patterns")
    size = len(re.sub(r"\s", "", json.dumps(policy)))
    if size > max_chars:
        raise TrustPolicyError(
            f"trust policy is {size} characters, over IAM's limit of {max_chars}: remove repositories "
            "that no longer deploy, or ask AWS to raise the 'Role trust policy length' quota"
        )


@dataclass(frozen=True)
class ProviderResult:
    arn: str
    created: bool = False
    audience_added: bool = False


def find_provider(iam: Any, host: str = PROVIDER_HOST) -> str | None:
    for provider in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]:
        if provider["Arn"].endswith(f":oidc-provider/{host}"):
            return provider["Arn"]
    return None


def ensure_provider(iam: Any, audience: str = AUDIENCE, *, dry_run: bool = False) -> ProviderResult:
    """Reuse GitHub's OIDC provider when the account has one (adding ``audience`` if missing), else create it.

    ``dry_run``: change nothing; a provider that would be created gets the ARN it would have."""
    arn = find_provider(iam)
    if arn is None and dry_run:
        return ProviderResult(f"arn:aws:iam::<account>:oidc-provider/{PROVIDER_HOST}", created=True)
    if arn is None:
        try:
            arn = iam.create_open_id_connect_provider(
                Url=PROVIDER_URL, ClientIDList=[audience], ThumbprintList=THUMBPRINTS
            )["OpenIDConnectProviderArn"]
            return ProviderResult(arn, created=True)
        except ClientError as exc:
            # Created meanwhile (another run, or the console): use it.
            if exc.response["Error"]["Code"] != "EntityAlreadyExists":
                raise
            arn = find_provider(iam)
            if arn is None:
                raise
    audiences = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ClientIDList"]
    if audience in audiences:
        return ProviderResult(arn)
    if dry_run:
        return ProviderResult(arn, audience_added=True)
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID=audience)
    return ProviderResult(arn, audience_added=True)


@dataclass(frozen=True)
class RoleResult:
    arn: str
    policy: dict[str, Any]
    created: bool = False
    policy_changed: bool = False
    attached: list[str] = field(default_factory=list)


def _current_policy(iam: Any, role_name: str) -> tuple[str, dict[str, Any]] | None:
    try:
        role = iam.get_role(RoleName=role_name)["Role"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "NoSuchEntity":
            return None
        raise
    document = role["AssumeRolePolicyDocument"]
    # boto3 decodes the URL-encoded document into a dict; be tolerant of a string all the same.
    return role["Arn"], json.loads(document) if isinstance(document, str) else document


def _attach(iam: Any, role_name: str, policy_arns: list[str]) -> list[str]:
    attached = {
        p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]
    }
    added = [arn for arn in policy_arns if arn not in attached]
    for arn in added:
        iam.attach_role_policy(RoleName=role_name, PolicyArn=arn)
    return added


# IAM's own rules (the emulator does not check them, AWS refuses them only when the role is written).
_ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}")
_POLICY_ARN = re.compile(r"arn:aws[a-z-]*:iam::(aws|\d{12}):policy/[\w+=,.@/-]{1,128}")


def check_role_settings(role_name: Any, policy_arns: Any) -> None:
    """A TrustPolicyError unless the role name and the policy ARNs are ones IAM accepts."""
    if not isinstance(role_name, str) or not _ROLE_NAME.fullmatch(role_name):
        raise TrustPolicyError(
            f"role name {role_name!r} is not one IAM accepts: 1 to 64 letters, digits or +=,.@_- "
            f"(the deploy workflow assumes {ROLE_NAME!r})"
        )
    if not isinstance(policy_arns, list | tuple):
        raise TrustPolicyError(f"policy_arns must be a list of policy ARNs, got {policy_arns!r}")
    bad = [arn for arn in policy_arns if not isinstance(arn, str) or not _POLICY_ARN.fullmatch(arn)]
    if bad:
        raise TrustPolicyError(
            f"not IAM policy ARNs: {bad}; e.g. 'arn:aws:iam::aws:policy/AdministratorAccess'"
        )


def ensure_role(
    iam: Any,
    provider_arn: str,
    subjects: list[str],
    policy_arns: list[str],
    role_name: str = ROLE_NAME,
    max_chars: int = TRUST_POLICY_MAX_CHARS,
    *,
    dry_run: bool = False,
) -> RoleResult:
    """Create the role trusting ``subjects``, or fold ``subjects`` into its existing trust policy.

    ``dry_run``: validate and return the policy that would be written, change nothing."""
    check_role_settings(role_name, policy_arns)
    current = _current_policy(iam, role_name)
    policy = trust_policy(provider_arn, subjects, current[1] if current else None)
    validate(policy, provider_arn, max_chars)
    if dry_run:
        return RoleResult(
            current[0] if current else "", policy, current is None, current is None or policy != current[1]
        )
    if current is None:
        arn = iam.create_role(
            RoleName=role_name,
            AssumeRolePolicyDocument=json.dumps(policy),
            Description="Assumed by GitHub Actions through OIDC to deploy sesha-backend",
            MaxSessionDuration=3600,
        )["Role"]["Arn"]
        return RoleResult(
            arn, policy, created=True, policy_changed=True, attached=_attach(iam, role_name, policy_arns)
        )
    arn, existing = current
    changed = policy != existing
    if changed:
        iam.update_assume_role_policy(RoleName=role_name, PolicyDocument=json.dumps(policy))
    return RoleResult(arn, policy, policy_changed=changed, attached=_attach(iam, role_name, policy_arns))


def read_trust_policy(iam: Any, role_name: str = ROLE_NAME) -> dict[str, Any]:
    current = _current_policy(iam, role_name)
    if current is None:
        raise TrustPolicyError(f"role {role_name!r} does not exist: run the steps above first")
    return current[1]
