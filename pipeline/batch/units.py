"""Work units: what the coordinator hands a worker instead of texts.

The coordinator (runner.run) turns the inputs into units without reading
their texts; each worker reads its own unit (`read`), skips what the store
holds unchanged, processes the rest and returns its chunk's tables. Kinds:

- `Files`: up to a chunk's worth of article files (.txt, .html, ...), each
  with its doc_id, which the path alone gives (ingest.file_id);
- `Lines`: a part of a JSONL collection, the bytes [start, end) of whole
  lines (a part starts where a line starts), `count` lines, the first of
  them line number `line`. The coordinator finds the parts by counting line
  ends in the file's bytes, read in blocks of a megabyte and never decoded
  or kept (about a second for a gigabyte): that is what gives every record
  its line number (its `source`, `feed.jsonl:12`) without the worker reading
  the file from its start. A UTF-16 collection, whose line ends are not the
  byte `\\n`, is one part;
- `Records`: documents read by the coordinator, as before this module: the
  records of CSV collections (a quoted field may hold line ends, so a byte
  offset cannot tell where a record starts without reading from the top) and
  WARC archives (records are found by reading the archive in order). They are
  streamed a record at a time, so the coordinator holds one chunk of them at
  most.

A unit that kills the worker processes is narrowed by `halves` down to one
file, one line or one record, which `lost_items` names. This module is
light: the coordinator imports it, not the stages.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.batch import ingest, warc
from pipeline.batch.texts import display
from pipeline.document import Document, Problem

BLOCK = 1 << 20     # bytes read at a time while counting the line ends of a collection


@dataclass(frozen=True, slots=True)
class Files:
    files: tuple[tuple[Path, str], ...]     # (path, doc_id)
    rank: tuple = ()     # where the unit comes in the order ingest reads the inputs (`plan`, `halves`)

    def __len__(self) -> int:
        return len(self.files)


@dataclass(frozen=True, slots=True)
class Lines:
    path: Path
    collection: str      # the collection's id (records without an id: `<collection>:<sha256>`)
    start: int
    end: int | None      # None: to the end of the file
    line: int            # the number of the first line
    count: int | None    # lines in the part (None: not counted, a UTF-16 collection)
    rank: tuple = ()

    def __len__(self) -> int:
        return self.count or 1


@dataclass(frozen=True, slots=True)
class Records:
    docs: tuple[Document, ...]
    warnings: tuple[Problem, ...]            # ingest warnings of these documents
    rank: tuple = ()

    def __len__(self) -> int:
        return len(self.docs)


Unit = Files | Lines | Records


def plan(inputs: Iterable[str | os.PathLike], size: int, problems: list[Problem]) -> Iterator[Unit]:
    """The units of `inputs`, in the order ingest reads them (their `rank`), `size` documents (files,
    lines) each at most. Problems found without reading a text (a file that does not exist, an output
    folder given as input, a collection that cannot be opened) go to `problems`; CSV and WARC records
    are read here."""
    for number, unit in enumerate(found(inputs, size, problems)):
        yield replace(unit, rank=(number,))


def found(inputs: Iterable[str | os.PathLike], size: int, problems: list[Problem]) -> Iterator[Unit]:
    paths = [Path(_) for _ in inputs]
    folders = [_ for _ in paths if _.is_dir()]
    for folder in folders:
        if ingest.is_store(folder):
            problems.append(Problem(display(folder), None, 'ingest',
                                    f'{display(folder)} is an output folder of a run (it holds '
                                    f'{ingest.MANIFEST} or a _delta_log); not read as input'))
    files = []
    for path, root in ingest.list_files(paths):
        if not path.exists() and not path.is_symlink():
            problems.append(Problem(display(path), None, 'ingest', f'{display(path)} does not exist'))
            continue
        doc_id = ingest.file_id(path, root, len(folders) > 1 and root in folders)
        suffix = path.suffix.lower()
        if not warc.is_warc(path) and suffix not in ('.jsonl', '.csv'):
            files.append((path, doc_id))
            if len(files) == size:
                yield Files(tuple(files))
                files = []
            continue
        if files:
            yield Files(tuple(files))
            files = []
        collection = doc_id.rsplit('.', 1)[0]
        if suffix == '.jsonl':
            yield from jsonl_parts(path, collection, size, problems)
        else:
            items = warc.read_warc(path) if warc.is_warc(path) else ingest.read_records(path, collection)
            yield from records(items, size, problems)
    if files:
        yield Files(tuple(files))


def jsonl_parts(path: Path, collection: str, size: int, problems: list[Problem]) -> Iterator[Lines]:
    """The parts of a JSONL collection, `size` lines each (the last may hold fewer)."""
    try:
        handle = ingest.open_file(path)
    except ingest.InputError as error:
        problems.append(Problem(display(path), None, 'ingest', f'{display(path)} {error}'))
        return
    with handle:
        try:
            head = handle.read(ingest.HEAD)
        except OSError:
            head = b''
        if ingest.collection_encoding(head) == 'utf-16':
            yield Lines(path, collection, 0, None, 1, None)
            return
        handle.seek(0)
        start, line, count, offset, last = 0, 1, 0, 0, b'\n'
        try:
            while block := handle.read(BLOCK):
                if count + block.count(b'\n') < size:   # no part ends in this block
                    count += block.count(b'\n')
                else:
                    at = block.find(b'\n')
                    while at >= 0:
                        count += 1
                        if count == size:
                            yield Lines(path, collection, start, offset + at + 1, line, count)
                            start, line, count = offset + at + 1, line + count, 0
                        at = block.find(b'\n', at + 1)
                offset, last = offset + len(block), block[-1:]
        except OSError:   # the worker reading the rest says what went wrong
            yield Lines(path, collection, start, None, line, None)
            return
        if offset > start:   # the last part; a last line without its line end counts too
            yield Lines(path, collection, start, None, line, count + (last != b'\n'))


def records(items: Iterable[Document | Problem], size: int, problems: list[Problem]) -> Iterator[Records]:
    """Documents read here, in Records of `size`, each with the warnings said just before it (read_txt and
    read_records say a document's warnings just before it); other problems go to `problems`."""
    docs, warnings, held = [], [], []
    for item in items:
        if isinstance(item, Problem):
            problems.extend(held)
            held = [item]
            continue
        mine = [_ for _ in held if (_.doc_id, _.source) == (item.doc_id, item.source)]
        problems.extend(_ for _ in held if _ not in mine)
        held = []
        docs.append(item)
        warnings.extend(mine)
        if len(docs) == size:
            yield Records(tuple(docs), tuple(warnings))
            docs, warnings = [], []
    problems.extend(held)
    if docs:
        yield Records(tuple(docs), tuple(warnings))


def read(unit: Unit) -> Iterator[Document | Problem]:
    """What a worker reads of its unit: documents and problems, in the order ingest gives them."""
    if isinstance(unit, Files):
        for path, doc_id in unit.files:
            yield from ingest.read_txt(path, doc_id)
    elif isinstance(unit, Lines):
        yield from ingest.read_records(unit.path, unit.collection, unit.start, unit.end, unit.line)
    else:
        warnings = list(unit.warnings)
        for doc in unit.docs:
            yield from [_ for _ in warnings if (_.doc_id, _.source) == (doc.doc_id, doc.source)]
            yield doc


def halves(unit: Unit) -> list[Unit]:
    """The unit in two (the engines' `split`, to narrow a unit that kills worker processes), ranked in
    its place; a unit of one file, line or record: [unit]."""
    parts = cut(unit)
    return [replace(part, rank=(*unit.rank, number)) for number, part in enumerate(parts)] \
        if len(parts) > 1 else parts


def cut(unit: Unit) -> list[Unit]:
    if isinstance(unit, Files):
        middle = len(unit.files) // 2
        return [Files(unit.files[:middle]), Files(unit.files[middle:])] if middle else [unit]
    if isinstance(unit, Records):
        middle = len(unit.docs) // 2
        if not middle:
            return [unit]
        parts = []
        for docs in (unit.docs[:middle], unit.docs[middle:]):
            mine = {(_.doc_id, _.source) for _ in docs}
            parts.append(Records(docs, tuple(_ for _ in unit.warnings if (_.doc_id, _.source) in mine)))
        return parts
    if not unit.count or unit.count < 2:
        return [unit]
    middle = unit.count // 2   # the byte where line number line + middle starts
    with open(unit.path, 'rb') as handle:
        handle.seek(unit.start)
        at, seen = unit.start, 0
        while seen < middle:
            line = handle.readline(BLOCK)
            if not line:
                return [unit]
            at += len(line)
            seen += line.endswith(b'\n')
    return [Lines(unit.path, unit.collection, unit.start, at, unit.line, middle),
            Lines(unit.path, unit.collection, at, unit.end, unit.line + middle, unit.count - middle)]


def lost_items(unit: Unit) -> tuple[list[tuple[str, str | None]], list[Problem]]:
    """The (source, doc_id) of what a unit that kills workers holds (one file, line or record once
    narrowed), and the warnings it carries."""
    if isinstance(unit, Files):
        return [(display(path), doc_id) for path, doc_id in unit.files], []
    if isinstance(unit, Records):
        return [(_.source, _.doc_id) for _ in unit.docs], list(unit.warnings)
    source = display(unit.path)
    where = source if unit.count is None else f'{source}:{unit.line}'
    return [(where, line_id(unit))], []


def line_id(unit: Lines) -> str | None:
    """The doc_id of a part's first record, read from the line itself (a part narrowed to one line)."""
    import json
    if unit.count is None:
        return None
    try:
        with open(unit.path, 'rb') as handle:
            handle.seek(unit.start)
            record = json.loads(handle.readline(3 * ingest.MAX_BYTES))
    except (OSError, ValueError, RecursionError):
        return None
    found = ingest.known_id(record)
    if found is None and isinstance(record, dict) and isinstance(record.get('text'), str):
        found = ingest.text_id(unit.collection, ingest.without_surrogates(record['text']))
    return found
