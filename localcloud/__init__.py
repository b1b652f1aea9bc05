"""The embedded cloud: AWS APIs (moto in server mode with a Python Lambda executor), an in-memory
OpenSearch-compatible server and a local API gateway, all on loopback, no Docker, no account.

Start it with ``python -m localcloud up``; everything it serves is listed in
``.localcloud/endpoints.json`` (see :mod:`localcloud.endpoints`).
"""
