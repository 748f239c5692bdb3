"""DATE: calendar expressions resolved to ISO 8601 values (GOLD-GUIDE.md, DATE).

Reads `doc.tokens` and `doc.published` (set by `rules.published`); adds DATE
mentions with `source='rule:dates'`, `value` = the ISO string and `date` = a
`DateValue` (start, end, granularity, is_relative, anchor):

- days: `23.08.2024`, `2024-03-12`, `23.08.24` (two-digit years: 00–49 →
  20xx, 50–99 → 19xx), `7 ноября 1917 года`, `первого сентября`, with a
  weekday, a time of day or a clock time (`15 июля 2020 года 07:29` →
  `2020-07-15T07:29`, `23 августа 2022 / 17:31`);
- months, years, seasons, quarters, decades, centuries: `в августе 2024`,
  `в 2019 году`, `летом 2019 года` → `2019-06/2019-08`, `в 1990-е годы` →
  `199`, `XX века` → `19`; parts keep the enclosing unit (`в конце 2018
  года` → `2018`);
- ranges, lists, open ranges: `с 17 по 20 августа`, `17–20 августа`, `между
  2010 и 2015 годами`, `20 и 21 августа` → `…-20;…-21`, `с 2021 года` →
  `2021/..`, `до 2030 года`, `к 2030 году` → `../2030`;
- relative dates against the publication date: `вчера`, `в прошлом году`,
  `на прошлой неделе`, `через два года`, `три года назад`, `в марте прошлого
  года`, `в следующем десятилетии`, `в прошлом полугодии` (calendar
  decades and half-years, see `date_values`); with no publication date
  their value is null.

- weekdays alone after a preposition (`в четверг`, `на пятницу`) against the
  publication day: the coming one when the nearest verb is in the future or
  after `на`, the last one when it is in the past, else the nearer; with
  a time (`в полночь 2 мая` → `…T00:00`, `до 8:30 пятницы, 3 мая`);
- halves narrow a year or century (`в первой половине XIX века` →
  `1800/1849`), `в канун 2020 года` → `2019-12`; alternatives are lists
  (`14 или 15 марта` → `…-14;…-15`);
- bare years in brackets (`«Город» (2004)`, life spans `(1912—1987)` →
  `1912/1987`), after a preposition (`а в 2011 —`, `с 1975 по 1977`) or in
  a dash range (`2003—2011`), unless a counted noun follows (`в 2000 км`);
- anaphoric and vague dates (`в тот же день`, `на следующий день`, `летом`;
  `vague_dates.txt`) with a null value: the text fixes them, the
  publication date does not.

A day or month without a year takes the publication year (`14 апреля` →
`2024-04-14`), else stays year-less (`--04-14`). A leading в/во, с/со, по,
до, к, между belongs to the span. Any other bare four-digit number is not a
date (`Итоги 2023`); a clock time alone is not a date.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache, lru_cache
from types import SimpleNamespace

from yargy import or_, rule
from yargy.interpretation import attribute, fact
from yargy.predicates import caseless, custom, dictionary, eq, in_, in_caseless
from yargy.predicates import type as token_type

from pipeline.document import DateValue, Document, Mention, Source
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
from pipeline.lang.text import DASH_MARKS
from pipeline.lang.words import words
from pipeline.stages.date_values import resolve
from pipeline.stages.numbers import GAP, WORD, counted_noun, digits_value, number_words, words_value

Point = fact('Point', ['day', 'month', 'year', 'time', 'season', 'quarter', 'half', 'decade',
                       'decade_short', 'century', 'part', 'year_shift', 'relative', 'weekday', 'vague'])
# parts: one Point, or the two ends of a range (`joiner='range'`), or the items
# of a list (`joiner='list'`); open: `end` for `с 2021 года`, `start` for `до 2030 года`
Period = fact('Period', [attribute('parts').repeatable(), 'joiner', 'open'])


# ---------------------------------------------------------------- word tables

def table(name: str, pos: tuple[str, ...] = (), grammemes: frozenset = frozenset()) -> dict[str, str]:
    """Every form of the first column's lemmas → the second column."""
    found = {}
    for row in words(name):
        for form in lexeme(row[0], pos, grammemes) | {row[0]}:
            found.setdefault(form, row[1] if len(row) > 1 else row[0])
    return found


@cache
def vocabulary(name: str) -> dict[str, str]:
    if name == 'months':
        return table('months', ('NOUN',))
    if name == 'month_abbreviations':
        return {row[0]: row[1] for row in words(name)}
    if name == 'seasons':
        return table('seasons', ('NOUN',), frozenset({'sing'}))
    if name == 'relative_adjectives':
        return table('relative_adjectives', ('ADJF', 'PRTF', 'NPRO'))
    if name == 'decade_words':
        return table('decade_words', ('ADJF',), frozenset({'plur'}))
    if name in ('ordinal_days', 'period_ordinals'):
        return table(name, ('ADJF',))
    if name in ('weekdays', 'date_parts', 'calendar_units'):
        return table(name, ('NOUN',))
    return {row[0]: row[1] if len(row) > 1 else row[0] for row in words(name)}


def keys(name: str) -> set[str]:
    return set(vocabulary(name))


@lru_cache(maxsize=1)
def weekday_forms() -> frozenset[str]:
    """Accusative weekdays (`в четверг`, `на пятницу`): the case of a day named alone."""
    found = set()
    for row in words('weekdays'):
        found |= lexeme(row[0], ('NOUN',), frozenset({'accs', 'sing'}))
    return frozenset(found)


