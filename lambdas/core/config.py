"""Configuration of a function, read only from the environment variables the Pulumi program sets."""

from __future__ import annotations

import os
from dataclasses import dataclass


class MissingSetting(RuntimeError):
    """An environment variable the function needs is not set."""


def require_env(name: str) -> str:
    """The value of environment variable ``name``; a clear error when it is unset or empty."""
    value = os.environ.get(name, "")
    if not value:
        raise MissingSetting(
            f"environment variable {name} is not set; it is set by the Pulumi program (infra/), "
            "so deploy the stack again or set it in the test"
        )
    return value


def stack_name() -> str:
    """The Pulumi stack this function belongs to (``STACK_NAME``)."""
    return require_env("STACK_NAME")


@dataclass(frozen=True)
class TableNames:
    """The DynamoDB table names, each from its own environment variable."""

    articles: str
    sources: str
    connections: str
    idempotency: str

    @classmethod
    def from_env(cls) -> TableNames:
        return cls(
            articles=require_env("ARTICLES_TABLE"),
            sources=require_env("SOURCES_TABLE"),
            connections=require_env("CONNECTIONS_TABLE"),
            idempotency=require_env("IDEMPOTENCY_TABLE"),
        )
