"""The pipeline: stages in order, and batch runs from inputs to tables.

Every stage is `run(doc, res) -> Document`. A stage that fails on one
document turns it into a `Problem` (an `errors` row naming the file, the
stage and the reason); the rest of the batch goes on.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from tqdm import tqdm

from . import ingest, link, ner, normalise, resolve, segment, tables
from .rules import dates, money, numbers, orgs, persons, published
from .document import Document, Problem
from .resources import Resources, shared

STAGES = (
    ('segment', segment.run),
    ('rules.published', published.run),
    ('ner', ner.run),
    ('rules.orgs', orgs.run),
    ('rules.dates', dates.run),
    ('rules.money', money.run),
    ('rules.numbers', numbers.run),
    ('resolve', resolve.run),
    ('rules.persons', persons.run),
    ('normalise', normalise.run),
    ('link', link.run),
)


def process(doc: Document, res: Resources | None = None) -> Document | Problem:
    """Run every stage over one document; a failure becomes a Problem."""
    res = res or shared()
    for name, stage in STAGES:
        try:
            doc = stage(doc, res)
        except Exception as error:  # one bad document never stops the batch
            return Problem(doc.source, doc.doc_id, name,
                           f'{doc.source}: stage {name} failed: {type(error).__name__}: {error}')
    return doc


def process_text(text: str, doc_id: str = 'text', res: Resources | None = None) -> Document:
    """Run the pipeline over one string (raises on failure)."""
    doc = Document(doc_id=doc_id, text=text, source='<text>')
    result = process(doc, res)
    if isinstance(result, Problem):
        raise RuntimeError(result.message)
    return result


@dataclass
class Summary:
    documents: int = 0
    errors: int = 0
    warnings: int = 0
    mentions: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def line(self) -> str:
        types = ' '.join(f'{_}={self.mentions[_]}' for _ in ('PER', 'ORG', 'LOC', 'DATE', 'NUMBER', 'MONEY'))
        return (f'{self.documents} documents, {sum(self.mentions.values())} mentions ({types}), '
                f'{self.errors} errors, {self.warnings} warnings, {self.seconds:.1f} s')


def run(inputs: Iterable[str], out: str, progress: bool | None = None) -> Summary:
    """Read `inputs`, process every document, write all tables into `out`."""
    started = time.perf_counter()
    res = shared()
    docs, problems = [], []
    items = tqdm(ingest.read_inputs(inputs), unit='doc', disable=progress is False if progress is not None
                 else None, leave=False)
    for item in items:
        if isinstance(item, Problem):
            problems.append(item)
            continue
        result = process(item, res)
        (problems if isinstance(result, Problem) else docs).append(result)
    frames = tables.build(docs, problems)
    tables.write(frames, out)
    summary = Summary(
        documents=len(frames['documents']),
        errors=int((frames['errors']['level'] == 'error').sum()),
        warnings=int((frames['errors']['level'] == 'warning').sum()),
        mentions=Counter(frames['mentions']['type']),
        seconds=time.perf_counter() - started,
    )
    return summary
