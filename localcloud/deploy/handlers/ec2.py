"""VPC networking: VPC, subnets, gateways, Elastic IPs, route tables and routes, security groups
(inline rules), VPC endpoints."""

from __future__ import annotations

import zlib
from typing import Any

from localcloud.deploy.context import CloudContext
from localcloud.deploy.handlers.base import (
    Inputs,
    Outputs,
    ResourceHandler,
    drop_none,
    ignore_missing,
    register,
    retag,
    tag_list,
    tagged,
)


def _tag_spec(kind: str, inputs: Inputs) -> list[dict[str, Any]]:
    tags = tag_list(inputs.get("tags"))
    return [{"ResourceType": kind, "Tags": tags}] if tags else []


def _retag(ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
    ec2 = ctx.client("ec2")
    retag(
        inputs,
        outputs,
        lambda keys: ec2.delete_tags(Resources=[rid], Tags=[{"Key": k} for k in keys]),
        lambda tags: ec2.create_tags(Resources=[rid], Tags=tag_list(tags)),
    )


class _Tagged(ResourceHandler):
    """EC2 resources whose only in-place change is their tags."""

    def update(
        self,
        ctx: CloudContext,
        rid: str,
        inputs: Inputs,
        outputs: Outputs,
        changed: set[str],
        name: str | None,
    ) -> Outputs:
        if changed - {"tags"}:
            return super().update(ctx, rid, inputs, outputs, changed, name)
        _retag(ctx, rid, inputs, outputs)
        return {k: v for k, v in outputs.items() if k not in inputs} | tagged(inputs)


@register
class Vpc(ResourceHandler):
    token = "aws:ec2/vpc:Vpc"
    replace_on = frozenset({"cidrBlock", "instanceTenancy"})

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        ec2 = ctx.client("ec2")
        vpc = ec2.create_vpc(
            **drop_none(
                CidrBlock=inputs["cidrBlock"],
                InstanceTenancy=inputs.get("instanceTenancy"),
                TagSpecifications=_tag_spec("vpc", inputs) or None,
            )
        )["Vpc"]
        rid = vpc["VpcId"]
        self._attributes(ec2, rid, inputs, set(inputs))
        return rid, self._outputs(ctx, vpc, inputs)

    def update(
        self,
        ctx: CloudContext,
        rid: str,
        inputs: Inputs,
        outputs: Outputs,
        changed: set[str],
        name: str | None,
    ) -> Outputs:
        ec2 = ctx.client("ec2")
        self._attributes(ec2, rid, inputs, changed)
        if "tags" in changed:
            _retag(ctx, rid, inputs, outputs)
        return self._outputs(ctx, ec2.describe_vpcs(VpcIds=[rid])["Vpcs"][0], inputs)

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        ignore_missing(ctx.client("ec2").delete_vpc, VpcId=rid, codes=("InvalidVpcID.NotFound",))

    @staticmethod
    def _attributes(ec2: Any, vpc_id: str, inputs: Inputs, changed: set[str]) -> None:
        if "enableDnsSupport" in changed:
            ec2.modify_vpc_attribute(
                VpcId=vpc_id, EnableDnsSupport={"Value": inputs.get("enableDnsSupport", True)}
            )
        if "enableDnsHostnames" in changed:
            ec2.modify_vpc_attribute(
                VpcId=vpc_id, EnableDnsHostnames={"Value": bool(inputs.get("enableDnsHostnames"))}
            )

    @staticmethod
    def _outputs(ctx: CloudContext, vpc: dict[str, Any], inputs: Inputs) -> Outputs:
        ec2 = ctx.client("ec2")
        vpc_id = vpc["VpcId"]
        filters = [{"Name": "vpc-id", "Values": [vpc_id]}]
        main_rt = ec2.describe_route_tables(
            Filters=[*filters, {"Name": "association.main", "Values": ["true"]}]
        )
        default_sg = ec2.describe_security_groups(
            Filters=[*filters, {"Name": "group-name", "Values": ["default"]}]
        )
        acls = ec2.describe_network_acls(Filters=[*filters, {"Name": "default", "Values": ["true"]}])
        main_rt_id = main_rt["RouteTables"][0]["RouteTableId"] if main_rt["RouteTables"] else ""
        return {
            "arn": ctx.arn("ec2", f"vpc/{vpc_id}"),
            "cidrBlock": vpc["CidrBlock"],
            "ownerId": vpc.get("OwnerId", ctx.account_id),
            "dhcpOptionsId": vpc.get("DhcpOptionsId", ""),
            "instanceTenancy": vpc.get("InstanceTenancy", "default"),
            "mainRouteTableId": main_rt_id,
            "defaultRouteTableId": main_rt_id,
            "defaultSecurityGroupId": default_sg["SecurityGroups"][0]["GroupId"]
            if default_sg["SecurityGroups"]
            else "",
            "defaultNetworkAclId": acls["NetworkAcls"][0]["NetworkAclId"] if acls["NetworkAcls"] else "",
            "enableDnsSupport": inputs.get("enableDnsSupport", True),
            "enableDnsHostnames": bool(inputs.get("enableDnsHostnames")),
            **tagged(inputs),
        }


@register
class Subnet(ResourceHandler):
    token = "aws:ec2/subnet:Subnet"
    replace_on = frozenset({"vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId"})

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        ec2 = ctx.client("ec2")
        subnet = ec2.create_subnet(
            **drop_none(
                VpcId=inputs["vpcId"],
                CidrBlock=inputs["cidrBlock"],
                AvailabilityZone=inputs.get("availabilityZone"),
                AvailabilityZoneId=inputs.get("availabilityZoneId"),
                TagSpecifications=_tag_spec("subnet", inputs) or None,
            )
        )["Subnet"]
        rid = subnet["SubnetId"]
        if inputs.get("mapPublicIpOnLaunch"):
            ec2.modify_subnet_attribute(SubnetId=rid, MapPublicIpOnLaunch={"Value": True})
        return rid, self._outputs(ctx, subnet, inputs)

    def update(
        self,
        ctx: CloudContext,
        rid: str,
        inputs: Inputs,
        outputs: Outputs,
        changed: set[str],
        name: str | None,
    ) -> Outputs:
        ec2 = ctx.client("ec2")
        if "mapPublicIpOnLaunch" in changed:
            ec2.modify_subnet_attribute(
                SubnetId=rid, MapPublicIpOnLaunch={"Value": bool(inputs.get("mapPublicIpOnLaunch"))}
            )
        if "tags" in changed:
            _retag(ctx, rid, inputs, outputs)
        return self._outputs(ctx, ec2.describe_subnets(SubnetIds=[rid])["Subnets"][0], inputs)

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        ignore_missing(ctx.client("ec2").delete_subnet, SubnetId=rid, codes=("InvalidSubnetID.NotFound",))

    @staticmethod
    def _outputs(ctx: CloudContext, subnet: dict[str, Any], inputs: Inputs) -> Outputs:
        return {
            "arn": subnet.get("SubnetArn") or ctx.arn("ec2", f"subnet/{subnet['SubnetId']}"),
            "availabilityZone": subnet["AvailabilityZone"],
            "availabilityZoneId": subnet.get("AvailabilityZoneId", ""),
            "ownerId": subnet.get("OwnerId", ctx.account_id),
            "mapPublicIpOnLaunch": bool(inputs.get("mapPublicIpOnLaunch")),
            **tagged(inputs),
        }


@register
class InternetGateway(ResourceHandler):
    token = "aws:ec2/internetGateway:InternetGateway"

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        ec2 = ctx.client("ec2")
        igw = ec2.create_internet_gateway(
            **drop_none(TagSpecifications=_tag_spec("internet-gateway", inputs) or None)
        )["InternetGateway"]
        rid = igw["InternetGatewayId"]
        if inputs.get("vpcId"):
            ec2.attach_internet_gateway(InternetGatewayId=rid, VpcId=inputs["vpcId"])
        return rid, {
            "arn": ctx.arn("ec2", f"internet-gateway/{rid}"),
            "ownerId": ctx.account_id,
            **tagged(inputs),
        }

    def update(
        self,
        ctx: CloudContext,
        rid: str,
        inputs: Inputs,
        outputs: Outputs,
        changed: set[str],
        name: str | None,
    ) -> Outputs:
        ec2 = ctx.client("ec2")
        if "vpcId" in changed:
            if outputs.get("vpcId"):
                ignore_missing(ec2.detach_internet_gateway, InternetGatewayId=rid, VpcId=outputs["vpcId"])
            if inputs.get("vpcId"):
                ec2.attach_internet_gateway(InternetGatewayId=rid, VpcId=inputs["vpcId"])
        if "tags" in changed:
            _retag(ctx, rid, inputs, outputs)
        return {"arn": outputs["arn"], "ownerId": ctx.account_id, **tagged(inputs)}

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        ec2 = ctx.client("ec2")
        if inputs.get("vpcId"):
            ignore_missing(
                ec2.detach_internet_gateway,
                InternetGatewayId=rid,
                VpcId=inputs["vpcId"],
                codes=("Gateway.NotAttached", "InvalidInternetGatewayID.NotFound"),
            )
        ignore_missing(ec2.delete_internet_gateway, InternetGatewayId=rid)


@register
class Eip(_Tagged):
    token = "aws:ec2/eip:Eip"
    replace_on = frozenset({"domain", "vpc", "publicIpv4Pool", "address"})

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        eip = ctx.client("ec2").allocate_address(
            **drop_none(
                Domain=inputs.get("domain", "vpc"), TagSpecifications=_tag_spec("elastic-ip", inputs) or None
            )
        )
        rid = eip["AllocationId"]
        return rid, {
            "allocationId": rid,
            "publicIp": eip["PublicIp"],
            "publicDns": f"ec2-{eip['PublicIp'].replace('.', '-')}.{ctx.region}.compute.amazonaws.com",
            "domain": eip.get("Domain", "vpc"),
            "arn": ctx.arn("ec2", f"elastic-ip/{rid}"),
            **tagged(inputs),
        }

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        ignore_missing(ctx.client("ec2").release_address, AllocationId=rid)


@register
class NatGateway(_Tagged):
    token = "aws:ec2/natGateway:NatGateway"
    replace_on = frozenset({"allocationId", "subnetId", "connectivityType", "privateIp"})

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        nat = ctx.client("ec2").create_nat_gateway(
            **drop_none(
                SubnetId=inputs["subnetId"],
                AllocationId=inputs.get("allocationId"),
                ConnectivityType=inputs.get("connectivityType"),
                TagSpecifications=_tag_spec("natgateway", inputs) or None,
            )
        )["NatGateway"]
        address = (nat.get("NatGatewayAddresses") or [{}])[0]
        return nat["NatGatewayId"], {
            "networkInterfaceId": address.get("NetworkInterfaceId", ""),
            "privateIp": address.get("PrivateIp", ""),
            "publicIp": address.get("PublicIp", ""),
            "connectivityType": inputs.get("connectivityType", "public"),
            **tagged(inputs),
        }

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        ignore_missing(ctx.client("ec2").delete_nat_gateway, NatGatewayId=rid)


_ROUTE_TARGETS = {
    "gatewayId": "GatewayId",
    "natGatewayId": "NatGatewayId",
    "vpcEndpointId": "VpcEndpointId",
    "networkInterfaceId": "NetworkInterfaceId",
    "transitGatewayId": "TransitGatewayId",
    "vpcPeeringConnectionId": "VpcPeeringConnectionId",
    "egressOnlyGatewayId": "EgressOnlyInternetGatewayId",
}
_ROUTE_DESTINATIONS = {
    "cidrBlock": "DestinationCidrBlock",
    "destinationCidrBlock": "DestinationCidrBlock",
    "ipv6CidrBlock": "DestinationIpv6CidrBlock",
    "destinationIpv6CidrBlock": "DestinationIpv6CidrBlock",
    "destinationPrefixListId": "DestinationPrefixListId",
}


def _route_args(route: dict[str, Any]) -> dict[str, Any]:
    args = {
        api: route[key] for key, api in {**_ROUTE_DESTINATIONS, **_ROUTE_TARGETS}.items() if route.get(key)
    }
    return args


@register
class RouteTable(ResourceHandler):
    token = "aws:ec2/routeTable:RouteTable"
    replace_on = frozenset({"vpcId"})

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        ec2 = ctx.client("ec2")
        table = ec2.create_route_table(
            **drop_none(VpcId=inputs["vpcId"], TagSpecifications=_tag_spec("route-table", inputs) or None)
        )["RouteTable"]
        rid = table["RouteTableId"]
        for route in inputs.get("routes") or []:
            ec2.create_route(RouteTableId=rid, **_route_args(route))
        return rid, {"arn": ctx.arn("ec2", f"route-table/{rid}"), "ownerId": ctx.account_id, **tagged(inputs)}

    def update(
        self,
        ctx: CloudContext,
        rid: str,
        inputs: Inputs,
        outputs: Outputs,
        changed: set[str],
        name: str | None,
    ) -> Outputs:
        ec2 = ctx.client("ec2")
        if "routes" in changed:
            for route in outputs.get("routes") or []:
                destination = {k: v for k, v in _route_args(route).items() if k.startswith("Destination")}
                ignore_missing(
                    ec2.delete_route, RouteTableId=rid, **destination, codes=("InvalidRoute.NotFound",)
                )
            for route in inputs.get("routes") or []:
                ec2.create_route(RouteTableId=rid, **_route_args(route))
        if "tags" in changed:
            _retag(ctx, rid, inputs, outputs)
        return {"arn": outputs["arn"], "ownerId": ctx.account_id, **tagged(inputs)}

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        ignore_missing(
            ctx.client("ec2").delete_route_table, RouteTableId=rid, codes=("InvalidRouteTableID.NotFound",)
        )


@register
class Route(ResourceHandler):
    token = "aws:ec2/route:Route"
    replace_on = frozenset(_ROUTE_DESTINATIONS) | {"routeTableId"}

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        table = inputs["routeTableId"]
        args = _route_args(inputs)
        ctx.client("ec2").create_route(RouteTableId=table, **args)
        destination = next(v for k, v in args.items() if k.startswith("Destination"))
        # The provider's id: "r-" + table id + a hash of the destination.
        return f"r-{table}{zlib.crc32(destination.encode())}", {"origin": "CreateRoute", "state": "active"}

    def update(
        self,
        ctx: CloudContext,
        rid: str,
        inputs: Inputs,
        outputs: Outputs,
        changed: set[str],
        name: str | None,
    ) -> Outputs:
        ctx.client("ec2").replace_route(RouteTableId=inputs["routeTableId"], **_route_args(inputs))
        return {"origin": "CreateRoute", "state": "active"}

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        destination = {k: v for k, v in _route_args(inputs).items() if k.startswith("Destination")}
        ignore_missing(
            ctx.client("ec2").delete_route,
            RouteTableId=inputs["routeTableId"],
            **destination,
            codes=("InvalidRoute.NotFound", "InvalidRouteTableID.NotFound"),
        )


@register
class RouteTableAssociation(ResourceHandler):
    token = "aws:ec2/routeTableAssociation:RouteTableAssociation"
    replace_on = frozenset({"subnetId", "gatewayId"})

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        association = ctx.client("ec2").associate_route_table(
            **drop_none(
                RouteTableId=inputs["routeTableId"],
                SubnetId=inputs.get("subnetId"),
                GatewayId=inputs.get("gatewayId"),
            )
        )
        return association["AssociationId"], {}

    def update(
        self,
        ctx: CloudContext,
        rid: str,
        inputs: Inputs,
        outputs: Outputs,
        changed: set[str],
        name: str | None,
    ) -> Outputs:
        new = ctx.client("ec2").replace_route_table_association(
            AssociationId=rid, RouteTableId=inputs["routeTableId"]
        )
        # AWS gives the association a new id; the provider keeps reporting the resource's own.
        return {"associationId": new["NewAssociationId"]}

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        association = outputs.get("associationId") or rid
        ignore_missing(
            ctx.client("ec2").disassociate_route_table,
            AssociationId=association,
            codes=("InvalidAssociationID.NotFound",),
        )


def _permission(rule: dict[str, Any], own_group: str) -> dict[str, Any]:
    protocol = str(rule.get("protocol", "-1"))
    permission: dict[str, Any] = {"IpProtocol": "-1" if protocol in ("all", "-1") else protocol}
    if permission["IpProtocol"] != "-1":
        permission["FromPort"] = int(rule.get("fromPort", 0))
        permission["ToPort"] = int(rule.get("toPort", 0))
    description = {"Description": rule["description"]} if rule.get("description") else {}
    if rule.get("cidrBlocks"):
        permission["IpRanges"] = [{"CidrIp": c, **description} for c in rule["cidrBlocks"]]
    if rule.get("ipv6CidrBlocks"):
        permission["Ipv6Ranges"] = [{"CidrIpv6": c, **description} for c in rule["ipv6CidrBlocks"]]
    groups = list(rule.get("securityGroups") or []) + ([own_group] if rule.get("self") else [])
    if groups:
        permission["UserIdGroupPairs"] = [{"GroupId": g, **description} for g in groups]
    if rule.get("prefixListIds"):
        permission["PrefixListIds"] = [{"PrefixListId": p, **description} for p in rule["prefixListIds"]]
    return permission


@register
class SecurityGroup(ResourceHandler):
    """Inline ingress/egress rules are the whole truth: like the provider, the default allow-all egress
    rule AWS adds is removed unless the program declares it."""

    token = "aws:ec2/securityGroup:SecurityGroup"
    name_input = "name"
    name_max = 255
    replace_on = frozenset({"description", "vpcId", "namePrefix"})

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        ec2 = ctx.client("ec2")
        group = ec2.create_security_group(
            **drop_none(
                GroupName=name,
                Description=inputs.get("description", "Managed by Pulumi"),
                VpcId=inputs.get("vpcId"),
                TagSpecifications=_tag_spec("security-group", inputs) or None,
            )
        )
        rid = group["GroupId"]
        described = ec2.describe_security_groups(GroupIds=[rid])["SecurityGroups"][0]
        if described.get("IpPermissionsEgress"):
            ec2.revoke_security_group_egress(GroupId=rid, IpPermissions=described["IpPermissionsEgress"])
        self._authorize(ec2, rid, inputs)
        return rid, {
            "name": name,
            "arn": ctx.arn("ec2", f"security-group/{rid}"),
            "ownerId": ctx.account_id,
            **tagged(inputs),
        }

    def update(
        self,
        ctx: CloudContext,
        rid: str,
        inputs: Inputs,
        outputs: Outputs,
        changed: set[str],
        name: str | None,
    ) -> Outputs:
        ec2 = ctx.client("ec2")
        if changed & {"ingress", "egress"}:
            described = ec2.describe_security_groups(GroupIds=[rid])["SecurityGroups"][0]
            if described.get("IpPermissions"):
                ec2.revoke_security_group_ingress(GroupId=rid, IpPermissions=described["IpPermissions"])
            if described.get("IpPermissionsEgress"):
                ec2.revoke_security_group_egress(GroupId=rid, IpPermissions=described["IpPermissionsEgress"])
            self._authorize(ec2, rid, inputs)
        if "tags" in changed:
            _retag(ctx, rid, inputs, outputs)
        return {"name": name, "arn": outputs["arn"], "ownerId": ctx.account_id, **tagged(inputs)}

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        ignore_missing(ctx.client("ec2").delete_security_group, GroupId=rid, codes=("InvalidGroup.NotFound",))

    @staticmethod
    def _authorize(ec2: Any, group: str, inputs: Inputs) -> None:
        ingress = [_permission(r, group) for r in inputs.get("ingress") or []]
        egress = [_permission(r, group) for r in inputs.get("egress") or []]
        if ingress:
            ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=ingress)
        if egress:
            ec2.authorize_security_group_egress(GroupId=group, IpPermissions=egress)


