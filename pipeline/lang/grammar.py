"""Shared machinery of the grammar stages (yargy over pymorphy3).

- `tokenizer()`: yargy's `MorphTokenizer` whose analyser is our cached
  pymorphy3 (`pipeline.morph`), never yargy's default pymorphy2; one per
  process. Digits grouped by spaces (`250 000`, `1 500`) and decimal commas
  (`3,5`) come out as one `NUM` token, so `5, 6 и 7` stays three numbers.
- `parser(rule)`: a `Parser` (yargy's, with a fixed and faster chart) over
  that tokenizer; each grammar module compiles its parser once per process.
- `words(name)`: a word list from `pipeline/data/<name>.txt`.
- `token_starts()`, `windows()`, `find()`: the grammars run only on short
  stretches of a line around trigger tokens (digits, month names, `тысяч`,
  `рублей`, ...); yargy over whole texts would cost several times the NER.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yargy
from yargy.parser import prepare_match, prepare_trees
from yargy.span import resolve_spans
from yargy.tree import Leaf, Node
from yargy.record import Record
from yargy.rule.bnf import is_rule
from yargy.tokenizer import RULES, MorphTokenizer, TokenRule

from pipeline.lang import morph
from pipeline.document import Document

DATA = Path(__file__).resolve().parent.parent / 'data'

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


class Parser(yargy.Parser):
    """yargy's Earley parser, made exact and fast on our grammars.

    Same grammar, trees and matches as `yargy.Parser`; the chart differs:

    - nullable rules (Aycock & Horspool): yargy 0.16 expands `x.optional()`
      into a rule with an empty production; a state that came to wait for
      such a rule after it had completed empty in the same column was never
      advanced, so `более 250 тысяч` (with an optional `%` after it) came out
      as `250 тысяч`. Here such a state steps over the empty completion;
    - one-token lookahead: a production is predicted only when the next
      token can begin it (FIRST predicates computed once per grammar, the
      viable productions cached per rule and token), and a rule once per
      column, instead of every production of every reachable rule;
    - lean states (slots, a precomputed dedup key) and predicate results
      shared within a column.
    On the date grammar this is about 15 times faster than yargy's chart.
    """

    def __init__(self, rule, tokenizer=None, tagger=None):
        super().__init__(rule, tokenizer=tokenizer, tagger=tagger)
        self.first = first_sets(self.rule)
        self.predictions = {}     # (rule, token value, token type) → viable productions

    def chart(self, text, all=True):
        tokens = list(self.tagger(self.tokenizer(text)))
        chart = EarleyChart(tokens)
        columns = chart.columns
        for position, column in enumerate(columns):
            next_column = columns[position + 1] if position + 1 < len(columns) else None
            token = next_column.token if next_column is not None else None
            memo, predicted, empty = {}, set(), {}
            if position == 0 or all:
                self.predict(column, token, self.rule, memo, predicted)
            states = column.states
            index = 0
            while index < len(states):
                state = states[index]
                index += 1
                terms = state.terms
                if state.dot_index >= len(terms):                       # complete
                    start = state.start_column
                    if start is column:
                        empty.setdefault(id(state.rule), []).append(state)
                    for parent in start.waiting.get(id(state.rule), ()):
                        column.append(parent.advanced(column, state, id(state)))
                    continue
                term = terms[state.dot_index]
                if is_rule(term):                                       # predict
                    self.predict(column, token, term, memo, predicted)
                    for done in empty.get(id(term), ()):
                        column.append(state.advanced(column, done, id(done)))
                elif next_column is not None:                           # scan
                    key = id(term)
                    found = memo.get(key)
                    if found is None:
                        found = memo[key] = bool(term(token))
                    if found:
                        next_column.append(state.advanced(next_column, (term, token), -position - 1))
        return chart

    def findall(self, text):
        """Matches covering the most text, as `yargy.Parser.findall`, but a tree
        is prepared only for the spans kept, not for every candidate span."""
        by_span = {}
        for state in self.matches(text):
            by_span.setdefault(state.range, []).append(state)
        spans = sorted(by_span, key=lambda _: (_[0], -_[1]))
        for span in resolve_spans(spans):
            tree = min(prepare_trees(by_span[span]))      # yargy's preferred tree of the span
            match = prepare_match(tree)
            if match:
                yield match

    def predict(self, column, token, rule, memo, predicted):
        if id(rule) in predicted:
            return          # same states as before: a rule is predicted once per column
        predicted.add(id(rule))
        key = (id(rule), token.value, token.type) if token is not None else (id(rule),)
        productions = self.predictions.get(key)
        if productions is None:
            if len(self.predictions) > 500_000:
                self.predictions.clear()
            productions = self.predictions[key] = self.viable(rule, token, memo)
        for rank, production in productions:
            column.append(EarleyState(rule, production, 0, column, column, rank, None, None, ()))

    def viable(self, rule, token, memo) -> tuple:
        """(rank, production) of the productions of `rule` that can start at `token`."""
        found = []
        for rank, production in enumerate(rule.productions):
            first, nullable = self.first[id(production)]
            if not nullable:
                if token is None:
                    continue
                for predicate in first:
                    key = id(predicate)
                    match = memo.get(key)
                    if match is None:
                        match = memo[key] = bool(predicate(token))
                    if match:
                        break
                else:
                    continue
            found.append((rank, production))
        return tuple(found)


class EarleyState:
    """An Earley item: `rule → production` with `dot_index` terms matched
    from `start_column` to `stop_column`. Its tree `node` is built only when
    asked for (from the state it advanced from and the child it took), since
    most states never reach a match."""
    __slots__ = ('rule', 'production', 'terms', 'dot_index', 'start_column', 'stop_column', 'rank',
                 'previous', 'child', 'children', 'key', '_node')

    def __init__(self, rule, production, dot_index, start_column, stop_column, rank, previous, child, children):
        self.rule = rule
        self.production = production
        self.terms = production.terms
        self.dot_index = dot_index
        self.start_column = start_column
        self.stop_column = stop_column
        self.rank = rank
        self.previous = previous      # the state this one advanced from
        self.child = child            # what it advanced over: a completed state or (predicate, token)
        self.children = children
        self.key = (id(rule), id(production), dot_index, start_column.index, stop_column.index, children)
        self._node = None

    def advanced(self, column, child, child_id):
        return EarleyState(self.rule, self.production, self.dot_index + 1, self.start_column, column,
                           self.rank, self, child, self.children + (child_id,))

    @property
    def node(self):
        if self._node is None:
            if self.previous is None:
                self._node = Node(self.rule, self.production, self.rank, [])
            else:
                child = self.child
                child = child.node if isinstance(child, EarleyState) else Leaf(child[0], child[0].constrain(child[1]))
                self._node = self.previous.node.attached(child)
        return self._node

    @property
    def completed(self) -> bool:
        return self.dot_index >= len(self.terms)

    @property
    def range(self) -> tuple[int, int]:
        return self.start_column.index, self.stop_column.index


class EarleyColumn:
    __slots__ = ('index', 'token', 'states', 'keys', 'waiting')

    def __init__(self, index, token):
        self.index = index
        self.token = token
        self.states = []
        self.keys = set()
        self.waiting = {}         # id(rule) → states whose next term is that rule

    def append(self, state):
        key = state.key
        if key in self.keys:
            return
        self.keys.add(key)
        self.states.append(state)
        terms = state.terms
        if state.dot_index < len(terms) and is_rule(terms[state.dot_index]):
            self.waiting.setdefault(id(terms[state.dot_index]), []).append(state)

    def matches(self, rule):
        for state in self.states:
            if state.rule is rule and state.dot_index >= len(state.terms):
                yield state


class EarleyChart:
    def __init__(self, tokens):
        self.columns = [EarleyColumn(0, None)] + [EarleyColumn(index, token)
                                                  for index, token in enumerate(tokens, 1)]

    @property
    def last_column(self):
        return self.columns[-1]

    def matches(self, rule):
        for column in self.columns:
            yield from column.matches(rule)


def first_sets(start) -> dict[int, tuple[tuple, bool]]:
    """For every production of the BNF grammar under `start`: (the predicates
    that can match its first token, whether it can match nothing)."""
    rules, seen, queue = [], set(), [start]
    while queue:
        rule = queue.pop()
        if id(rule) in seen:
            continue
        seen.add(id(rule))
        rules.append(rule)
        for production in rule.productions:
            queue.extend(_ for _ in production.terms if is_rule(_))

    nullable, first = set(), {id(_): {} for _ in rules}

    def scan(production) -> tuple[dict, bool]:
        found = {}
        for term in production.terms:
            if not is_rule(term):
                found[id(term)] = term
                return found, False
            found.update(first[id(term)])
            if id(term) not in nullable:
                return found, False
        return found, True

    changed = True
    while changed:                     # to a fixed point: rules refer to each other
        changed = False
        for rule in rules:
            for production in rule.productions:
                found, empty = scan(production)
                if empty and id(rule) not in nullable:
                    nullable.add(id(rule))
                    changed = True
                if not found.keys() <= first[id(rule)].keys():
                    first[id(rule)].update(found)
                    changed = True
    table = {}
    for rule in rules:
        for production in rule.productions:
            found, empty = scan(production)
            table[id(production)] = (tuple(found.values()), empty)
    return table


def parser(rule) -> Parser:
    return Parser(rule, tokenizer=tokenizer())


# ---------------------------------------------------------------- word lists

@lru_cache(maxsize=None)
def words(name: str) -> tuple[tuple[str, ...], ...]:
    """Rows of `pipeline/data/<name>.txt`: whitespace-split, `#` comments dropped."""
    rows = []
    for line in (DATA / f'{name}.txt').read_text(encoding='utf-8').splitlines():
        line = line.split('#', 1)[0].strip()
        if line:
            rows.append(tuple(line.split()))
    return tuple(rows)


def yo_variants(forms: set[str]) -> set[str]:
    """Forms as written with `ё` and with `е` (`трём`, `трем`)."""
    return forms | {_.replace('ё', 'е') for _ in forms}


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

DASHES = re.compile('[-–—]')
LINE_BREAK = re.compile(r'[\n\r\u2028\u2029\x0b\x0c\x85]')


def token_lines(doc: Document) -> list[int]:
    """Line number of every token (a new line starts after a line break)."""
    lines, line, previous = [], 0, None
    text = doc.text
    for token in doc.tokens:
        if previous is not None and LINE_BREAK.search(text, previous, token.start):
            line += 1
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
        parts = DASHES.split(text)          # январе–марте, двух-трёх
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
