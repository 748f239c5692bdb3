"""Rows: processed documents become checked pandas DataFrames, one per table.

Reads finished `Document`s and `Problem`s; builds one DataFrame per table and
checks each document's invariants (a document that breaks one becomes an
`errors` row, never half-written rows). The store (tables.py) checks each
table's declared pandera schema and commits the rows as Delta Lake tables.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pandas as pd

from pipeline.document import NAME_TYPES, TYPES, DateValue, Document, Level, Problem
from pipeline.store import schemas

# the tables built from documents, one chunk at a time; the others are kept by the store (tables.py) for
# the whole output folder: `runs`, its log, and the cross-article registry (registry.py)
DERIVED = ('registry', 'registry_entities', 'runs')
TABLES = tuple(_ for _ in schemas.SCHEMAS if _ not in DERIVED)


class InvariantError(Exception):
    """A document whose records contradict its text; never written."""


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode('utf-8', errors='surrogatepass')).hexdigest()


def check_document(doc: Document) -> None:
    """Cheap invariants of one document's records; raises InvariantError."""
    size = len(doc.text)
    last_stop: dict[str, int] = {}
    for mention in sorted(doc.mentions, key=lambda _: (_.type, _.start, _.stop)):
        if mention.type not in TYPES:
            raise InvariantError(f'mention of unknown type {mention.type!r}')
        if not 0 <= mention.start < mention.stop <= size:
            raise InvariantError(f'mention {mention.text!r} at {mention.start}:{mention.stop} '
                                 f'lies outside the text')
        if doc.text[mention.start:mention.stop] != mention.text:
            raise InvariantError(f'mention {mention.text!r} does not match the text at '
                                 f'{mention.start}:{mention.stop}')
        if '\n' in mention.text or '\r' in mention.text:
            raise InvariantError(f'mention {mention.text!r} crosses a line break')
        if mention.start < last_stop.get(mention.type, -1):
            raise InvariantError(f'{mention.type} mentions overlap at {mention.start}')
        last_stop[mention.type] = mention.stop
        if mention.type in NAME_TYPES:
            if mention.entity is None or not 0 <= mention.entity < len(doc.entities):
                raise InvariantError(f'mention {mention.text!r} has no entity')
            if doc.entities[mention.entity].type != mention.type:
                raise InvariantError(f'mention {mention.text!r} is linked to an entity of another type')
    for role in doc.roles:
        if not 0 <= role.person < len(doc.entities) or doc.entities[role.person].type != 'PER':
            raise InvariantError(f'role {role.position!r} is not linked to a person')
        if not 0 <= role.start < role.stop <= size:
            raise InvariantError(f'role {role.position!r} at {role.start}:{role.stop} lies outside the text')
    for entity in doc.entities:
        if entity.type == 'PER' and not (entity.first or entity.last):
            raise InvariantError(f'person {entity.name!r} has neither first nor last name')


