#!/usr/bin/env bash
# Set up the teaching demo (cop-sim demo) and its browser test, idempotently:
#   1. Debian's chromium, if /usr/bin/chromium is missing (Playwright's own browser download
#      cannot reach its server on these machines);
#   2. Solara's front-end assets in .cache/solara-assets, fetched from the npm registry, so the
#      demo never needs jsDelivr (classrooms behind firewalls, CI).
# Fast when already done: it only checks that the files are there.
# Environment: PYTHON (default .venv/bin/python), COP_SIM_DEMO_ASSETS (the cache folder).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}

if [ ! -x /usr/bin/chromium ]; then
    echo "setup_demo: installing Debian's chromium"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -q
    $sudo apt-get install -y -q chromium
fi

cache=$("$PYTHON" -m cop_sim.demo.assets dir)
missing=$("$PYTHON" -m cop_sim.demo.assets missing)
if [ -z "$missing" ]; then
    exit 0
fi

if ! command -v npm >/dev/null; then
    echo "setup_demo: npm is needed to fetch Solara's browser assets (missing: $missing)" >&2
    exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$cache"
for spec in $missing; do
    echo "setup_demo: fetching $spec from the npm registry"
    tarball=$(cd "$tmp" && npm pack --silent "$spec" | tail -n 1)
    unpacked="$tmp/unpacked"
    rm -rf "$unpacked" && mkdir -p "$unpacked"
    tar -xzf "$tmp/$tarball" -C "$unpacked"
    # Solara's proxy maps /_solara/cdn/<name>@<version>/<file> to <cache>/<name>@<version>/<file>;
    # move the whole package in at once so a half-copied package never looks complete.
    target="$cache/$spec"
    mkdir -p "$(dirname "$target")"
    rm -rf "$target.partial" "$target"
    mv "$unpacked/package" "$target.partial"
    mv "$target.partial" "$target"
done

still=$("$PYTHON" -m cop_sim.demo.assets missing)
if [ -n "$still" ]; then
    echo "setup_demo: could not fetch: $still" >&2
    exit 1
fi
echo "setup_demo: Solara assets ready in $cache"
