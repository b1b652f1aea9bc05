"""Sesha's Pulumi program (project ``sesha-pulumi``): ``__main__.py`` wires the components of
``infra/components``; ``lambda_packaging.py`` builds the Lambda archives and layers."""
