"""``cop-sim demo``: serve the teaching demo (Solara) on this machine."""

from __future__ import annotations

import argparse
import os
import socket
import sys
from pathlib import Path

from cop_sim.params import InputError


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``demo`` subcommand."""
    p = sub.add_parser("demo", help="serve the teaching demo in a browser",
                       description="Serve an interactive demo of a community of practice learning, "
                                   "for teaching (Model 2): scenario picker, conditions, "
                                   "Step/Play/Pause/Reset, the network, the stories of the latest meeting, "
                                   "beliefs, care and health views, and a comparison of two settings.")
    p.add_argument("scenario", nargs="?", default=None,
                   help="Model 2 scenario TOML file or name in scenarios/ to start with "
                        "(default: default)")
    p.add_argument("--port", type=int, default=8765, help="port to serve on (default: %(default)s)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: %(default)s, this machine only; "
                        "0.0.0.0 lets other machines in the room connect)")
    p.set_defaults(func=main)


def find_scenario(text: str | None) -> Path:
    """A scenario given as a path or as a name in the shipped ``scenarios/`` folder."""
    from cop_sim.demo.controls import scenarios_dir
    from cop_sim.demo.session import DEFAULT_SCENARIO

    if text is None:
        return scenarios_dir() / f"{DEFAULT_SCENARIO}.toml"
    path = Path(text)
    if path.is_file():
        return path.resolve()
    named = scenarios_dir() / f"{path.stem}.toml"
    if named.is_file():
        return named
    raise InputError(text, "", "no such scenario file or name in scenarios/")


def port_free(host: str, port: int) -> bool:
    """Whether nothing listens on ``host:port`` yet."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def main(args: argparse.Namespace) -> int:
    """Check the scenario, configure Solara for offline use, and serve until interrupted."""
    from cop_sim import scenario
    from cop_sim.demo import assets
    from cop_sim.demo.session import KIND

    path = find_scenario(args.scenario)
    resolved = scenario.load(path)  # bad input is reported here, not in the browser
    if resolved.get("model") != KIND:
        raise InputError(str(path), "model", f"got {resolved.get('model')!r}; allowed: {KIND!r} "
                         "(the demo runs Model 2)")
    if not port_free(args.host, args.port):
        raise InputError("--port", str(args.port), "already in use; choose another with --port")
    missing = assets.configure_environment()  # before Solara is imported
    if missing:
        print(f"cop-sim demo: warning: {len(missing)} browser assets are not in {assets.cache_dir()} "
              "(run: bash scripts/setup_demo.sh); without internet the page will stay blank",
              file=sys.stderr)
    os.environ["COP_SIM_DEMO_SCENARIO"] = str(path)
    os.environ["SOLARA_APP"] = "cop_sim.demo.app"
    os.environ.setdefault("SOLARA_MODE", "production")  # no auto-reload, minified front-end
    os.environ.setdefault("SOLARA_THEME_TITLE", "CoP teaching demo")
    os.environ.setdefault("SOLARA_THEME_SHOW_BANNER", "False")

    import uvicorn

    url = f"http://{'localhost' if args.host in ('127.0.0.1', '0.0.0.0') else args.host}:{args.port}/"
    print(f"cop-sim demo: scenario {path.stem}; open {url} in a browser (Ctrl-C stops)", flush=True)
    uvicorn.run("solara.server.starlette:app", host=args.host, port=args.port, log_level="warning")
    return 0
