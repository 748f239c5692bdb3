"""Language of a document's text, with lingua (its n-gram models ship in the wheel).

Reads `doc.text`; sets `doc.language` to an ISO 639-1 code (`ru`, `en`, `uk`)
or leaves it None when the text has too few letters to tell. The batch runner
sends only documents in `--languages` (default `ru`) through the Russian
stages; the others are kept in `documents` with their language.

The detector is built once per process and knows only the languages a Russian
news crawl meets (the Cyrillic neighbours that are easy to confuse with
Russian, and the large Latin-script ones); low-accuracy mode (trigrams only)
reads a 2,000-character head in 1-2 ms (the factRuEval and NEREL texts: all
`ru`) and tells Russian from Ukrainian, Belarusian, Bulgarian and Serbian on
a sentence or more; a short Russian line it doubts stays Russian
(RUSSIAN_FLOOR).
"""

from __future__ import annotations

from functools import lru_cache

HEAD = 2000   # characters read: enough to tell any news text's language; keeps long articles cheap
# a text lingua gives to another language but Russian a share of at least this is Russian: on a line or two
# trigrams mistake Russian for Bulgarian or Serbian (`Администрация Обнинска в Телеграме`: bg 0.92, ru 0.08),
# while real Bulgarian, Serbian, Ukrainian or English text leaves Russian 0.000
RUSSIAN_FLOOR = 0.01

# the languages a Russian news crawl meets; a text in another one gets the closest of these
LANGUAGES = ('RUSSIAN', 'UKRAINIAN', 'BELARUSIAN', 'KAZAKH', 'BULGARIAN', 'SERBIAN', 'MONGOLIAN',
             'ENGLISH', 'GERMAN', 'FRENCH', 'SPANISH', 'ITALIAN', 'POLISH', 'TURKISH', 'CHINESE',
             'JAPANESE', 'ARABIC', 'AZERBAIJANI', 'ARMENIAN', 'GEORGIAN', 'FINNISH', 'ESTONIAN',
             'LATVIAN', 'LITHUANIAN')


@lru_cache(maxsize=1)
def detector():
    """The lingua detector of LANGUAGES, built once per process."""
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, _) for _ in LANGUAGES]
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def detect(text: str) -> str | None:
    """The ISO 639-1 code of the language of `text` (`ru`), or None when it cannot tell."""
    head = text[:HEAD]
    letters = [_ for _ in head if _.isalpha()]
    if len(letters) < 20:   # numbers, a table of figures: no language to tell
        return None
    values = detector().compute_language_confidence_values(head)
    if not values or values[0].value == 0:
        return None
    russian = next((_.value for _ in values if _.language.iso_code_639_1.name == 'RU'), 0.0)
    if russian >= RUSSIAN_FLOOR:
        return 'ru'
    return values[0].language.iso_code_639_1.name.lower()


def parse_languages(value: str | None) -> frozenset[str]:
    """`ru,uk` to {'ru', 'uk'}; empty or `all`: every language (the empty set)."""
    codes = {_.strip().lower() for _ in (value or '').split(',') if _.strip()}
    return frozenset() if 'all' in codes else frozenset(codes)
