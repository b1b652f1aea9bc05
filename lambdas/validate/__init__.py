"""Pipeline step: validate the story request."""
