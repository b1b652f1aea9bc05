"""Local API gateway. Being built: see issue 3."""

from __future__ import annotations

from localcloud.config import CloudConfig


class _NotServing:
    def stop(self) -> None:
        """Nothing to stop."""


def start(cfg: CloudConfig) -> _NotServing:
    return _NotServing()
