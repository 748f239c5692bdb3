"""WARC archives: each HTTP response with an HTML or text body becomes a document.

Reads `.warc` and `.warc.gz` files (the format of web archives and of public
news crawls) record by record with warcio: a multi-gigabyte archive is
streamed, never held in memory; one record's body at most (ingest.MAX_BYTES).

A response with status 2xx and a `text/html`, `application/xhtml+xml` or
`text/plain` body becomes a `Document`: `doc_id` is the record's target URI
(its WARC-Record-ID where the URI repeats in the archive), `url` that URI,
`fetched` its WARC-Date, `charset` what the HTTP `Content-Type` announced
(the body is decoded with it, else with the page's `<meta charset>`, else as
any other input, ingest.decode). An
HTML body becomes its article (batch/web.py). Requests, metadata, images,
redirects and other records are skipped and counted in one warning row per
archive. A truncated or damaged archive keeps every whole record before the
damage; an error row says where it stopped (a cut inside the gzip trailer of
the last record, whose body is whole, loses nothing and is not reported).
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from pipeline.batch import texts as ingest  # decoding and text checks shared with ingest
from pipeline.batch.web import text_document
from pipeline.document import Document, Level, Problem

TEXT_TYPES = ('text/html', 'application/xhtml+xml', 'text/plain')


def is_warc(path: Path) -> bool:
    """A `.warc` or `.warc.gz` file."""
    return path.name.lower().endswith(('.warc', '.warc.gz'))


def media_type(content_type: str | None) -> tuple[str, str | None]:
    """`text/html; charset=windows-1251` to (`text/html`, `windows-1251`)."""
    if not content_type:
        return '', None
    kind, *params = content_type.split(';')
    charset = None
    for param in params:
        name, _, value = param.partition('=')
        if name.strip().lower() == 'charset' and value.strip():
            charset = value.strip().strip('"\'').lower()
    return kind.strip().lower(), charset


META_CHARSET = re.compile(rb'<meta[^>]+charset\s*=\s*["\']?\s*([A-Za-z0-9_.:-]+)', re.IGNORECASE)


def decode_body(data: bytes, charset: str | None):
    """The body as text: with the charset the HTTP header announces, else the one the page's
    `<meta charset>` declares, when Python knows it and the bytes fit it; else as any input
    (ingest.decode: UTF-8, UTF-16 with BOM, cp1251, koi8-r by letter statistics)."""

    declared = META_CHARSET.search(data, 0, 4096)
    for name in (charset, declared.group(1).decode('ascii').lower() if declared else None):
        if name:
            try:
                codecs.lookup(name)
                return ingest.Decoded(data.decode(name), name)
            except (LookupError, UnicodeDecodeError):
                pass
    return ingest.decode(data)


def skip_reason(record) -> str | None:
    """Why a record is no document (`request`, `image/png`, `redirect 301`), or None."""
    if record.rec_type != 'response':
        return record.rec_type
    if record.http_headers is None:
        return 'response without HTTP headers'
    status = record.http_headers.get_statuscode() or ''
    if status.startswith('3'):
        return f'redirect {status}'
    if not status.startswith('2'):
        return f'HTTP status {status}'
    kind, _ = media_type(record.http_headers.get_header('Content-Type'))
    if kind not in TEXT_TYPES:
        return kind or 'no content type'
    return None


def read_warc(path: Path) -> Iterator[Document | Problem]:
    """Documents of a WARC archive, in archive order; skipped records counted in one warning."""
    from warcio.archiveiterator import ArchiveIterator


    source = ingest.display(path)
    skipped: Counter = Counter()
    seen: set[str] = set()
    whole = 0
    try:
        size = path.stat().st_size
        stream = path.open('rb')
    except OSError as error:
        yield Problem(source, None, 'ingest', f'{source} cannot be read ({error.strerror or error})')
        return
    with stream:
        records = ArchiveIterator(stream)
        damage = None
        try:
            for record in records:
                reason = skip_reason(record)
                body = b''
                if reason is None:
                    body = record.content_stream().read(ingest.MAX_BYTES + 1)
                offset = records.get_record_offset()   # reads the rest of the record (a skipped image)
                where = f'{source}@{offset}'
                if record.raw_stream.limit > 0:   # the archive ended (or broke) inside this record
                    damage = offset
                    break
                whole += 1
                if reason is not None:
                    skipped[reason] += 1
                    continue
                yield from response_document(record, body, where, seen)
            else:
                if records.offset < size:   # the stream ended inside a record's headers
                    damage = records.offset
        except Exception as error:   # warcio: ArchiveLoadFailed, zlib errors, headers that do not parse
            damage = f'{records.offset} ({type(error).__name__}: {error})'
        if damage is not None:
            yield Problem(source, None, 'ingest',
                          f'{source} is truncated or damaged at byte {damage}: the {whole} whole records '
                          f'before it are kept, the rest of the archive is skipped')
    if skipped:
        counts = ', '.join(f'{n} {reason}' for reason, n in skipped.most_common())
        yield Problem(source, None, 'ingest',
                      f'{source}: {sum(skipped.values())} records are not documents, skipped: {counts}',
                      Level.WARNING)


def response_document(record, body: bytes, where: str, seen: set[str]) -> Iterator[Document | Problem]:

    uri = record.rec_headers.get_header('WARC-Target-URI') or ''
    record_id = (record.rec_headers.get_header('WARC-Record-ID') or where).strip('<>')
    doc_id = ingest.without_surrogates(uri if uri and uri not in seen else record_id)
    seen.add(uri)
    kind, charset = media_type(record.http_headers.get_header('Content-Type'))
    try:
        if len(body) > ingest.MAX_BYTES:
            raise ingest.InputError(f'has a body over {ingest.MAX_BYTES:,} bytes')
        decoded = decode_body(body, charset)
    except ingest.InputError as error:
        yield Problem(where, doc_id, 'ingest', f'{where} ({uri}) {error}')
        return
    if decoded.warning:
        yield Problem(where, doc_id, 'ingest', f'{where}: {decoded.warning}', Level.WARNING)
    html = kind != 'text/plain' or ingest.looks_like_html(None, decoded.text)
    yield from text_document(
        decoded.text, doc_id, where, html=html, url=uri or None,
        fetched=record.rec_headers.get_header('WARC-Date'), charset=charset,
    )
