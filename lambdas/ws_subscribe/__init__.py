"""WebSocket subscribe."""
