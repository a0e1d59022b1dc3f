"""The file a coordinator names on the command line: is it a readable, ordinary file?

:func:`file_problem` answers before anything opens the file (a FIFO would
block a reader, a folder or a missing name would end in a traceback): a
:class:`~evaluation.intake.problems.Problem` with a message in the
coordinator's language, or None when the file can be read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .problems import Problem

__all__ = ["file_problem", "FILE_CODES"]

FILE_CODES = ("file-missing", "file-is-directory", "file-not-regular", "file-no-permission")


def file_problem(path: Path | str) -> Problem | None:
    """Why ``path`` cannot be read as a submitted file (missing, dangling link, folder, FIFO, no permission)."""
    shown = str(path)
    try:
        st = os.stat(path)  # follows a symbolic link: a dangling one is missing
    except FileNotFoundError:
        return Problem("file-missing", params={"file": shown})
    except PermissionError:
        return Problem("file-no-permission", params={"file": shown})
    except OSError:  # a name too long, a loop of links, ...
        return Problem("file-missing", params={"file": shown})
    if stat.S_ISDIR(st.st_mode):
        return Problem("file-is-directory", params={"file": shown})
    if not stat.S_ISREG(st.st_mode):
        return Problem("file-not-regular", params={"file": shown})
    try:
        with open(path, "rb") as fh:
            fh.read(1)
    except PermissionError:
        return Problem("file-no-permission", params={"file": shown})
    except OSError:
        return Problem("file-no-permission", params={"file": shown})
    return None
