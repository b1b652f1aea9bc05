"""Sesha's Lambda functions: one package per function (``lambdas.<function>.handler.handler``), shared code
in ``lambdas.core``. Each function's archive holds ``lambdas/__init__.py``, ``lambdas/core/`` and its own
package, so the import paths are the same in the Lambda runtime and in the tests."""