# `2019 года` but not `2019 лет` (`за 1000 лет` is a duration)
YEAR_WORDS = {'год', 'года', 'году', 'годом', 'годе', 'годы', 'годов', 'годам', 'годами', 'годах'}
YEAR_ABBREVIATIONS = {'г', 'гг'}


# ---------------------------------------------------------------- conversions

def month_value(text: str) -> int:
    """`августа` → 8, `сент.` → 9."""
    word = text.lower().rstrip('. ')
    return int(vocabulary('months').get(word) or vocabulary('month_abbreviations')[word])


def short_year(text: str) -> int:
    """`24` → 2024, `98` → 1998 (00–49 → 20xx)."""
    value = int(text)
    return value + (2000 if value < 50 else 1900)


def clock(text: str) -> str:
    """`7:05` → `07:05`; `10.00` → `10:00`."""
    hours, minutes = re.split(r'\s*[:.]\s*', text.strip())
    return f'{int(hours):02d}:{minutes}'


AFTERNOON = {'дня': 12, 'вечера': 12}
NOON = {'полночь': '00:00', 'полдень': '12:00'}


def hours_clock(text: str) -> str:
    """`10 часов утра` → `10:00`, `7 вечера` → `19:00`, `2 ночи` → `02:00`."""
    parts = text.lower().split()
    hours = int(parts[0])
    if hours < 12:
        hours += AFTERNOON.get(parts[-1], 0)
    return f'{hours:02d}:00'


def ordinal_day(text: str) -> int:
    """`первого` → 1, `двадцать пятого` → 25."""
    total = 0
    for word in text.lower().split():
        if word in vocabulary('ordinal_days'):
            total += int(vocabulary('ordinal_days')[word])
        elif word in number_words():
            total += int(number_words()[word][0])
    return total


ROMAN = {'I': 1, 'V': 5, 'X': 10, 'L': 50, 'C': 100}
CYRILLIC_ROMAN = str.maketrans('ХхІіVvIiXx', 'XXIIVVIIXX')


def roman(text: str) -> int | None:
    """`XXI` → 21 (Cyrillic `ХХ` too); None when not a Roman numeral."""
    text = text.translate(CYRILLIC_ROMAN)
    if not text or any(_ not in ROMAN for _ in text) or not re.fullmatch(r'X{0,3}(IX|IV|V?I{0,3})', text):
        return None
    values = [ROMAN[_] for _ in text]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values)) or None


def century_value(text: str) -> int:
    """`XX` → 19, `21` → 20: the ISO century (first two digits of its years)."""
    number = roman(text) if not text.isdigit() else int(text)
    return number - 1


def decade_value(text: str) -> int:
    """`1990` → 199."""
    return int(text) // 10


def decade_word(text: str) -> int:
    return int(vocabulary('decade_words')[text.lower()])


def season_value(text: str) -> int:
    """`летом` → 6 (the season's first month)."""
    return int(vocabulary('seasons')[text.lower()])


def part_value(text: str) -> str:
    """`в конце` → end; `первой половине` → half1, `второй половины` → half2; `в канун` → eve."""
    words_ = text.lower().split()
    part = vocabulary('date_parts')[words_[-1]]
    if part == 'half':
        return 'half2' if words_[0] in lexeme('второй', ('ADJF',)) else 'half1'
    return part


def weekday_value(text: str) -> int:
    """`в пятницу` → 4 (Monday is 0)."""
    lemmas = [row[0] for row in words('weekdays')]
    return lemmas.index(vocabulary('weekdays')[text.lower()])


def period_ordinal(text: str) -> int:
    """`первом квартале` → 1, `II квартале` → 2, `3-м квартале` → 3."""
    word = text.split()[0].lower()
    if word in vocabulary('period_ordinals'):
        return int(vocabulary('period_ordinals')[word])
    return roman(word.upper()) if not word[0].isdigit() else int(re.match(r'\d+', word).group())


def adjective_shift(text: str) -> int:
    """`прошлого` → -1, `этом` → 0, `следующий` → 1."""
    for word in text.lower().split():
        if word in vocabulary('relative_adjectives'):
            return int(vocabulary('relative_adjectives')[word])
    return 0


def unit_of(text: str) -> str:
    for word in reversed(text.lower().split()):
        if word in ('лет', 'года', 'год'):
            return 'year'
        if word in vocabulary('calendar_units'):
            return vocabulary('calendar_units')[word]
    return 'day'


def count_of(text: str) -> float:
    """`два` → 2, `15` → 15, nothing (`год назад`) → 1."""
    words_ = [_ for _ in text.lower().split() if _ in number_words()]
    digits = re.search(r'\d+', text)
    if digits:
        return digits_value(digits.group())
    return words_value(' '.join(words_)) if words_ else 1


def relative_day(text: str) -> tuple[int, str, str]:
    """`вчера` → (-1, day, calendar)."""
    return int(vocabulary('relative_days')[text.lower()]), 'day', 'calendar'


def relative_unit(text: str) -> tuple[int, str, str]:
    """`в прошлом месяце` → (-1, month, calendar); `на этой неделе` → (0, week, calendar)."""
    return adjective_shift(text), unit_of(text), 'calendar'


def relative_ago(text: str) -> tuple[int, str, str]:
    """`три года назад` → (-3, year, offset)."""
    return -int(count_of(text)), unit_of(text.rsplit(None, 1)[0]), 'offset'


