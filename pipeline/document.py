"""The records that flow through the pipeline.

One `Document` passes through every stage. Each stage reads what earlier
stages put on it and adds its own flat list (tokens, sentences, mentions,
entities); every record carries `start`/`stop` character offsets into
`Document.text`, the text exactly as stored in the `documents` table.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date
from enum import Enum

NAME_TYPES = ('PER', 'ORG', 'LOC')
VALUE_TYPES = ('DATE', 'NUMBER', 'MONEY')
TYPES = NAME_TYPES + VALUE_TYPES


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    stop: int
    text: str


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    stop: int


class Source(str, Enum):
    """Which stage found a mention: the `mentions.source` column. An enum, so that a misspelt
    source fails where it is written, not later as a silently lower `resolve` priority."""
    NER = 'ner'
    ORGS = 'rule:orgs'
    DATES = 'rule:dates'
    MONEY = 'rule:money'
    NUMBERS = 'rule:numbers'
    PERSONS = 'rule:persons'
    NATASHA = 'natasha'                   # the baseline (`validate --system natasha`)
    NATASHA_DATES = 'natasha:dates'
    NATASHA_MONEY = 'natasha:money'

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class DateValue:
    """What `rules.dates` resolved a DATE to, beside its ISO `value` (the `dates` table's columns)."""
    start: date | None            # first day covered (None: open or unknown)
    end: date | None              # last day covered
    granularity: str | None       # day, month, season, quarter, year, decade, century, ...
    is_relative: bool = False     # read against the publication date (`вчера`, `в прошлом году`)
    anchor: str | None = None     # the publication day it was read against, when it was


@dataclass(frozen=True, slots=True)
class NameHints:
    """What the words around a PER mention say of it (`rules.persons`), read by `link`.

    `gender`: the past-tense verb beside it (`Бут рассказала`: 'femn');
    `cases`: ((cases, weight), ...) the word before it suggests (`к Лофнеру`: dative)."""
    gender: str | None = None
    cases: tuple[tuple[frozenset[str], float], ...] = ()


@dataclass(frozen=True, slots=True)
class LinkHints:
    """ORG/LOC hints from `rules.orgs`.

    `same_as`: starts of the other mentions naming the same thing (`Комитет защиты журналистов
    (КЗЖ)`), any number of them, which `link` follows; `described`: the span already holds its
    descriptor (`организации «...»`), so `rules.orgs` grows it no further."""
    same_as: tuple[int, ...] = ()
    described: bool = False


@dataclass(frozen=True, slots=True)
class Mention:
    """A typed span of the text; `normal`/`value` follow GOLD-GUIDE.md."""
    start: int
    stop: int
    type: str
    text: str
    source: Source = Source.NER   # which stage found it
    normal: str = ''              # PER/ORG/LOC: nominative canonical name
    value: str | float | None = None  # DATE: ISO string; NUMBER/MONEY: number
    value_max: float | None = None
    unit: str | None = None
    qualifier: str | None = None
    kind: str = ''                # ORG/LOC descriptor (`технопарк`), number kind
    parts: tuple[str, str, str] | None = None  # PER: (first, middle, last)
    entity: int | None = None     # index into Document.entities
    date: DateValue | None = None     # DATE from rules.dates: bounds, granularity, anchor
    hints: NameHints | None = None    # PER from rules.persons: gender and case of the context
    links: LinkHints | None = None    # ORG/LOC from rules.orgs: other mentions of the same thing


@dataclass(frozen=True, slots=True)
class Entity:
    """Mentions of one thing within one document."""
    type: str
    name: str
    kind: str = ''
    first: str = ''
    middle: str = ''
    last: str = ''


@dataclass(frozen=True, slots=True)
class Role:
    """A person holding a position (in an organisation or place), read from one sentence.

    `person` and `org` are indexes into `Document.entities`; `start`/`stop`
    span the evidence (the position phrase and the person's mention)."""
    person: int
    position: str                 # as written: `заместителя губернатора`
    position_normal: str          # nominative: `заместитель губернатора`
    org: int | None
    start: int
    stop: int
    kind: str = 'position'        # `position` (a post held: `министр`) or `occupation` (`поэт`, `врач`)


@dataclass(slots=True)
class Document:
    doc_id: str
    text: str
    source: str = ''
    title: str | None = None
    published: str | None = None
    published_source: str | None = None
    url: str | None = None
    # web pages and crawls (batch/web.py, batch/warc.py), language (lang/language.py), store/duplicates.py
    author: str | None = None
    site: str | None = None
    fetched: str | None = None        # when a crawler fetched it (WARC-Date)
    charset: str | None = None        # the charset its HTTP header announced
    language: str | None = None       # ISO 639-1 code detected from the text: `ru`, `en`
    duplicate_of: str | None = None   # doc_id of the earliest published copy of the same story
    tokens: list[Token] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    _token_starts: list[int] | None = None

    def tokens_in(self, start: int, stop: int) -> list[Token]:
        """Tokens lying inside [start, stop)."""
        if self._token_starts is None or len(self._token_starts) != len(self.tokens):
            self._token_starts = [_.start for _ in self.tokens]
        lo = bisect_left(self._token_starts, start)
        hi = bisect_right(self._token_starts, stop - 1)
        return [_ for _ in self.tokens[lo:hi] if _.stop <= stop]

    def token_index(self, offset: int) -> int:
        """Index of the first token starting at or after `offset`."""
        if self._token_starts is None or len(self._token_starts) != len(self.tokens):
            self._token_starts = [_.start for _ in self.tokens]
        return bisect_left(self._token_starts, offset)

    def sentence_of(self, offset: int) -> int:
        """Index of the sentence holding `offset` (-1 when outside all)."""
        lo, hi = 0, len(self.sentences)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.sentences[mid].stop <= offset:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(self.sentences) and self.sentences[lo].start <= offset:
            return lo
        return -1


class Level(str, Enum):
    """How bad a `Problem` is: the `errors` table's `level` column."""
    ERROR = 'error'               # not processed
    WARNING = 'warning'           # processed, with loss (invalid bytes replaced by U+FFFD)


@dataclass(frozen=True, slots=True)
class Problem:
    """A document or input that could not be processed (or was, with loss), and why."""
    source: str
    doc_id: str | None
    stage: str
    message: str
    level: Level = Level.ERROR
