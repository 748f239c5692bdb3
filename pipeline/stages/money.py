"""MONEY: amounts with a currency, in digits or words, with qualifiers and ranges.

Reads `doc.tokens` and the DATE mentions (runs after `rules.dates`, before
`rules.numbers`, which then skips what is taken here); adds MONEY mentions
with `source='rule:money'`: `value`, `value_max`, `unit` (ISO 4217 code),
`qualifier`, `kind='money'`. The currency word or sign belongs to the span:
`от 10 тысяч рублей` → value 10000, unit RUB, qualifier gte; `$3 млн` →
3e6 USD; `500 тыс. юаней` → 500000 CNY; `пять миллионов рублей`.

A bare amount with a multiplier after a MONEY mention of the same sentence
takes its currency (GOLD-GUIDE.md: `5 млн долларов, а через год — 7 млн`;
a range too: `10 миллионов евро, оценка 1,5–2 миллиона`); bare numbers
listed just before an amount take its multiplier and currency (`100, 200 и
300 тысяч рублей`: three amounts). A compound amount is one (`3 миллиарда
700 миллионов рублей` → 3.7e9).
"""

from __future__ import annotations

import re
from functools import lru_cache

from yargy import or_, rule
from yargy.predicates import caseless, dictionary, in_, in_caseless
from yargy.predicates import type as token_type

from pipeline.document import Document, Mention, Source
from pipeline.lang import morph
from pipeline.lang.earley import parser
from pipeline.lang.grammar import (
    find,
    glued_before,
    lexeme,
    lowered,
    token_lines,
    token_starts,
    windows,
    word_pattern,
)
from pipeline.lang.words import words
from pipeline.stages.numbers import (
    DASH,
    DOT,
    Quantity,
    counted_noun,
    digits_value,
    forms,
    grammar,
    number,
    number_parser,
    quantity_values,
)

# ---------------------------------------------------------------- word tables


@lru_cache(maxsize=1)
def currencies() -> dict[str, str]:
    """Currency lemma, abbreviation or sign → ISO 4217 code."""
    return {word: code for word, code in words('currencies')}


@lru_cache(maxsize=1)
def currency_adjectives() -> dict[tuple[str, str], str]:
    """(`белорусский`, `рубль`) → BYN."""
    return {(adjective, noun): code for adjective, noun, code in words('currency_adjectives')}


def signs() -> set[str]:
    return {_ for _ in currencies() if not _.isalpha()}


ABBREVIATIONS = {'руб', 'долл', 'р'}     # written with a dot: `10 тыс. руб.`


@lru_cache(maxsize=1)
def currency_forms() -> dict[str, str]:
    """Every form of every currency word → its lemma: `рублей` → рубль."""
    table = {}
    for word in currencies():
        if word.isalpha() and word not in ABBREVIATIONS:
            for form in lexeme(word, ('NOUN',)) | {word}:
                table.setdefault(form, word)
    return table


@lru_cache(maxsize=1)
def adjective_forms() -> set[str]:
    found = set()
    for adjective, _ in currency_adjectives():
        found |= lexeme(adjective, ('ADJF',))
    return found


# ---------------------------------------------------------------- conversions

def currency_code(text: str) -> str:
    """`рублей` → RUB, `долл. США` → USD, `белорусских рублей` → BYN, `$` → USD."""
    parts = [_.strip('.').lower() for _ in text.split()]
    table = currencies()
    for index, part in enumerate(parts):
        lemma = currency_forms().get(part) or (part if part in table else None)
        if lemma is None:
            continue
        if index:
            adjective = morph.lemma(parts[index - 1])
            code = currency_adjectives().get((adjective, lemma))
            if code:
                return code
        return table[lemma]
    return table.get(text.strip(), '')


# ---------------------------------------------------------------- grammar

def money_rule():
    AMOUNT, QUALIFIER, QUANTITY = grammar()
    WORD = or_(
        rule(in_caseless(adjective_forms()).optional(), in_caseless(set(currency_forms()))),
        rule(in_caseless(ABBREVIATIONS - {'р'}), DOT.optional()),     # руб., долл.
        rule(caseless('р'), DOT),                                      # 500 р.
    )
    CURRENCY = rule(
        WORD,
        or_(rule(caseless('США')), rule(dictionary({'стерлинг'}))).optional(),   # долларов США
    ).interpretation(Quantity.unit.custom(currency_code))
    SIGN = in_(signs()).interpretation(Quantity.unit.custom(currency_code))
    KOPECKS = rule(
        token_type('INT').interpretation(Quantity.kopecks.custom(int)),
        or_(rule(dictionary({'копейка'})), rule(caseless('коп'), DOT.optional())),
    )
    return or_(
        rule(QUANTITY, CURRENCY, KOPECKS.optional()),       # от 10 тысяч рублей; 5 рублей 50 копеек
        rule(QUALIFIER.optional(), SIGN,                     # $3 млн, более €5 млн, $3–5 млн
             AMOUNT.interpretation(Quantity.low),
             rule(DASH, AMOUNT.interpretation(Quantity.high)).optional()),
        rule(QUANTITY, SIGN),                                # 100 ₽, 5 млн $
    ).interpretation(Quantity)


