"""Search: the OpenSearch domain the articles are indexed into, inside the private subnets, encrypted
at rest and between nodes, HTTPS only, its access policy naming only the functions' roles that use it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from pulumi import ResourceOptions

from infra import iam

ENGINE_VERSION = "OpenSearch_2.13"
TLS_POLICY = "Policy-Min-TLS-1-2-2019-07"


@dataclass
class SearchArgs:
    domain_name: str
    instance_type: str
    instance_count: int
    volume_gib: int
    subnet_ids: pulumi.Input[Sequence[str]]
    security_group_id: pulumi.Input[str]
    client_role_arns: Sequence[pulumi.Input[str]]
    region: pulumi.Input[str]
    account_id: pulumi.Input[str]


class Search(pulumi.ComponentResource):
    def __init__(self, name: str, args: SearchArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("sesha:infra:Search", name, None, opts)
        zone_aware = args.instance_count > 1
        # One subnet per node zone: a single-node domain takes exactly one subnet.
        subnet_ids = pulumi.Output.from_input(args.subnet_ids).apply(
            lambda ids: list(ids)[: args.instance_count]
        )
        # The domain's own ARN is not known before it exists, so the policy names it from its parts.
        domain_arn = pulumi.Output.concat(
            "arn:aws:es:", args.region, ":", args.account_id, ":domain/", args.domain_name
        )

        self.domain = aws.opensearch.Domain(
            f"{name}-domain",
            domain_name=args.domain_name,
            engine_version=ENGINE_VERSION,
            cluster_config={
                "instance_type": args.instance_type,
                "instance_count": args.instance_count,
                "zone_awareness_enabled": zone_aware,
                "zone_awareness_config": {"availability_zone_count": 2} if zone_aware else None,
            },
            ebs_options={"ebs_enabled": True, "volume_size": args.volume_gib, "volume_type": "gp3"},
            vpc_options={"subnet_ids": subnet_ids, "security_group_ids": [args.security_group_id]},
            encrypt_at_rest={"enabled": True},
            node_to_node_encryption={"enabled": True},
            domain_endpoint_options={"enforce_https": True, "tls_security_policy": TLS_POLICY},
            access_policies=iam.document(
                [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": list(args.client_role_arns)},
                        "Action": [
                            "es:ESHttpDelete",
                            "es:ESHttpGet",
                            "es:ESHttpHead",
                            "es:ESHttpPost",
                            "es:ESHttpPut",
                        ],
                        "Resource": iam.sub_resource(domain_arn, "/*"),
                    }
                ]
            ),
            opts=ResourceOptions(parent=self),
        )
        self.endpoint = self.domain.endpoint
        self.register_outputs({"endpoint": self.domain.endpoint, "arn": self.domain.arn})
