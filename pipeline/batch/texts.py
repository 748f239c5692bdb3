"""Text from bytes and markup: decoding, visible text of HTML, the checks every article text passes.

The primitives that ingest, web pages (web.py) and WARC archives (warc.py) share: bytes are decoded as
UTF-8 (a leading BOM dropped), UTF-16 with a BOM, or a legacy Cyrillic code page (cp1251, koi8-r)
recognised by letter statistics; an HTML page becomes its visible text (web.py's fallback).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from itertools import islice
from pathlib import Path

from pipeline.document import Level, Problem

MAX_BYTES = 20_000_000   # a larger article file is refused before reading (README: limits)
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

# the most frequent Russian letters (either case): right decoding has many of them
COMMON = set('оеаинтсрвлкмдпуяыьгзбчй')


class InputError(Exception):
    """A file or record that cannot become a document; the message says why."""


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    warning: str | None = None


def warning(source: str, doc_id: str | None, message: str) -> Problem:
    """A `warning` row: the input is kept, and this says what was changed or dropped."""
    return Problem(source, doc_id, 'ingest', message, Level.WARNING)


def letter_score(text: str) -> float:
    letters = [_ for _ in text if _.isalpha() and ord(_) > 127]   # markup and Latin words do not count
    if not letters:
        return 0.0
    return sum(_.lower() in COMMON for _ in letters) / len(letters)   # capitals count too (all-caps)


def decode(data: bytes) -> Decoded:
    """Bytes to text: UTF-8 (BOM dropped), UTF-16 with BOM, cp1251 or koi8-r."""
    if data.startswith(b'\xef\xbb\xbf'):
        data = data[3:]
    elif data.startswith((b'\xff\xfe', b'\xfe\xff')):
        try:
            return Decoded(data.decode('utf-16'), 'utf-16')
        except UnicodeDecodeError as error:
            raise InputError(f'has a UTF-16 byte order mark but is not valid UTF-16 '
                             f'({error.reason})') from error
    for magic, name in MAGIC:
        if data.startswith(magic):
            raise InputError(f'is {name}, not text')
    nuls = data.count(b'\x00', 0, 1_000_000)
    if nuls:
        if nuls > max(1, min(len(data), 1_000_000) // 1000):
            raise InputError('is binary (contains NUL bytes), not text')
        # a stray NUL in a text (a bad copy, a crawler's bug): dropped, the rest read as text
        decoded = decode(data.replace(b'\x00', b''))
        note = f'{data.count(0)} NUL byte(s) removed (first at byte {data.index(0)})'
        return Decoded(decoded.text, decoded.encoding, '; '.join(filter(None, (decoded.warning, note))))
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
    if ((path is not None and path.suffix.lower() in ('.html', '.htm'))
            or head.startswith(('<!doctype html', '<html'))):
        return True
    return sum(1 for _ in islice(MARKUP.finditer(text, 0, 200_000), 3)) == 3


def html_text(html: str) -> str:
    """The visible text of an HTML page: tags, scripts and styles dropped, entities unescaped.

    Block elements become line breaks; runs of blank lines are squeezed. The
    result is the document text (stored in `documents`; every offset refers to it).
    """

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

        def parse_marked_section(self, i, report=1):
            # `<![foo[ x ]]>` (not CDATA, IF, ...) made the standard parser raise AssertionError:
            # skip it to its `]]>` (or `>`), as browsers do
            try:
                return super().parse_marked_section(i, report)
            except AssertionError:
                end = self.rawdata.find(']]>', i + 3)
                if end >= 0:
                    return end + 3
                end = self.rawdata.find('>', i + 3)
                return end + 1 if end >= 0 else -1

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


def display(path: Path) -> str:
    """A printable file name, even when the name is not valid UTF-8."""
    return os.fsencode(path).decode('utf-8', errors='backslashreplace')
