"""WebSocket REQUEST authorizer."""
