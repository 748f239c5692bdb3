"""NUMBER: cardinal quantities in digits and words, qualifiers, ranges, per cent.

Reads `doc.tokens` and the DATE and MONEY mentions already found (run after
`rules.dates` and `rules.money`); adds NUMBER mentions with
`source='rule:numbers'`: `value`, `value_max` (ranges: `20–25`), `unit`
(lemma of the counted noun: `детей` → `ребёнок`; `%` for per cent),
`qualifier` (approx/gt/gte/lt/lte) and `kind` (`number` or `percent`).
The span holds the qualifier, the number and its multiplier, never the
counted noun: `более 250 тысяч детей` → `более 250 тысяч`.

Not numbers (GOLD-GUIDE.md): digits inside a DATE or MONEY mention, clock
times (`07:29`), phones, URLs, identifiers and names (`№ 5`, `COVID-19`,
`прорыве-2020`, `41TMWoQlemk.jpg`), ordinals (`6-й класс`, `6-11-х классов`,
`в 5 классе`), bare years (`Итоги 2023`), vague amounts (`сотни тысяч`,
`несколько`, `треть`), numbers inside a short quoted name (`«Три
мушкетёра»`, `рейтинг «50 до 50»`), `семью` with no plural noun after it
(the noun `семья`: `приехал с семью`). Digit compounds count by their
digits: `300-летний` → 300, unit `год`; so do `5-тилетний`, `3-хэтажный`.
Per cent keeps its sign before an adjective's ending (`70%-ная доля` →
`70%`) and takes a decimal point (`4.5%`; elsewhere `10.00` stays out).

Digits with the hyphenated case ending of a cardinal are counts, and the
ending belongs to the span: `14-и агентств` → `14-и`, value 14, unit
`агентство`; `5-ти стран`, `2-х дней`, `с 5-ю участниками`, `с 2-мя детьми`,
`около 3-х тысяч`. An ending counts only when it ends an oblique form of the
number's last word (`14-и`: четырнадцат-и; `7-ми`: се-ми; `5-ми` is not
`пяти`, so it stays unread), and `-х`/`-ух`/`-ёх` only after 2, 3, 4 (`двух`,
`трёх`, `четырёх`), since `6-х` is `шестых`. Even after 2–4, `-х` before a
numbered noun (`2-х классов`, `3-х курсов`, `2-х мест`, `3-х годов`) reads
as an ordinal; `2-х лет` stays a count. The noun after an oblique cardinal
is plural, so one with no plural reading marks an ordinal that shares the
ending (`на 5-ю неделю`: пятую, `в 3-ем ряду`: третьем). Ordinal endings
(`-й`, `-го`, `-му`, `-м`, `-ом`, `-ой`, `-ая`, `-ое`, `-ые`, `-ых`) never
make a count.

The grammar's building blocks (AMOUNT, QUANTITY, QUALIFIER) are shared with
`rules.money` and `rules.dates` (`через два года`).
"""

from __future__ import annotations

import re
from functools import lru_cache, partial

from yargy import or_, rule
from yargy.interpretation import fact
from yargy.predicates import caseless, custom, dictionary, eq, in_, in_caseless
from yargy.predicates import type as token_type

from pipeline.document import Document, Mention, Source
from pipeline.lang import morph
from pipeline.lang.earley import parser
from pipeline.lang.grammar import (
    DIGIT_START,
    find,
    glued_after,
    glued_before,
    lexeme,
    lowered,
    merged,
    token_lines,
    token_starts,
    windows,
    word_pattern,
)
from pipeline.lang.text import DASH_MARKS, fold_lookalikes
from pipeline.lang.words import words

Amount = fact('Amount', ['value', 'multiplier', 'rest'])     # rest: `3 миллиарда [700 миллионов]`
Quantity = fact('Quantity', ['qualifier', 'low', 'high', 'unit', 'kopecks'])


# ---------------------------------------------------------------- word tables

NUMBER_ROLES = ('unit', 'teen', 'ten', 'hundred', 'half', 'collective')


