"""Names from scenario, experiment and calibration files, which become folder names under ``results/``."""

from __future__ import annotations

import re

_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:")
# A file system allows 255 bytes per name; cop-sim adds up to 24 (``_posterior``, ``_recovery``,
# and a temporary folder's ``.NAME.1a2b3c4d.tmp``), so a name is cut well below that.
NAME_MAX = 200


def _shown(value: str) -> str:
    """``value``'s repr, shortened: a message is one line a person reads."""
    return repr(value) if len(value) <= NAME_MAX else f"{value[:40]!r}... ({len(value)} characters)"


def plain_name(value: str) -> str | None:
    """Why ``value`` is not one plain path component (a folder name), or None when it is."""
    if value == "":
        return "got ''; allowed: a non-empty name (it names the results folder)"
    size = len(value.encode("utf-8", "surrogatepass"))
    if size > NAME_MAX:
        return (f"got {_shown(value)}, {size} bytes in UTF-8; allowed: a name of at most {NAME_MAX} "
                "bytes (it names the results folder)")
    if "/" in value or "\\" in value or value in (".", "..") or _WINDOWS_DRIVE.match(value) \
            or "\0" in value:
        return (f"got {_shown(value)}; allowed: a plain folder name, without '/', '\\', '..' or a drive "
                "(it names the results folder under results/; use --out to write elsewhere)")
    return None


def optional_name(value: str) -> str | None:
    """As :func:`plain_name`, but '' (use the file's name) is allowed."""
    return None if value == "" else plain_name(value)
