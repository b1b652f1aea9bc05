"""Network: a VPC over two availability zones with public and private subnets, an internet gateway,
NAT gateways (as many as configured), route tables, security groups for the functions and the search
domain, and gateway endpoints so private subnets reach DynamoDB and S3 without NAT."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from pulumi import ResourceOptions

ANYWHERE = "0.0.0.0/0"
SUBNET_PREFIX = 20
HTTPS = 443


@dataclass
class NetworkArgs:
    cidr_block: str
    availability_zones: Sequence[str]
    nat_gateway_count: int
    region: pulumi.Input[str]


class Network(pulumi.ComponentResource):
    def __init__(self, name: str, args: NetworkArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("sesha:infra:Network", name, None, opts)
        child = ResourceOptions(parent=self)
        blocks = ipaddress.ip_network(args.cidr_block).subnets(new_prefix=SUBNET_PREFIX)
        zones = list(args.availability_zones)

        self.vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.cidr_block,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            opts=child,
        )
        self.public_subnets = [
            aws.ec2.Subnet(
                f"{name}-public-{i}",
                vpc_id=self.vpc.id,
                cidr_block=str(next(blocks)),
                availability_zone=zone,
                map_public_ip_on_launch=False,
                opts=child,
            )
            for i, zone in enumerate(zones)
        ]
        self.private_subnets = [
            aws.ec2.Subnet(
                f"{name}-private-{i}",
                vpc_id=self.vpc.id,
                cidr_block=str(next(blocks)),
                availability_zone=zone,
                opts=child,
            )
            for i, zone in enumerate(zones)
        ]

        gateway = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=self.vpc.id, opts=child)
        public_table = aws.ec2.RouteTable(f"{name}-public-rt", vpc_id=self.vpc.id, opts=child)
        aws.ec2.Route(
            f"{name}-public-default",
            route_table_id=public_table.id,
            destination_cidr_block=ANYWHERE,
            gateway_id=gateway.id,
            opts=child,
        )
        for i, subnet in enumerate(self.public_subnets):
            aws.ec2.RouteTableAssociation(
                f"{name}-public-rta-{i}", subnet_id=subnet.id, route_table_id=public_table.id, opts=child
            )

        nat_gateways = [
            self._nat_gateway(name, i, subnet)
            for i, subnet in enumerate(self.public_subnets[: args.nat_gateway_count])
        ]
        self.private_route_tables = [
            self._private_route_table(name, i, subnet, nat_gateways)
            for i, subnet in enumerate(self.private_subnets)
        ]

        for service in ("dynamodb", "s3"):
            aws.ec2.VpcEndpoint(
                f"{name}-{service}-endpoint",
                vpc_id=self.vpc.id,
                vpc_endpoint_type="Gateway",
                service_name=pulumi.Output.concat("com.amazonaws.", args.region, f".{service}"),
                route_table_ids=[table.id for table in self.private_route_tables],
                opts=child,
            )

        self.function_security_group = aws.ec2.SecurityGroup(
            f"{name}-functions-sg",
            vpc_id=self.vpc.id,
            description="Lambda functions attached to the VPC",
            egress=[
                {
                    "protocol": "-1",
                    "from_port": 0,
                    "to_port": 0,
                    "cidr_blocks": [ANYWHERE],
                    "description": "AWS APIs and sources on the internet, through NAT or the endpoints",
                }
            ],
            opts=child,
        )
        self.search_security_group = aws.ec2.SecurityGroup(
            f"{name}-search-sg",
            vpc_id=self.vpc.id,
            description="OpenSearch domain: HTTPS from the functions only",
            ingress=[
                {
                    "protocol": "tcp",
                    "from_port": HTTPS,
                    "to_port": HTTPS,
                    "security_groups": [self.function_security_group.id],
                    "description": "HTTPS from functions",
                }
            ],
            egress=[],
            opts=child,
        )

        self.private_subnet_ids = pulumi.Output.all(*[subnet.id for subnet in self.private_subnets])
        self.register_outputs(
            {
                "vpcId": self.vpc.id,
                "privateSubnetIds": self.private_subnet_ids,
                "functionSecurityGroupId": self.function_security_group.id,
                "searchSecurityGroupId": self.search_security_group.id,
            }
        )

    def _nat_gateway(self, name: str, index: int, subnet: aws.ec2.Subnet) -> aws.ec2.NatGateway:
        child = ResourceOptions(parent=self)
        address = aws.ec2.Eip(f"{name}-nat-eip-{index}", domain="vpc", opts=child)
        return aws.ec2.NatGateway(
            f"{name}-nat-{index}", allocation_id=address.id, subnet_id=subnet.id, opts=child
        )

    def _private_route_table(
        self, name: str, index: int, subnet: aws.ec2.Subnet, nat_gateways: list[aws.ec2.NatGateway]
    ) -> aws.ec2.RouteTable:
        child = ResourceOptions(parent=self)
        table = aws.ec2.RouteTable(f"{name}-private-rt-{index}", vpc_id=self.vpc.id, opts=child)
        if nat_gateways:
            aws.ec2.Route(
                f"{name}-private-default-{index}",
                route_table_id=table.id,
                destination_cidr_block=ANYWHERE,
                nat_gateway_id=nat_gateways[index % len(nat_gateways)].id,
                opts=child,
            )
        aws.ec2.RouteTableAssociation(
            f"{name}-private-rta-{index}", subnet_id=subnet.id, route_table_id=table.id, opts=child
        )
        return table