@lru_cache(maxsize=1)
def number_words() -> dict[str, tuple[float, str]]:
    """Every form of every number word → (value, role): `двухсот` → (200, hundred)."""
    table = {}
    for lemma, value, role in words('number_words'):
        pos = ('NUMR',) if role in NUMBER_ROLES else ('NOUN',)
        if lemma == 'один':
            role, pos = 'one', ('ADJF',)    # only inside compounds: `двадцать одна`, never `один из`
        for form in lexeme(lemma, pos) | {lemma}:
            table.setdefault(form, (float(value), role))
    for lemma, value, *_ in words('multiplier_abbreviations'):
        table[lemma] = (float(value), 'multiplier')
    return table


def forms(*roles: str) -> set[str]:
    return {form for form, (_, role) in number_words().items() if role in roles}


@lru_cache(maxsize=1)
def singular_multipliers() -> tuple[set[str], set[str]]:
    """Forms of `тысяча`, `миллион`, `десяток` that stand alone for one unit.

    First set: only singular (`тысяча`, `миллиона`, `десяток`); second: also a
    plural reading (`тысячи`, `сотни`, `десятка`), taken only after a
    qualifier (`около тысячи`), since `тысячи людей`, `сотни тысяч` are vague."""
    alone, after_qualifier = set(), set()
    for lemma, _value, role in words('number_words'):
        if role not in ('multiplier', 'group'):
            continue
        singular = lexeme(lemma, ('NOUN',), frozenset({'sing'}))
        plural = lexeme(lemma, ('NOUN',), frozenset({'plur'}))
        oblique = lexeme(lemma, ('NOUN',), frozenset({'sing', 'loct'})) | \
            lexeme(lemma, ('NOUN',), frozenset({'sing', 'datv'}))
        if role == 'group':
            singular -= oblique     # `в первой десятке` is a ranking, not 10
        alone |= singular - plural
        after_qualifier |= singular & lexeme(lemma, ('NOUN',), frozenset({'sing', 'gent'}))
    return alone, after_qualifier


@lru_cache(maxsize=1)
def qualifiers() -> dict[str, str]:
    return {' '.join(row[:-1]): row[-1] for row in words('qualifiers')}


# ---------------------------------------------------------------- conversions

SPACES = re.compile(r'[\s\u00a0\u2009\u202f]')


def digits_value(text: str) -> float:
    """`250 000` → 250000, `3,5` → 3.5."""
    return float(SPACES.sub('', text).replace(',', '.'))


def words_value(text: str) -> float:
    """`сто двадцать пять` → 125, `двухсот пятидесяти` → 250, `полтора` → 1.5."""
    table = number_words()
    return sum(table[_][0] for _ in text.lower().split() if _ in table)


def multiplier_value(text: str) -> float:
    """`тысяч` → 1000, `млн.` → 1e6, `десятка` → 10."""
    return number_words()[text.lower().rstrip('. ')][0]


def qualifier_value(text: str) -> str:
    return qualifiers()[' '.join(text.lower().split())]


def amount_value(amount) -> tuple[float | None, float | None]:
    """(number, multiplier) of an Amount fact: `250 тысяч` → (250, 1000)."""
    if amount is None:
        return None, None
    return amount.value, amount.multiplier


def quantity_values(quantity) -> tuple[float, float | None]:
    """(value, value_max) with the multiplier spread over a range:
    `от 5 до 7 тысяч` → (5000, 7000), `$3–5 млн` → (3e6, 5e6)."""
    low, low_multiplier = amount_value(quantity.low)
    high, high_multiplier = amount_value(quantity.high)
    if low_multiplier is None and high_multiplier is not None and low is not None:
        low_multiplier = high_multiplier
    value = number(low, low_multiplier) + rest_value(quantity.low)
    value_max = None
    if quantity.high is not None:
        value_max = number(high, high_multiplier) + rest_value(quantity.high)
    if quantity.kopecks is not None:
        value += quantity.kopecks / 100
    return value, value_max


def rest_value(amount) -> float:
    """The smaller part of a compound amount: 7e8 of `3 миллиарда 700 миллионов`, else 0."""
    rest = getattr(amount, 'rest', None)
    return number(rest.value, rest.multiplier) if rest is not None else 0.0


def number(value: float | None, multiplier: float | None) -> float:
    result = (1.0 if value is None else value) * (multiplier or 1.0)
    return float(round(result, 6))


# ---------------------------------------------------------------- count endings

