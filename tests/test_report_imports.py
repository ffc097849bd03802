"""The report package's modules import one way: no module imports one that imports it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import mentoranalytics.report as report_pkg

REPORT = Path(report_pkg.__file__).parent


def _imports(module: str) -> set[str]:
    """Sibling modules a report module imports, at module level or inside functions."""
    tree = ast.parse((REPORT / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize(("a", "b"), [("build", "sections"), ("figures", "model")])
def test_no_import_circle(a: str, b: str) -> None:
    assert not (b in _imports(a) and a in _imports(b)), f"{a} and {b} import each other"


def test_the_check_sees_imports_inside_functions() -> None:
    assert "sections" in _imports("build")  # imported lazily in build_report
    assert "_png" in _imports("model")  # imported lazily in FigureBlock.png
