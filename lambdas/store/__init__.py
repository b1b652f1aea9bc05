"""Pipeline step: store the article."""
