"""Solara's browser assets served from a local folder, so the demo works without internet.

Solara's server proxies ``/_solara/cdn/<package>@<version>/<file>`` to jsDelivr and caches
what it fetched under ``SOLARA_ASSETS_PROXY_CACHE_DIR``. Classrooms behind firewalls and CI
cannot reach jsDelivr, so ``scripts/setup_demo.sh`` fills that folder from the npm registry
beforehand, in the same layout, and ``cop-sim demo`` points Solara at it.

Run as ``python -m cop_sim.demo.assets missing`` to list the packages not yet in the cache
(the setup script uses this, so the package list lives in one place).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

# The exact versions solara 1.64 requests (server/templates/solara.html.j2 and
# widgets/vue/gridlayout.vue); tests/test_demo_assets.py checks they still match.
PACKAGES: tuple[str, ...] = (
    "@widgetti/solara-vuetify-app@10.1.1",
    "requirejs@2.3.6",
    "font-awesome@4.5.0",
    "@widgetti/vue-grid-layout@2.3.13-alpha.2",
)

# Files the page loads first; if any is missing the page stays blank.
KEY_FILES: tuple[str, ...] = (
    "@widgetti/solara-vuetify-app@10.1.1/dist/main8.css",
    "@widgetti/solara-vuetify-app@10.1.1/dist/fonts.css",
    "@widgetti/solara-vuetify-app@10.1.1/dist/solara-vuetify-app8.min.js",
    "@widgetti/solara-vuetify-app@10.1.1/dist/solara-vuetify-app8.js",
    "requirejs@2.3.6/require.js",
    "font-awesome@4.5.0/css/font-awesome.min.css",
    "@widgetti/vue-grid-layout@2.3.13-alpha.2/dist/vue-grid-layout.umd.js",
)

ENV_CACHE = "COP_SIM_DEMO_ASSETS"


def repo_root() -> Path:
    """The checkout holding this package (the demo is run from an editable install)."""
    return Path(__file__).resolve().parents[2]


def cache_dir() -> Path:
    """The asset folder: ``$COP_SIM_DEMO_ASSETS`` or ``<repo>/.cache/solara-assets``."""
    return Path(os.environ.get(ENV_CACHE) or repo_root() / ".cache" / "solara-assets")


def missing_packages(folder: Path | None = None) -> list[str]:
    """Packages whose folder (with its ``package.json``) is not in the cache yet."""
    folder = folder or cache_dir()
    return [p for p in PACKAGES if not (folder / p / "package.json").is_file()]


def missing_files(folder: Path | None = None) -> list[str]:
    """Key files absent from the cache, as paths relative to it."""
    folder = folder or cache_dir()
    return [f for f in KEY_FILES if not (folder / f).is_file()]


def configure_environment(folder: Path | None = None) -> list[str]:
    """Point Solara at the local assets and switch its telemetry off.

    Must run before the first ``import solara``. Returns the key files still missing
    (empty when the demo can run offline).
    """
    folder = folder or cache_dir()
    os.environ["SOLARA_ASSETS_PROXY"] = "True"
    os.environ["SOLARA_ASSETS_PROXY_CACHE_DIR"] = str(folder)
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    server_settings = sys.modules.get("solara.server.settings")
    if server_settings is not None:  # imported too early: its settings were read already
        server_settings.assets.proxy_cache_dir = folder
        server_settings.telemetry.mixpanel_enable = False
    return missing_files(folder)


def main(argv: list[str] | None = None) -> int:
    """Command line for the setup script: ``missing`` prints one package spec per line."""
    parser = argparse.ArgumentParser(prog="python -m cop_sim.demo.assets")
    parser.add_argument("what", choices=["missing", "packages", "dir"])
    parser.add_argument("--dir", type=Path, default=None, help="cache folder (default: %(default)s)")
    args = parser.parse_args(argv)
    if args.what == "missing":
        lines = missing_packages(args.dir)
    elif args.what == "packages":
        lines = list(PACKAGES)
    else:
        lines = [str(args.dir or cache_dir())]
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
