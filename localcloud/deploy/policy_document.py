"""``aws.iam.get_policy_document`` rendered as the AWS provider renders it.

The provider (terraform-provider-aws ``data.aws_iam_policy_document``): Version defaults to
2012-10-17, Effect to Allow; a list of one action/resource/identifier becomes a plain string, longer
lists are sorted in descending order; a principal ``{"*": ["*"]}`` becomes ``"*"``; condition values
keep their order and a single value is flattened; empty members are left out; keys of maps sorted
(Go's encoder). ``json`` is indented by two spaces, ``minifiedJson`` compact, both with Go's HTML
escaping of ``<``, ``>`` and ``&``.
"""

from __future__ import annotations

import json
import zlib
from typing import Any


def _strings(values: list[str] | None) -> str | list[str] | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return sorted(values, reverse=True)


def _principals(blocks: list[dict[str, Any]] | None) -> str | dict[str, Any] | None:
    if not blocks:
        return None
    if len(blocks) == 1 and blocks[0].get("type") == "*" and blocks[0].get("identifiers") == ["*"]:
        return "*"
    merged: dict[str, Any] = {}
    for block in blocks:
        ids = _strings(block.get("identifiers") or [])
        kind = block["type"]
        if kind not in merged:
            merged[kind] = ids
        else:
            previous = merged[kind] if isinstance(merged[kind], list) else [merged[kind]]
            merged[kind] = previous + (ids if isinstance(ids, list) else [ids])
    return dict(sorted(merged.items()))


def _conditions(blocks: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    if not blocks:
        return None
    merged: dict[str, dict[str, list[str]]] = {}
    for block in blocks:
        merged.setdefault(block["test"], {}).setdefault(block["variable"], []).extend(
            block.get("values") or []
        )
    return {
        test: {var: (vals[0] if len(vals) == 1 else vals) for var, vals in sorted(variables.items())}
        for test, variables in sorted(merged.items())
    }


def _statement(raw: dict[str, Any]) -> dict[str, Any]:
    statement = {
        "Sid": raw.get("sid") or None,
        "Effect": raw.get("effect") or "Allow",
        "Action": _strings(raw.get("actions")),
        "NotAction": _strings(raw.get("notActions")),
        "Resource": _strings(raw.get("resources")),
        "NotResource": _strings(raw.get("notResources")),
        "Principal": _principals(raw.get("principals")),
        "NotPrincipal": _principals(raw.get("notPrincipals")),
        "Condition": _conditions(raw.get("conditions")),
    }
    return {k: v for k, v in statement.items() if v is not None}


def _go_escape(text: str) -> str:
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(args: dict[str, Any]) -> dict[str, Any]:
    """The data source's result for its (camelCase) arguments."""
    for unsupported in ("sourcePolicyDocuments", "overridePolicyDocuments"):
        if args.get(unsupported):
            raise ValueError(f"get_policy_document: {unsupported} is not supported by the local provider")
    document: dict[str, Any] = {"Version": args.get("version") or "2012-10-17"}
    if args.get("policyId"):
        document["Id"] = args["policyId"]
    statements = [_statement(s) for s in args.get("statements") or []]
    if statements:
        document["Statement"] = statements
    pretty = _go_escape(json.dumps(document, indent=2, ensure_ascii=False))
    compact = _go_escape(json.dumps(document, separators=(",", ":"), ensure_ascii=False))
    return {**args, "id": str(zlib.crc32(pretty.encode())), "json": pretty, "minifiedJson": compact}
