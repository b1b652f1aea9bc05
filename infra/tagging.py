"""Every taggable resource of the stack carries the stack's tags (project, stack, environment).

A stack transformation adds them to each resource whose inputs have a ``tags`` property — the
provider's own definition of "taggable" — keeping tags a resource sets itself.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi


def tag_resources(tags: Mapping[str, str]) -> None:
    """Register the transformation for the rest of the program."""

    def add_tags(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        if "tags" not in args.props:
            return None
        props = {**args.props, "tags": {**tags, **(args.props["tags"] or {})}}
        return pulumi.ResourceTransformationResult(props, args.opts)

    pulumi.runtime.register_stack_transformation(add_tags)
