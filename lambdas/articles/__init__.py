"""The articles function: the HTTP API's article and search routes."""