# Hyphenated case endings of a cardinal after digits: `14-и`, `5-ти`, `7-ми`,
# `2-мя`, `5-ью`/`5-ю`, `2-ух`, `3-ёх`, `2-х`, `3-ём`. `-м` is left out: `2-м`
# is far more often `вторым` than `двум`.
COUNT_ENDINGS = ('и', 'ти', 'ми', 'мя', 'ью', 'ю', 'ух', 'ёх', 'ех', 'х', 'ём', 'ем')
PLURAL_ENDINGS = frozenset({'х', 'ух', 'ёх', 'ех'})        # also the ending of an ordinal: `6-х` шестых
OBLIQUE_CASES = ('gent', 'datv', 'ablt', 'loct')


@lru_cache(maxsize=1)
def oblique_number_forms() -> dict[int, frozenset[str]]:
    """Value → oblique forms of its number word: 5 → {пяти, пятью}, 2 → {двух, двум, двумя}."""
    table = {}
    for lemma, value, role in words('number_words'):
        if role not in ('unit', 'teen', 'ten', 'hundred') or lemma == 'один':
            continue                  # `1-х`, `21-го` are ordinals
        found = set()
        for case in OBLIQUE_CASES:
            found |= lexeme(lemma, ('NUMR',), frozenset({case}))
        table[int(float(value))] = frozenset(found)
    return table


def last_number_word(value: int) -> int | None:
    """The value of the word a number written out ends with: 25 → 5, 14 → 14, 40 → 40, 300 → 300."""
    if value % 100 in range(10, 20):
        return value % 100
    for base in (10, 100, 1000):
        if value % base:
            return value % base
    return None


@lru_cache(maxsize=4096)
def count_endings(value: int) -> frozenset[str]:
    """The endings that make `value` in digits a cardinal: 14 → {и, ти, ю, ью},
    3 → {х, ёх, ех, ём, ем, мя}."""
    word = last_number_word(value) if value > 0 else None
    forms_ = oblique_number_forms().get(word, frozenset())
    found = {ending for ending in COUNT_ENDINGS if any(_.endswith(ending) for _ in forms_)}
    if word not in (2, 3, 4):
        found -= PLURAL_ENDINGS       # `6-х`, `200-х`: шестых, двухсотых
    return frozenset(found)


def takes_ending(ending: str, value: str) -> bool:
    return value.isdigit() and ending in count_endings(int(value))


CARDINAL_ENDING = re.compile(r'(\d+)-([^\W\d_]+)')


# ---------------------------------------------------------------- grammar

DASH = in_(DASH_MARKS)
DOT = eq('.')

DIGITS = or_(token_type('INT'), token_type('NUM')).interpretation(Amount.value.custom(digits_value))


def count_digits():
    """`14-и`, `5-ти`, `2-х`, `5-ю`: digits with a cardinal's case ending (see `count_endings`)."""
    return or_(*[
        rule(custom(partial(takes_ending, ending), types='INT')
             .interpretation(Amount.value.custom(digits_value)),
             eq('-'), caseless(ending))
        for ending in COUNT_ENDINGS
    ])


def word_rules():
    """`двухсот пятидесяти`, `сто двадцать пять`, `одиннадцать`, `полтора`."""
    one = in_caseless(forms('one'))
    unit = in_caseless(forms('unit'))
    teen = in_caseless(forms('teen'))
    ten = in_caseless(forms('ten'))
    hundred = in_caseless(forms('hundred'))
    below_hundred = or_(rule(ten, or_(unit, one).optional()), rule(teen), rule(unit))
    tail = or_(rule(ten, or_(unit, one).optional()), rule(teen), rule(unit), rule(one))
    return or_(
        rule(hundred, tail.optional()),
        below_hundred,
        rule(in_caseless(forms('half', 'collective'))),
    ).interpretation(Amount.value.custom(words_value))


def multiplier_rules():
    dotted = {row[0] for row in words('multiplier_abbreviations') if row[2:] == ('.',)}
    multiplier = or_(
        rule(in_caseless(forms('multiplier', 'group') - dotted)),   # тысяч, млн
        rule(in_caseless(dotted), DOT.optional()),                  # 500 тыс. юаней
    ).interpretation(Amount.multiplier.custom(multiplier_value))
    alone, after_qualifier = singular_multipliers()
    single = in_caseless(alone).interpretation(Amount.multiplier.custom(multiplier_value))
    single_after_qualifier = in_caseless(after_qualifier).interpretation(
        Amount.multiplier.custom(multiplier_value))
    return multiplier, single, single_after_qualifier


