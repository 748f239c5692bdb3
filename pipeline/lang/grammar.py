"""Shared machinery of the grammar stages (yargy over pymorphy3).

- `tokenizer()`: yargy's `MorphTokenizer` whose analyser is our cached
  pymorphy3 (`pipeline.morph`), never yargy's default pymorphy2; one per
  process. Digits grouped by spaces (`250 000`, `1 500`) and decimal commas
  (`3,5`) come out as one `NUM` token, so `5, 6 и 7` stays three numbers.
- the yargy morphology records (`Form`, `Grams`, ...) and `lexeme()`; the
  Earley parser over this tokenizer is in `pipeline.lang.earley`, the word
  lists in `pipeline.lang.words`.
- `token_starts()`, `windows()`, `find()`: the grammars run only on short
  stretches of a line around trigger tokens (digits, month names, `тысяч`,
  `рублей`, ...); yargy over whole texts would cost several times the NER.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache

import yargy
from yargy.record import Record
from yargy.tokenizer import RULES, MorphTokenizer, TokenRule

from pipeline.document import Document
from pipeline.lang import morph
from pipeline.lang.text import DASH_MARK, fold_yo

# `250 000`, `1 500 000`, `3,5`, `1 234,5`: one token (ordinary, no-break,
# thin and narrow no-break spaces between groups of three digits)
NUM = TokenRule('NUM', r'\d{1,3}(?:[ \u00a0\u2009\u202f]\d{3})+(?:,\d+)?(?!\d)|\d+,\d+(?!\d)')


# ---------------------------------------------------------------- morphology
# yargy.morph imports pymorphy2 at module level, so its records are mirrored
# here (same attributes, which yargy's predicates and relations read).

class Gender(Record):
    __attributes__ = ['male', 'female', 'neutral', 'bi', 'general']

    def __init__(self, grams):
        self.male = 'masc' in grams
        self.female = 'femn' in grams
        self.neutral = 'neut' in grams
        self.bi = 'Ms-f' in grams
        self.general = 'GNdr' in grams


class Number(Record):
    __attributes__ = ['single', 'plural', 'only_single', 'only_plural']

    def __init__(self, grams):
        self.single = 'sing' in grams
        self.plural = 'plur' in grams
        self.only_single = 'Sgtm' in grams
        self.only_plural = 'Pltm' in grams


class Case(Record):
    __attributes__ = ['mask', 'fixed']

    def __init__(self, grams):
        self.mask = [_ in grams for _ in ('nomn', 'gent', 'datv', 'accs', 'ablt', 'loct', 'voct')]
        self.fixed = 'Fixd' in grams


class Grams(Record):
    __attributes__ = ['values']

    def __init__(self, values):
        self.values = values

    @property
    def gender(self):
        return Gender(self)

    @property
    def number(self):
        return Number(self)

    @property
    def case(self):
        return Case(self)

    def __contains__(self, value):
        return value in self.values


class Form(Record):
    __attributes__ = ['normalized', 'grams']

    def __init__(self, normalized, grams, raw=None):
        self.normalized = normalized
        self.grams = grams
        self.raw = raw

    def inflect(self, grams=frozenset({'nomn', 'sing'})):
        form = morph.inflect(self.raw, *grams)
        return form or self.normalized


@lru_cache(maxsize=100_000)
def forms(word: str) -> tuple[Form, ...]:
    """yargy forms of a word from pymorphy3's (cached) parses."""
    return tuple(Form(_.normal_form, Grams(_.tag.grammemes), raw=_) for _ in morph.parses(word))


class MorphAnalyzer:
    """The analyser interface yargy expects, backed by pymorphy3."""

    def __init__(self):
        self.raw = morph.analyzer()

    def check_gram(self, gram: str) -> None:
        if not self.raw.TagClass.grammeme_is_known(gram):
            raise ValueError(gram)

    def __call__(self, word: str) -> list[Form]:
        return list(forms(word))

    def normalized(self, word: str) -> set[str]:
        return {_.normalized for _ in forms(word)}


@lru_cache(maxsize=1)
def tokenizer() -> MorphTokenizer:
    """The process-wide yargy tokenizer (pymorphy3 morphology, `NUM` groups)."""
    return MorphTokenizer(rules=[NUM] + list(RULES), morph=MorphAnalyzer())


def yo_variants(forms: set[str]) -> set[str]:
    """Forms as written with `ё` and with `е` (`трём`, `трем`)."""
    return forms | {fold_yo(_) for _ in forms}


def lexeme(lemma: str, pos: tuple[str, ...] = (), grammemes: frozenset = frozenset()) -> set[str]:
    """Every form of `lemma` (of the given parts of speech) whose tag has all `grammemes`."""
    found = set()
    for parse in morph.parses(lemma):
        if parse.normal_form not in (lemma, lemma.replace('е', 'ё')):
            continue
        if pos and str(parse.tag.POS) not in pos:
            continue
        for form in parse.lexeme:
            if grammemes <= form.tag.grammemes and not {'Supr', 'Cmp2', 'Arch'} & form.tag.grammemes:
                found.add(form.word)
        break
    return yo_variants(found)


