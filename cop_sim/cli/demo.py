"""``cop-sim demo``: serve the teaching demo (Solara) on this machine."""

from __future__ import annotations

import argparse
import errno
import os
import socket
import sys
from pathlib import Path

from cop_sim.params import InputError


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``demo`` subcommand."""
    p = sub.add_parser("demo", help="serve the teaching demo in a browser",
                       description="Serve an interactive demo of a community of practice learning, "
                                   "for teaching (the CoP model): scenario picker, conditions, "
                                   "Step/Play/Pause/Reset, the network, the stories of the latest meeting, "
                                   "beliefs, care and health views, and a comparison of two settings.")
    p.add_argument("scenario", nargs="?", default=None,
                   help="CoP model scenario TOML file or name in scenarios/ to start with "
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


PORTS = (1, 65535)  # 0 (any free port) is refused: the address printed for the class must be the real one


def check_port(port: int) -> None:
    """Refuse a port number no socket can have."""
    if not PORTS[0] <= port <= PORTS[1]:
        raise InputError("--port", "", f"got {port}; allowed: an integer from {PORTS[0]} to {PORTS[1]}")


def check_listen(host: str, port: int) -> None:
    """Raise an InputError naming the real reason the demo could not listen on ``host:port``.

    The socket's family follows the host as uvicorn's does: IPv6 for an address with a colon.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        socket.getaddrinfo(host, port, family, socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        why = exc.strerror if isinstance(exc, socket.gaierror) else str(exc)
        raise InputError("--host", "", f"cannot resolve the host name {host!r} ({why}); allowed: "
                         "a name or address of this machine, e.g. 127.0.0.1, ::1 or 0.0.0.0") from None
    try:
        sock = socket.socket(family, socket.SOCK_STREAM)
    except OSError as exc:
        raise InputError("--host", "", f"{host!r} is an IPv6 address and this machine has no IPv6 "
                         f"({exc.strerror}); use 127.0.0.1 or 0.0.0.0") from None
    with sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise InputError("--port", "", f"{port} is already in use on {host}; "
                                 "choose another with --port") from None
            if exc.errno == errno.EACCES:
                raise InputError("--port", "", f"{port}: permission denied (ports below 1024 need "
                                 "administrator rights); choose one from 1024 to 65535") from None
            if exc.errno == errno.EADDRNOTAVAIL:
                raise InputError("--host", "", f"{host!r} is not an address of this machine; "
                                 "allowed: e.g. 127.0.0.1, ::1 or 0.0.0.0") from None
            raise InputError("--host", "", f"cannot listen on {host} port {port}: {exc.strerror}") from None


def page_url(host: str, port: int) -> str:
    """The address to open in a browser (an IPv6 address in brackets)."""
    shown = ("localhost" if host in ("127.0.0.1", "0.0.0.0") else "[::1]" if host == "::"
             else f"[{host}]" if ":" in host else host)
    return f"http://{shown}:{port}/"


def main(args: argparse.Namespace) -> int:
    """Check the scenario, configure Solara for offline use, and serve until interrupted."""
    from cop_sim import scenario
    from cop_sim.demo import assets
    from cop_sim.demo.session import KIND

    check_port(args.port)  # options first: they are cheap, and a typo should not wait for the model
    check_listen(args.host, args.port)
    path = find_scenario(args.scenario)
    resolved = scenario.load(path)  # bad input is reported here, not in the browser
    if resolved.get("model") != KIND:
        raise InputError(str(path), "model", f"got {resolved.get('model')!r}; allowed: {KIND!r} "
                         "(the demo runs the CoP model)")
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

    url = page_url(args.host, args.port)
    print(f"cop-sim demo: scenario {path.stem}; open {url} in a browser (Ctrl-C stops)", flush=True)
    uvicorn.run("solara.server.starlette:app", host=args.host, port=args.port, log_level="warning")
    return 0
