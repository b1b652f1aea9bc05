"""The logic behind every operational procedure; ``notebooks/`` holds the narrative and the buttons.

One module per procedure, named as its notebook and its test (``02-github-oidc.ipynb`` →
``runbooks/github_oidc.py`` → ``tests/unit/runbooks/test_github_oidc.py``). Where a procedure runs is
decided once, in :mod:`runbooks.target`; nothing else asks whether it is local.
"""
