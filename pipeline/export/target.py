"""Where an export writes (`report`, `xlsx`, `database`): a regular file or a new one, never anything else.

`check` refuses to replace a symbolic link, a FIFO, a device (`/dev/null`)
or a directory, and a path under a file; `writing` turns what the operating
system says while writing (a read-only mount, a full disk, no permission)
into one clear line. Both raise TargetError, which the CLI prints.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path


class TargetError(Exception):
    """The output file cannot be written there; the message says why."""


REASONS = {
    errno.EROFS: 'the file system is read-only',
    errno.ENOSPC: 'the disk is full',
    errno.EDQUOT: 'the disk quota is used up',
    errno.EACCES: 'permission denied',
    errno.EPERM: 'permission denied',
    errno.ENOTDIR: 'a part of the path is a file, not a folder',
    errno.EISDIR: 'it is a directory',
    errno.ENAMETOOLONG: 'the name is too long',
}


def reason(error: OSError) -> str:
    return REASONS.get(error.errno, error.strerror or str(error))


def check(path: str | os.PathLike) -> Path:
    """`path` itself, when it names a regular file or nothing yet under folders (or nothing)."""
    path = Path(path)
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        mode = None
    except NotADirectoryError:
        mode = None       # found below: a parent is a file
    except OSError as error:
        raise TargetError(f'cannot write {os.fspath(path)}: {reason(error)}') from None
    if mode is not None and not stat.S_ISREG(mode):
        kind = ('a directory: give a file name' if stat.S_ISDIR(mode)
                else 'a symbolic link' if stat.S_ISLNK(mode)
                else 'a FIFO' if stat.S_ISFIFO(mode)
                else 'a device' if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                else 'not a regular file')
        raise TargetError(f'will not replace {os.fspath(path)}: it is {kind}')
    for parent in path.absolute().parents:
        if parent.exists() or parent.is_symlink():
            if not parent.is_dir():
                raise TargetError(f'cannot write {os.fspath(path)}: {os.fspath(parent)} is a file, '
                                  f'not a folder')
            break
    return path


@contextlib.contextmanager
def writing(path: str | os.PathLike) -> Iterator[Path]:
    """Check `path`, and turn an OSError while writing it into a TargetError of one line."""
    path = check(path)
    try:
        yield path
    except OSError as error:
        raise TargetError(f'cannot write {os.fspath(path)}: {reason(error)}') from None
