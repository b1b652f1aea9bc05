"""The functions' logger: aws-lambda-powertools' structured JSON logger.

Reads ``POWERTOOLS_SERVICE_NAME`` (the function's name, set by the program) and ``POWERTOOLS_LOG_LEVEL``.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger


def get_logger() -> Logger:
    """A logger for the calling function; service name and level come from the environment."""
    return Logger()
