"""Every parameter whose default, validity range, prior or source changed since a release, as Markdown.

Compares the spec of an old checkout (0.2.0: ``cop_sim.model2.spec`` at fc7df46) with this one's
(``cop_sim.cop.spec``), key by dotted key. Used to write docs/validation/priors-since-0.2.md.

Usage (0.2.0 = fc7df46, unpacked by ``git archive``)::

    mkdir -p /tmp/v020 && git archive fc7df46 | tar -x -C /tmp/v020
    python scripts/priors_since.py /tmp/v020 cop_sim.model2.spec > table.md
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# run in a fresh interpreter with the checkout first on the path: the two packages share names
DUMP = """
import json, sys
from cop_sim.params import Param
spec = __import__(sys.argv[1], fromlist=["SPEC"]).SPEC
out = {}
def walk(node, pre):
    for key, p in node.items():
        if isinstance(p, Param):
            pr = p.prior
            d = p.default
            try:
                json.dumps(d)
            except TypeError:
                d = repr(d)
            out[pre + key] = {"default": d, "unit": p.unit, "lo": p.lo, "hi": p.hi, "source": p.source,
                              "choices": list(p.choices) if p.choices else None,
                              "prior": [pr.lo, pr.hi, pr.family, pr.why] if pr else None}
        elif isinstance(p, dict):
            walk(p, pre + key + ".")
walk(spec, "")
print(json.dumps(out))
"""
FIELDS = ("default", "lo", "hi", "choices", "prior", "source")


def dump(checkout: Path, module: str) -> dict:
    """The flattened spec of ``module`` in ``checkout``: dotted key -> its fields."""
    env = {"PYTHONPATH": str(checkout), "PATH": "/usr/bin:/bin"}
    run = subprocess.run([sys.executable, "-c", DUMP, module], cwd=checkout, env=env, check=True,
                         capture_output=True, text=True)
    return json.loads(run.stdout)


def _cell(p: dict, field: str) -> str:
    if field == "range":
        return f"{p['lo']:g}-{p['hi']:g}" if p["lo"] is not None else (
            " / ".join(map(str, p["choices"])) if p["choices"] else "-")
    if field == "prior":
        pr = p["prior"]
        return f"[{pr[0]:g}, {pr[1]:g}] {pr[2]}: {pr[3]}" if pr else "none (fixed)"
    return str(p[field]).replace("|", "/").replace("\n", " ")


def table(old: dict, new: dict) -> str:
    """Markdown: changed keys (old -> new per field), then new keys, then removed keys."""
    lines = []
    changed = {k: [f for f in FIELDS if old[k][f] != new[k][f]] for k in old if k in new}
    changed = {k: f for k, f in changed.items() if f}
    lines.append(f"## Parameters of 0.2.0 that changed ({len(changed)})\n")
    if changed:
        lines += ["| key | field | 0.2.0 | now |", "|---|---|---|---|"]
        for k, fields in sorted(changed.items()):
            lines += [f"| `{k}` | {f} | {_cell(old[k], f)} | {_cell(new[k], f)} |" for f in fields]
    else:
        lines.append("None: every parameter 0.2.0 had keeps its default, validity range, prior and source.")
    added = sorted(k for k in new if k not in old)
    lines += ["", f"## Parameters added since 0.2.0 ({len(added)})\n",
              "| key | default | unit | valid | prior | source |", "|---|---|---|---|---|---|"]
    for k in added:
        p = new[k]
        lines.append(f"| `{k}` | {_cell(p, 'default')} | {p['unit']} | {_cell(p, 'range')} | "
                     f"{_cell(p, 'prior')} | {_cell(p, 'source')} |")
    removed = sorted(k for k in old if k not in new)
    lines += ["", f"## Parameters removed since 0.2.0 ({len(removed)})\n"]
    lines += [f"- `{k}`" for k in removed] or ["None."]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Print the table for ``old checkout`` and its spec module against this checkout."""
    old = dump(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "cop_sim.model2.spec")
    new = dump(ROOT, "cop_sim.cop.spec")
    sys.stdout.write(table(old, new))


if __name__ == "__main__":
    main()