# ---------------------------------------------------------------- triggers

def trie_pattern(vocabulary) -> str:
    """A regex alternation of the words as a trie (`тыс`, `тысяча`, `тысячи` →
    `(?:т(?:ы(?:с(?:я(?:ч(?:а|и)))?)))`): the `re` module tries alternatives
    one by one, a trie keeps that short."""
    trie: dict = {}
    for word in vocabulary:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[''] = {}

    def pattern(node: dict) -> str:
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ''
        group = '(?:' + '|'.join(branches) + ')'
        return group + '?' if '' in node else group

    return pattern(trie)


def word_pattern(vocabulary) -> re.Pattern:
    """A regex finding the words of `vocabulary` in lower-cased text (where a
    match begins is checked against the tokens, see `token_starts`)."""
    return re.compile(trie_pattern({_.lower() for _ in vocabulary}) + r'(?!\w)')


DIGIT_START = re.compile(r'[-−]?\d+')


def lowered(doc: Document) -> str:
    """`doc.text` in lower case, when that keeps every offset (it nearly always does)."""
    text = doc.text.lower()
    return text if len(text) == len(doc.text) else doc.text


def token_starts(doc: Document, pattern: re.Pattern, text: str | None = None) -> list[int]:
    """Indexes of the tokens that begin where `pattern` matches in `text` (by
    default the document; word patterns want `lowered(doc)`): a C-speed scan
    instead of a Python loop over every token."""
    found, tokens = [], doc.tokens
    for match in pattern.finditer(doc.text if text is None else text):
        index = doc.token_index(match.start())
        if index < len(tokens) and tokens[index].start == match.start() and (not found or found[-1] != index):
            found.append(index)
    return found


def merged(*lists: list[int]) -> list[int]:
    return sorted(set().union(*lists))


# ---------------------------------------------------------------- windows

LINE_BREAK = re.compile(r'[\n\r\u2028\u2029\x0b\x0c\x85]')


def token_lines(doc: Document) -> list[int]:
    """Line number of every token (a new line starts after a line break).

    The breaks are found in one scan of the text and each gap between tokens is
    looked up among them by bisection, instead of one regex search per token."""
    breaks = [_.start() for _ in LINE_BREAK.finditer(doc.text)]
    breaks.append(float('inf'))           # a sentinel past every token
    lines, line, previous = [], 0, None
    for token in doc.tokens:
        if previous is not None and breaks[bisect_left(breaks, previous)] < token.start:
            line += 1                       # a break between the two tokens
        lines.append(line)
        previous = token.stop
    return lines


def windows(doc: Document, triggers: list[int], before: int, after: int,
            lines: list[int] | None = None, context: frozenset[str] | None = None) -> list[tuple[int, int]]:
    """Character spans of up to `before`/`after` tokens around each trigger
    token, merged, never crossing a line break. With `context`, a window only
    grows over numbers and the words of `context` (`в`, `с`, `по`, `года`, …),
    so the parser sees `с 17 по 20 августа`, not the whole clause."""
    if not triggers:
        return []
    lines = lines if lines is not None else token_lines(doc)
    tokens, spans = doc.tokens, []
    last = len(tokens) - 1

    def fits(index: int) -> bool:
        if context is None:
            return True
        text = tokens[index].text.lower()
        if text[0].isdigit() or text in context:
            return True
        parts = DASH_MARK.split(text)          # январе–марте, двух-трёх
        return len(parts) > 1 and all(_ in context for _ in parts if _)

    low = high = None
    for index in triggers:
        line = lines[index]
        start = index
        while start > 0 and index - start < before and lines[start - 1] == line and fits(start - 1):
            start -= 1
        stop = index
        while stop < last and stop - index < after and lines[stop + 1] == line and fits(stop + 1):
            stop += 1
        if low is not None and start <= high + 1 and lines[high] == line:
            high = max(high, stop)
            continue
        if low is not None:
            spans.append((tokens[low].start, tokens[high].stop))
        low, high = start, stop
    spans.append((tokens[low].start, tokens[high].stop))
    return spans


def find(parser: yargy.Parser, text: str, spans: list[tuple[int, int]]):
    """(start, stop, match) of every grammar match inside the spans of `text`."""
    for low, high in spans:
        for match in parser.findall(text[low:high]):
            yield low + match.span.start, low + match.span.stop, match


GLUE = '-./:'     # 07:29, v1.2, item/13001, COVID-19


def glued_before(text: str, start: int) -> bool:
    """`прорыве-2020`, `COVID-19`, `minobr74`: the match continues a word."""
    if start == 0:
        return False
    previous = text[start - 1]
    if previous.isalnum() or previous == '_':
        return True
    return previous in GLUE and start > 1 and text[start - 2].isalnum()


def glued_after(text: str, stop: int) -> bool:
    """`3-го`, `6-й`, `41TMWoQlemk`: the match is the head of a longer word."""
    if stop >= len(text):
        return False
    following = text[stop]
    if following.isalnum() or following == '_':
        return True
    return following in GLUE and stop + 1 < len(text) and text[stop + 1].isalnum()