def relative_after(text: str) -> tuple[int, str, str]:
    """`через два года` → (2, year, offset)."""
    return int(count_of(text)), unit_of(text), 'offset'


# ---------------------------------------------------------------- grammar

DASH = in_(DASH_MARKS)
DOT = eq('.')
COMMA = eq(',')


def int_between(low: int, high: int, digits: tuple[int, ...]):
    def check(value: str) -> bool:
        return len(value) in digits and low <= int(value) <= high
    check.__name__ = f'int_{low}_{high}'
    return custom(check, types='INT')


def words_in(name: str):
    return in_caseless(keys(name))


def calendar_words(g: SimpleNamespace) -> None:
    """The words of the calendar: days, months, years, clock times, `прошлый год`."""
    g.DAY = int_between(1, 31, (1, 2)).interpretation(Point.day.custom(int))
    g.DAY_ORDINAL_SUFFIX = rule(eq('-'), in_caseless({'го', 'е', 'ое', 'м'}))    # 1-го сентября, 3-м мая
    g.ORDINAL_DAY = or_(
        rule(words_in('ordinal_days')),
        rule(in_caseless({'двадцать', 'тридцать'}), words_in('ordinal_days')),     # двадцать пятого
    ).interpretation(Point.day.custom(ordinal_day))
    g.MONTH_NAME = or_(
        rule(words_in('months')),
        rule(words_in('month_abbreviations'), DOT.optional()),                        # 15 янв. 2024
    ).interpretation(Point.month.custom(month_value))
    g.MONTH_NUMBER = int_between(1, 12, (1, 2)).interpretation(Point.month.custom(int))
    g.YEAR = int_between(1000, 2100, (4,)).interpretation(Point.year.custom(int))
    g.YEAR_WITH_WORD = int_between(100, 2100, (3, 4)).interpretation(Point.year.custom(int))
    g.YEAR_SHORT = int_between(0, 99, (2,)).interpretation(Point.year.custom(short_year))
    g.YEAR_WORD = or_(rule(in_caseless(YEAR_WORDS)), rule(in_caseless(YEAR_ABBREVIATIONS), DOT.optional()))
    g.YEAR_SUFFIX = rule(eq('-'), in_caseless({'м', 'й', 'го', 'му'}))                 # 2019-м году

    g.HOUR = int_between(0, 23, (1, 2))
    g.MINUTE = int_between(0, 59, (2,))
    g.TIME = rule(g.HOUR, eq(':'), g.MINUTE).interpretation(Point.time.custom(clock))
    g.DOTTED_TIME = rule(g.HOUR, DOT, g.MINUTE).interpretation(Point.time.custom(clock))
    g.HOURS = or_(                                   # в 10 часов утра, в 7 вечера
        rule(g.HOUR, in_caseless({'час', 'часа', 'часов'}),
             in_caseless({'утра', 'дня', 'вечера', 'ночи'}).optional()),
        rule(g.HOUR, in_caseless({'утра', 'вечера', 'ночи'})),
    ).interpretation(Point.time.custom(hours_clock))
    g.NOON = in_caseless(set(NOON)).interpretation(Point.time.custom(lambda _: NOON[_.lower()]))

    g.RELATIVE_ADJECTIVE = words_in('relative_adjectives')
    g.RELATIVE_YEAR = rule(                          # в прошлом году, прошлого года, следующий год
        g.RELATIVE_ADJECTIVE.interpretation(Point.year_shift.custom(adjective_shift)),
        dictionary({'учебный'}).optional(),
        in_caseless(YEAR_WORDS),
    )
    g.CURRENT_YEAR = caseless('года').interpretation(Point.year_shift.const(0))   # в начале года
    g.YEAR_PART = or_(rule(g.YEAR, g.YEAR_WORD.optional()), g.RELATIVE_YEAR)


