"""Writing a file so that readers see the old one or the new one, never half of either."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _default_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_DEFAULT_MODE = _default_mode()


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A new empty file beside `path` to write into, renamed onto `path` when the block ends
    without an error and removed when it does not: a failed or killed write leaves the old file.
    Its name starts with a dot and ends with `path`'s suffix, so code that picks a format by the
    suffix still can."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=f".part{path.suffix}")
    os.close(handle)
    # mkstemp makes the file private (0600); the result should have the mode any new file gets.
    os.chmod(temporary, _DEFAULT_MODE)
    try:
        yield Path(temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
