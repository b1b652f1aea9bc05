"""Articles stream consumer: indexes articles into OpenSearch."""