@register
class VpcEndpoint(ResourceHandler):
    token = "aws:ec2/vpcEndpoint:VpcEndpoint"
    replace_on = frozenset({"vpcId", "serviceName", "vpcEndpointType"})

    def create(self, ctx: CloudContext, inputs: Inputs, name: str | None) -> tuple[str, Outputs]:
        endpoint = ctx.client("ec2").create_vpc_endpoint(
            **drop_none(
                VpcId=inputs["vpcId"],
                ServiceName=inputs["serviceName"],
                VpcEndpointType=inputs.get("vpcEndpointType", "Gateway"),
                RouteTableIds=list(inputs.get("routeTableIds") or []) or None,
                SubnetIds=list(inputs.get("subnetIds") or []) or None,
                SecurityGroupIds=list(inputs.get("securityGroupIds") or []) or None,
                PrivateDnsEnabled=inputs.get("privateDnsEnabled"),
                PolicyDocument=inputs.get("policy"),
                TagSpecifications=_tag_spec("vpc-endpoint", inputs) or None,
            )
        )["VpcEndpoint"]
        return endpoint["VpcEndpointId"], self._outputs(ctx, endpoint, inputs)

    def update(
        self,
        ctx: CloudContext,
        rid: str,
        inputs: Inputs,
        outputs: Outputs,
        changed: set[str],
        name: str | None,
    ) -> Outputs:
        ec2 = ctx.client("ec2")
        args: dict[str, Any] = {}
        for key, add, remove in (
            ("routeTableIds", "AddRouteTableIds", "RemoveRouteTableIds"),
            ("subnetIds", "AddSubnetIds", "RemoveSubnetIds"),
            ("securityGroupIds", "AddSecurityGroupIds", "RemoveSecurityGroupIds"),
        ):
            if key in changed:
                before, after = set(outputs.get(key) or []), set(inputs.get(key) or [])
                if after - before:
                    args[add] = sorted(after - before)
                if before - after:
                    args[remove] = sorted(before - after)
        if "policy" in changed:
            if inputs.get("policy"):
                args["PolicyDocument"] = inputs["policy"]
            else:
                args["ResetPolicy"] = True
        if "privateDnsEnabled" in changed:
            args["PrivateDnsEnabled"] = bool(inputs.get("privateDnsEnabled"))
        if args:
            ec2.modify_vpc_endpoint(VpcEndpointId=rid, **args)
        if "tags" in changed:
            _retag(ctx, rid, inputs, outputs)
        endpoint = ec2.describe_vpc_endpoints(VpcEndpointIds=[rid])["VpcEndpoints"][0]
        return self._outputs(ctx, endpoint, inputs)

    def delete(self, ctx: CloudContext, rid: str, inputs: Inputs, outputs: Outputs) -> None:
        ignore_missing(ctx.client("ec2").delete_vpc_endpoints, VpcEndpointIds=[rid])

    @staticmethod
    def _outputs(ctx: CloudContext, endpoint: dict[str, Any], inputs: Inputs) -> Outputs:
        return {
            "arn": ctx.arn("ec2", f"vpc-endpoint/{endpoint['VpcEndpointId']}"),
            "state": endpoint.get("State", "available"),
            "ownerId": endpoint.get("OwnerId", ctx.account_id),
            "dnsEntries": [
                {"dnsName": d.get("DnsName", ""), "hostedZoneId": d.get("HostedZoneId", "")}
                for d in endpoint.get("DnsEntries", [])
            ],
            "networkInterfaceIds": endpoint.get("NetworkInterfaceIds", []),
            "prefixListId": "",
            "cidrBlocks": [],
            "vpcEndpointType": inputs.get("vpcEndpointType", "Gateway"),
            **tagged(inputs),
        }
