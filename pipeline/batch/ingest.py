"""Ingest: files and folders in, `Document`s (or `Problem`s) out.

Reads `.txt` and `.html`/`.htm` files (one article each) and `.jsonl` / `.csv`
collections as crawlers write them (one article per line/record with `id`,
`text` and optional `title`, `published`, `url`). Collections are streamed
record by record, each record at most MAX_RECORD characters, so their size
has no limit; a single article file is read whole, up to MAX_BYTES. Only
regular files are read: FIFOs, devices and sockets are refused.

Bytes are decoded as UTF-8 (a leading BOM dropped), UTF-16 with a BOM, or a
legacy Cyrillic code page (cp1251, koi8-r) recognised by letter statistics. An
HTML page (`.html`, `.htm`, a file starting `<!doctype html`/`<html`, or a
text or record with three or more HTML tags in it) becomes its visible text.
The decoded (extracted) text is stored as is: every offset downstream refers
to it. README "Bad inputs" lists what happens to each kind of bad input.

Document ids (stable from run to run, whatever else arrives):
- a file: its path relative to the folder given, `/`-separated, without a
  `.txt` suffix (`a/news.txt` -> `a/news`; `a/news.html` -> `a/news.html`);
  a file given by itself: its name without `.txt`. When several folders are
  given, each id starts with its folder's name (`d1/x`, `d2/x`);
- a record: its `id` (a string as given, an integer written in digits), or,
  without one, the collection's id, `:` and the first 16 hex digits of the
  sha256 of its text (`feed:3f2a...`): inserting a record re-keys nothing.
Hidden files and folders (a name starting with `.`: `.git/`,
`.ipynb_checkpoints/`, macOS `._x.txt`) and output folders of a run (holding
`_manifest.json`, or a table folder with a `_delta_log/`) are not read.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path

from pipeline.batch import warc
from pipeline.batch.texts import (  # noqa: F401 (ingest.X names kept for callers)
    BLOCK_TAGS,
    COMMON,
    CONTROLS,
    MAGIC,
    MARKUP,
    MAX_BYTES,
    MAX_CHARS,
    SKIP_TAGS,
    Decoded,
    InputError,
    check_text,
    decode,
    display,
    html_text,
    letter_score,
    looks_like_html,
    printable,
    warning,
    without_surrogates,
)
from pipeline.batch.web import text_document
from pipeline.document import Document, Problem

SUFFIXES = ('.txt', '.jsonl', '.csv', '.html', '.htm')
MAX_RECORD = 3 * MAX_CHARS   # characters in one JSONL line or CSV record (JSON escapes take room)
HEAD = 65_536            # bytes of a collection read to choose its encoding and CSV dialect
MANIFEST = '_manifest.json'   # store/layout.py: an output folder of a run holds it


def hidden(name: str) -> bool:
    """A hidden or tool file or folder: `.git`, `.ipynb_checkpoints`, macOS `._x.txt`."""
    return name.startswith('.')


def is_store(folder: Path, children: Iterable[str] | None = None) -> bool:
    """An output folder of a run: it holds `_manifest.json`, or a table folder with a `_delta_log/`."""
    try:
        names = list(os.listdir(folder) if children is None else children)
        return MANIFEST in names or '_delta_log' in names or any(
            (folder / _ / '_delta_log').is_dir() for _ in names if not hidden(_))
    except OSError:
        return False


def list_files(paths: Iterable[str | os.PathLike]) -> list[tuple[Path, Path]]:
    """(file, root) pairs: files given directly (root: their folder), and the supported files under
    folders, hidden ones and output folders of a run left out. Symbolic links to folders are not followed."""
    found = []
    for path in map(Path, paths):
        if not path.is_dir():
            found.append((path, path.parent))
            continue
        for folder, dirs, files in os.walk(path):
            here = Path(folder)
            if is_store(here, dirs + files):
                dirs[:] = []
                continue
            dirs[:] = [_ for _ in dirs if not hidden(_)]
            found.extend((here / _, path) for _ in files
                         if not hidden(_) and (os.path.splitext(_)[1].lower() in SUFFIXES
                                               or warc.is_warc(Path(_))))
    return sorted(found, key=lambda _: (_[1], _[0]))


def root_name(root: Path) -> str:
    return os.path.basename(os.path.abspath(root)) or 'root'


def file_id(file: Path, root: Path, prefixed: bool) -> str:
    """`doc_id` of an article file: its path under `root` without `.txt` (module docstring)."""
    relative = file.relative_to(root) if file.is_relative_to(root) else Path(file.name)
    name = relative.as_posix()
    if relative.suffix.lower() == '.txt':
        name = name[:-4]
    if prefixed:
        name = f'{root_name(root)}/{name}'
    return printable(name)


def text_id(collection: str, text: str) -> str:
    """`doc_id` of a record without an id: stable whatever else the collection holds."""
    return f'{collection}:{hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]}'


def check_out(inputs: Iterable[str | os.PathLike], out: str | os.PathLike) -> None:
    """Raise InputError when the output folder `out` lies inside an input folder, or is one (each run
    would read its own tables back as articles), or when it, or a folder above it, is a file."""
    target = Path(os.path.abspath(out))
    for folder in (target, *target.parents):
        if folder.exists():
            if not folder.is_dir():
                raise InputError(f'--out {os.fspath(out)} cannot be a folder: {os.fspath(folder)} is a file')
            break
    for path in map(Path, inputs):
        if not path.is_dir():
            continue
        folder = Path(os.path.abspath(path))
        if target == folder or target.is_relative_to(folder) or folder.is_relative_to(target):
            raise InputError(
                f'--out {os.fspath(out)} is inside the input folder {os.fspath(path)} (or holds it): '
                f'a run would read its own tables as articles; give an --out outside the inputs')


def open_file(path: Path):
    """A binary handle on `path`, which must be a regular file (a FIFO can block, a device never ends)."""
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            kind = ('a directory' if stat.S_ISDIR(mode) else 'a FIFO (named pipe)' if stat.S_ISFIFO(mode)
                    else 'a device' if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else 'a socket')
            raise InputError(f'is {kind}, not a regular file; not read')
        return open(path, 'rb')
    except FileNotFoundError as error:
        raise InputError('disappeared before it could be read') from error
    except PermissionError as error:
        raise InputError('cannot be read (permission denied)') from error
    except OSError as error:
        raise InputError(f'cannot be read ({error.strerror or error})') from error


def read_bytes(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of an article file; over `limit` it is refused (and never read further)."""
    with open_file(path) as handle:
        try:
            size = os.fstat(handle.fileno()).st_size
            # a size can lie (/proc): read at most that
            data = b'' if size > limit else handle.read(limit + 1)
        except OSError as error:
            raise InputError(f'cannot be read ({error.strerror or error})') from error
    if size > limit or len(data) > limit:
        raise InputError(f'is too large: {max(size, len(data)):,} bytes, the limit is {limit:,} '
                         f'(one article a file; a .jsonl/.csv collection has no limit)')
    return data


