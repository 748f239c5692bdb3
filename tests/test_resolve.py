"""Resolve: one mention of a type over any stretch, the most trusted source first."""

import pytest

from pipeline.document import Document, Mention, Source
from pipeline.stages import resolve

TEXT = 'в конце августа 2024 года в Москве'

CASES = [   # two overlapping mentions of one type (source, start, stop) → the source kept
    (((Source.NER, 0, 25), (Source.DATES, 2, 20)), Source.DATES),          # a grammar beats the tagger
    (((Source.NUMBERS, 0, 25), (Source.DATES, 2, 20)), Source.DATES),
    (((Source.NER, 0, 25), (Source.ORGS, 0, 5)), Source.ORGS),             # priority before length
    (((Source.ORGS, 0, 5), (Source.PERSONS, 0, 8)), Source.PERSONS),       # same priority: the longer
    ((('rule:dates', 0, 5), (Source.NER, 0, 8)), Source.DATES),             # a plain string of a known source
]


@pytest.mark.parametrize('spans, expected', CASES)
def test_resolve_keeps_the_trusted_source(spans, expected):
    doc = Document('d', TEXT, mentions=[Mention(start, stop, 'DATE', TEXT[start:stop], source=source)
                                        for source, start, stop in spans])
    kept, = resolve.run(doc).mentions
    assert kept.source == expected


def test_every_source_has_a_priority():
    assert set(resolve.PRIORITY) == set(Source)


@pytest.mark.parametrize('source', ['rule:date', 'NER', ''])
def test_misspelt_source_fails_instead_of_ranking_last(source):
    doc = Document('d', TEXT, mentions=[Mention(0, 5, 'DATE', TEXT[:5], source=source)])
    with pytest.raises(ValueError):
        resolve.run(doc)
