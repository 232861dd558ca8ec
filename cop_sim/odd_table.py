"""The ODD parameter table, generated from the spec of the model the ODD describes.

``docs/ODD.md`` holds a Markdown table of every parameter of
:data:`MODEL` between two marker lines. This module renders that table from the code, rewrites
the blocks in place, or checks that the documents still match the code::

    python -m cop_sim.odd_table          # rewrite the block in docs/ODD.md
    python -m cop_sim.odd_table --check  # exit 1 if a block differs from the code
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cop_sim.params import Param, flatten

BEGIN = "<!-- BEGIN PARAMETER TABLE -->"
END = "<!-- END PARAMETER TABLE -->"
ODD_PATH = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"
# The model kind the ODD describes.
MODEL = "cop"
# The documents that carry each kind's parameter table.
DOCS = {MODEL: (ODD_PATH,)}


def model_spec(model: str) -> dict:
    """The parameter spec of a model kind whose table a document carries."""
    from cop_sim import models

    return models.get(model).spec

HEADER = ("key", "default", "unit", "allowed range", "prior (plausible range)", "meaning", "source")


def _scalar(x: Any) -> str:
    """One scalar value as it would be written in a scenario file (``2`` int, ``2.0`` float)."""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, (int, float)):
        return repr(x)
    if isinstance(x, str):
        return f'"{x}"'
    return repr(x)


def _compact_map(value: dict) -> str:
    """A dict default in few words: topic maps by group, other tables in full."""
    return "{" + ", ".join(f"{k}: {_scalar(v)}" for k, v in value.items()) + "}"


def render_default(p: Param) -> str:
    """The default of a parameter, compact enough for a table cell.

    Args:
        p: The parameter.

    Returns:
        Scalars as in a scenario file, lists in full, topic maps by group, other tables in full.
    """
    d = p.default
    if isinstance(d, dict):
        return _compact_map(d)
    if isinstance(d, list):
        return "[" + ", ".join(_scalar(v) for v in d) + "]"
    return _scalar(d)


def render_prior(p: Param) -> str:
    """The prior as ``[lo, hi] family: why``, or "–" when the parameter has none (yet)."""
    return "–" if p.prior is None else f"{p.prior.describe()}: {p.prior.why}"


def _cell(text: str) -> str:
    """Escape a string for a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def parameter_table(spec: dict | None = None) -> str:
    """A Markdown table of every parameter of ``spec`` (default: the spec of :data:`MODEL`).

    Args:
        spec: A nested parameter spec; ``model_spec(MODEL)`` when ``None``.

    Returns:
        The table, one row per dotted key in spec order, ending with a newline.
    """
    rows = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for key, p in flatten(model_spec(MODEL) if spec is None else spec).items():
        cells = (f"`{key}`", f"`{render_default(p)}`", p.unit, p.allowed(), render_prior(p), p.doc, p.source)
        rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(rows) + "\n"


def replace_block(text: str, table: str) -> str:
    """``text`` with the content between the table markers replaced by ``table``.

    Args:
        text: The whole document.
        table: The new table.

    Returns:
        The updated document.

    Raises:
        ValueError: If the markers are missing, duplicated or out of order.
    """
    if text.count(BEGIN) != 1 or text.count(END) != 1 or text.index(BEGIN) > text.index(END):
        raise ValueError(f"expected one '{BEGIN}' followed by one '{END}'")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n\n{table}\n{END}{tail}"  # blank lines: the table is its own block


def current_block(text: str) -> str:
    """The table currently between the markers of ``text`` (without the markers and blank lines)."""
    return text.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or with ``--check`` verify) the parameter table blocks of a model's documents.

    Args:
        argv: Command-line arguments (default: ``sys.argv[1:]``).

    Returns:
        0 when written or up to date, 1 when ``--check`` finds a difference.
    """
    ap = argparse.ArgumentParser(prog="python -m cop_sim.odd_table", description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if a document is out of date")
    ap.add_argument("--model", choices=tuple(DOCS), default=MODEL,
                    help=f"whose parameters (default {MODEL}: docs/ODD.md and docs/cop-model.md)")
    ap.add_argument("--path", type=Path, help="one document instead of the model's")
    args = ap.parse_args(argv)
    paths = [args.path] if args.path else list(DOCS[args.model])
    table = parameter_table(model_spec(args.model))
    stale = 0
    for path in paths:
        text = path.read_text(encoding="utf-8")
        new = replace_block(text, table)
        if new == text:
            continue
        if args.check:
            print(f"{path}: parameter table is out of date; run python -m cop_sim.odd_table "
                  f"--model {args.model}", file=sys.stderr)
            stale = 1
        else:
            path.write_text(new, encoding="utf-8")
            print(f"{path}: parameter table updated")
    return stale


if __name__ == "__main__":
    sys.exit(main())