def grammar():
    """(AMOUNT, QUALIFIER, QUANTITY), built afresh for each parser that uses them
    (yargy activates rules in place)."""
    NUMERAL = or_(rule(DIGITS), count_digits(), word_rules())
    MULTIPLIER, SINGLE, SINGLE_AFTER_QUALIFIER = multiplier_rules()

    REST = rule(NUMERAL, MULTIPLIER).interpretation(Amount).interpretation(Amount.rest)
    AMOUNT = or_(
        rule(NUMERAL, MULTIPLIER.optional()),        # 250 тысяч, три десятка, 3,5 млрд
        rule(NUMERAL, MULTIPLIER, REST),             # 3 миллиарда 700 миллионов: one amount
        rule(SINGLE),                                # тысяча, миллион
    ).interpretation(Amount)
    QUALIFIED_AMOUNT = or_(                          # около тысячи, более десятка
        AMOUNT,
        rule(SINGLE_AFTER_QUALIFIER).interpretation(Amount),
    )

    QUALIFIER = or_(*[
        rule(*[caseless(_) for _ in phrase.split()]) for phrase in qualifiers()
    ]).interpretation(Quantity.qualifier.custom(qualifier_value))

    RANGE = or_(
        rule(caseless('от'), AMOUNT.interpretation(Quantity.low),
             caseless('до'), QUALIFIED_AMOUNT.interpretation(Quantity.high)),      # от 5 до 7 тысяч
        rule(AMOUNT.interpretation(Quantity.low), DASH, AMOUNT.interpretation(Quantity.high)),  # 20-25
    )
    QUALIFIED = rule(
        QUALIFIER,
        caseless('в').optional(),                    # почти в 300 тысяч
        QUALIFIED_AMOUNT.interpretation(Quantity.low),
        rule(DASH, AMOUNT.interpretation(Quantity.high)).optional(),
    )
    QUANTITY = or_(RANGE, QUALIFIED, AMOUNT.interpretation(Quantity.low))
    return AMOUNT, QUALIFIER, QUANTITY


def number_rule():
    _AMOUNT, QUALIFIER, QUANTITY = grammar()
    PERCENT = or_(
        rule(eq('%')),
        rule(dictionary({'процент'})),
        rule(caseless('проц'), DOT.optional()),
    ).interpretation(Quantity.unit.const('%'))
    # `4.5%`: a decimal point only before a per cent sign (`в 10.00`, `23.08` stay out)
    DOT_DECIMAL = rule(token_type('INT'), DOT, token_type('INT')).interpretation(
        Amount.value.custom(digits_value)).interpretation(Amount)
    return or_(
        rule(QUANTITY, PERCENT.optional()),
        rule(QUALIFIER.optional(), DOT_DECIMAL.interpretation(Quantity.low), PERCENT),
    ).interpretation(Quantity)


@lru_cache(maxsize=1)
def number_parser():
    """The compiled NUMBER parser (once per process)."""
    return parser(number_rule())


# ---------------------------------------------------------------- triggers

@lru_cache(maxsize=1)
def trigger_words() -> frozenset[str]:
    return frozenset(number_words()) - frozenset(forms('one'))


@lru_cache(maxsize=1)
def context_words() -> frozenset[str]:
    """Words a number window may grow over: qualifiers, multipliers, `%`, dashes."""
    found = set(number_words()) | lexeme('процент', ('NOUN',)) | {'проц', '%', '.', '-', '–', '—', 'в'}
    found |= set(COUNT_ENDINGS)                                  # 5-ти, 2-х
    for phrase in qualifiers():
        found |= set(phrase.split())
    return frozenset(found)


@lru_cache(maxsize=1)
def trigger_pattern() -> re.Pattern:
    return word_pattern(trigger_words())


def triggers(doc: Document) -> list[int]:
    """Tokens that start with a digit (`250`, `-15`, `300-летний`) or are number
    words (`двухсот`, `тысяча`, `двух-трёх`)."""
    return merged(token_starts(doc, DIGIT_START), token_starts(doc, trigger_pattern(), lowered(doc)))


# ---------------------------------------------------------------- masks

WEB = re.compile(r'://|www\.|@|\.(?:ru|рф|com|org|net|su|info|рус)\b|\.(?:jpe?g|png|gif|webp|pdf|docx?|xlsx?|pptx?|zip|mp4)\b',
                 re.IGNORECASE)
