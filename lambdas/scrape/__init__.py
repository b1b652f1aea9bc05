"""Pipeline step: scrape one source."""
