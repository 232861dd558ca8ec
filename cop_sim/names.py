"""Names from scenario and experiment files, which become folder names under ``results/``."""

from __future__ import annotations

import re

_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:")


def plain_name(value: str) -> str | None:
    """Why ``value`` is not one plain path component (a folder name), or None when it is."""
    if value == "":
        return "got ''; allowed: a non-empty name (it names the results folder)"
    if "/" in value or "\\" in value or value in (".", "..") or _WINDOWS_DRIVE.match(value) \
            or "\0" in value:
        return (f"got {value!r}; allowed: a plain folder name, without '/', '\\', '..' or a drive "
                "(it names the results folder under results/; use --out to write elsewhere)")
    return None


def optional_name(value: str) -> str | None:
    """As :func:`plain_name`, but '' (use the file's name) is allowed."""
    return None if value == "" else plain_name(value)
