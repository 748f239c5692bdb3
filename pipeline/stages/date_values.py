"""Date values: a matched DATE (points, ranges, lists, open ranges) resolved to
its ISO 8601 value and the days it covers (GOLD-GUIDE.md, DATE).

`resolve(period, anchor)` turns the grammar's `Period` fact (rules/dates.py)
into a `Moment`: `с 17 по 20 августа` + article of 2022 → `2022-08-17/
2022-08-20`, 17 August to 20 August; `летом 2019 года` → `2019-06/2019-08`;
`в прошлом году` against 2020-07-15 → `2019` (relative, anchored).

Relative decades and half-years are calendar units, as the absolute ones
are (`в 1990-е годы` → `199`, `во втором полугодии 2023 года` →
`2023-07/2023-12`): `в следующем десятилетии` against 2024 → `203` (the
2030s), `в прошлом десятилетии` → `201`, `в этом десятилетии` → `202`, not
a rolling ten years from the publication day; `в прошлом полугодии` against
2024-08-23 → `2024-01/2024-06`, `в следующем полугодии` → `2025-01/2025-06`.
Counted offsets move by whole units the same way (`два десятилетия назад`
from 2024 → `200`). `пятилетка` is left out: five-year plans have no fixed
calendar alignment, so `в прошлой пятилетке` has no value to give.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date, timedelta

from pipeline.lang.words import words

SEASON_MONTHS = {int(row[1]): (int(row[1]), int(row[2])) for row in words('seasons')}


@dataclass(frozen=True, slots=True)
class Moment:
    """A resolved date: ISO value, covered days, granularity."""
    value: str | None
    start: date | None
    end: date | None
    granularity: str
    relative: bool = False
    anchored: bool = False


GRANULARITY = {'day': 'day', 'week': 'day', 'month': 'month', 'half': 'month', 'year': 'year',
               'decade': 'decade', 'century': 'century'}


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def year_moment(year: int, **flags) -> Moment:
    return Moment(f'{year:04d}', date(year, 1, 1), date(year, 12, 31), 'year', **flags)


def month_moment(year: int, month: int, **flags) -> Moment:
    return Moment(f'{year:04d}-{month:02d}', date(year, month, 1), month_end(year, month), 'month', **flags)


def months_moment(year: int, first: int, last: int, granularity: str, **flags) -> Moment:
    """`2019-06/2019-08`; winter (first > last) starts in the previous year."""
    first_year = year - 1 if first > last else year
    return Moment(f'{first_year:04d}-{first:02d}/{year:04d}-{last:02d}', date(first_year, first, 1),
                  month_end(year, last), granularity, **flags)


def century_moment(century: int, **flags) -> Moment:
    return Moment(f'{century:02d}', date(max(1, century * 100), 1, 1), date(century * 100 + 99, 12, 31),
                  'century', **flags)


def relative_moment(relative: tuple[int, str, str], anchor: date | None) -> Moment:
    shift, unit, mode = relative
    if anchor is None:
        return Moment(None, None, None, GRANULARITY[unit], relative=True)
    flags = dict(relative=True, anchored=True)
    if unit == 'day' or (unit == 'week' and mode == 'offset'):
        day = anchor + timedelta(days=shift * (7 if unit == 'week' else 1))
        return Moment(day.isoformat(), day, day, 'day', **flags)
    if unit == 'week':
        monday = anchor - timedelta(days=anchor.weekday()) + timedelta(weeks=shift)
        sunday = monday + timedelta(days=6)
        return Moment(f'{monday.isoformat()}/{sunday.isoformat()}', monday, sunday, 'day', **flags)
    if unit == 'month':
        return month_moment(*add_months(anchor, shift), **flags)
    if unit == 'half':                    # calendar half-years: January–June, July–December
        index = anchor.year * 2 + (anchor.month - 1) // 6 + shift
        year, first = index // 2, index % 2 * 6 + 1
        return months_moment(year, first, first + 5, 'month', **flags)
    if unit == 'decade':                  # calendar decades: 2030–2039 is `203`
        decade = anchor.year // 10 + shift
        return Moment(f'{decade:03d}', date(decade * 10, 1, 1), date(decade * 10 + 9, 12, 31), 'decade',
                      **flags)
    if unit == 'century':
        return century_moment(anchor.year // 100 + shift, **flags)
    return year_moment(anchor.year + shift, **flags)


def point_year(point, anchor: date | None) -> tuple[int | None, bool]:
    """(year, taken from the publication date?)."""
    if point.year is not None:
        return point.year, False
    if point.year_shift is not None and anchor is not None:
        return anchor.year + point.year_shift, True
    if anchor is not None and point.year_shift is None:
        return anchor.year, True
    return None, False


def weekday_moment(weekday: int, anchor: date | None, tense: str | None, strict: bool = False) -> Moment:
    """`в четверг` against the publication day: with a verb in the past the last such day on or
    before it, in the future the next on or after it, else the nearer of the two; `strict`
    (`в прошлую пятницу`) never takes the publication day itself."""
    if anchor is None:
        return Moment(None, None, None, 'day', relative=True)
    back = (anchor.weekday() - weekday) % 7 or (7 if strict else 0)
    forward = (weekday - anchor.weekday()) % 7 or (7 if strict else 0)
    if tense == 'past' or (tense != 'futr' and back <= forward):
        day = anchor - timedelta(days=back)
    else:
        day = anchor + timedelta(days=forward)
    return Moment(day.isoformat(), day, day, 'day', relative=True, anchored=True)


def part_moment(part: str | None, moment: Moment | None) -> Moment | None:
    """Halves narrow a year or a century (`в первой половине XIX века` → 1800/1849, `во второй
    половине 2020 года` → 2020-07/2020-12); the eve of a year is its December before (`в канун
    2020 года` → 2019-12), of a day the day before. Other parts keep the enclosing unit."""
    if moment is None or moment.start is None or part not in ('half1', 'half2', 'eve'):
        return moment
    flags = dict(relative=moment.relative, anchored=moment.anchored)
    if part == 'eve':
        if moment.granularity == 'year':
            return month_moment(moment.start.year - 1, 12, **flags)
        if moment.granularity == 'day' and moment.start == moment.end:
            day = moment.start - timedelta(days=1)
            return Moment(day.isoformat(), day, day, 'day', **flags)
        return moment
    second = part == 'half2'
    if moment.granularity == 'year':
        first = 7 if second else 1
        return months_moment(moment.start.year, first, first + 5, 'month', **flags)
    if moment.granularity == 'century':
        low = moment.start.year // 100 * 100 + (50 if second else 0)
        return Moment(f'{low:04d}/{low + 49:04d}', date(max(1, low), 1, 1), date(low + 49, 12, 31), 'year',
                      **flags)
    return moment


def resolve_point(point, anchor: date | None, tense: str | None = None) -> Moment | None:
    """The Moment of one Point; None for an impossible date (`31.02.2024`)."""
    if point.vague is not None:
        return Moment(None, None, None, 'day', relative=True)     # в тот же день: fixed by the text only
    if point.weekday is not None:           # в прошлую пятницу: back; в следующий вторник: ahead
        shift = point.year_shift
        tense = {-1: 'past', 1: 'futr'}.get(shift, tense) if shift is not None else tense
        moment = weekday_moment(point.weekday, anchor, tense, strict=bool(shift))
        if point.time and moment.value:
            moment = replace(moment, value=f'{moment.value}T{point.time}')
        return moment
    return part_moment(point.part, point_moment(point, anchor))


def point_moment(point, anchor: date | None) -> Moment | None:
    if point.relative is not None:
        moment = relative_moment(point.relative, anchor)
        if point.time and moment.value and moment.granularity == 'day' and '/' not in moment.value:
            moment = replace(moment, value=f'{moment.value}T{point.time}')     # сегодня в 10:00
        return moment
    if point.century is not None and point.decade is None and point.decade_short is None:
        return century_moment(point.century)
    if point.decade is not None or point.decade_short is not None:
        decade = point.decade
        if decade is None:
            century = point.century if point.century is not None else (20 if point.decade_short < 20 else 19)
            decade = century * 10 + point.decade_short // 10
        return Moment(f'{decade:03d}', date(decade * 10, 1, 1), date(decade * 10 + 9, 12, 31), 'decade')
    year, anchored = point_year(point, anchor)
    relative = point.year_shift is not None and point.year is None
    flags = dict(relative=relative, anchored=anchored)
    if point.season is not None or point.quarter is not None or point.half is not None:
        if point.quarter not in (None, 1, 2, 3, 4) or point.half not in (None, 1, 2):
            return None                   # `в третьем полугодии`
        if year is None:
            return Moment(None, None, None, 'season' if point.season else 'month', relative=relative)
        if point.season is not None:
            first, last = SEASON_MONTHS[point.season]
            return months_moment(year, first, last, 'season', **flags)
        first, last = ((point.quarter - 1) * 3 + 1, point.quarter * 3) if point.quarter else \
            ((point.half - 1) * 6 + 1, point.half * 6)
        return months_moment(year, first, last, 'month', **flags)
    if point.month is None:
        if point.year is None and point.year_shift is None:
            return None
        if year is None:
            return Moment(None, None, None, 'year', relative=True)      # в прошлом году, no anchor
        return year_moment(year, **flags)
    if year is None:
        if point.year_shift is not None:
            granularity = 'day' if point.day else 'month'
            return Moment(None, None, None, granularity, relative=True)
        if point.day is None:
            return Moment(f'--{point.month:02d}', None, None, 'month')
        if point.day > calendar.monthrange(2024, point.month)[1]:
            return None
        return Moment(f'--{point.month:02d}-{point.day:02d}', None, None, 'day')
    if point.day is None:
        return month_moment(year, point.month, **flags)
    try:
        day = date(year, point.month, point.day)
    except ValueError:
        return None
    value = day.isoformat() + (f'T{point.time}' if point.time else '')
    return Moment(value, day, day, 'day', **flags)


def inherit(first, last):
    """`с 17 по 20 августа`: the first part takes what it lacks from the last."""
    changes = {}
    if first.day is not None and first.month is None:
        changes['month'] = last.month
    if (first.day is not None or first.month is not None or first.season is not None) \
            and first.year is None and first.year_shift is None:
        changes['year'], changes['year_shift'] = last.year, last.year_shift
    if first.century is not None and last.decade is not None:
        changes['century'] = first.century
    return replace_fact(first, changes) if changes else first


def replace_fact(point, changes: dict):
    values = {_: getattr(point, _) for _ in point.__attributes__}
    values.update(changes)
    return type(point)(**values)


def first_part(value: str) -> str:
    return value.split('/')[0]


def last_part(value: str) -> str:
    return value.split('/')[-1]


def resolve(period, anchor: date | None, tense: str | None = None) -> Moment | None:
    """The Moment of a whole DATE match: point, range, list or open range; `tense` (`past`,
    `futr` or None) of the clause picks the week of a weekday named alone."""
    parts = period.parts
    if not parts:
        return None
    if period.joiner == 'list':
        last = parts[-1]
        moments = [resolve_point(inherit(_, last), anchor) for _ in parts[:-1]]
        moments.append(resolve_point(last, anchor))
        if any(_ is None for _ in moments):
            return None
        values = [_.value for _ in moments]
        starts = [_.start for _ in moments if _.start]
        ends = [_.end for _ in moments if _.end]
        return Moment(';'.join(values) if all(values) else None, min(starts) if starts else None,
                      max(ends) if ends else None, moments[-1].granularity,
                      any(_.relative for _ in moments), any(_.anchored for _ in moments))
    if period.joiner == 'range' and len(parts) == 2:
        first, last = parts
        stop = resolve_point(last, anchor)
        start_point = inherit(first, last)
        start = resolve_point(start_point, anchor)
        if start is None or stop is None:
            return None
        if start.start and stop.end and start.start > stop.end and start_point.year is not None \
                and first.year is None:
            # с декабря по февраль
            start = resolve_point(replace_fact(start_point, {'year': start_point.year - 1}), anchor)
        if start.start and stop.end and start.start > stop.end:
            return None
        value = f'{first_part(start.value)}/{last_part(stop.value)}' if start.value and stop.value else None
        return Moment(value, start.start, stop.end, stop.granularity, start.relative or stop.relative,
                      start.anchored or stop.anchored)
    if len(parts) != 1:
        return None
    moment = resolve_point(parts[0], anchor, tense)
    if moment is None or period.open is None:
        return moment
    if period.open == 'end':
        return replace(moment, value=f'{first_part(moment.value)}/..' if moment.value else None, end=None)
    return replace(moment, value=f'../{last_part(moment.value)}' if moment.value else None, start=None)