@lru_cache(maxsize=1)
def money_parser():
    """The compiled MONEY parser (once per process)."""
    return parser(money_rule())


# ---------------------------------------------------------------- stage

@lru_cache(maxsize=1)
def trigger_words() -> frozenset[str]:
    return frozenset(currency_forms()) | frozenset(currencies())


@lru_cache(maxsize=1)
def multiplier_words() -> frozenset[str]:
    return frozenset(forms('multiplier'))


def money_mentions(doc: Document, matches, taken):
    """MONEY mentions of the grammar's matches, outside DATE mentions."""
    text = doc.text
    for start, stop, match in matches:
        if any(start < high and low < stop for low, high in taken) or glued_before(text, start):
            continue
        quantity = match.fact
        if not quantity.unit:
            continue
        value, value_max = quantity_values(quantity)
        yield from listed_before(text, start, quantity, taken)
        yield Mention(start, stop, 'MONEY', text[start:stop], source=Source.MONEY, value=value,
                      value_max=value_max, unit=quantity.unit, qualifier=quantity.qualifier, kind='money')


LISTED = re.compile(r'(?<![\w.,])(\d+(?:[.,]\d+)?)(?:[ \u00a0]*,[ \u00a0]*|[ \u00a0]+(?:и|или)[ \u00a0]+)$')


def listed_before(text: str, start: int, quantity, taken):
    """`100, 200 и 300 тысяч рублей`: bare numbers listed just before an amount share its multiplier
    and currency, each its own MONEY mention."""
    low = quantity.low
    if quantity.qualifier or quantity.high is not None or low is None or low.value is None:
        return
    found, position = [], start
    while True:
        match = LISTED.search(text, max(0, position - 40), position)
        if not match or any(match.start(1) < high and low_ < match.end(1) for low_, high in taken):
            break
        found.append(match)
        position = match.start(1)
    for match in reversed(found):
        value = number(digits_value(match.group(1)), low.multiplier)
        yield Mention(match.start(1), match.end(1), 'MONEY', match.group(1), source=Source.MONEY, value=value,
                      unit=quantity.unit, kind='money')


def implied_currency(doc: Document, found: list[Mention], taken, res) -> list[Mention]:
    """`5 млн долларов, а через год — 7 млн`: a bare amount with a multiplier
    later in the sentence of a MONEY mention is money in that currency."""
    extra = []
    multipliers = multiplier_words()
    for mention in found:
        number = doc.sentence_of(mention.start)
        if number < 0:
            continue
        end = doc.sentences[number].stop
        hits = []
        for index in range(doc.token_index(mention.stop), len(doc.tokens)):
            token = doc.tokens[index]
            if token.stop > end:
                break
            if token.text.lower() in multipliers:
                hits.append(index)
        if not hits:
            continue
        spans = windows(doc, hits, before=3, after=0)
        grammar_parser = res.number_parser if res is not None else number_parser()
        for start, stop, match in find(grammar_parser, doc.text, spans):
            quantity = match.fact
            if start < mention.stop or quantity.unit or quantity.low is None or not (
                    quantity.low.multiplier or (quantity.high is not None and quantity.high.multiplier)):
                continue                  # 7 млн; 1,5–2 миллиона (the multiplier on the range's end)
            if any(start < high and low < stop for low, high in taken) or counted_noun(doc.text, stop)[0]:
                continue
            value, value_max = quantity_values(quantity)
            extra.append(Mention(start, stop, 'MONEY', doc.text[start:stop], source=Source.MONEY, value=value,
                                 value_max=value_max, unit=mention.unit, qualifier=quantity.qualifier,
                                 kind='money'))
            taken.append((start, stop))
    return extra


@lru_cache(maxsize=1)
def trigger_pattern():
    words_ = {_ for _ in trigger_words() if _.isalpha()}
    signs_ = ''.join(re.escape(_) for _ in signs())
    return re.compile(word_pattern(words_).pattern + f'|[{signs_}]')


def run(doc: Document, res=None) -> Document:
    found = token_starts(doc, trigger_pattern(), lowered(doc))
    if not found:
        return doc
    taken = [(_.start, _.stop) for _ in doc.mentions if _.type == 'DATE']
    spans = windows(doc, found, before=8, after=6, lines=token_lines(doc))
    grammar_parser = res.money_parser if res is not None else money_parser()
    mentions = list(money_mentions(doc, find(grammar_parser, doc.text, spans), taken))
    taken += [(_.start, _.stop) for _ in mentions]
    mentions += implied_currency(doc, mentions, taken, res)
    doc.mentions.extend(mentions)
    return doc
