"""Pipeline step: notify the owner's WebSocket connections."""