def day_rules(g: SimpleNamespace) -> None:
    """Days: `23.08.2024`, `во вторник, 14 июля`, `утром 15 мая`, `сегодня в 10:00`."""
    g.NUMERIC_DAY = or_(
        rule(g.DAY, DOT, g.MONTH_NUMBER, DOT, or_(g.YEAR, g.YEAR_SHORT), g.YEAR_WORD.optional()),  # 23.08.24
        rule(g.YEAR, eq('-'), g.MONTH_NUMBER, eq('-'), g.DAY),                                 # 2024-03-12
    )
    g.TEXT_DAY = rule(or_(rule(g.DAY, g.DAY_ORDINAL_SUFFIX.optional()), g.ORDINAL_DAY), g.MONTH_NAME,
                      g.YEAR_PART.optional())
    g.WEEKDAY = rule(in_caseless({'в', 'во'}).optional(),
                     or_(rule(words_in('weekdays')),
                         rule(words_in('relative_adjectives'), words_in('weekdays'))),  # в минувший вторник,
                     or_(COMMA, DASH).optional())                       # в субботу — 26 января
    g.DAY_TIME = or_(
        rule(in_caseless(keys('day_parts'))),
        rule(caseless('в'), caseless('ночь'), caseless('на')),                        # в ночь на 14 июля
    )
    g.DAY_POINT = or_(g.NUMERIC_DAY, g.TEXT_DAY)
    g.CLOCK_AFTER = or_(
        rule(in_(',/|').optional(), caseless('в').optional(), g.TIME),  # 23 августа 2022 / 17:31
        rule(COMMA.optional(), caseless('в'), or_(g.DOTTED_TIME, g.HOURS)),  # 20 мая в 10.00, в 10 часов
    )
    g.TIMED_DAY = or_(
        rule(g.DAY_POINT, g.CLOCK_AFTER.optional()),
        # 17:31, 23 августа; до 8:30 пятницы, 3 мая; в полночь 2 мая
        rule(caseless('в').optional(), or_(g.TIME, g.HOURS, g.NOON), COMMA.optional(),
             words_in('weekdays').optional(), COMMA.optional(), g.DAY_POINT),
    )
    g.DAY_CORE = rule(g.TIMED_DAY, g.DAY_TIME.optional())
    g.DAY_FULL = or_(                                # a leading optional costs the parser more than a choice
        g.DAY_CORE,
        rule(g.WEEKDAY, g.DAY_CORE),                   # во вторник, 14 июля
        rule(g.DAY_TIME, g.DAY_CORE),                  # утром 15 мая
        rule(g.WEEKDAY, g.DAY_TIME, g.DAY_CORE),
        rule(g.DAY_TIME, g.WEEKDAY, g.DAY_CORE),       # утром в среду, 20 января; в ночь на среду, 7 мая
    )

    # a weekday alone, after a preposition: `в четверг`, `на пятницу`, `утром в среду`, `в ночь на субботу`
    g.WEEKDAY_NAME = in_caseless(weekday_forms()).interpretation(Point.weekday.custom(weekday_value))
    g.WEEKDAY_POINT = or_(
        rule(in_caseless({'в', 'во', 'на'}), g.WEEKDAY_NAME, g.DAY_TIME.optional()),
        rule(in_caseless({'в', 'во', 'на'}),                                    # в прошлую пятницу
             g.RELATIVE_ADJECTIVE.interpretation(Point.year_shift.custom(adjective_shift)), g.WEEKDAY_NAME),
        rule(g.DAY_TIME, in_caseless({'в', 'во'}).optional(), g.WEEKDAY_NAME),
    )

    g.RELATIVE_DAY = rule(
        words_in('relative_days').interpretation(Point.relative.custom(relative_day)),
        g.DAY_TIME.optional(),
        rule(caseless('в').optional(), g.TIME).optional(),                             # сегодня в 10:00
    )


def month_rules(g: SimpleNamespace) -> None:
    """Months, seasons, quarters and half-years: `в августе 2024`, `летом 2019 года`."""
    g.MONTH_POINT = rule(g.MONTH_NAME, g.YEAR_PART)                                        # в августе 2024
    g.SEASON = words_in('seasons').interpretation(Point.season.custom(season_value))
    g.SEASON_POINT = or_(
        rule(g.SEASON, g.YEAR_PART),                                                     # летом 2019 года
        rule(g.RELATIVE_ADJECTIVE.interpretation(Point.year_shift.custom(adjective_shift)),
             g.SEASON),                                                              # этим летом
    )
    g.PERIOD_NUMBER = or_(
        rule(words_in('period_ordinals')),
        rule(custom(lambda _: roman(_) in (1, 2, 3, 4))),
        rule(int_between(1, 4, (1,)), rule(eq('-'), in_caseless({'м', 'й', 'го'})).optional()),
    )
    g.QUARTER = rule(g.PERIOD_NUMBER, dictionary({'квартал'})).interpretation(
        Point.quarter.custom(period_ordinal))
    g.HALF_YEAR = rule(g.PERIOD_NUMBER, dictionary({'полугодие'})).interpretation(
        Point.half.custom(period_ordinal))
    g.QUARTER_POINT = rule(or_(g.QUARTER, g.HALF_YEAR), g.YEAR_PART)


def year_rules(g: SimpleNamespace) -> None:
    """Years, decades, centuries: `в 2019 году`, `1990-е`, `XX века`."""
    g.YEAR_POINT = or_(
        rule(g.YEAR_WITH_WORD, g.YEAR_SUFFIX.optional(), dictionary({'учебный'}).optional(),
             g.YEAR_WORD),                                                             # в 2019 году, 2019 г.
        rule(g.YEAR, g.YEAR_SUFFIX),                                                     # в 2019-м
    )
    g.CENTURY_NUMBER = or_(
        rule(custom(lambda _: roman(_) is not None and roman(_) <= 21)),
        rule(int_between(1, 21, (1, 2))),
    ).interpretation(Point.century.custom(century_value))
    g.CENTURY_WORD = or_(rule(dictionary({'век', 'столетие'})), rule(in_caseless({'в', 'вв'}), DOT))
    g.CENTURY = rule(g.CENTURY_NUMBER, g.CENTURY_WORD)                                     # XX века, XXI в.
    g.DECADE_NUMBER = or_(
        rule(custom(lambda _: len(_) == 4 and _.endswith('0'), types='INT').interpretation(
            Point.decade.custom(decade_value))),
        rule(custom(lambda _: len(_) == 2 and _.endswith('0'), types='INT').interpretation(
            Point.decade_short.custom(int))),
    )
    g.DECADE = rule(
        or_(
            # 1990-е, 90-х
            rule(g.DECADE_NUMBER, eq('-'), in_caseless({'е', 'х', 'ые', 'ых', 'ми', 'ыми', 'ым'})),
            words_in('decade_words').interpretation(Point.decade.custom(decade_word)),          # девяностые
        ),
        in_caseless({'годы', 'годов', 'годах', 'годам', 'годами', 'гг'}).optional(),
        or_(rule(g.RELATIVE_ADJECTIVE, caseless('века')), g.CENTURY).optional(),  # 90-х годов прошлого века
    )


