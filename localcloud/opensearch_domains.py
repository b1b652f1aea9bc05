"""OpenSearch domains created in the emulator report the in-memory server as their endpoint, so code
only ever reads the domain's endpoint, on AWS and here alike."""

from __future__ import annotations

from typing import Any


def install(opensearch_url: str) -> None:
    from moto.opensearch import models

    original_init = models.OpenSearchDomain.__init__
    if getattr(original_init, "_localcloud", False):
        return

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        if self.endpoints is not None:  # a VPC domain reports endpoints["vpc"] instead
            self.endpoints = {"vpc": opensearch_url}
        else:
            self.endpoint = opensearch_url

    init._localcloud = True  # type: ignore[attr-defined]
    models.OpenSearchDomain.__init__ = init  # type: ignore[method-assign]
