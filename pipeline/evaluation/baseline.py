"""Baseline: plain natasha over the same texts, for comparison with the pipeline.

Reads texts; returns the tables a run writes (`documents`, `mentions`,
`entities`, `persons`, `dates`, `numbers`, ...) filled by natasha alone, as
its README uses it:

- `Segmenter` and `NewsNERTagger` over the whole text (natasha's own
  segmentation: a headline may be glued to the line under it, and such a
  span is kept, since it is the baseline's result);
- `normal` from `span.normalize(MorphVocab)` after `NewsMorphTagger` and
  `NewsSyntaxParser` (natasha inflects an ORG's syntactic head only, so it
  needs the parse: `Колледжа автоматизации производства` → `Колледж
  автоматизации производства`, not `колледж автоматизация производство`);
- DATE from `DatesExtractor` (`year`/`month`/`day` → ISO 8601, missing parts
  as GOLD-GUIDE.md writes them: `14 апреля` → `--04-14`), MONEY from
  `MoneyExtractor` (`amount` → value, `currency` → unit: `RUB`, `USD`, `EUR`);
  natasha has no NUMBER extractor;
- no linking: an entity is a distinct (type, folded normal form).

Rows skip our invariant checks (`tables.check_document`) for the same reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import cached_property

import pandas as pd

from pipeline.document import Document, Entity, Mention, Source
from pipeline.lang.text import fold_key
from pipeline.store import rows as tables
from pipeline.store import schemas


def iso_date(fact) -> str | None:
    """natasha's Date(year, month, day) as GOLD-GUIDE.md writes it: `2024-08-23`, `2024-08`, `--04-14`."""
    year, month, day = fact.year, fact.month, fact.day
    if year and month and day:
        return f'{year:04d}-{month:02d}-{day:02d}'
    if year and month:
        return f'{year:04d}-{month:02d}'
    if year:
        return f'{year:04d}'
    if month and day:
        return f'--{month:02d}-{day:02d}'
    if month:
        return f'--{month:02d}'
    return None


def name_key(text: str) -> str:
    return fold_key(text)


class Natasha:
    """natasha's models, loaded on first use and then kept."""

    def __init__(self, syntax: bool = True):
        self.syntax = syntax

    @cached_property
    def models(self):
        from natasha import (
            DatesExtractor,
            MoneyExtractor,
            MorphVocab,
            NewsEmbedding,
            NewsMorphTagger,
            NewsNERTagger,
            NewsSyntaxParser,
            Segmenter,
        )
        embedding = NewsEmbedding()
        vocab = MorphVocab()
        return dict(
            segmenter=Segmenter(), vocab=vocab, morph=NewsMorphTagger(embedding),
            syntax=NewsSyntaxParser(embedding) if self.syntax else None, ner=NewsNERTagger(embedding),
            dates=DatesExtractor(vocab), money=MoneyExtractor(vocab),
        )

    def mentions(self, text: str) -> list[Mention]:
        """PER/ORG/LOC, DATE and MONEY mentions natasha finds in `text`."""
        from natasha import Doc
        models = self.models
        doc = Doc(text)
        doc.segment(models['segmenter'])
        doc.tag_morph(models['morph'])
        if models['syntax'] is not None:
            doc.parse_syntax(models['syntax'])
        doc.tag_ner(models['ner'])
        found = []
        for span in doc.spans:
            span.normalize(models['vocab'])
            found.append(Mention(span.start, span.stop, span.type, text[span.start:span.stop],
                                 source=Source.NATASHA, normal=span.normal or ''))
        for match in models['dates'](text):
            found.append(Mention(match.start, match.stop, 'DATE', text[match.start:match.stop],
                                 source=Source.NATASHA_DATES, value=iso_date(match.fact)))
        for match in models['money'](text):
            amount = match.fact.amount
            found.append(Mention(match.start, match.stop, 'MONEY', text[match.start:match.stop],
                                 source=Source.NATASHA_MONEY,
                                 value=float(amount) if amount is not None else None,
                                 unit=match.fact.currency))
        found.sort(key=lambda _: (_.start, _.stop, _.type))
        return found

    def process_text(self, text: str, doc_id: str = 'text') -> Document:
        """A Document with natasha's mentions, one entity per distinct (type, normal form)."""
        doc = Document(doc_id=doc_id, text=text, source='<natasha>')
        keys: dict[tuple[str, str], int] = {}
        for mention in self.mentions(text):
            if mention.type in ('PER', 'ORG', 'LOC'):
                name = mention.normal or mention.text
                number = keys.setdefault((mention.type, name_key(name)), len(keys))
                if number == len(doc.entities):
                    doc.entities.append(Entity(mention.type, name))
                mention = replace(mention, entity=number)
            doc.mentions.append(mention)
        return doc


_shared: Natasha | None = None


def shared() -> Natasha:
    """The process-wide natasha models."""
    global _shared
    if _shared is None:
        _shared = Natasha()
    return _shared


def build(texts: dict[str, str] | Iterable[tuple[str, str]],
          natasha: Natasha | None = None) -> dict[str, pd.DataFrame]:
    """Tables (as `tables.build` makes them) of natasha's output over {doc_id: text}."""
    natasha = natasha or shared()
    items = texts.items() if isinstance(texts, dict) else texts
    rows: dict[str, list[dict]] = {_: [] for _ in tables.TABLES}
    for doc_id, text in items:
        for name, table_rows in tables.document_rows(natasha.process_text(text, doc_id)).items():
            rows[name].extend(table_rows)
    return {name: schemas.frame(name, rows[name]) for name in tables.TABLES}
