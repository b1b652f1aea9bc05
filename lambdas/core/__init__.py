"""Code shared by every function: configuration from environment variables, logging, clients."""
