"""One way to deploy the program, whatever the target.

``target="local"`` (the default): the embedded cloud, with the local deploy engine (no Pulumi CLI).
``target="aws"``: a real account, with the Pulumi CLI through the Automation API (``infra.automation``).

Command line::

    python -m infra.deploy up       --stack local --target local
    python -m infra.deploy outputs  --stack local
    python -m infra.deploy preview  --stack sesha-backend-dev --target aws
    python -m infra.deploy destroy  --stack local --yes
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Literal

from infra import stack_config

Target = Literal["local", "aws"]
TARGETS = ("local", "aws")


def _check_target(target: str) -> None:
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}: use 'local' (embedded cloud) or 'aws'")


def _check_stack(stack: str, options: dict[str, Any]) -> None:
    """The stack is named as Pulumi allows and, for this repository's program, has its stack file (the
    AWS path checks the same): an unknown stack is refused before anything is locked or run."""
    stack_config.check_stack_name(stack)
    if "program_dir" not in options:
        stack_config.load(stack, must_exist=True)


def deploy(stack: str = "local", target: Target = "local", **options: Any) -> dict[str, Any]:
    """Deploy ``stack`` to ``target`` and return its outputs.

    Local options: ``endpoints``, ``passphrase``, ``state_bucket``, ``progress``, ``program_dir``.
    AWS options: ``on_output``, ``passphrase``, ``sts``.
    """
    _check_target(target)
    _check_stack(stack, options)
    if target == "aws":
        from infra import automation

        return automation.up(stack, **options)
    from localcloud import deploy as local

    return local.deploy(stack, **options).outputs


def outputs(stack: str = "local", target: Target = "local", **options: Any) -> dict[str, Any]:
    """The outputs of the stack's last deploy, without deploying."""
    _check_target(target)
    _check_stack(stack, options)
    if target == "aws":
        from infra import automation

        return automation.outputs(stack, **options)
    from localcloud import deploy as local

    return local.outputs(stack, **options)


def preview(stack: str = "local", target: Target = "local", **options: Any) -> dict[str, int]:
    """What a deploy would change (counts by operation); nothing is changed."""
    _check_target(target)
    _check_stack(stack, options)
    if target == "aws":
        from infra import automation

        return automation.preview(stack, **options)
    from localcloud import deploy as local

    return local.deploy(stack, preview=True, **options).counts


def destroy(stack: str = "local", target: Target = "local", **options: Any) -> None:
    _check_target(target)
    _check_stack(stack, options)
    if target == "aws":
        from infra import automation

        automation.destroy(stack, **options)
        return
    from localcloud import deploy as local

    local.destroy(stack, **options)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.deploy", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("up", "outputs", "preview", "destroy"))
    parser.add_argument("--stack", default="local")
    parser.add_argument("--target", default="local", choices=TARGETS)
    parser.add_argument("--yes", action="store_true", help="confirm destroy")
    args = parser.parse_args(argv)
    try:
        if args.command == "up":
            print(json.dumps(deploy(args.stack, args.target), indent=2))
        elif args.command == "outputs":
            print(json.dumps(outputs(args.stack, args.target), indent=2))
        elif args.command == "preview":
            print(json.dumps(preview(args.stack, args.target)))
        elif not args.yes:
            print(
                f"destroy deletes every resource of stack {args.stack!r}: re-run with --yes to confirm",
                file=sys.stderr,
            )
            return 2
        else:
            destroy(args.stack, args.target)
    except (stack_config.StackConfigError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
