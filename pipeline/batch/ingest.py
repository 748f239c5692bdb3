"""Ingest: files and folders in, `Document`s (or `Problem`s) out.

Reads `.txt` files (one article each; `doc_id` is the file stem, or the
relative path without extension where stems collide) and `.jsonl` / `.csv`
collections as crawlers write them (one article per line/row with `id`,
`text` and optional `title`, `published`, `url`). Bytes are decoded as UTF-8
(a leading BOM dropped), UTF-16 with a BOM, or a legacy Cyrillic code page
(cp1251, koi8-r) recognised by letter statistics. An HTML page (`.html`,
`.htm`, a file starting `<!doctype html`/`<html`, or a text or record with three
or more HTML tags in it) becomes its visible text.
The decoded (extracted) text is stored as is: every offset downstream refers
to it. README "Bad inputs" lists what happens to each kind of bad input.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from pipeline.batch import warc
from pipeline.document import Document, Problem

SUFFIXES = ('.txt', '.jsonl', '.csv', '.html', '.htm')
MAX_BYTES = 20_000_000   # larger files are refused before reading (README: limits)
MAX_CHARS = 2_000_000    # a document longer than this is refused (about 1000 pages)

MAGIC = (
    (b'\x89PNG', 'a PNG image'),
    (b'\xff\xd8\xff', 'a JPEG image'),
    (b'GIF8', 'a GIF image'),
    (b'PK\x03\x04', 'a ZIP archive (or docx/xlsx)'),
    (b'%PDF', 'a PDF document'),
    (b'\x1f\x8b', 'a gzip archive'),
    (b'\x7fELF', 'an executable'),
    (b'Rar!', 'a RAR archive'),
    (b'7z\xbc\xaf', 'a 7-Zip archive'),
    (b'\xd0\xcf\x11\xe0', 'an old MS Office document'),
)

# the most frequent lower-case Russian letters: right decoding has many of them
COMMON = set('оеаинтсрвлкмдпуяыьгзбчй')


class InputError(Exception):
    """A file or record that cannot become a document; the message says why."""


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    warning: str | None = None


def letter_score(text: str) -> float:
    letters = [_ for _ in text if _.isalpha() and ord(_) > 127]   # markup and Latin words do not count
    if not letters:
        return 0.0
    return sum(_ in COMMON for _ in letters) / len(letters)


def decode(data: bytes) -> Decoded:
    """Bytes to text: UTF-8 (BOM dropped), UTF-16 with BOM, cp1251 or koi8-r."""
    if data.startswith(b'\xef\xbb\xbf'):
        data = data[3:]
    elif data.startswith((b'\xff\xfe', b'\xfe\xff')):
        try:
            return Decoded(data.decode('utf-16'), 'utf-16')
        except UnicodeDecodeError as error:
            raise InputError(f'has a UTF-16 byte order mark but is not valid UTF-16 ({error.reason})')
    for magic, name in MAGIC:
        if data.startswith(magic):
            raise InputError(f'is {name}, not text')
    head = data[:8192]
    if b'\x00' in head:
        raise InputError('is binary (contains NUL bytes), not text')
    try:
        return Decoded(data.decode('utf-8'), 'utf-8')
    except UnicodeDecodeError as error:
        first_bad = error.start
    replaced = data.decode('utf-8', errors='replace')
    n_bad = replaced.count('\ufffd')
    n_good = sum(ord(_) > 127 for _ in replaced) - n_bad
    if n_good > 4 * n_bad:
        # mostly UTF-8 with a few broken bytes: keep the article, say what was lost
        return Decoded(
            replaced, 'utf-8',
            f'{n_bad} invalid UTF-8 byte sequence(s) replaced by U+FFFD (first at byte {first_bad})',
        )
    candidates = []
    for encoding in ('cp1251', 'koi8-r'):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        candidates.append((letter_score(text), encoding, text))
    if candidates:
        score, encoding, text = max(candidates)
        controls = sum(ord(_) < 32 and _ not in '\t\n\r\f' for _ in text)
        if score > 0.5 and controls < 0.01 * len(text) + 1:
            return Decoded(text, encoding)
    raise InputError(
        f'is not valid UTF-8 (bad byte 0x{data[first_bad]:02x} at offset {first_bad}) '
        'and does not read as cp1251 or koi8-r Russian text'
    )


BLOCK_TAGS = {'p', 'div', 'br', 'li', 'tr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'title', 'article',
              'section', 'header', 'footer', 'blockquote', 'pre', 'table', 'ul', 'ol', 'dd', 'dt', 'hr'}
SKIP_TAGS = {'script', 'style', 'noscript', 'template', 'svg'}


MARKUP = re.compile(r'</?(?:p|div|br|span|a|b|i|u|em|strong|h[1-6]|li|ul|ol|table|tr|td|img|script|style|'
                    r'article|section|blockquote|figure)\b[^<>]{0,500}>', re.IGNORECASE)


def looks_like_html(path: Path | None, text: str) -> bool:
    """An .html/.htm file, a text that starts like an HTML page, or one with HTML tags in it
    (three or more: a crawler's record `<p>Текст</p><p>…`, not a `<b>` quoted in an article)."""
    head = text[:1024].lstrip().lower()
    if (path is not None and path.suffix.lower() in ('.html', '.htm')) or head.startswith(('<!doctype html', '<html')):
        return True
    found = 0
    for _ in MARKUP.finditer(text, 0, 200_000):
        found += 1
        if found >= 3:
            return True
    return False


def html_text(html: str) -> str:
    """The visible text of an HTML page: tags, scripts and styles dropped, entities unescaped.

    Block elements become line breaks; runs of blank lines are squeezed. The
    result is the document text (stored in `documents`; every offset refers to it).
    """
    from html.parser import HTMLParser

    class Extract(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.parts, self.skip = [], 0

        def handle_starttag(self, tag, attrs):
            if tag in SKIP_TAGS:
                self.skip += 1
            elif tag in BLOCK_TAGS:
                self.parts.append('\n')

        def handle_endtag(self, tag):
            if tag in SKIP_TAGS:
                self.skip = max(0, self.skip - 1)
            elif tag in BLOCK_TAGS:
                self.parts.append('\n')

        def handle_data(self, data):
            if not self.skip:
                self.parts.append(data)

    parser = Extract()
    parser.feed(html)
    parser.close()
    lines = [' '.join(_.split()) for _ in ''.join(parser.parts).splitlines()]
    text, blank = [], True
    for line in lines:
        if line or not blank:
            text.append(line)
        blank = not line
    return '\n'.join(text).strip()


CONTROLS = re.compile('[\x00-\x08\x0e-\x1f]')   # control characters but \t \n \v \f \r


def check_text(text: str) -> None:
    if not text.strip():
        raise InputError('is empty' if not text else 'holds only whitespace')
    if len(text) > MAX_CHARS:
        raise InputError(f'is too long: {len(text):,} characters, the limit is {MAX_CHARS:,}')
    controls = len(CONTROLS.findall(text, 0, 100_000))
    if controls > 0.1 * min(len(text), 100_000):
        raise InputError('is binary (too many control characters), not text')


def list_files(paths: Iterable[str | os.PathLike]) -> list[tuple[Path, Path]]:
    """(file, root) pairs: files given directly, and supported files under folders."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            for file in sorted(path.rglob('*')):
                # .warc and .warc.gz archives: batch/warc.py
                if (file.suffix.lower() in SUFFIXES or warc.is_warc(file)) and file.is_file():
                    found.append((file, path))
        else:
            found.append((path, path.parent))
    return found


def txt_ids(files: list[tuple[Path, Path]]) -> dict[Path, str]:
    """`doc_id` per .txt file: its stem, or its relative path where stems collide."""
    stems = Counter(file.stem for file, _ in files if file.suffix.lower() not in ('.jsonl', '.csv'))
    ids = {}
    for file, root in files:
        if stems[file.stem] > 1:
            relative = file.relative_to(root) if file.is_relative_to(root) else file
            ids[file] = printable(relative.with_suffix('').as_posix())
        else:
            ids[file] = printable(file.stem)
    return ids


def printable(name: str) -> str:
    """A file name as valid Unicode: bytes that are not UTF-8 written as `\\xNN` (Parquet needs UTF-8)."""
    return os.fsencode(name).decode('utf-8', errors='backslashreplace')


def without_surrogates(value: str) -> str:
    """Lone surrogates (JSON `\\ud800`) replaced by U+FFFD one for one, so offsets stay put."""
    try:
        value.encode('utf-8')
        return value
    except UnicodeEncodeError:
        return ''.join('\ufffd' if 0xD800 <= ord(_) <= 0xDFFF else _ for _ in value)


def read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(f'is too large: {size:,} bytes, the limit is {MAX_BYTES:,}')
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError('disappeared before it could be read')
    except PermissionError:
        raise InputError('cannot be read (permission denied)')
    except IsADirectoryError:
        raise InputError('is a directory')
    except OSError as error:
        raise InputError(f'cannot be read ({error.strerror or error})')


def display(path: Path) -> str:
    """A printable file name, even when the name is not valid UTF-8."""
    return os.fsencode(path).decode('utf-8', errors='backslashreplace')


def read_txt(path: Path, doc_id: str) -> Iterator[Document | Problem]:
    source = display(path)
    try:
        decoded = decode(read_bytes(path))
    except InputError as error:
        yield Problem(source, doc_id, 'ingest', f'{source} {error}')
        return
    if decoded.warning:
        yield Problem(source, doc_id, 'ingest', f'{source}: {decoded.warning}')
    yield from text_document(decoded.text, doc_id, source, html=looks_like_html(path, decoded.text))


# --- web pages (batch/web.py): the article of an HTML page and its metadata -----------------------------
def text_document(text: str, doc_id: str, source: str, html: bool, url: str | None = None,
                  **fields) -> Iterator[Document | Problem]:
    """A document from decoded text: an HTML page becomes its article (web.extract) with the page's
    metadata, or its visible text with a warning; `fields` are further Document fields (WARC)."""
    from pipeline.batch import web
    try:
        page = None
        if html:
            page = web.extract(text, url)
            text = page.text
            if not text.strip():
                raise InputError('is an HTML page with no visible text')
        check_text(text)
    except InputError as error:
        yield Problem(source, doc_id, 'ingest', f'{source} {error}')
        return
    if page is None:
        yield Document(doc_id=doc_id, text=text, source=source, url=url, **fields)
        return
    if page.warning:
        yield Problem(source, doc_id, 'ingest', f'{source}: {page.warning}')
    yield Document(
        doc_id=doc_id, text=text, source=source, title=page.title, url=url or page.url,
        published=page.published, published_source='metadata' if page.published else None,
        author=page.author, site=page.site, **fields,
    )
# --- end of web pages ------------------------------------------------------------------------------------


def record_document(record: dict, source: str, fallback_id: str) -> Document:
    if not isinstance(record, dict):
        raise InputError('is not an object with "id" and "text"')
    text = record.get('text')
    if not isinstance(text, str):
        raise InputError('has no "text" string')
    check_text(text)
    page = None
    if looks_like_html(None, text):   # the article, as for an HTML file (batch/web.py)
        from pipeline.batch import web
        page = web.extract(text, record.get('url') if isinstance(record.get('url'), str) else None)
        text = page.text
        if not text:
            raise InputError('is HTML with no visible text')
    text = without_surrogates(text)
    doc_id = record.get('id')
    doc_id = without_surrogates(fallback_id if doc_id is None or str(doc_id).strip() == '' else str(doc_id))

    def optional(key):
        value = record.get(key)
        return None if value is None or value == '' else without_surrogates(str(value))

    published = optional('published') or (page.published if page else None)
    return Document(
        doc_id=doc_id, text=text, source=source,
        title=optional('title') or (page.title if page else None), url=optional('url'),
        published=published, published_source='metadata' if published else None,
        author=page.author if page else None, site=page.site if page else None,
    )


def read_records(path: Path) -> Iterator[Document | Problem]:
    source = display(path)
    try:
        decoded = decode(read_bytes(path))
    except InputError as error:
        yield Problem(source, None, 'ingest', f'{source} {error}')
        return
    if decoded.warning:
        yield Problem(source, None, 'ingest', f'{source}: {decoded.warning}')
    if path.suffix.lower() == '.jsonl':
        rows = jsonl_rows(decoded.text)
    else:
        rows = csv_rows(decoded.text)
    for number, row in rows:
        where = f'{source}:{number}'
        try:
            if isinstance(row, Exception):
                raise row
            yield record_document(row, where, f'{printable(path.stem)}:{number}')
        except InputError as error:
            yield Problem(where, None, 'ingest', f'{where} (record {number}) {error}')


def jsonl_rows(text: str) -> Iterator[tuple[int, dict | Exception]]:
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as error:
            yield number, InputError(f'is not valid JSON ({error.msg} at column {error.colno})')


def csv_rows(text: str) -> Iterator[tuple[int, dict | Exception]]:
    csv.field_size_limit(MAX_CHARS * 4)
    reader = csv.DictReader(io.StringIO(text, newline=''))
    if not reader.fieldnames or 'text' not in reader.fieldnames:
        yield 1, InputError('has no "text" column in its header')
        return
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as error:
        yield reader.line_num, InputError(f'is not valid CSV ({error})')


def read_inputs(paths: Iterable[str | os.PathLike]) -> Iterator[Document | Problem]:
    """Every document (or problem) found under `paths`, in a stable order."""
    files = list_files(paths)
    ids = txt_ids(files)
    seen: dict[str, str] = {}
    for path, _ in files:
        if not path.exists() and not path.is_symlink():
            yield Problem(display(path), None, 'ingest', f'{display(path)} does not exist')
            continue
        suffix = path.suffix.lower()
        if warc.is_warc(path):   # a web archive: one document per HTML or text response (batch/warc.py)
            items = warc.read_warc(path)
        elif suffix in ('.jsonl', '.csv'):
            items = read_records(path)
        else:
            items = read_txt(path, ids[path])
        for item in items:
            if isinstance(item, Document):
                if item.doc_id in seen:
                    yield Problem(
                        item.source, item.doc_id, 'ingest',
                        f'{item.source}: doc_id {item.doc_id!r} already taken by {seen[item.doc_id]}; skipped',
                    )
                    continue
                seen[item.doc_id] = item.source
            yield item


def estimate(inputs: list[str]) -> int:
    """About how many documents `inputs` hold (for the progress bar's ETA)."""
    total = 0
    for path, _ in list_files(inputs):
        if path.suffix.lower() in ('.jsonl', '.csv'):
            try:
                total += path.read_bytes().count(b'\n') - (path.suffix.lower() == '.csv')
            except OSError:
                total += 1
        else:
            total += 1
    return total

