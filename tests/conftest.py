"""Shared fixtures: small resolved scenarios."""

from __future__ import annotations

from pathlib import Path

import pytest

from cop_sim import scenario

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "scenarios" / "default.toml"


@pytest.fixture
def resolve():
    """Resolve the default scenario with dotted-key overrides."""

    def _resolve(*pairs: str, path: Path = DEFAULT) -> dict:
        return scenario.load(path, list(pairs))

    return _resolve
