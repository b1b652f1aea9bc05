"""The local resource provider: a Pulumi ``Mocks`` that creates, updates or keeps each resource the
program registers, against the stack's previous state, and answers the program's data-source calls.

``new_resource`` is called from the mock runtime's worker threads, several at once; every shared
structure here is guarded by one lock, and boto3 clients are per thread (``CloudContext.client``).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from pulumi.runtime import mocks, rpc

from localcloud.deploy import archives, invokes
from localcloud.deploy.context import CloudContext
from localcloud.deploy.handlers import NeedsReplacement, handler_for

Record = dict[str, Any]
Emit = Callable[[dict[str, Any]], None]

_request = threading.local()


class ResourceFailed(RuntimeError):
    """Creating, updating or replacing one resource failed; the message names it."""


def _contains_secret(value: Any) -> bool:
    if rpc.is_rpc_secret(value):
        return True
    if isinstance(value, dict):
        return any(_contains_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_secret(v) for v in value)
    return False


def _reveal(value: Any) -> Any:
    if rpc.is_rpc_secret(value):
        return _reveal(value["value"])
    if isinstance(value, dict):
        return {k: _reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_reveal(v) for v in value]
    return value


def split_secrets(inputs: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Inputs with secrets unwrapped (the mock runtime hands them over wrapped, the cloud needs the
    values), and the top-level inputs that held one (sealed in the checkpoint)."""
    return _reveal(inputs), sorted(k for k, v in inputs.items() if _contains_secret(v))


class RecordingMonitor(mocks.MockMonitor):
    """The SDK's mock monitor, remembering each registration's parent, dependencies and options (which
    ``MockResourceArgs`` does not carry) for the provider on the same thread."""

    def RegisterResource(self, request: Any) -> Any:
        _request.current = request
        try:
            return super().RegisterResource(request)
        finally:
            _request.current = None

    def ReadResource(self, request: Any) -> Any:
        _request.current = request
        try:
            return super().ReadResource(request)
        finally:
            _request.current = None


