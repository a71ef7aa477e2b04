"""Progress of a running import, in a small JSON file beside the database.

The import writes inside one transaction so that a failure leaves nothing behind; a progress row in the
same database would stay invisible until the end, so progress goes to a file the page can read at once.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from django.conf import settings


def _path(batch_id: int) -> Path:
    return Path(settings.VAR_DIR) / "records" / "progress" / f"{batch_id}.json"


def write(batch_id: int, phase: str, done: int = 0, total: int = 0) -> None:
    path = _path(batch_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as fh:
        json.dump({"phase": phase, "done": done, "total": total}, fh)
    os.replace(tmp, path)


def read(batch_id: int) -> dict:
    try:
        return json.loads(_path(batch_id).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {"phase": "", "done": 0, "total": 0}


def clear(batch_id: int) -> None:
    _path(batch_id).unlink(missing_ok=True)
