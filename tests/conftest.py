"""Shared fixtures: fixed-seed rng, Agg backend, and no figure left open."""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261125)


@pytest.fixture(autouse=True)
def _no_figure_left_open():
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt

        open_figs = plt.get_fignums()
        plt.close("all")
        assert not open_figs, f"test left {len(open_figs)} figure(s) open"
