"""The ``cop-sim`` command line: one module per subcommand, errors as messages, not tracebacks."""

from __future__ import annotations

import argparse
import importlib
import sys

from cop_sim import __version__
from cop_sim.outdir import OutputError
from cop_sim.params import InputError

# Each module defines ``register(subparsers)`` which adds its parser with ``func`` set.
COMMANDS = (
    "cop_sim.cli.run",
    "cop_sim.cli.compare",
    "cop_sim.cli.sweep",
    "cop_sim.cli.report",
    "cop_sim.cli.validate",
    "cop_sim.cli.demo",
    "cop_sim.cli.dock",
    "cop_sim.cli.calibrate",
    "cop_sim.cli.evaluate",
)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every available subcommand."""
    parser = argparse.ArgumentParser(
        prog="cop-sim", description="Collective learning in communities of practice in primary care.")
    parser.add_argument("--version", action="version", version=f"cop-sim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point: parse, dispatch, and turn bad input into exit status 2."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InputError as exc:
        print(f"cop-sim: error: {exc}", file=sys.stderr)
        return 2
    except OutputError as exc:  # a full disk or an I/O error while writing results
        print(f"cop-sim: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("cop-sim: interrupted; finished results are kept", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