AGO_QUALIFIERS = frozenset({'около', 'почти', 'примерно', 'более', 'менее', 'свыше', 'порядка'})


def relative_rules(g: SimpleNamespace) -> None:
    """Relative dates: `в прошлом месяце`, `три года назад`, `через два года`."""
    g.RELATIVE_UNIT = rule(                          # в прошлом месяце, на следующей неделе, в прошлом веке
        caseless('на').optional(),                 # в следующем десятилетии, в прошлом полугодии
        g.RELATIVE_ADJECTIVE,
        in_caseless(set().union(*[lexeme(_, ('NOUN',), frozenset({'sing'}))
                                  for _ in ('месяц', 'неделя', 'полугодие', 'десятилетие', 'век')])),
    ).interpretation(Point.relative.custom(relative_unit))
    g.COUNT = or_(rule(token_type('INT')), rule(in_caseless(set(number_words()))).repeatable(max=3))
    g.UNIT = in_caseless(keys('calendar_units') | {'лет'})
    g.ONE_UNIT = in_caseless({'день', 'сутки', 'неделю', 'месяц', 'год', 'век'})      # год назад, через месяц
    g.ABOUT = in_caseless(AGO_QUALIFIERS)
    g.AGO = or_(rule(g.COUNT, g.UNIT, caseless('назад')), rule(g.ONE_UNIT, caseless('назад')),
                rule(g.ABOUT, g.COUNT, g.UNIT, caseless('назад'))).interpretation(      # около двух лет назад
        Point.relative.custom(relative_ago))                                         # три года назад
    g.AFTER = or_(rule(caseless('через'), g.COUNT, g.UNIT),
                  rule(caseless('через'), g.ONE_UNIT)).interpretation(
        Point.relative.custom(relative_after))                                       # через два года


def point_rules(g: SimpleNamespace) -> None:
    """One date: any of the above, or part of one (`в конце 2018 года`); parts of ranges."""
    g.PART = or_(
        rule(in_caseless({_ for _, part in vocabulary('date_parts').items() if part != 'half'})),
        rule(in_caseless(lexeme('первый', ('ADJF',)) | lexeme('второй', ('ADJF',))),
             dictionary({'половина'})),
    ).interpretation(Point.part.custom(part_value))
    g.PART_POINT = rule(g.PART, or_(                                                 # в конце 2018 года
        g.DAY_POINT, g.MONTH_POINT, rule(g.MONTH_NAME), g.YEAR_POINT, g.CENTURY, g.DECADE,
        g.RELATIVE_YEAR, g.RELATIVE_UNIT, g.CURRENT_YEAR, g.QUARTER_POINT))

    g.ABSOLUTE = or_(g.DAY_FULL, g.MONTH_POINT, g.YEAR_POINT, g.SEASON_POINT, g.QUARTER_POINT, g.PART_POINT,
                     g.DECADE, g.CENTURY)
    g.RELATIVE = or_(g.RELATIVE_YEAR, g.RELATIVE_DAY, g.RELATIVE_UNIT, g.AGO, g.AFTER, g.WEEKDAY_POINT)
    g.POINT = or_(g.ABSOLUTE, g.RELATIVE).interpretation(Point)
    g.ABSOLUTE_POINT = g.ABSOLUTE.interpretation(Point)  # lists and range starts: `вчера и 14 июля` are two
    g.MONTH_ALONE = rule(g.MONTH_NAME).interpretation(Point)                        # в августе, до мая
    g.POINT_OR_MONTH = or_(g.POINT, g.MONTH_ALONE)
    g.PARTIAL_ONLY = or_(                            # the first part of a range or list: с 17 по 20 августа
        rule(g.DAY, g.DAY_ORDINAL_SUFFIX.optional()),
        rule(g.MONTH_NAME),
        rule(g.YEAR),
    ).interpretation(Point)
    g.PARTIAL = or_(g.ABSOLUTE_POINT, g.PARTIAL_ONLY)


