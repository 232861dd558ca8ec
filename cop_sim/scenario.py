"""Scenario files: read TOML, apply ``--set`` overrides, resolve against the model's defaults."""

from __future__ import annotations

import contextlib
import hashlib
import json
import tomllib
from pathlib import Path
from typing import Any

from cop_sim import models
from cop_sim.params import InputError, defaults, merge, set_dotted

MAX_DEPTH = 32  # tables and arrays nested deeper than any setting (a scenario needs about 6)


def check_depth(value: Any, source: str, key: str = "", limit: int = MAX_DEPTH) -> Any:
    """``value`` if its tables and arrays nest at most ``limit`` deep, else an InputError.

    Iterative, so that what is checked here cannot exhaust the stack of the code that reads it on.
    """
    todo = [(value, 1)]
    while todo:
        node, depth = todo.pop()
        items = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if items is None:
            continue
        if depth > limit:
            raise InputError(source, key, f"tables or arrays nested more than {limit} deep; allowed: "
                             f"at most {limit} levels")
        todo.extend((v, depth + 1) for v in items)
    return value


def read_toml(path: str | Path) -> dict:
    """Parse a TOML file, turning every failure into an InputError naming the file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(str(path), "", "no such file")
    try:
        text = path.read_text(encoding="utf-8")
        if text.startswith("\ufeff"):  # TOML forbids it and tomllib only says "Invalid statement"
            raise InputError(str(path), "", "starts with a UTF-8 byte-order mark (BOM), which TOML does "
                             "not allow; save the file as UTF-8 without BOM")
        return check_depth(tomllib.loads(text), str(path))
    except RecursionError:  # tomllib recurses once per level of nested inline tables and arrays
        raise InputError(str(path), "", f"tables or arrays nested too deep; allowed: at most {MAX_DEPTH} "
                         "levels") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(str(path), "", f"not valid TOML ({exc})") from None
    except UnicodeDecodeError:
        raise InputError(str(path), "", "not a text file (TOML expected)") from None


def parse_value(text: str, source: str = "--set", key: str = "") -> Any:
    """Parse a ``--set`` value as a TOML value (numbers, booleans, lists), else a string."""
    try:
        return check_depth(tomllib.loads(f"v = {text}")["v"], source, key)
    except RecursionError:
        raise InputError(source, key, f"tables or arrays nested too deep; allowed: at most {MAX_DEPTH} "
                         "levels") from None
    except tomllib.TOMLDecodeError:
        return text


def overrides_from_pairs(pairs: list[str], source: str = "--set") -> dict:
    """Turn ``["a.b=1", ...]`` into a nested override dict."""
    tree: dict = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise InputError(source, pair, "expected KEY=VALUE, e.g. cop.moderator_skill=0.9")
        key, value = pair.split("=", 1)
        set_dotted(tree, key.strip(), parse_value(value.strip(), source, key.strip()))
    return tree


def deep_update(base: dict, extra: dict) -> dict:
    """Nested dict update, returning a new dict."""
    out = dict(base)
    for k, v in extra.items():
        out[k] = deep_update(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


MAX_SEED = 2**63 - 1  # the documented range of every seed, [0, 2**63 - 1]


def check_seed(seed: int, source: str = "--seed") -> int:
    """``seed`` if it lies in [0, MAX_SEED], else an InputError naming ``source`` (the option typed)."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise InputError(source, "", f"got {seed!r}; allowed: an integer in [0, {MAX_SEED}]")
    return seed


@contextlib.contextmanager
def _migration_hints(kind: models.ModelKind):
    """Turn "unknown key" into what replaced it, for a key the model removed."""
    try:
        yield
    except InputError as exc:
        parts = exc.key.split(".")
        wild = ".".join("*" if i == 1 and parts[0] == "disciplines" else p for i, p in enumerate(parts))
        hint = exc.message.startswith("unknown key") and (kind.migration(exc.key) or kind.migration(wild))
        if not hint:
            raise
        raise InputError(exc.source, exc.key, f"{hint} (a key of an earlier model)") from None


def resolve(raw: dict, source: str = "", extra: dict | None = None, extra_source: str = "--set",
            options: dict | None = None) -> dict:
    """Resolve a raw scenario (plus overrides) into a complete, validated scenario dict.

    ``options`` are top-level settings given as command-line options (e.g. ``{"weeks": 0}`` from
    ``--weeks 0``); they apply last and a bad one is blamed on its option, ``--weeks``.
    """
    check_depth(raw, source)  # what a file holds was checked when it was read; a caller's dict is not
    check_depth(extra or {}, extra_source)
    name = (extra or {}).get("model", raw.get("model", "cop"))
    kind = models.get(name, source)
    spec = kind.spec
    with _migration_hints(kind):
        resolved = merge(spec, defaults(spec), raw, source)
        if extra:
            resolved = merge(spec, resolved, extra, extra_source)
    for key, value in (options or {}).items():
        try:
            resolved = merge(spec, resolved, {key: value}, f"--{key}")
        except InputError as exc:
            raise InputError(f"--{key}", "", exc.message) from None
    return kind.check(resolved, source)


def load(path: str | Path, pairs: list[str] | None = None, extra: dict | None = None,
         options: dict | None = None) -> dict:
    """Read, override and resolve a scenario file (``options``: see :func:`resolve`)."""
    raw = read_toml(path)
    raw.setdefault("name", Path(path).stem)
    more = deep_update(overrides_from_pairs(pairs or []), extra or {})
    return resolve(raw, str(path), more, options=options)


def renamed(resolved: dict, name: str) -> dict:
    """The resolved scenario with another ``name`` (a label only: nothing else is re-checked)."""
    if hasattr(resolved, "renamed"):  # a model's checked scenario keeps what it resolved
        return resolved.renamed(name)
    return {**resolved, "name": name}


def content_hash(obj: Any) -> str:
    """A stable SHA-256 of a JSON-serialisable object."""
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()
