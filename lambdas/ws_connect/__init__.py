"""WebSocket $connect."""