PHONE = re.compile(
    # +7 495 123-45-67
    r'(?:\+7|\b8)[\s\u00a0-]*\(?\d{3,5}\)?[\s\u00a0-]*\d{1,3}[\s\u00a0-]*\d{2}[\s\u00a0-]*\d{2}\b'
    r'|\b\d{1,3}-\d{2}-\d{2}\b')                                                             # 5-00-00
SPACE = re.compile(r'\s')


def masked(text: str, start: int, stop: int) -> bool:
    """Inside a URL, an e-mail, a file name or a phone number."""
    low = start
    while low > 0 and not text[low - 1].isspace():
        low -= 1
    high = SPACE.search(text, stop)
    high = high.start() if high else len(text)
    if WEB.search(text, low, high):
        return True
    for match in PHONE.finditer(text, max(0, start - 24), min(len(text), stop + 24)):
        if match.start() < stop and start < match.end():
            return True
    return False


def overlaps(start: int, stop: int, spans) -> bool:
    return any(start < high and low < stop for low, high in spans)


PREVIOUS_WORD = re.compile(r'([^\W\d_]+|№)\.?[ \u00a0]*$')
LATIN = re.compile(r'[A-Za-z]')


@lru_cache(maxsize=1)
def identifier_words() -> frozenset[str]:
    return frozenset(row[0] for row in words('identifier_words'))


def identifier(text: str, start: int) -> bool:
    """`№ 5`, `д. 12`, `статья 5`, `Windows 11`: a label, not a quantity."""
    match = PREVIOUS_WORD.search(text, max(0, start - 30), start)
    if not match:
        return False
    word = match.group(1)
    return word.lower() in identifier_words() or bool(LATIN.match(word))


TITLE = re.compile(r'[«"“„]([^«»"“”„\n]{1,40})[»"”“]')


def in_title(text: str, start: int, stop: int) -> bool:
    """`«Три мушкетёра»`, `рейтинг «50 до 50»`: a number inside a short quoted name (up to five
    words, starting with a capital or a digit, no verb or personal pronoun: `«Я имею три цели»`,
    `«Нам семь тысяч лет»` are speech) names something, it counts nothing."""
    low = text.rfind('\n', 0, start) + 1
    for match in TITLE.finditer(text, max(low, start - 42), min(len(text), stop + 42)):
        inner = match.group(1)
        if match.start(1) <= start and stop <= match.end(1) and len(inner.split()) <= 5 and \
                (inner[0].isupper() or inner[0].isdigit()):
            parsed = [morph.parses(_) for _ in WORD.findall(inner)]
            return not any(str(parses[0].tag.POS) in SPEECH for parses in parsed if parses)
    return False


SPEECH = frozenset({'VERB', 'NPRO'})


# ---------------------------------------------------------------- counted noun

WORD = re.compile(r'[^\W\d_]+(?:-[^\W\d_]+)*')
GAP = re.compile(r'[ \t\u00a0\u2009\u202f]*')
ADJECTIVES = ('ADJF', 'PRTF', 'NUMR')
ORDINAL_SUFFIX = re.compile(r'-(?:[а-яё]{1,3})\b', re.IGNORECASE)
COMPOUND = re.compile(r'-([а-яё]{4,})', re.IGNORECASE)


@lru_cache(maxsize=1)
def unit_overrides() -> dict[str, str]:
    return {form: lemma for form, lemma in words('unit_overrides')}


def counted_noun(text: str, stop: int) -> tuple[str | None, tuple, bool]:
    """(lemma, noun parses, adjacent) of the noun counted by the number ending
    at `stop`, skipping adjectives: `250 тысяч школьников` → школьник,
    `9 образовательных организаций` → организация."""
    position, adjacent = stop, True
    for _ in range(4):
        position = GAP.match(text, position).end()
        match = WORD.match(text, position)
        if not match:
            return None, (), False
        word = fold_lookalikes(match.group()).lower()     # `cпециалистов` with a Latin `c`
        if LATIN.search(word):
            return None, (), False
        override = unit_overrides().get(word)
        parses = morph.parses(word)
        nouns = tuple(_ for _ in parses if str(_.tag.POS) == 'NOUN')
        if override:
            return override, nouns, adjacent
        if not parses:
            return None, (), False
        head = str(parses[0].tag.POS)
        if head == 'NOUN':
            return parses[0].normal_form, nouns, adjacent
        if head not in ADJECTIVES:
            return None, (), False
        position, adjacent = match.end(), False
    return None, (), False


