"""The contract of a resource handler (one per Pulumi resource type) and the table of them.

A handler turns a resource's inputs (camelCase, as the Pulumi mock runtime hands them over) into
calls on the embedded cloud and returns what the AWS provider would output (ids, ARNs, URLs). The
provider (``localcloud.deploy.provider``) decides create / update / replace / delete; handlers only
carry them out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from botocore.exceptions import ClientError

from localcloud.deploy.context import CloudContext

Inputs = dict[str, Any]
Outputs = dict[str, Any]


class NeedsReplacement(Exception):
    """Raised by ``update`` when AWS cannot change the resource in place."""


class UnsupportedResourceType(RuntimeError):
    """The program uses a resource type the local provider does not know."""

    def __init__(self, token: str) -> None:
        super().__init__(
            f"resource type {token!r} is not supported by the local deploy engine "
            "(add a handler in localcloud/deploy/handlers/, or deploy to AWS with target='aws')"
        )
        self.token = token


class ResourceHandler:
    """Create, update and delete one resource type. Subclasses set ``token`` and override methods."""

    token: ClassVar[str]
    # The input that holds the physical name; when the program leaves it out it is auto-generated
    # (logical name + '-' + 7 hex chars, as Pulumi does) and kept in the state for later runs.
    name_input: ClassVar[str | None] = None
    name_max: ClassVar[int] = 255
    name_lowercase: ClassVar[bool] = False
    # Inputs whose change makes AWS create a new resource (the provider replaces without asking).
    replace_on: ClassVar[frozenset[str]] = frozenset()

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        raise NotImplementedError

    def update(
        self,
        ctx: CloudContext,
        rid: str,
        inputs: Inputs,
        outputs: Outputs,
        changed: set[str],
        name: str | None,
    ) -> Outputs:
        """Apply ``changed`` inputs in place; the default is to replace the resource."""
        raise NeedsReplacement(", ".join(sorted(changed)))

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        raise NotImplementedError


REGISTRY: dict[str, ResourceHandler] = {}


def register(cls: type[ResourceHandler]) -> type[ResourceHandler]:
    REGISTRY[cls.token] = cls()
    return cls


def handler_for(token: str) -> ResourceHandler:
    try:
        return REGISTRY[token]
    except KeyError:
        raise UnsupportedResourceType(token) from None


def error_code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


def ignore_missing(call: Any, *args: Any, codes: tuple[str, ...] = (), **kwargs: Any) -> Any:
    """Run a delete-style call; a resource that is already gone is not an error."""
    try:
        return call(*args, **kwargs)
    except ClientError as exc:
        code = error_code(exc)
        if "NotFound" in code or "NoSuch" in code or code in codes:
            return None
        raise


def tag_list(tags: dict[str, str] | None, key: str = "Key", value: str = "Value") -> list[dict[str, str]]:
    return [{key: k, value: v} for k, v in (tags or {}).items()]


def drop_none(**kwargs: Any) -> dict[str, Any]:
    """boto3 keyword arguments without the ones the program left unset."""
    return {k: v for k, v in kwargs.items() if v is not None}


def retag(
    inputs: Inputs,
    outputs: Outputs,
    untag: Callable[[list[str]], Any],
    tag: Callable[[dict[str, str]], Any],
) -> None:
    """Bring a resource's tags from ``outputs`` to ``inputs``: ``untag`` the keys no longer declared
    (sorted), then ``tag`` with the declared ones (AWS overwrites the values of keys it has)."""
    gone = sorted(set(outputs.get("tags") or {}) - set(inputs.get("tags") or {}))
    if gone:
        untag(gone)
    if inputs.get("tags"):
        tag(inputs["tags"])


def tagged(inputs: Inputs) -> Outputs:
    """``tagsAll`` as the provider reports it (no default tags here)."""
    return {"tagsAll": dict(inputs.get("tags") or {})}


def pascal(value: Any, renames: dict[str, str] | None = None) -> Any:
    """camelCase inputs → the PascalCase shapes boto3 takes (``renames`` for the irregular keys)."""
    renames = renames or {}
    if isinstance(value, dict):
        return {
            renames.get(k, k[:1].upper() + k[1:]): pascal(v, renames)
            for k, v in value.items()
            if v is not None
        }
    if isinstance(value, list):
        return [pascal(v, renames) for v in value]
    return value
