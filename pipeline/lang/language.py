"""Language of a document's text, with lingua (its n-gram models ship in the wheel).

Reads `doc.text`; sets `doc.language` to an ISO 639-1 code (`ru`, `en`, `uk`)
or leaves it None when the text has too few letters to tell. The batch runner
sends only documents in `--languages` (default `ru`) through the Russian
stages; the others are kept in `documents` with their language.

The detector is built once per process and knows only the languages a Russian
news crawl meets (the Cyrillic neighbours that are easy to confuse with
Russian, and the large Latin-script ones); low-accuracy mode (trigrams only)
reads a 2,000-character head in well under a millisecond and still tells
Russian from Ukrainian and Belarusian on a sentence or more.
"""

from __future__ import annotations

from functools import lru_cache

HEAD = 2000   # characters read: enough to tell any news text's language; keeps long articles cheap
# below this many letters the trigram models guess: a short Cyrillic text (`Стадион построят в
# Лужниках.`) came out Bulgarian or Serbian. Such a text is Russian unless it has a letter Russian
# lacks (Ukrainian `і ї є ґ`, Belarusian `ў`, Kazakh `ә ғ қ ң ө ұ ү һ`, Serbian `ј љ њ ћ ђ џ`)
SHORT = 300
OTHER_CYRILLIC = frozenset('іїєґўәғқңөұүһјљњћђџ' + 'іїєґўәғқңөұүһјљњћђџ'.upper())

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
    if len(letters) < SHORT and not OTHER_CYRILLIC.intersection(letters) \
            and sum('\u0400' <= _ <= '\u04ff' for _ in letters) > len(letters) / 2:
        return 'ru'
    found = detector().detect_language_of(head)
    return found.iso_code_639_1.name.lower() if found is not None else None


def parse_languages(value: str | None) -> frozenset[str]:
    """`ru,uk` to {'ru', 'uk'}; empty or `all`: every language (the empty set)."""
    codes = {_.strip().lower() for _ in (value or '').split(',') if _.strip()}
    return frozenset() if 'all' in codes else frozenset(codes)
