"""Resolve: at most one mention of a type over any stretch of text.

Reads every stage's mentions; where two of one type overlap, keeps the one
from the more trusted source (rules written for a pattern beat the tagger on
that pattern), then the longer, then the earlier. Also drops mentions that
cross a line break or are empty after trimming.
"""

from __future__ import annotations

from pipeline.document import Document, Source

# lower wins: grammars for dates and numbers are exact where they fire; every source has one
PRIORITY = {Source.DATES: 0, Source.MONEY: 0, Source.NUMBERS: 1, Source.ORGS: 2, Source.PERSONS: 2,
            Source.NER: 3, Source.NATASHA: 5, Source.NATASHA_DATES: 5, Source.NATASHA_MONEY: 5}


def rank(mention) -> tuple:
    """Sort key: priority of the source (an unknown source raises), longer first, earlier first."""
    return (PRIORITY[Source(mention.source)], -(mention.stop - mention.start), mention.start)


def run(doc: Document, res=None) -> Document:
    kept, taken = [], {}
    for mention in sorted(doc.mentions, key=rank):
        if '\n' in mention.text or '\r' in mention.text or not mention.text.strip():
            continue
        spans = taken.setdefault(mention.type, [])
        if any(mention.start < stop and start < mention.stop for start, stop in spans):
            continue
        spans.append((mention.start, mention.stop))
        kept.append(mention)
    kept.sort(key=lambda _: (_.start, _.stop, _.type))
    doc.mentions = kept
    return doc
