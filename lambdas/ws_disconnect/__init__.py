"""WebSocket $disconnect."""
