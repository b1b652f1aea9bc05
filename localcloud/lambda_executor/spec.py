"""What an execution environment is made of: a function version's code, layers and configuration, read
from moto's model. Its fingerprint decides whether a warm worker may serve an invoke."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FunctionSpec:
    account_id: str
    region: str
    name: str
    version: str
    arn: str
    handler: str
    runtime: str
    timeout_s: float
    memory_mb: int
    environment: dict[str, str]
    code_sha256: str
    layer_arns: tuple[str, ...]
    log_group: str
    # The moto object's identity: a function deleted and created again gets fresh environments even
    # when its code and configuration are the same.
    model_id: int
    fingerprint: str = field(init=False)

    def __post_init__(self) -> None:
        parts = [
            self.model_id,
            self.handler,
            self.runtime,
            self.timeout_s,
            self.memory_mb,
            sorted(self.environment.items()),
            self.code_sha256,
            self.layer_arns,
        ]
        digest = hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()
        object.__setattr__(self, "fingerprint", digest)

    @property
    def pool_key(self) -> tuple[str, str, str, str]:
        return (self.account_id, self.region, self.name, self.version)

    @classmethod
    def from_moto(cls, fn: Any) -> FunctionSpec:
        """Read a ``moto.awslambda.models.LambdaFunction``."""
        return cls(
            account_id=fn.account_id,
            region=fn.region,
            name=fn.function_name,
            version=str(fn.version),
            arn=fn.function_arn,
            handler=fn.handler or "",
            runtime=fn.run_time or "",
            timeout_s=float(fn.timeout),
            memory_mb=int(fn.memory_size),
            environment={str(k): str(v) for k, v in (fn.environment_vars or {}).items()},
            code_sha256=getattr(fn, "code_sha_256", "") or "",
            layer_arns=tuple(layer["Arn"] for layer in fn.layers),
            log_group=fn.logs_group_name,
            model_id=id(fn),
        )
