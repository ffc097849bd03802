"""The tutorial notebooks: each executes from top to bottom, and is committed executed.

The execution tests run every notebook in a fresh kernel of *this* Python environment
(a kernel spec written for ``sys.executable``, so another ``python3`` kernel on the machine
is never used).  They need nbclient, nbformat and ipykernel (the ``dev`` extra) and are
skipped with the reason when those are missing.

After changing a notebook, re-execute it in place so that it is committed with its outputs::

    jupyter nbconvert --to notebook --execute --inplace notebooks/NAME.ipynb
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
EXPECTED = [
    "01_quickstart.ipynb",
    "02_small_cohorts.ipynb",
    "03_your_own_study.ipynb",
    "04_careers_over_time.ipynb",
]

#: Pseudonymous participant codes of the samples and of notebook 03 (P0001, B0012, ...).
PARTICIPANT_CODE = re.compile(r"\b[A-Z]\d{4}\b")

_MISSING = [m for m in ("nbclient", "nbformat", "ipykernel") if importlib.util.find_spec(m) is None]


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def _output_text(cell: dict) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if "text" in out:
            parts.append("".join(out["text"]))
        for mime, value in out.get("data", {}).items():
            if mime.startswith("text/"):
                parts.append("".join(value))
        parts += out.get("traceback", [])
    return "\n".join(parts)


def test_every_tutorial_is_there():
    assert [p.name for p in NOTEBOOKS] == EXPECTED


# --------------------------------------------------------------------------------------
# Committed state (fast)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_with_outputs_from_a_clean_run(path):
    """Every code cell ran once, in order, in one session, without an error."""
    cells = _code_cells(_load(path))
    counts = [c.get("execution_count") for c in cells]
    assert counts == list(range(1, len(cells) + 1)), (
        f"{path.name} is not committed from one clean top-to-bottom run (execution counts "
        f"{counts}); re-execute it in place before committing"
    )
    errors = [o for c in cells for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not errors, f"{path.name} was committed with an error output"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_outputs_show_no_participant_codes(path):
    """Shared notebooks show aggregates only: no participant code appears in an output."""
    for i, cell in enumerate(_code_cells(_load(path))):
        found = PARTICIPANT_CODE.findall(_output_text(cell))
        assert not found, f"{path.name}, code cell {i + 1} prints participant codes"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_charts_come_from_the_package(path):
    """Charts use ``mentoranalytics.plot`` inline; no global seaborn theme is set."""
    sources = "\n".join("".join(c["source"]) for c in _code_cells(_load(path)))
    if "maplot." in sources:
        assert "from mentoranalytics import plot as maplot" in sources
        assert "%matplotlib inline" in sources
    assert "set_theme(" not in sources


# --------------------------------------------------------------------------------------
# Execution (slow)
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kernel_manager_factory(tmp_path_factory):
    if _MISSING:
        pytest.skip(f"executing notebooks needs {', '.join(_MISSING)} (pip install -e '.[dev]')")
    from ipykernel.kernelspec import write_kernel_spec
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    kernels = tmp_path_factory.mktemp("kernels")
    write_kernel_spec(kernels / "python3")  # argv[0] = sys.executable: this environment
    specs = KernelSpecManager(kernel_dirs=[str(kernels)], ensure_native_kernel=False)

    def make() -> KernelManager:
        return KernelManager(kernel_name="python3", kernel_spec_manager=specs)

    return make


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes(path, kernel_manager_factory, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        km=kernel_manager_factory(),
        timeout=600,
        allow_errors=False,
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    client.execute()  # raises CellExecutionError naming the failing cell
    cells = _code_cells(nb)
    assert all(c.get("execution_count") for c in cells)
