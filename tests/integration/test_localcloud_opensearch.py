"""An OpenSearch domain created through the emulator reports an endpoint that reaches the in-memory
OpenSearch server, so code only ever uses the domain's endpoint."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from opensearchpy import OpenSearch

from tests.fixtures.lambdas import unique

pytestmark = pytest.mark.integration


def test_domain_endpoint_indexes_and_searches(cloud_env: Any) -> None:
    name = unique("articles")[:28]
    domain = boto3.client("opensearch").create_domain(DomainName=name, EngineVersion="OpenSearch_2.11")
    endpoint = domain["DomainStatus"]["Endpoint"]
    assert endpoint == cloud_env.opensearch
    client = OpenSearch(hosts=[endpoint])
    index = unique("stories")

    client.index(index=index, id="1", body={"title": "Harbour reopens after storm"}, refresh=True)
    hits = client.search(index=index, body={"query": {"match": {"title": "storm"}}})["hits"]["hits"]

    assert [hit["_id"] for hit in hits] == ["1"]
    assert hits[0]["_source"]["title"] == "Harbour reopens after storm"


def test_vpc_domain_reports_the_endpoint_under_vpc(cloud_env: Any) -> None:
    name = unique("vpc-articles")[:28]
    domain = boto3.client("opensearch").create_domain(
        DomainName=name, VPCOptions={"SubnetIds": ["subnet-12345678"], "SecurityGroupIds": ["sg-12345678"]}
    )

    endpoint = domain["DomainStatus"]["Endpoints"]["vpc"]

    assert OpenSearch(hosts=[endpoint]).info()["version"]["number"]