def period_rule(g: SimpleNamespace):
    """Single dates, ranges, lists, open ranges: the whole DATE grammar."""
    g.TO = or_(DASH, eq('/')).interpretation(Period.joiner.const('range'))
    g.AND = in_caseless({'и', 'или'}).interpretation(Period.joiner.const('list'))   # 14 или 15 марта
    g.TAIL = or_(
        rule(g.TO, g.POINT.interpretation(Period.parts)),                                     # 17–20 августа
        rule(rule(COMMA, g.PARTIAL.interpretation(Period.parts)).repeatable().optional(),
             g.AND, g.ABSOLUTE_POINT.interpretation(Period.parts)),  # 20 и 21 августа
    )
    g.SEQUENCE = or_(          # one rule for single dates, ranges with a dash and lists: fewer parser states
        rule(g.ABSOLUTE_POINT.interpretation(Period.parts), g.TAIL.optional()),
        rule(g.PARTIAL_ONLY.interpretation(Period.parts), g.TAIL),
        g.RELATIVE.interpretation(Point).interpretation(Period.parts),
        rule(g.CENTURY_NUMBER.interpretation(Point).interpretation(Period.parts), or_(g.TO, g.AND),
             g.CENTURY.interpretation(Point).interpretation(Period.parts)),                  # XIX–XX веков
    )

    g.IN = in_caseless({'в', 'во'})
    g.SINCE = in_caseless({'с', 'со'}).interpretation(Period.open.const('end'))
    g.UNTIL = in_caseless({'до', 'по', 'к', 'ко'}).interpretation(Period.open.const('start'))
    g.UP_TO_NOW = or_(
        rule(caseless('по'), in_caseless({'настоящее', 'нынешнее'}), caseless('время')),
        rule(caseless('по'), caseless('сей'), caseless('день')),
        rule(caseless('до'), in_caseless({'настоящего', 'нынешнего'}), caseless('времени')),
    )
    g.RANGE = or_(
        rule(in_caseless({'с', 'со', 'от'}), g.PARTIAL.interpretation(Period.parts),
             in_caseless({'по', 'до'}).interpretation(Period.joiner.const('range')),
             g.POINT_OR_MONTH.interpretation(Period.parts)),  # с 17 по 20 августа
        rule(caseless('между'), g.PARTIAL.interpretation(Period.parts),
             caseless('и').interpretation(Period.joiner.const('range')),
             g.POINT.interpretation(Period.parts)),  # между 2010 и 2015
    )
    # bare years (issue 19): `а в 2011 — уже`, `с 1950`, `в 1992—2002`, `с 1975 по 1977`, `1993—2003`;
    # `date_mentions` drops them before a counted noun (`в 2000 километрах`)
    g.BARE_YEAR = g.YEAR.interpretation(Point).interpretation(Period.parts)
    g.BARE_RANGE = rule(g.BARE_YEAR, or_(DASH, eq('/')).interpretation(Period.joiner.const('range')),
                        g.BARE_YEAR)
    g.SEASON_YEARS = rule(g.BARE_YEAR, or_(eq('/'), DASH).interpretation(Period.joiner.const('range')),
                          g.YEAR_SHORT.interpretation(Point).interpretation(Period.parts))   # 2002/03
    g.BARE = or_(
        rule(g.IN, or_(g.BARE_YEAR, g.BARE_RANGE, g.SEASON_YEARS)),
        g.SEASON_YEARS,
        rule(or_(g.SINCE, g.UNTIL), g.BARE_YEAR),
        rule(in_caseless({'с', 'со', 'от'}), g.BARE_YEAR, in_caseless({'по', 'до'}).interpretation(
            Period.joiner.const('range')), g.BARE_YEAR),
        rule(caseless('между'), g.BARE_YEAR, caseless('и').interpretation(Period.joiner.const('range')),
             g.BARE_YEAR),
        g.BARE_RANGE,
    )
    g.OPEN_END = rule(g.SINCE, g.POINT_OR_MONTH.interpretation(Period.parts),
                      g.UP_TO_NOW.optional())                                        # с 2021 года
    g.OPEN_START = rule(g.UNTIL, g.POINT_OR_MONTH.interpretation(Period.parts))  # до 2030 года
    return or_(
        rule(g.IN, or_(g.SEQUENCE, g.MONTH_ALONE.interpretation(Period.parts))),  # в 2019 году, в мае и июне
        g.SEQUENCE, g.RANGE, g.OPEN_END, g.OPEN_START, g.BARE,
    ).interpretation(Period)


def date_rule():
    """The DATE grammar, built section by section: each adds its rules to one namespace."""
    g = SimpleNamespace()
    for section in (calendar_words, day_rules, month_rules, year_rules, relative_rules, point_rules):
        section(g)
    return period_rule(g)


@lru_cache(maxsize=1)
def date_parser():
    """The compiled DATE parser (once per process)."""
    return parser(date_rule())


# ---------------------------------------------------------------- stage

ISO_DAY = re.compile(r'(\d{4})-(\d{2})-(\d{2})')


def anchor_of(published: str | None) -> date | None:
    """The publication day of `doc.published` (`2020-07-15T07:29` → 2020-07-15)."""
    match = ISO_DAY.match(published or '')
    if not match:
        return None
    try:
        return date(*map(int, match.groups()))
    except ValueError:
        return None


COMPARISON = re.compile(r'^(?:с|со)\s+(?=.*\bгод(?:ом|ами)$)|^по\s+(?=.*\bгоду$)', re.IGNORECASE)


def plain_point(text: str, start: int, period):
    """`по сравнению с 2020 годом`, `данные по 2020 году`: the preposition is
    not a range here; the span and value are the year alone."""
    match = COMPARISON.match(text)
    if not match or period.joiner or len(period.parts) != 1:
        return start, period
    return start + match.end(), Period(parts=list(period.parts), joiner=None, open=None)


