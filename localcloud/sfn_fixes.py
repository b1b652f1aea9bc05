"""Two fixes to moto's Step Functions, so executions behave as on AWS:

- JSONPath: a definite path (no wildcard, slice, filter, union or recursive descent) yields one value,
  an indefinite one a list. moto 5.2 returns a list for a definite path that indexes an array and then
  selects a field (``$.items[1].name``).
- An execution whose output is a JSON string (``"done"``) is described with that JSON, not with the bare
  text (moto passes a ``str`` output through as if it were already serialised).
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

# Anything that can select more than one node: [*] .* .. [a:b] [?(...)] [1,2]
_INDEFINITE = re.compile(r"\*|\.\.|\[\s*-?\d*\s*:|\[\s*\?|\[[^\]]*,")


def is_indefinite(path: str) -> bool:
    return bool(_INDEFINITE.search(path))


def install() -> None:
    _install_jsonpath()
    _install_string_output()


def _install_jsonpath() -> None:
    from moto.stepfunctions.parser.asl.utils import json_path

    original = json_path.extract_json
    if getattr(original, "_localcloud", False):
        return

    def extract_json(path: str, data: Any) -> Any:
        matches = json_path.parse(path).find(data)
        if is_indefinite(path):
            return [match.value for match in matches]
        if not matches:
            raise json_path.NoSuchJsonPathError(json_path=path, data=data)
        return matches[0].value

    extract_json._localcloud = True  # type: ignore[attr-defined]
    json_path.extract_json = extract_json
    # Modules that imported the function by name before now hold the old one.
    for name, module in list(sys.modules.items()):
        if name.startswith("moto.stepfunctions") and getattr(module, "extract_json", None) is original:
            module.extract_json = extract_json  # type: ignore[attr-defined]


def _install_string_output() -> None:
    from moto.stepfunctions.parser.backend.execution import Execution
    from moto.stepfunctions.responses import StepFunctionResponse

    original = StepFunctionResponse.describe_execution
    if getattr(original, "_localcloud", False):
        return

    def describe_execution(self: Any) -> Any:
        result = original(self)
        execution = self.stepfunction_backend.describe_execution(self._get_param("executionArn"))
        described = result.result
        if isinstance(execution, Execution) and isinstance(execution.output, str) and "output" in described:
            described["output"] = json.dumps(execution.output)
        return result

    describe_execution._localcloud = True  # type: ignore[attr-defined]
    StepFunctionResponse.describe_execution = describe_execution  # type: ignore[method-assign]