def ordinal_use(value: float, nouns: tuple) -> bool:
    """`в 5 классе`, `на 3 этаже`: a cardinal digit before a singular noun in
    an oblique case reads as an ordinal (a count would be `5 классов`)."""
    if not nouns or value != int(value):
        return False
    value = int(value)
    if value % 10 == 1 and value % 100 != 11:
        return False                      # `1 место`: either reading
    for parse in nouns:
        grammemes = parse.tag.grammemes
        if {'plur', 'Pltm', 'Fixd', 'gent', 'gen2'} & grammemes:
            return False                  # 5 классов, 2 места, 3 дня
    return True


@lru_cache(maxsize=1)
def ordinal_nouns() -> frozenset[str]:
    """Nouns numbered after a range of digits (`5–9 классов`)."""
    return frozenset(row[0] for row in words('ordinal_nouns') if len(row) == 1)


@lru_cache(maxsize=1)
def ordinal_nouns_after_ending() -> frozenset[str]:
    """Nouns numbered after `-х` (`2-х классов`, `3-х мест`): those above and
    the rows marked `ending` in the list."""
    return frozenset(row[0] for row in words('ordinal_nouns'))


def singular_noun(nouns: tuple) -> bool:
    """A noun with no plural reading: after an oblique cardinal the noun is
    plural (`5-ю участниками`, `двух дней`), so `5-ю неделю` (пятую) and
    `3-ем ряду` (третьем) are ordinals."""
    return bool(nouns) and not any({'plur', 'Pltm'} & _.tag.grammemes for _ in nouns)


def ordinal_ending(ending: str, unit: str | None, nouns: tuple) -> bool:
    """`2-х классов` (вторых), `3-х годов`: `-х` before a numbered noun; but
    `2-х лет` counts years."""
    if ending not in PLURAL_ENDINGS or unit not in ordinal_nouns_after_ending():
        return False
    return not any(_.word in unit_overrides() for _ in nouns)        # лет → год: a count of years


@lru_cache(maxsize=1)
def clock_nouns() -> frozenset[str]:
    return frozenset(row[0] for row in words('clock_nouns'))


PREPOSITION_BEFORE = re.compile(r'(?:^|[^\w])([вк])[ \u00a0]+$', re.IGNORECASE)


def clock_time(text: str, start: int, value: float, unit: str | None) -> bool:
    """`в 9 утра`, `в 18 часов`, `к 10 часам`: an hour of the day."""
    if unit in clock_nouns():
        return True
    return (unit == 'час' and 0 <= value <= 24
            and bool(PREPOSITION_BEFORE.search(text, max(0, start - 3), start)))


@lru_cache(maxsize=1)
def compound_units() -> dict[str, str]:
    return {stem: unit for stem, unit in words('compound_units')}


ADJECTIVE_ENDING = re.compile(r'(?:ий|ый|ой|ая|яя|ое|ее|ые|ие|ого|его|ому|ему|ым|им|ом|ем|ую|юю|ых|их'
                              r'|ыми|ими|ей)$')


def ending_compound_unit(value: int, word: str) -> str | None:
    """`5-тилетний` → год, `3-хэтажный` → этаж: a cardinal's case ending glued
    to a compound's stem (`ти` + `летний`); None when there is none."""
    for ending in sorted(count_endings(value), key=len, reverse=True):
        if word.lower().startswith(ending) and len(word) > len(ending) + 3:
            rest = word[len(ending):].lower()
            for stem, unit in compound_units().items():
                if rest.startswith(stem):
                    return unit
    return None


def compound_unit(word: str) -> str | None:
    """`летний` → год, `этажный` → этаж, `процентный` → %."""
    word = word.lower()
    for stem, unit in compound_units().items():
        if word.startswith(stem):
            return unit
    stem = ADJECTIVE_ENDING.sub('', word)
    for candidate in (stem[:-1] if stem.endswith('н') else stem, stem):
        for parse in morph.parses(candidate):
            if str(parse.tag.POS) == 'NOUN' and parse.normal_form.startswith(candidate[:3]):
                return parse.normal_form
    return None


# ---------------------------------------------------------------- stage