@lru_cache(maxsize=1)
def trigger_words() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(words that start a date window on their own, calendar nouns that make a
    number or an adjective nearby a date, words that need such a noun after them)."""
    alone = keys('months') | keys('month_abbreviations') | keys('relative_days') | keys('decade_words') | \
        weekday_forms()
    units = keys('calendar_units') | keys('seasons') | YEAR_WORDS | {'лет'} | keys('weekdays')
    calendar = alone | units | YEAR_ABBREVIATIONS | {'назад', 'вв', 'квартал', 'квартале', 'квартала',
                                                   'полугодие', 'полугодии', 'полугодия'} | \
        lexeme('век', ('NOUN',)) | lexeme('столетие', ('NOUN',))
    needs_noun = keys('relative_adjectives') | keys('date_parts') | {'через'}
    return frozenset(alone), frozenset(calendar), frozenset(needs_noun)


@lru_cache(maxsize=1)
def context_words() -> frozenset[str]:
    """Words a date window may grow over (besides numbers): prepositions,
    calendar nouns, parts, weekdays, times of day, `и`, punctuation."""
    alone, calendar, needs_noun = trigger_words()
    found = set(alone | calendar | needs_noun)
    for name in ('weekdays', 'ordinal_days', 'period_ordinals', 'date_parts'):
        found |= keys(name)
    found |= keys('day_parts') | set(number_words()) | lexeme('учебный', ('ADJF',)) | AGO_QUALIFIERS
    found |= {'в', 'во', 'с', 'со', 'по', 'до', 'к', 'ко', 'между', 'от', 'и', 'на', 'ночь', 'настоящее',
              'нынешнее', 'настоящего', 'нынешнего', 'время', 'времени', 'сей', 'день', 'г', 'гг', 'вв',
              'сша', ',', '.', ':', '/', '-', '–', '—', '|', 'i', 'ii', 'iii', 'iv', 'час', 'часа', 'часов',
              'утра', 'вечера', 'ночи', 'дня', 'или', 'полночь', 'полдень'}
    return frozenset(found)


DATE_SHAPE = re.compile(r'\d[./\-–—]\d|\d-[а-яё]+$', re.IGNORECASE)     # 23.08.2024, 2021–2023, 1990-е
ROMAN_TOKEN = re.compile(r'^[IVXХ]+(?:[-–—][IVXХ]+)?$')      # XX, XIX–XX


@lru_cache(maxsize=1)
def trigger_patterns() -> tuple[re.Pattern, re.Pattern]:
    alone, _calendar, needs_noun = trigger_words()
    return word_pattern(alone), word_pattern(needs_noun | {'назад'})


ROMAN_START = re.compile(r'[IVXХ]+\b')
BARE_YEAR_TOKEN = re.compile(r'(?:1\d|20|21)\d\d\b')
YEAR_PREPOSITIONS = frozenset({'в', 'во', 'с', 'со', 'до', 'к', 'по', 'от', 'между'})


def bare_year_near(tokens, index: int) -> bool:
    """A four-digit year after a preposition (`в 2011`) or before a dash and another number (`1993—2003`)."""
    if len(tokens[index].text) != 4 or not 1000 <= int(tokens[index].text) <= 2100:
        return False
    if index and tokens[index - 1].text.lower() in YEAR_PREPOSITIONS:
        return True
    return index + 2 < len(tokens) and tokens[index + 1].text in DASH_MARKS | {'/'} and \
        tokens[index + 2].text.isdigit()


def triggers(doc: Document) -> list[int]:
    """Tokens a date can grow from: month names, `вчера`, and numbers, Roman
    numerals or `прошлом`, `через`, `конце` with a calendar noun within three
    tokens after them (`2019 года`, `17 по 20 августа`, `XX века`)."""
    _alone, calendar, _needs_noun = trigger_words()
    alone_pattern, needs_pattern = trigger_patterns()
    tokens, text = doc.tokens, lowered(doc)
    found = token_starts(doc, alone_pattern, text)               # августа, январе–марте

    def calendar_after(index: int, extra: tuple = ()) -> bool:
        return any(_.text.lower() in calendar or _.text.lower() in extra for _ in tokens[index + 1:index + 4])

    for index in token_starts(doc, DIGIT_START) + token_starts(doc, needs_pattern, text):
        word = tokens[index].text.lower()
        if word == 'назад':
            if index and tokens[index - 1].text.lower() in calendar:
                found.append(index)
        elif DATE_SHAPE.search(word) or calendar_after(index):
            found.append(index)
    for index in token_starts(doc, BARE_YEAR_TOKEN):
        if bare_year_near(tokens, index):
            found.append(index)                                  # а в 2011 —, с 1975 по 1977, 1993—2003
    for index in token_starts(doc, ROMAN_START):
        if ROMAN_TOKEN.match(tokens[index].text) and calendar_after(index, ('в', 'вв')):
            found.append(index)
    return merged(found)


def clause_tense(doc: Document, start: int, stop: int) -> str | None:
    """`past` or `futr` of the verb nearest to a span in its sentence (`В четверг делегация вылетит`
    → futr); None when that verb is in the present or there is none."""
    number = doc.sentence_of(start)
    if number < 0:
        return None
    sentence = doc.sentences[number]
    first, last = doc.token_index(sentence.start), doc.token_index(sentence.stop)
    middle = doc.token_index(start)
    for index in sorted(range(first, last), key=lambda _: abs(_ - middle)):
        token = doc.tokens[index]
        if start <= token.start < stop or not token.text.isalpha():
            continue
        parses = morph.parses(token.text)
        if parses and parses[0].tag.POS == 'VERB':
            tense = parses[0].tag.tense
            return tense if tense in ('past', 'futr') else None
    return None


BARE_YEAR_END = re.compile(r'(?<!\d)\d{4}$')
TOKENS = re.compile(r'\w+|[^\w\s]')
BARE_JOINERS = DASH_MARKS | {'/', 'и'}
SEASON_YEARS = re.compile(r'(?<!\d)(\d{4})\s*[/\-–—]\s*(\d{2})$')
ENVIRONMENT = re.compile(r'среду$', re.IGNORECASE)


def not_a_date(doc: Document, start: int, stop: int) -> bool:
    """`в 2000 километрах`: a bare year before a counted noun is a number; `в среду обитания`."""
    text = doc.text[start:stop]
    season = SEASON_YEARS.search(text)
    if season:                    # 2002/03: a sports season spans two years that follow each other
        return (int(season.group(1)) + 1) % 100 != int(season.group(2))
    if BARE_YEAR_END.search(text) and all(_.isdigit() or _.lower() in YEAR_PREPOSITIONS or _ in BARE_JOINERS
                                          for _ in TOKENS.findall(text)):
        return counted_noun(doc.text, stop)[0] is not None
    if ENVIRONMENT.search(text):
        following = WORD.match(doc.text, GAP.match(doc.text, stop).end())
        return bool(following) and any({'NOUN', 'gent'} <= _.tag.grammemes
                                       for _ in morph.parses(following.group())[:1])
    return False


def date_mentions(doc: Document, matches, anchor: date | None):
    text = doc.text
    anchor_value = anchor.isoformat() if anchor else None
    for start, stop, match in matches:
        if glued_before(text, start) or glued_after(text, stop) or not_a_date(doc, start, stop):
            continue                      # прорыве-2020
        start, period = plain_point(text[start:stop], start, match.fact)
        tense = None
        if any(_.weekday is not None for _ in period.parts):     # на пятницу: a day set ahead
            tense = 'futr' if text[start:stop].lower().startswith('на ') else clause_tense(doc, start, stop)
        try:
            moment = resolve(period, anchor, tense)
        except (ValueError, OverflowError):
            moment = None                 # a calendar that does not exist: `31.02.2024`, year 0
        if moment is None:
            continue
        found = DateValue(moment.start, moment.end, moment.granularity, moment.relative,
                          anchor_value if moment.anchored else None)
        yield Mention(start, stop, 'DATE', text[start:stop], source=Source.DATES, value=moment.value,
                      date=found)


def parse_dates(text: str, res=None, anchor: date | None = None):
    """DATE (start, stop, Moment) of a short text such as one line (used by rules.published)."""
    grammar_parser = res.date_parser if res is not None else date_parser()
    for start, stop, match in find(grammar_parser, text, [(0, len(text))]):
        if glued_before(text, start) or glued_after(text, stop):
            continue
        start, period = plain_point(text[start:stop], start, match.fact)
        try:
            moment = resolve(period, anchor)
        except (ValueError, OverflowError):
            continue
        if moment is not None:
            yield start, stop, moment


@lru_cache(maxsize=1)
def vague_pattern() -> re.Pattern:
    phrases = sorted((' '.join(row) for row in words('vague_dates')), key=len, reverse=True)
    return re.compile(r'(?<![\w-])(?:' + '|'.join(r'\s+'.join(map(re.escape, _.split())) for _ in phrases)
                      + r')(?![\w-])', re.IGNORECASE)


def vague_mentions(doc: Document, taken: list[tuple[int, int]]):
    """`в тот же день`, `на следующий день`, `летом`: DATEs with a null value (`vague_dates.txt`)."""
    for match in vague_pattern().finditer(doc.text):
        start, stop = match.span()
        if any(start < high and low < stop for low, high in taken):
            continue
        yield Mention(start, stop, 'DATE', match.group(), source=Source.DATES, value=None,
                      date=DateValue(None, None, 'day', True, None))


BRACKETS = re.compile(r'\(([^()\n]{1,80})\)')
YEAR_DIGITS = r'(1\d\d\d|20\d\d|2100)'
BRACKET_YEARS = re.compile(rf'\s*(?:(?:р|род|ум)\.\s*)?({YEAR_DIGITS}(?:\s*[—–-]\s*{YEAR_DIGITS})?)\s*$')


def bracket_years(doc: Document, taken: list[tuple[int, int]]):
    """Years alone in brackets: `фильм «Город» (2004)`, `(серия, 2006)`, `(р. 2000)`, life spans
    `(1912—1987)` → 1912/1987 (issue 19), each item of a comma list on its own."""
    for group in BRACKETS.finditer(doc.text):
        position = group.start(1)
        for item in re.split(r'([,;])', group.group(1)):
            match = BRACKET_YEARS.fullmatch(item)
            start, position = position + (match.start(1) if match else 0), position + len(item)
            if not match:
                continue
            stop = start + len(match.group(1))
            first, last = int(match.group(2)), int(match.group(3) or match.group(2))
            if last < first or any(start < high and low < stop for low, high in taken):
                continue
            value = f'{first:04d}' if match.group(3) is None else f'{first:04d}/{last:04d}'
            yield Mention(start, stop, 'DATE', doc.text[start:stop], source=Source.DATES, value=value,
                          date=DateValue(date(first, 1, 1), date(last, 12, 31), 'year', False, None))


def run(doc: Document, res=None) -> Document:
    found = triggers(doc)
    mentions = []
    if found:
        spans = windows(doc, found, before=4, after=6, lines=token_lines(doc), context=context_words())
        grammar_parser = res.date_parser if res is not None else date_parser()
        mentions = list(date_mentions(doc, find(grammar_parser, doc.text, spans), anchor_of(doc.published)))
    taken = [(_.start, _.stop) for _ in mentions]
    mentions += bracket_years(doc, taken)
    taken = [(_.start, _.stop) for _ in mentions]
    mentions += vague_mentions(doc, taken)
    doc.mentions.extend(mentions)
    return doc
