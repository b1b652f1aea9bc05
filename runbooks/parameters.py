"""Checking a notebook's parameters after papermill injected them.

papermill accepts any ``-p name value`` silently, even a name the notebook never reads (a typo such as
``dry-run`` or ``dryrun`` would then run with the default). Each notebook's ``parameters`` cell declares
its parameters with annotations (``dry_run: bool = True``), so the notebook's namespace knows them.
papermill injects its values as a cell starting with ``# Parameters``; :func:`check` runs first in the
next cell, reads the names that cell assigned (from the kernel's input history ``In``) and refuses any
name the notebook does not declare, and any value of the wrong type. Reading only the injected cell
keeps re-running a cell in JupyterLab harmless.
"""

from __future__ import annotations

import ast
import types
from collections.abc import Mapping
from typing import Any, get_args, get_origin

# How papermill's Python translator starts the cell it injects (papermill.translators).
INJECTED_HEADER = "# Parameters"


class ParameterError(ValueError):
    """A parameter the notebook does not declare, or a value of the wrong type."""


def injected_names(history: list[str]) -> set[str]:
    """Names assigned by papermill's injected cells among the executed cell sources ``history``."""
    names: set[str] = set()
    for source in history:
        if not source.lstrip().startswith(INJECTED_HEADER):
            continue
        for node in ast.parse(source).body:
            targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def _matches(value: Any, annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin is None:
        if annotation is float:
            return isinstance(value, int | float) and not isinstance(value, bool)
        if annotation is int:
            return isinstance(value, int) and not isinstance(value, bool)
        return isinstance(value, annotation) if isinstance(annotation, type) else True
    if origin in (types.UnionType,) or str(origin) == "typing.Union":
        return any(_matches(value, arm) for arm in get_args(annotation))
    if isinstance(origin, type):
        return isinstance(value, origin)
    return True


def _hint(name: str, value: Any, annotation: Any) -> str:
    """How to pass the value papermill turned into text (``-p`` parses numbers and True/False only)."""
    if not isinstance(value, str):
        return ""
    if annotation is bool:
        return f" (papermill: -p {name} True or -p {name} False)"
    if get_origin(annotation) in (list, dict) or annotation in (list, dict):
        return f" (papermill's -p passes text: give it as YAML, -y '{name}: {value}')"
    return ""


def check(namespace: Mapping[str, Any]) -> dict[str, Any]:
    """The declared parameters and their values; :class:`ParameterError` for unknown names or bad types."""
    declared: Mapping[str, Any] = namespace.get("__annotations__", {})
    if not declared:
        raise ParameterError("the notebook declares no parameters: its `parameters` cell must annotate them")
    unknown = sorted(injected_names(list(namespace.get("In", []))) - set(declared))
    if unknown:
        raise ParameterError(
            f"unknown parameter(s) {', '.join(unknown)}: this notebook takes {', '.join(declared)} "
            "(check the spelling of the -p names given to papermill)"
        )
    wrong = [
        f"{name} should be {getattr(annotation, '__name__', annotation)}, got {namespace[name]!r}"
        + _hint(name, namespace[name], annotation)
        for name, annotation in declared.items()
        if name in namespace and not _matches(namespace[name], annotation)
    ]
    if wrong:
        raise ParameterError("wrong parameter type: " + "; ".join(wrong))
    return {name: namespace[name] for name in declared if name in namespace}
