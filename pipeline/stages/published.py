"""Published: the article's publication date, from its metadata or its text.

Reads `doc.published` (input metadata, if any) and the lines of `doc.text`;
sets `doc.published` to an ISO 8601 date (`2024-08-23`) or date and time
(`2020-07-15T07:29`) and `doc.published_source` to `metadata` or `text`.
Runs before `rules.dates`, which anchors relative dates (`вчера`) and
year-less dates (`14 апреля`) on it.

Metadata wins when present (normalised to ISO when it parses: ISO strings,
`23.08.2024 10:00`, RFC 2822 as in RSS, Russian `23 августа 2024`). Else a
line of the text counts, in this order:

1. a labelled line: `Дата публикации: 23.08.2024`, `Опубликовано: …`;
2. a line that is only a full date (a day with its year, perhaps a weekday
   and a clock time) among the first lines of the article, under the
   headline: `15 июля 2020 года 07:29`;
3. such a line among the last lines: `23 августа 2022 / 17:31` (sites that
   print the date after the body);
4. an update stamp: `обновлено 17.11.2024 22:13` — a page's last change,
   later than the publication, used only when nothing else is printed.

A date-only line in the middle of a long article is more likely part of the
story (a programme, a list of events) than the publication date; a date
inside a sentence (`20 мая 2025 года в Колледже …`) never counts.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import parsedate_to_datetime

from pipeline.document import Document
from pipeline.stages.dates import context_words, parse_dates

EDGE_LINES = 12          # lines counted as "under the headline" / "at the end"
MAX_LINE = 80            # longer lines are prose, not a date stamp
LABEL = re.compile(
    r'^\s*(?:дата\s+(?:публикации|создания|размещения|выхода)|опубликовано|опубликован[а]?|размещено'
    r'|published|дата)\s*[:\-–—]?\s*', re.IGNORECASE)
UPDATE = re.compile(
    r'^\s*(?:обновлено|обновлен[ао]?|изменено|дата\s+(?:обновления|изменения)'
    r'|последнее\s+(?:обновление|изменение)|updated|modified)\s*[:\-–—]?\s*', re.IGNORECASE)
FILLER = re.compile(r'[\s,.|/—–\-:•·()\[\]]*')
FULL_DAY = re.compile(r'^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$')
YEAR_DIGITS = re.compile(r'\d{4}|\d\.\d{1,2}\.\d{2}')     # a full date has a year
DOTTED = re.compile(r'^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ ,T]+(\d{1,2}):(\d{2}))?')


def lines(text: str) -> list[str]:
    return [_ for _ in text.splitlines() if _.strip()]


WORD = re.compile(r'[^\W\d_]+')


def stamp(text: str, res=None) -> str | None:
    """The ISO date (and time) when `text` is nothing but one full date."""
    if len(text) > MAX_LINE or not YEAR_DIGITS.search(text):
        return None
    vocabulary = context_words()
    if any(_.lower() not in vocabulary for _ in WORD.findall(text)):
        return None       # a word that no date has: not a bare date line (saves parsing)
    for start, stop, moment in parse_dates(text, res):
        if moment.relative or not moment.value or not FULL_DAY.match(moment.value):
            return None
        if FILLER.fullmatch(text[:start]) and FILLER.fullmatch(text[stop:]):
            return moment.value
        return None
    return None


def from_text(text: str, res=None) -> str | None:
    """The publication date printed in the article (see the module docstring)."""
    found = lines(text)
    best = None
    for index, line in enumerate(found):
        label, update = LABEL.match(line), UPDATE.match(line)
        if update:
            priority, rest = 4, line[update.end():]
        elif label and label.end() > 0 and label.group().strip():
            priority, rest = 1, line[label.end():]
        elif index < EDGE_LINES:
            priority, rest = 2, line
        elif index >= len(found) - EDGE_LINES:
            priority, rest = 3, line
        else:
            continue
        if best is not None and priority >= best[0]:
            continue
        value = stamp(rest, res)
        if value:
            best = (priority, value)
    return best[1] if best else None


def normalise(value: str, res=None) -> str:
    """Metadata date as ISO: `2024-08-23T10:00:00+03:00` → `2024-08-23T10:00+03:00` (offset kept),
    `23.08.2024` → `2024-08-23`, RFC 2822, `23 августа 2024`; else as given."""
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text.replace('Z', '+00:00'))
        return iso(moment, timed=bool(re.search(r'\d[T ]\d{1,2}:\d{2}', text)))
    except ValueError:
        pass
    match = DOTTED.match(text)
    if match:
        day, month, year, hours, minutes = match.groups()
        try:
            moment = datetime(int(year), int(month), int(day), int(hours or 0), int(minutes or 0))
            return iso(moment, timed=hours is not None)
        except ValueError:
            pass
    try:
        return iso(parsedate_to_datetime(text), timed=True)
    except (TypeError, ValueError, IndexError):
        pass
    for _, _, moment in parse_dates(text, res):
        if moment.value and FULL_DAY.match(moment.value):
            return moment.value
    return value


def iso(moment: datetime, timed: bool) -> str:
    """`2024-08-23`, `2024-08-23T10:00`, or with the offset given kept: `2024-08-23T10:00+03:00`."""
    if not timed:
        return moment.strftime('%Y-%m-%d')
    offset = moment.strftime('%z')   # '' when naive, '+0300'
    return moment.strftime('%Y-%m-%dT%H:%M') + (f'{offset[:3]}:{offset[3:5]}' if offset else '')


def run(doc: Document, res=None) -> Document:
    if doc.published:
        doc.published = normalise(doc.published, res)
        doc.published_source = doc.published_source or 'metadata'
        return doc
    found = from_text(doc.text, res)
    if found:
        doc.published, doc.published_source = found, 'text'
    return doc
