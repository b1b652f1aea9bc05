"""The OpenSearch domain: inside the VPC's private subnets, encrypted at rest and node to node, HTTPS only."""

from __future__ import annotations

from .program import Deployment


def test_domain_is_in_the_private_subnets_behind_its_security_group(deployment: Deployment) -> None:
    (domain,) = deployment.of_type("aws:opensearch/domain:Domain")
    private = {f"network-private-{i}-id" for i in range(2)}
    count = domain["clusterConfig"]["instanceCount"]
    assert set(domain["vpcOptions"]["subnetIds"]) <= private
    assert len(domain["vpcOptions"]["subnetIds"]) == count
    assert domain["vpcOptions"]["securityGroupIds"] == ["network-search-sg-id"]


def test_domain_encrypts_at_rest_between_nodes_and_enforces_https(deployment: Deployment) -> None:
    (domain,) = deployment.of_type("aws:opensearch/domain:Domain")
    assert domain["encryptAtRest"]["enabled"] is True
    assert domain["nodeToNodeEncryption"]["enabled"] is True
    assert domain["domainEndpointOptions"]["enforceHttps"] is True
    assert domain["domainEndpointOptions"]["tlsSecurityPolicy"].startswith("Policy-Min-TLS-1-2")


def test_search_security_group_admits_only_the_functions_over_https(deployment: Deployment) -> None:
    group = deployment.named("network-search-sg")
    (rule,) = group["ingress"]
    assert (rule["protocol"], rule["fromPort"], rule["toPort"]) == ("tcp", 443, 443)
    assert rule["securityGroups"] == ["network-functions-sg-id"]
    assert not rule.get("cidrBlocks")


def test_search_functions_run_in_the_vpc(deployment: Deployment) -> None:
    for name in ("worker-functions-indexer", "api-functions-articles"):
        vpc = deployment.named(name)["vpcConfig"]
        assert set(vpc["subnetIds"]) == {"network-private-0-id", "network-private-1-id"}
        assert vpc["securityGroupIds"] == ["network-functions-sg-id"]
