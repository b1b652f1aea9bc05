"""The committed notebooks: their anatomy (DESIGN §5), and no drift from ``notebooks/build.py``."""

from __future__ import annotations

import importlib.util
import re

import nbformat
import pytest

from runbooks import demo

SECTIONS = ("## Objective", "## Prerequisites", "## Steps", "## Verify", "## Roll back")


def load(name: str) -> nbformat.NotebookNode:
    return nbformat.read(demo.NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)


def builder() -> object:
    spec = importlib.util.spec_from_file_location("notebooks_build", demo.NOTEBOOKS_DIR / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", demo.NOTEBOOKS)
def test_anatomy(name: str) -> None:
    nb = load(name)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    positions = [markdown.find(section) for section in SECTIONS]
    assert -1 not in positions and positions == sorted(positions), dict(zip(SECTIONS, positions, strict=True))
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged parameters"
    params = nb.cells[tagged[0]].source.splitlines()
    # typed, commented literals only
    assert all(re.match(r"^\w+: \w+ = .+  # .+$", line) for line in params), params
    # the next cell checks them before anything else runs
    assert "parameters.check(globals())" in nb.cells[tagged[0] + 1].source
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert not any(line.lstrip().startswith(("!", "%")) for cell in code for line in cell.splitlines())


@pytest.mark.parametrize("name", demo.NOTEBOOKS)
def test_every_code_cell_has_its_outputs_committed(name: str) -> None:
    nb = load(name)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "re-run notebooks/build.py --execute"


def test_committed_notebooks_match_their_source() -> None:
    build = builder()
    for name in demo.NOTEBOOKS:
        expected = [(c.cell_type, c.source.strip()) for c in build.build(name).cells]
        committed = [(c.cell_type, c.source.strip()) for c in load(name).cells]

        # ruff formats the committed cells; compare without whitespace differences
        def squash(cells: list[tuple[str, str]]) -> list[tuple[str, str]]:
            return [(kind, re.sub(r"[\s,()]+", "", text)) for kind, text in cells]

        assert squash(committed) == squash(expected), f"{name}: run `python notebooks/build.py --execute`"
