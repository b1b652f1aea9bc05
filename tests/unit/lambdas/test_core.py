"""Shared code: settings from the environment and the OpenSearch client factory."""

from __future__ import annotations

import pytest
from opensearchpy import AWSV4SignerAuth

from lambdas.core.config import MissingSetting, TableNames
from lambdas.core.search import opensearch_client


def test_table_names_come_from_their_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable, value in {
        "ARTICLES_TABLE": "a",
        "SOURCES_TABLE": "s",
        "CONNECTIONS_TABLE": "c",
        "IDEMPOTENCY_TABLE": "i",
    }.items():
        monkeypatch.setenv(variable, value)
    assert TableNames.from_env() == TableNames("a", "s", "c", "i")


def test_an_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARTICLES_TABLE", "")
    with pytest.raises(MissingSetting, match="ARTICLES_TABLE"):
        TableNames.from_env()


def test_endpoint_with_a_scheme_is_used_as_is() -> None:
    client = opensearch_client("http://127.0.0.1:9201", "eu-north-1")
    (connection,) = client.transport.connection_pool.connections
    assert connection.host == "http://127.0.0.1:9201"
    assert "authorization" not in connection.headers  # the embedded cloud's server is not signed for
    assert not hasattr(connection, "session")  # the plain urllib3 connection, no SigV4 signer


def test_endpoint_without_a_scheme_is_https_and_signed(aws: None) -> None:
    client = opensearch_client("vpc-sesha-dev-abc.eu-north-1.es.amazonaws.com", "eu-north-1")
    (connection,) = client.transport.connection_pool.connections
    assert connection.host == "https://vpc-sesha-dev-abc.eu-north-1.es.amazonaws.com:443"
    assert isinstance(connection.session.auth, AWSV4SignerAuth)


def test_empty_endpoint_says_which_variable_to_set() -> None:
    with pytest.raises(ValueError, match="OPENSEARCH_ENDPOINT"):
        opensearch_client("", "eu-north-1")
