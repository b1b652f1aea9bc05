"""OpenSearch client built from the domain endpoint the program passes in ``OPENSEARCH_ENDPOINT``.

An endpoint with a scheme (``http://127.0.0.1:9200``, as the embedded cloud reports) is used as is; one
without a scheme (AWS reports a bare host name) is reached over HTTPS with SigV4-signed requests.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import boto3
from opensearchpy import AWSV4SignerAuth, OpenSearch, RequestsHttpConnection

TIMEOUT_SECONDS = 10


def opensearch_client(endpoint: str, region: str, session: boto3.Session | None = None) -> OpenSearch:
    """A client for the domain at ``endpoint``; ``region`` and ``session`` are used only to sign for AWS."""
    if not endpoint:
        raise ValueError("the OpenSearch endpoint is empty; set OPENSEARCH_ENDPOINT to the domain's endpoint")
    if urlsplit(endpoint).scheme:
        return OpenSearch(hosts=[endpoint], timeout=TIMEOUT_SECONDS)
    credentials = (session or boto3.Session()).get_credentials()
    if credentials is None:
        raise RuntimeError("no AWS credentials to sign OpenSearch requests; configure the role or profile")
    return OpenSearch(
        hosts=[{"host": endpoint, "port": 443}],
        http_auth=AWSV4SignerAuth(credentials, region, "es"),
        use_ssl=True,
        verify_certs=True,
        connection_class=RequestsHttpConnection,
        timeout=TIMEOUT_SECONDS,
    )
