"""Pipeline step: write the draft."""