def document_rows(doc: Document) -> dict[str, list[dict]]:
    """Rows of every table for one document (mentions ordered by offset)."""
    rows: dict[str, list[dict]] = {_: [] for _ in TABLES}
    rows['documents'].append(dict(
        doc_id=doc.doc_id, source=doc.source, title=doc.title, published=doc.published,
        published_source=doc.published_source, url=doc.url, n_chars=len(doc.text),
        sha256=sha256(doc.text), text=doc.text,
        author=doc.author, site=doc.site, fetched=doc.fetched, charset=doc.charset,   # web pages, crawls
        language=doc.language, duplicate_of=doc.duplicate_of,
    ))
    entity_ids = [f'{doc.doc_id}:e{n}' for n in range(len(doc.entities))]
    counts = [0] * len(doc.entities)
    first_start = [None] * len(doc.entities)
    order = sorted(range(len(doc.mentions)), key=lambda _: (doc.mentions[_].start, doc.mentions[_].stop))
    for number, index in enumerate(order):
        mention = doc.mentions[index]
        mention_id = f'{doc.doc_id}:m{number}'
        entity_id = None
        if mention.entity is not None:
            entity_id = entity_ids[mention.entity]
            counts[mention.entity] += 1
            if first_start[mention.entity] is None:
                first_start[mention.entity] = mention.start
        rows['mentions'].append(dict(
            doc_id=doc.doc_id, mention_id=mention_id, type=mention.type,
            start=mention.start, stop=mention.stop, text=mention.text,
            normal=mention.normal or None, value=format_value(mention.value),
            entity_id=entity_id, source=str(mention.source), sentence=doc.sentence_of(mention.start),
        ))
        if mention.type == 'DATE':
            found = mention.date or DateValue(None, None, None)     # a DATE from NER or the baseline
            rows['dates'].append(dict(
                mention_id=mention_id, doc_id=doc.doc_id, value=mention.value,
                date_start=found.start, date_end=found.end, granularity=found.granularity,
                is_relative=found.is_relative, anchor=found.anchor,
            ))
        elif mention.type in ('NUMBER', 'MONEY'):
            rows['numbers'].append(dict(
                mention_id=mention_id, doc_id=doc.doc_id, value=mention.value,
                value_max=mention.value_max, unit=mention.unit, qualifier=mention.qualifier,
                kind=mention.kind or ('money' if mention.type == 'MONEY' else 'number'),
            ))
    for number, entity in enumerate(doc.entities):
        entity_id = entity_ids[number]
        rows['entities'].append(dict(
            entity_id=entity_id, doc_id=doc.doc_id, type=entity.type, name=entity.name,
            n_mentions=counts[number], first_start=first_start[number],
        ))
        if entity.type == 'PER':
            rows['persons'].append(dict(entity_id=entity_id, doc_id=doc.doc_id, first=entity.first or None,
                                        middle=entity.middle or None, last=entity.last or None))
        elif entity.type == 'ORG':
            rows['organisations'].append(dict(entity_id=entity_id, doc_id=doc.doc_id, name=entity.name,
                                              kind=entity.kind or None))
        elif entity.type == 'LOC':
            rows['places'].append(dict(entity_id=entity_id, doc_id=doc.doc_id, name=entity.name,
                                       kind=entity.kind or None))
    for number, role in enumerate(doc.roles):
        org = role.org if role.org is not None and 0 <= role.org < len(doc.entities) else None
        rows['roles'].append(dict(
            role_id=f'{doc.doc_id}:r{number}', doc_id=doc.doc_id, person_entity_id=entity_ids[role.person],
            person=doc.entities[role.person].name, position=role.position,
            position_normal=role.position_normal, kind=role.kind,
            org_entity_id=entity_ids[org] if org is not None else None,
            organisation=doc.entities[org].name if org is not None else None,
            start=role.start, stop=role.stop,
        ))
    return rows


def format_value(value) -> str | None:
    """`value` as the guide writes it: ISO string for dates, plain number otherwise."""
    if value is None:
        return None
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


SOURCE_FILE = re.compile(r'(.*?)(?:[:@]\d+)?', re.S)


def source_file(source: str) -> str:
    """The file of a `source`: `feed.jsonl:12` (a record's line), `crawl.warc@512` (a WARC record's
    offset) -> `feed.jsonl`, `crawl.warc`; an article file's source is its file."""
    return SOURCE_FILE.fullmatch(source).group(1)


def problem_row(problem: Problem) -> dict:
    return dict(source=problem.source, doc_id=problem.doc_id, stage=problem.stage,
                message=problem.message, level=problem_level(problem))


def problem_level(problem: Problem) -> str:
    """The `errors` table's `level` of the problem: the level its producer gave it."""
    return Level(problem.level).value


def build(docs: Iterable[Document], problems: Iterable[Problem] = ()) -> dict[str, pd.DataFrame]:
    """All tables for `docs`; a document breaking an invariant becomes an error row."""
    rows: dict[str, list[dict]] = {_: [] for _ in TABLES}
    errors = [problem_row(_) for _ in problems]
    for doc in docs:
        try:
            check_document(doc)
            found = document_rows(doc)
        except InvariantError as error:
            errors.append(dict(source=doc.source, doc_id=doc.doc_id, stage='tables',
                               message=f'{doc.source}: {error}; document not written', level='error'))
            continue
        for name, table_rows in found.items():
            rows[name].extend(table_rows)
    rows['errors'] = errors
    return {name: schemas.frame(name, rows[name]) for name in TABLES}


@cache
def current_umask() -> int:
    """This process's umask, read once when first needed (never flipped at import)."""
    try:
        with open('/proc/self/status', encoding='ascii') as status:   # Linux: read without changing it
            for line in status:
                if line.startswith('Umask:'):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)   # elsewhere the only way to read it is to set it, and put it back at once
    os.umask(mask)
    return mask


def write_atomic(path: Path, write) -> None:
    """Write via a hidden temporary file in the same folder, fsync it, rename it into place, fsync the folder.

    `mkstemp` makes files only their owner can read; tables, reports and
    workbooks are meant to be shared, so the file gets what a plain `open(path,
    'w')` would give under the umask."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f'.{path.name}.', suffix='.tmp')
    os.close(handle)
    try:
        write(temporary)
        fsync(temporary)
        os.chmod(temporary, 0o666 & ~current_umask())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    fsync(path.parent)


def fsync(path: str | os.PathLike) -> None:
    """Flush a file (or, on POSIX, a folder's entries) to disk: survives power loss."""
    if os.path.isdir(path) and os.name != 'posix':
        return
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


