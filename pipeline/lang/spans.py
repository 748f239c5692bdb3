"""Name mentions as runs of tokens, and what the name rules ask of a token.

Not a stage: `rules.repair` and `rules.orgs` turn the ORG/LOC mentions into
`Span`s (token indexes, so rules can step word by word), look words up with
the helpers here (pymorphy3 readings, quotes and their pairs) and turn the
spans back into mentions.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

from pipeline.document import Document, LinkHints, Mention, Source
from pipeline.lang import morph
from pipeline.lang.text import AMBIGUOUS_QUOTES, CLOSING_QUOTES, OPENING_QUOTES, QUOTE_MARKS

SEPARATORS = frozenset('•·●▪|;()[]{}—–:')
QUOTE_CHARS = QUOTE_MARKS     # quote tokens (pipeline.lang.text), under the name the org stages import
NAME_TAGS = ('Geox', 'Orgn', 'Name', 'Surn', 'Patr', 'Abbr', 'Trad')
SOURCE = Source.ORGS
NO_HINTS = LinkHints()    # the default of Span.hints, one shared frozen value


@dataclass(eq=False)
class Span:
    """A name mention as a run of tokens `first..last` (inclusive)."""
    first: int
    last: int
    type: str
    source: Source = SOURCE
    hints: LinkHints = NO_HINTS                    # `same_as` from an earlier pass; `described`
    kind: str = ''
    links: list = field(default_factory=list)   # spans naming the same thing (`КЗЖ` after its full name)


# ---------------------------------------------------------------- token helpers

class Tokens:
    """The document's tokens with what the rules ask of them, computed on demand."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.items = doc.tokens
        self.texts = [_.text for _ in doc.tokens]
        from pipeline.lang.grammar import token_lines
        self.lines = token_lines(doc)      # line number of every token
        self._sentence_starts = None

    def __len__(self):
        return len(self.items)

    def joined(self, left: int, right: int) -> bool:
        """Tokens `left` and `left+1`... only spaces between `left` and `right`, same line."""
        if right <= left or right >= len(self.items) or self.lines[left] != self.lines[right]:
            return False
        return not self.doc.text[self.items[left].stop:self.items[right].start].strip()

    def adjacent(self, left: int, right: int) -> bool:
        """`right` follows `left` with only spaces between, on the same line."""
        return right == left + 1 and self.joined(left, right)

    def sentence_start(self, index: int) -> bool:
        """First word of its sentence or line (quotes, dashes and bullets before it do not count)."""
        if self._sentence_starts is None:
            starts = {self.doc.token_index(_.start) for _ in self.doc.sentences}
            self._sentence_starts = starts
        position = index
        while position > 0 and position not in self._sentence_starts \
                and not is_word(self.texts[position - 1]) and self.lines[position - 1] == self.lines[index]:
            position -= 1
        return (position in self._sentence_starts or position == 0
                or self.lines[position - 1] != self.lines[index])

    def capitalised(self, index: int) -> bool:
        text = self.texts[index]
        return bool(text) and (text[0].isupper() or text[0].isdigit())


@lru_cache(maxsize=100_000)
def is_word(text: str) -> bool:
    return any(_.isalnum() for _ in text)


@lru_cache(maxsize=100_000)
def is_latin(text: str) -> bool:
    return any('a' <= _.lower() <= 'z' for _ in text) and not morph.is_cyrillic(text)


@lru_cache(maxsize=100_000)
def is_abbreviation(text: str) -> bool:
    """`КЗЖ`, `USPTO`, `G-20`, `МИД`: capitals (and digits), two letters at least."""
    letters = [_ for _ in text if _.isalpha()]
    return (len(letters) >= 2 and all(_.isupper() for _ in letters)
            and all(_.isalnum() or _ in '-&' for _ in text))


def double_apostrophe(tokens: Tokens, index: int) -> int | None:
    """The first of two apostrophes written together as one quote mark (`журнал ''Vogue''`) that the
    token `index` is one of, or None."""
    items, texts = tokens.items, tokens.texts
    if texts[index] != "'":
        return None
    if index > 0 and texts[index - 1] == "'" and items[index - 1].stop == items[index].start:
        return index - 1
    if index + 1 < len(items) and texts[index + 1] == "'" and items[index].stop == items[index + 1].start:
        return index
    return None


def outer_quote(tokens: Tokens, index: int) -> int:
    """The quote token at the outside of the mark `index` belongs to: the first of an opening `''`,
    the second of a closing one; `index` itself for any other mark."""
    first = double_apostrophe(tokens, index)
    if first is None:
        return index
    return first if index == first + 1 else first + 1


