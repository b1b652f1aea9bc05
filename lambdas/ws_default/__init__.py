"""WebSocket $default."""