YEAR = re.compile(r'\d{4}')
# singular: a year, not `лет`
YEAR_WORD = re.compile(r'[ \u00a0]+(?:год|года|году|годом|годе|г)\b', re.IGNORECASE)
LONG_DIGITS = re.compile(r'\d{7,}')


def number_mentions(doc: Document, matches, taken):
    """NUMBER mentions of the grammar's matches, exclusions applied."""
    text = doc.text
    for start, stop, match in matches:
        if overlaps(start, stop, taken) or glued_before(text, start):
            continue
        if masked(text, start, stop) or identifier(text, start) or in_title(text, start, stop):
            continue
        quantity = match.fact
        value, value_max = quantity_values(quantity)
        unit = quantity.unit
        ending = CARDINAL_ENDING.search(text, start, stop)
        if glued_after(text, stop) and not (unit == '%' and text[stop] == '-'):   # 70%-ная доля, 15%-доли
            compound = COMPOUND.match(text, stop)
            if unit or not compound:
                continue          # 3-го, 6-й, 6-11-х классов
            if value == int(value):
                unit = ending_compound_unit(int(value), compound.group(1))   # 5-тилетний, 3-хэтажный
            if unit is None and not ORDINAL_SUFFIX.match(text, stop):
                unit = compound_unit(compound.group(1))                     # 300-летний
            if unit is None:
                continue
            nouns, adjacent = (), False
        elif unit is None:
            unit, nouns, adjacent = counted_noun(text, stop)
            if text[start:stop].lower() == 'семью' and not any('plur' in _.tag.grammemes for _ in nouns):
                continue          # с семью в отпуск: the noun `семья`; `с семью детьми` counts
            low = quantity.low
            plain_digits = (quantity.high is None and quantity.qualifier is None and low is not None
                            and low.multiplier is None)
            if ending and low is not None and low.multiplier is None and (
                    ordinal_ending(ending.group(2).lower(), unit, nouns) or singular_noun(nouns)):
                continue          # 2-х классов: вторых; на 5-ю неделю: пятую
            if plain_digits and adjacent and not ending and ordinal_use(value, nouns) \
                    and text[start].isdigit():
                continue          # в 5 классе
            if plain_digits and YEAR.fullmatch(text[start:stop]) and value <= 2100 and (
                    (unit is None and value >= 1800) or YEAR_WORD.match(text, stop)):
                continue          # Итоги 2023, 2024 года: a year, not a quantity
            if plain_digits and unit is None and LONG_DIGITS.fullmatch(text[start:stop]):
                continue          # 7701234567: a code
            if quantity.high is not None and unit in ordinal_nouns() and text[start].isdigit():
                continue          # ученики 5–9 классов: grades
            if quantity.qualifier is None and clock_time(text, start, value, unit):
                continue          # в 9 утра, в 18 часов
        if stop < len(text) and text[stop] == '+':
            continue              # 12+: an age rating
        if start > 0 and text[start - 1] in '-−' and text[start].isdigit() and quantity.qualifier is None \
                and (start == 1 or text[start - 2] in ' \t(:\u00a0'):
            start, value = start - 1, -value                        # Рейтинг: -15
            value_max = -value_max if value_max is not None else None
        yield Mention(start, stop, 'NUMBER', text[start:stop], source=Source.NUMBERS, value=value,
                      value_max=value_max, unit=unit, qualifier=quantity.qualifier,
                      kind='percent' if unit == '%' else 'number')


def outside(doc: Document, found: list[int], taken: list[tuple[int, int]]) -> list[int]:
    """Trigger tokens not inside a DATE or MONEY mention (`2019` of `в 2019 году`)."""
    if not taken:
        return found
    taken = sorted(taken)
    kept, position = [], 0
    for index in found:
        token = doc.tokens[index]
        while position < len(taken) and taken[position][1] <= token.start:
            position += 1
        if position < len(taken) and taken[position][0] < token.stop:
            continue
        kept.append(index)
    return kept


def run(doc: Document, res=None) -> Document:
    taken = [(_.start, _.stop) for _ in doc.mentions if _.type in ('DATE', 'MONEY')]
    found = outside(doc, triggers(doc), taken)
    if not found:
        return doc
    spans = windows(doc, found, before=3, after=2, lines=token_lines(doc), context=context_words())
    grammar_parser = res.number_parser if res is not None else number_parser()
    doc.mentions.extend(number_mentions(doc, find(grammar_parser, doc.text, spans), taken))
    return doc