def quote_kind(tokens: Tokens, index: int) -> str | None:
    """`open`, `close` or None for a quote token, by its mark and the spaces around it. Of two
    apostrophes that make one mark (`''Arctic Monkeys''`) the inner one is the quote, the outer one none."""
    text = tokens.texts[index]
    if text in OPENING_QUOTES:
        return 'open'
    if text in CLOSING_QUOTES:
        return 'close'
    if text not in AMBIGUOUS_QUOTES:
        return None
    doc_text = tokens.doc.text
    token = tokens.items[index]
    first = double_apostrophe(tokens, index)
    start, stop = (tokens.items[first].start, tokens.items[first + 1].stop) if first is not None \
        else (token.start, token.stop)
    before = doc_text[start - 1] if start else ' '
    after = doc_text[stop] if stop < len(doc_text) else ' '
    if first is not None:
        kind = 'open' if (before.isspace() or before in '([«') and not after.isspace() else 'close'
        return kind if index == (first + 1 if kind == 'open' else first) else None
    if (before.isspace() or before in '([«') and not after.isspace():
        return 'open'
    if not before.isspace():
        return 'close'
    return 'open' if after.isalnum() else 'close'


def quote_pairs(tokens: Tokens) -> dict[int, int]:
    """Opening quote token → its closing quote token, line by line; an opening
    quote left open pairs with the line's last closing quote after it
    (`ГАУ ДО ТО "Дворец творчества и спорта "Пионер"`)."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    closes: list[int] = []
    line = None
    for index, text in enumerate(tokens.texts):
        if tokens.lines[index] != line:
            finish_line(stack, closes, pairs)
            stack, closes, line = [], [], tokens.lines[index]
        if text not in QUOTE_CHARS:
            continue
        kind = quote_kind(tokens, index)
        if kind == 'open':
            stack.append(index)
        elif kind == 'close':
            closes.append(index)
            if stack:
                pairs[stack.pop()] = index
    finish_line(stack, closes, pairs)
    return pairs


def finish_line(stack: list[int], closes: list[int], pairs: dict[int, int]) -> None:
    for opening in stack:
        after = [_ for _ in closes if _ > opening]
        if after:
            pairs[opening] = after[-1]


def parses(word: str):
    return morph.parses(word)


@lru_cache(maxsize=100_000)
def pos_set(word: str) -> frozenset[str]:
    return frozenset(morph.attr(_.tag, 'POS') for _ in parses(word))


@lru_cache(maxsize=100_000)
def cases(word: str, pos: tuple[str, ...] = ('NOUN',)) -> frozenset[str]:
    return frozenset(morph.attr(_.tag, 'case') for _ in parses(word) if morph.attr(_.tag, 'POS') in pos)


@lru_cache(maxsize=100_000)
def fixed(word: str) -> bool:
    """A word that does not decline: abbreviations, Latin, digits, unknown `-и/-о` names."""
    if not morph.is_cyrillic(word) or is_abbreviation(word):
        return True
    return any('Fixd' in _.tag for _ in parses(word))


@lru_cache(maxsize=100_000)
def has_name_tag(word: str) -> bool:
    return any(any(tag in _.tag for tag in NAME_TAGS) for _ in parses(word))


@lru_cache(maxsize=100_000)
def in_dictionary(word: str) -> bool:
    return any(morph.in_dictionary(_) for _ in parses(word))


# ---------------------------------------------------------------- spans

def to_spans(doc: Document, tokens: Tokens) -> tuple[list[Span], list[Mention]]:
    """ORG/LOC mentions as token spans; the other mentions as they are."""
    spans, others = [], []
    for mention in doc.mentions:
        if mention.type not in ('ORG', 'LOC'):
            others.append(mention)
            continue
        first = doc.token_index(mention.start)
        last = first
        while last + 1 < len(tokens) and tokens.items[last + 1].stop <= mention.stop:
            last += 1
        if first >= len(tokens) or tokens.items[first].start >= mention.stop:
            continue
        hints = mention.links or LinkHints()
        spans.append(Span(first, last, mention.type, mention.source, hints, mention.kind))
    return spans, others


def person_spans(doc: Document, tokens: Tokens, others: list[Mention]) -> list[Span]:
    """PER mentions as token spans (they bound the ORG/LOC rules; they are not changed)."""
    found = []
    for mention in others:
        if mention.type != 'PER':
            continue
        first = last = doc.token_index(mention.start)
        if first >= len(tokens):
            continue
        while last + 1 < len(tokens) and tokens.items[last + 1].stop <= mention.stop:
            last += 1
        found.append(Span(first, last, 'PER', mention.source))
    return found


def to_mentions(doc: Document, spans: list[Span]) -> list[Mention]:
    found = []
    alive = {id(_) for _ in spans}
    for span in spans:
        start, stop = doc.tokens[span.first].start, doc.tokens[span.last].stop
        same_as = span.hints.same_as + tuple(doc.tokens[_.first].start for _ in span.links if id(_) in alive)
        hints = replace(span.hints, same_as=same_as)
        found.append(Mention(start, stop, span.type, doc.text[start:stop], source=span.source,
                             kind=span.kind, links=hints if hints != LinkHints() else None))
    return found


def pieces(tokens: Tokens, span: Span) -> list[Span]:
    """The span cut at list and bracket marks, loose marks trimmed off its edges."""
    runs, current = [], []
    for index in range(span.first, span.last + 1):
        if tokens.texts[index] in SEPARATORS \
                or (tokens.texts[index] == '-' and not tokens.adjacent(index - 1, index)):
            if current:
                runs.append(current)
            current = []
        else:
            current.append(index)
    if current:
        runs.append(current)
    found = []
    for run in runs:
        first, last = trim(tokens, run[0], run[-1])
        if first is None:
            continue
        source = span.source if (first, last) == (span.first, span.last) else SOURCE
        found.append(Span(first, last, span.type, source, span.hints, span.kind))
    return found


def trim(tokens: Tokens, first: int, last: int) -> tuple[int | None, int | None]:
    """Drop marks at the edges; a quote stays only when its pair is inside."""
    def balanced(index: int) -> bool:
        kind = quote_kind(tokens, index)
        inside = [quote_kind(tokens, _) for _ in range(first, last + 1) if tokens.texts[_] in QUOTE_CHARS]
        return inside.count('open') == inside.count('close') and kind is not None

    while first <= last:
        changed = False
        if not is_word(tokens.texts[first]) and not (tokens.texts[first] in QUOTE_CHARS and balanced(first)):
            first += 1
            changed = True
        if first <= last and not is_word(tokens.texts[last]) and tokens.texts[last] != '.' \
                and not (tokens.texts[last] in QUOTE_CHARS and balanced(last)):
            last -= 1
            changed = True
        if first <= last and tokens.texts[last] == '.' and (last == first or len(tokens.texts[last - 1]) > 3):
            last -= 1
            changed = True
        if not changed:
            break
    if first > last or not any(is_word(tokens.texts[_]) for _ in range(first, last + 1)):
        return None, None
    return first, last


def words_of(tokens: Tokens, span: Span) -> list[str]:
    return [tokens.texts[_] for _ in range(span.first, span.last + 1) if is_word(tokens.texts[_])]


class Taken:
    """Tokens of the spans kept so far, by type: whether a span overlaps one costs its length,
    not the number of spans (a document of 20,000 mentions stays linear)."""

    def __init__(self):
        self.tokens: dict[str, set[int]] = {}

    def overlaps(self, span: Span) -> bool:
        taken = self.tokens.get(span.type)
        return bool(taken) and any(_ in taken for _ in range(span.first, span.last + 1))

    def add(self, span: Span) -> None:
        self.tokens.setdefault(span.type, set()).update(range(span.first, span.last + 1))


def one_per_stretch(spans: list[Span], order) -> list[Span]:
    """One span per stretch and type, the first in `order` (a sort key) winning; in text order."""
    kept, taken = [], Taken()
    for span in sorted(spans, key=order):
        if not taken.overlaps(span):
            kept.append(span)
            taken.add(span)
    kept.sort(key=lambda _: (_.first, _.last))
    return kept


def covered(spans: list[Span], first: int, last: int, types=('ORG', 'LOC', 'PER')) -> bool:
    return any(_.first <= last and first <= _.last for _ in spans if _.type in types)


def agrees(adjective: str, noun: str) -> bool:
    """An adjective reading of `adjective` in the case and number of a noun reading of `noun`."""
    if not morph.is_cyrillic(adjective):
        return False
    nouns = [_ for _ in parses(noun) if morph.attr(_.tag, 'POS') == 'NOUN']
    for parse in parses(adjective):
        if morph.attr(parse.tag, 'POS') not in ('ADJF', 'PRTF'):
            continue
        for other in nouns:
            if morph.attr(parse.tag, 'case') == morph.attr(other.tag, 'case') and \
                    morph.attr(parse.tag, 'number') == morph.attr(other.tag, 'number'):
                gender, other_gender = morph.attr(parse.tag, 'gender'), morph.attr(other.tag, 'gender')
                if morph.attr(parse.tag, 'number') == 'plur' or not gender or not other_gender \
                        or gender == other_gender or other_gender not in ('masc', 'femn', 'neut'):
                    return True
    return False