def serializable(value: Any) -> Any:
    """Inputs as JSON: assets become their fingerprint (kind, path, content hash)."""
    if archives.is_asset(value):
        return {"@asset": archives.fingerprint(value)}
    if isinstance(value, dict):
        return {k: serializable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [serializable(v) for v in value]
    return value


def integral(value: Any) -> Any:
    """Numbers cross the mock runtime as floats (protobuf Struct); AWS wants ints where they are whole."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [integral(v) for v in value]
    return value


def inputs_hash(serialized_inputs: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(serialized_inputs, sort_keys=True, default=str).encode()).hexdigest()


def auto_name(logical: str, max_len: int, lowercase: bool) -> str:
    """Pulumi's auto-naming: the logical name, '-', 7 random hex characters (trimmed to fit)."""
    suffix = secrets.token_hex(4)[:7]
    base = logical.lower() if lowercase else logical
    return f"{base[: max_len - 8]}-{suffix}"


def _options(request: Any) -> dict[str, Any]:
    """The resource options that change what the engine does, as the checkpoint records them."""
    if request is None or not hasattr(request, "protect"):
        return {}
    options: dict[str, Any] = {}
    if request.protect:
        options["protect"] = True
    if getattr(request, "retainOnDelete", False):
        options["retainOnDelete"] = True
    if getattr(request, "deleteBeforeReplace", False):
        options["deleteBeforeReplace"] = True
    for key in ("ignoreChanges", "replaceOnChanges"):
        if list(getattr(request, key, []) or []):
            options[key] = sorted(getattr(request, key))
    return options


class ProtectedResource(RuntimeError):
    def __init__(self, record: Record, action: str) -> None:
        super().__init__(
            f"{record['type']} {record['urn'].rsplit('::', 1)[-1]!r} is protected and cannot be {action}: "
            "set protect=False in the program (or the stack's deletionProtection config), deploy, then retry"
        )


def check_deletable(record: Record, action: str = "deleted") -> None:
    if record.get("protect"):
        raise ProtectedResource(record, action)


class LocalProvider(mocks.Mocks):
    """Converges each registered resource with the previous state ``prior`` (records by URN)."""

    def __init__(
        self,
        ctx: CloudContext,
        project: str,
        stack: str,
        prior: dict[str, Record],
        emit: Emit,
        *,
        dry_run: bool = False,
    ):
        self.ctx = ctx
        self.project = project
        self.stack = stack
        self.prior = prior
        self.emit = emit
        self.dry_run = dry_run
        self.seen: dict[str, Record] = {}
        self.replaced: list[Record] = []  # old halves of create-before-delete replacements
        self._lock = threading.Lock()

    # -- data sources -------------------------------------------------------------------------
    def call(self, args: mocks.MockCallArgs) -> tuple[dict, list]:
        return invokes.call(self.ctx, args.token, split_secrets(integral(args.args))[0]), []

    # -- resources ----------------------------------------------------------------------------
    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict]:
        args.inputs, secret_inputs = split_secrets(integral(args.inputs))
        request = getattr(_request, "current", None)
        parent = getattr(request, "parent", "") or ""
        urn = self._urn(parent, args.typ, args.name)
        base: Record = {
            "urn": urn,
            "type": args.typ,
            "custom": bool(args.custom) or args.typ.startswith("pulumi:providers:"),
            "parent": parent,
            "dependencies": sorted(set(getattr(request, "dependencies", []) or [])),
            **_options(request),
        }
        if secret_inputs:
            base["secretKeys"] = secret_inputs
        if not base["custom"]:
            return self._component(base, args.inputs)
        if args.typ.startswith("pulumi:providers:"):
            return self._provider_resource(base, args.inputs)
        if args.resource_id:
            return self._read(base, args)
        handler = handler_for(base["type"])  # UnsupportedResourceType names the type
        try:
            started = time.monotonic()
            _request.started = started
            return self._converge(base, handler, args.name, args.inputs)
        except Exception as exc:
            raise ResourceFailed(f"{base['type']} {args.name!r}: {type(exc).__name__}: {exc}") from exc

    def _urn(self, parent: str, typ: str, name: str) -> str:
        # The same rule as the SDK's MockMonitor.make_urn.
        if parent:
            typ = parent.split("::")[2].split("$")[-1] + "$" + typ
        return f"urn:pulumi:{self.stack}::{self.project}::{typ}::{name}"

    def _component(self, base: Record, inputs: dict) -> tuple[str, dict]:
        record = {**base, "inputs": serializable(inputs), "outputs": {}}
        self._remember(record, "same" if base["urn"] in self.prior else "create", quiet=True)
        return "", {}

    def _provider_resource(self, base: Record, inputs: dict) -> tuple[str, dict]:
        previous = self.prior.get(base["urn"])
        rid = previous["id"] if previous else secrets.token_hex(16)
        record = {**base, "id": rid, "inputs": serializable(inputs), "outputs": serializable(inputs)}
        self._remember(record, "same" if previous else "create", quiet=True)
        return rid, dict(inputs)

    def _read(self, base: Record, args: mocks.MockResourceArgs) -> tuple[str, dict]:
        # ``Resource.get``: the program reads an existing resource; nothing is created or managed.
        return args.resource_id, {**args.inputs, "id": args.resource_id}

    def _converge(self, base: Record, handler: Any, logical: str, inputs: dict) -> tuple[str, dict]:
        previous = self.prior.get(base["urn"])
        if previous and base.get("ignoreChanges"):
            # ignore_changes: the properties keep the values the resource was last deployed with.
            for key in base["ignoreChanges"]:
                top = key.split(".")[0].split("[")[0]
                if top in previous["inputs"] and not archives.is_asset(inputs.get(top)):
                    inputs = {**inputs, top: previous["inputs"][top]}
        ser_inputs = serializable(inputs)
        digest = inputs_hash(ser_inputs)
        name = self._physical_name(handler, logical, inputs, previous)
        meta = {"inputsHash": digest, "name": name}

        if previous and previous.get("localcloud", {}).get("inputsHash") == digest and previous.get("id"):
            record = {**base, **{k: previous[k] for k in ("id", "inputs", "outputs")}, "localcloud": meta}
            self._remember(record, "same")
            return record["id"], self._state(inputs, previous["outputs"])

        if self.dry_run:
            op = "update" if previous else "create"
            outputs = previous["outputs"] if previous else {}
            record = {
                **base,
                "id": previous.get("id") if previous else "",
                "inputs": ser_inputs,
                "outputs": outputs,
                "localcloud": meta,
            }
            self._remember(record, op)
            return record["id"] or f"{logical}-preview", self._state(inputs, outputs)

        changed: set[str] = set()
        if previous and previous.get("id"):
            changed = {
                k
                for k in set(ser_inputs) | set(previous["inputs"])
                if ser_inputs.get(k) != previous["inputs"].get(k)
            }
            try:
                if changed & (handler.replace_on | set(base.get("replaceOnChanges", []))) or (
                    handler.name_input and previous.get("localcloud", {}).get("name") != name
                ):
                    raise NeedsReplacement(", ".join(sorted(changed)))
                computed = handler.update(
                    self.ctx, previous["id"], inputs, previous["outputs"], changed, name
                )
                rid, op = previous["id"], "update"
            except NeedsReplacement:
                rid, computed, name = self._replace(handler, previous, inputs, logical, name)
                meta["name"] = name
                op = "replace"
        else:
            rid, computed = handler.create(self.ctx, inputs, name)
            op = "create"

        outputs = {**ser_inputs, **computed, "id": rid}
        if handler.name_input and name is not None:
            outputs.setdefault(handler.name_input, name)
        record = {**base, "id": rid, "inputs": ser_inputs, "outputs": outputs, "localcloud": meta}
        self._remember(record, op, changed=sorted(changed) if previous else None)
        return rid, self._state(inputs, outputs)

    def _replace(
        self, handler: Any, previous: Record, inputs: dict, logical: str, name: str | None
    ) -> tuple[str, dict, str | None]:
        """Create the new resource, then let the old one go (deleted at the end of the deploy, once
        nothing refers to it), as Pulumi does; an explicit unchanged name forces delete-first."""
        check_deletable(previous, "replaced")
        explicit = bool(handler.name_input and inputs.get(handler.name_input))
        same_name = explicit and name == previous.get("localcloud", {}).get("name")
        if same_name or previous.get("deleteBeforeReplace"):
            if not previous.get("retainOnDelete"):
                handler.delete(self.ctx, previous["id"], previous["inputs"], previous["outputs"])
        else:
            if handler.name_input and not explicit:
                name = auto_name(logical, handler.name_max, handler.name_lowercase)
            with self._lock:
                self.replaced.append(previous)
        rid, computed = handler.create(self.ctx, inputs, name)
        return rid, computed, name

    def _physical_name(self, handler: Any, logical: str, inputs: dict, previous: Record | None) -> str | None:
        if not handler.name_input:
            return None
        if inputs.get(handler.name_input):
            return str(inputs[handler.name_input])
        if (
            previous
            and previous.get("localcloud", {}).get("name")
            and not (previous["inputs"].get(handler.name_input))
        ):
            return previous["localcloud"]["name"]
        return auto_name(logical, handler.name_max, handler.name_lowercase)

    @staticmethod
    def _state(inputs: dict, outputs: dict) -> dict:
        """What the program sees: the stored outputs with the live inputs echoed (assets included)."""
        state = dict(outputs)
        for key, value in inputs.items():
            if (
                key not in state
                or archives.is_asset(value)
                or (isinstance(state[key], dict) and ("@asset" in state[key]))
            ):
                state[key] = value
        return state

    def _remember(
        self, record: Record, op: str, *, quiet: bool = False, changed: list[str] | None = None
    ) -> None:
        with self._lock:
            self.seen[record["urn"]] = record
        started = getattr(_request, "started", None)
        self.emit(
            {
                "event": "resource",
                "op": op,
                "urn": record["urn"],
                "type": record["type"],
                "record": record,
                "quiet": quiet,
                "changed": changed,
                "seconds": round(time.monotonic() - started, 3) if started and not quiet else None,
            }
        )