def read_txt(path: Path, doc_id: str) -> Iterator[Document | Problem]:
    source = display(path)
    try:
        decoded = decode(read_bytes(path))
    except InputError as error:
        yield Problem(source, doc_id, 'ingest', f'{source} {error}')
        return
    if decoded.warning:
        yield warning(source, doc_id, f'{source}: {decoded.warning}')
    yield from text_document(decoded.text, doc_id, source, html=looks_like_html(path, decoded.text))




ISO = re.compile(r'\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}([+-]\d{2}:\d{2})?)?')


def published_value(value: str) -> str | None:
    """Metadata `published` as ISO 8601 (`2024-08-23`, `2024-08-23T10:00+03:00`: the offset kept as
    given), read as the `published` stage reads it; None when it is not a date."""
    from pipeline.stages.published import normalise
    try:
        found = normalise(value)
    except Exception:   # a grammar failure on odd text: not a date either
        return None
    if not ISO.fullmatch(found):
        return None
    try:
        datetime.fromisoformat(found)   # `2024-13-45T99:99` comes back as given: not a date
    except ValueError:
        return None
    return found


def known_id(record) -> str | None:
    """The record's own id, when it has a usable one: a string as given, an integer in digits."""
    if not isinstance(record, dict):
        return None
    value = record.get('id')
    if isinstance(value, str) and value.strip():
        return without_surrogates(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def record_document(record, source: str, collection: str) -> tuple[Document, list[Problem]]:
    """One record as a document, and the warnings about its metadata."""
    if not isinstance(record, dict):
        raise InputError('is not an object with "id" and "text"')
    text = record.get('text')
    if not isinstance(text, str):
        raise InputError('has no "text" string')
    raw_id = record.get('id')
    if raw_id is not None and (isinstance(raw_id, bool) or not isinstance(raw_id, (str, int))):
        raise InputError(f'has an "id" that is neither a string nor an integer: {json.dumps(raw_id)[:80]}')
    check_text(text)
    page = None
    if looks_like_html(None, text):   # the article, as for an HTML file (batch/web.py)
        from pipeline.batch import web
        page = web.extract(text, record.get('url') if isinstance(record.get('url'), str) else None)
        text = page.text
        if not text:
            raise InputError('is HTML with no visible text')
        check_text(text)   # what is left of the markup may be control characters only
    text = without_surrogates(text)
    doc_id = known_id(record) or text_id(collection, text)
    warnings = []

    def optional(key):
        value = record.get(key)
        if value is None or value == '':
            return None
        if not isinstance(value, str):   # a number, list or object: its JSON, not a Python repr
            value = json.dumps(value, ensure_ascii=False)
            warnings.append(warning(source, doc_id,
                                    f'{source}: "{key}" is not a string; stored as JSON {value[:80]}'))
        return without_surrogates(value)

    title, url, published = optional('title'), optional('url'), optional('published')
    if page is not None:   # what the page says fills what the record leaves empty
        title, published = title or page.title, published or page.published
        if page.warning:
            warnings.append(warning(source, doc_id, f'{source}: {page.warning}'))
    if published is not None:
        value = published_value(published)
        if value is None:
            warnings.append(warning(source, doc_id,
                                    f'{source}: "published" {published[:80]!r} is not a date '
                                    f'(ISO 8601, 23.08.2024, RFC 2822, 23 августа 2024); left empty'))
        published = value
    document = Document(doc_id=doc_id, text=text, source=source, title=title, url=url,
                        published=published, published_source='metadata' if published else None,
                        author=page.author if page else None, site=page.site if page else None)
    return document, warnings


REPLACED = [0]   # invalid byte sequences replaced while decoding collections (the handler below counts them)


def replace_counted(error: UnicodeDecodeError):
    REPLACED[0] += 1
    return '\ufffd', error.end


codecs.register_error('ingest-replace', replace_counted)


def collection_encoding(head: bytes) -> str:
    """The encoding of a collection, from its first bytes (the letter statistics of `decode`)."""
    if head.startswith(b'\xef\xbb\xbf'):
        return 'utf-8-sig'
    if head.startswith((b'\xff\xfe', b'\xfe\xff')):
        return 'utf-16'
    try:
        head.decode('utf-8')
        return 'utf-8'
    except UnicodeDecodeError as error:
        if error.start >= len(head) - 3 and 'unexpected end' in error.reason:   # a letter cut by the sample
            return 'utf-8'
    return decode(head).encoding


class Window(io.RawIOBase):
    """The bytes [start, end) of a binary file, read as a file of their own."""

    def __init__(self, handle, start: int, end: int | None):
        self.handle, self.left = handle, None if end is None else end - start
        handle.seek(start)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        size = len(buffer) if self.left is None else min(len(buffer), self.left)
        data = self.handle.read(size) if size > 0 else b''
        buffer[:len(data)] = data
        if self.left is not None:
            self.left -= len(data)
        return len(data)


def read_records(path: Path, collection: str, start: int = 0, end: int | None = None,
                 line: int = 1) -> Iterator[Document | Problem]:
    """The records of a .jsonl or .csv collection, streamed: one record in memory at a time.

    A JSONL collection may be read by parts (batch/units.py): the lines of the bytes [start, end), the
    first of them line number `line`; a part starts at the beginning of a line."""
    source = display(path)
    try:
        handle = open_file(path)
    except InputError as error:
        yield Problem(source, None, 'ingest', f'{source} {error}')
        return
    with handle:
        try:
            head = handle.read(HEAD)
            encoding = collection_encoding(head)
            if start and encoding == 'utf-8-sig':   # the BOM is the first part's
                encoding = 'utf-8'
            window = io.BufferedReader(Window(handle, start, end))
        except InputError as error:
            yield Problem(source, None, 'ingest', f'{source} {error}')
            return
        except OSError as error:
            yield Problem(source, None, 'ingest', f'{source} cannot be read ({error.strerror or error})')
            return
        jsonl = path.suffix.lower() == '.jsonl'
        text = io.TextIOWrapper(window, encoding=encoding, errors='ingest-replace',
                                newline='\n' if jsonl else '')
        replaced = REPLACED[0]
        try:
            if jsonl:
                rows = jsonl_rows(text, line)
            else:
                rows = csv_rows(text, head.decode(encoding.replace('-sig', ''), errors='replace'))
            for number, row in rows:
                where = f'{source}:{number}'
                try:
                    if isinstance(row, Exception):
                        raise row
                    document, warnings = record_document(row, where, collection)
                    yield from warnings
                    yield document
                except InputError as error:
                    yield Problem(where, known_id(row), 'ingest', f'{where} (record {number}) {error}')
        except OSError as error:
            yield Problem(source, None, 'ingest', f'{source} could not be read to its end '
                                                  f'({error.strerror or error})')
        if REPLACED[0] > replaced:
            yield warning(source, None, f'{source}: {REPLACED[0] - replaced} invalid {encoding} byte '
                                        f'sequence(s) replaced by U+FFFD')


def jsonl_rows(handle: io.TextIOBase, first: int = 1) -> Iterator[tuple[int, dict | Exception]]:
    """(line number, record) per line, the first line numbered `first`; a line is ended by `\\n` only
    (U+2028 inside a string is text)."""
    number = first - 1
    while True:
        line = handle.readline(MAX_RECORD + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_RECORD:
            while line and not line.endswith('\n'):   # the rest of the record, unread
                line = handle.readline(1 << 20)
            yield number, InputError(f'is longer than {MAX_RECORD:,} characters; not read')
            continue
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as error:
            yield number, InputError(f'is not valid JSON ({error.msg} at column {error.colno})')
        except RecursionError:
            yield number, InputError('is nested too deeply to read as JSON')
        except ValueError as error:   # an integer of thousands of digits
            yield number, InputError(f'cannot be read as JSON ({str(error).split(";")[0]})')


class TooLong(Exception):
    """A CSV record over MAX_RECORD characters."""


class Lines:
    """The physical lines of a CSV, numbered, with the lines of the record being read kept so that
    those after the first can be read again when the record is bad (an unclosed quote swallows them)."""

    def __init__(self, handle: io.TextIOBase):
        self.handle, self.number, self.back, self.taken, self.size = handle, 0, [], [], 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self.back:
            item = self.back.pop()
        else:
            line = self.handle.readline(MAX_RECORD + 1)
            if not line:
                raise StopIteration
            self.number += 1
            item = (self.number, line)
        self.taken.append(item)
        self.size += len(item[1])
        if self.size > MAX_RECORD:
            raise TooLong
        return item[1]

    def record(self, dialect) -> list[str] | None:
        """The next record's fields (None at the end); raises csv.Error or TooLong for a bad one."""
        self.taken, self.size = [], 0
        return next(csv.reader(self, dialect), None)

    def first(self) -> int:
        return self.taken[0][0] if self.taken else self.number

    def again(self) -> None:
        """Read the lines after the bad record's first one again; an overlong line is skipped."""
        if self.taken and len(self.taken[-1][1]) > MAX_RECORD:   # a line cut by the limit
            line = self.taken.pop()[1]
            while line and not line.endswith(('\n', '\r')):
                line = self.handle.readline(1 << 20)
        self.back.extend(reversed(self.taken[1:]))
        self.taken = self.taken[:1]


def csv_dialect(sample: str) -> type[csv.Dialect] | None:
    """The dialect whose header has a `text` column (delimiter by csv.Sniffer, else tried in turn)."""
    candidates = []
    with contextlib.suppress(csv.Error):
        candidates.append(csv.Sniffer().sniff(sample[:HEAD], delimiters=',;\t|').delimiter)
    for delimiter in candidates + [',', ';', '\t', '|']:
        dialect = type('Found', (csv.excel,), dict(delimiter=delimiter, strict=True))
        try:
            header = next(csv.reader(io.StringIO(sample, newline=''), dialect), [])
        except csv.Error:
            continue
        if 'text' in (_.strip().lower() for _ in header):
            return dialect
    return None


def csv_rows(handle: io.TextIOBase, sample: str) -> Iterator[tuple[int, dict | Exception]]:
    """(line, record) per CSV record; a bad record is an error naming its first line, the rest read on."""
    csv.field_size_limit(MAX_RECORD)   # the default, 131,072 characters, is a long article
    dialect = csv_dialect(sample)
    if dialect is None:
        first = sample.splitlines()[0][:80] if sample.strip() else ''
        yield 1, InputError(f'has no "text" column in its header (first line: {first!r}); a CSV needs a '
                            'header line naming its columns, e.g. "id,text" (or ";" / tab separated)')
        return
    lines = Lines(handle)
    try:
        header = lines.record(dialect)
    except (csv.Error, TooLong) as error:
        yield 1, InputError(f'has a header that cannot be read ({error or "too long"})')
        return
    names = [_.strip().lower() for _ in header or []]
    while True:
        try:
            row = lines.record(dialect)
        except TooLong:
            start = lines.first()
            lines.again()
            yield start, InputError(f'is longer than {MAX_RECORD:,} characters (an unclosed quote?); '
                                    f'read again from line {start + 1}')
            continue
        except csv.Error as error:
            start = lines.first()
            if len(lines.taken) > 1:
                lines.again()
                yield start, InputError(f'is not valid CSV ({error}): an unclosed quote?; '
                                        f'read again from line {start + 1}')
            else:
                yield start, InputError(f'is not valid CSV ({error})')
            continue
        if row is None:
            return
        if not any(_.strip() for _ in row):
            continue
        yield lines.first(), dict(zip(names, row))


def read_inputs(paths: Iterable[str | os.PathLike]) -> Iterator[Document | Problem]:
    """Every document (or problem) found under `paths`, in a stable order."""
    paths = [Path(_) for _ in paths]
    folders = [_ for _ in paths if _.is_dir()]
    for folder in folders:
        if is_store(folder):
            yield Problem(display(folder), None, 'ingest',
                          f'{display(folder)} is an output folder of a run (it holds {MANIFEST} or a '
                          f'_delta_log); not read as input')
    seen: dict[str, str] = {}
    for path, root in list_files(paths):
        if not path.exists() and not path.is_symlink():
            yield Problem(display(path), None, 'ingest', f'{display(path)} does not exist')
            continue
        doc_id = file_id(path, root, len(folders) > 1 and root in folders)
        if warc.is_warc(path):   # a web archive: one document per HTML or text response (batch/warc.py)
            items = warc.read_warc(path)
        elif path.suffix.lower() in ('.jsonl', '.csv'):
            items = read_records(path, doc_id.rsplit('.', 1)[0])
        else:
            items = read_txt(path, doc_id)
        for item in items:
            if isinstance(item, Document):
                if item.doc_id in seen:
                    yield Problem(
                        item.source, item.doc_id, 'ingest',
                        f'{item.source}: doc_id {item.doc_id!r} already taken by {seen[item.doc_id]}; '
                        f'skipped',
                    )
                    continue
                seen[item.doc_id] = item.source
            yield item


def estimate(inputs: list[str]) -> int:
    """About how many documents `inputs` hold (for the progress bar's ETA): the lines of a collection's
    first megabyte, scaled to its size; nothing is read from anything but regular files."""
    total = 0
    for path, _ in list_files(inputs):
        if path.suffix.lower() not in ('.jsonl', '.csv'):
            total += 1
            continue
        try:
            size = os.stat(path).st_size
            with open_file(path) as handle:
                head = handle.read(1 << 20)
            lines = head.count(b'\n') - (path.suffix.lower() == '.csv')
            total += max(1, round(lines * size / len(head)) if head else 0)
        except (InputError, OSError):
            total += 1
    return total
