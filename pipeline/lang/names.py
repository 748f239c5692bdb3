"""Person names: which word is the first name, patronymic or surname, the
person's gender and case, and each part in the nominative (pymorphy3, cached).

`Дмитрия Разумовского` → (`Дмитрий`, ``, `Разумовский`); `Никиты
Андреевича` → (`Никита`, `Андреевич`, ``); `Шинкаревой` → `Шинкарева`;
initials stay initials (`Н. Н. Петровой` → `Н. Н. Петрова`).

A name is read as a whole: each way of giving its words roles (first,
middle, last), in each case and gender, is scored by how well the analyses
of its words support it, and the best reading wins (`readings` keeps the
others for linking). Analyses, from the most to the least trusted:

- the first-name lexicon (natasha's list of first names plus
  `data/first_names.txt`) and the regular declension of its names
  (`Фелипе`, `Кими`, `Нэнси` do not decline; `Марку` → `Марк`);
- pymorphy3 dictionary parses tagged Name / Patr / Surn, never its guesses
  for unknown words (it guesses `Гиффордс` is a first name, `Фелипе` the
  locative of `Фелип`);
- Russian surname patterns: `-ов/-ев/-ин/-ын` and their feminines,
  adjectival `-ский/-цкий`, indeclinable `-ых/-их` (`Искусных`), plurals
  (`Ивановы`, `супругов Петровых` → `Петров`: a family is filed under the
  masculine singular);
- conservative rules for other words: a word ending in a vowel other than
  -а/-я does not decline (`Пелоси`, `Донателли`, `Тифензее`); a
  consonant-final surname declines for a man only (`Лофнера` → `Лофнер`,
  `Аллы Бут`); such declined readings score below the word as written, so a
  nominative is not "inflected" (`Ннека Угбома`, `Эрик Пула`) unless another
  word of the name is clearly in an oblique case; an ending no nominative has (`Агатой`,
  `Эфтимисом`, `Чантурией`) is read as declined; a surname alone keeps each nominative it may
  have (`Килпатрике`: as written or `Килпатрик`), so that linking finds the full name it belongs to.

Order: first name, then surname, unless the words say otherwise (`Иванов
Иван Иванович`, `Петрова Н. Н.`). Chinese, Korean and Vietnamese names are
surname first (`Ху Цзиньтао`: last `Ху`, first `Цзиньтао`; `Ким Чен Ир`:
last `Ким`, first `Чен Ир`). Particles stay in the surname as written
(`бин Ладен`, `Жан-Мари Ле Пен`, `ван Гог`); double surnames decline in both
halves (`Римского-Корсакова` → `Римский-Корсаков`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import NamedTuple

from pipeline.lang import morph
from pipeline.lang.text import fold_hyphens, fold_key, fold_word
from pipeline.lang.words import words

CASES = ('nomn', 'gent', 'datv', 'accs', 'ablt', 'loct')
ANY_CASE = frozenset(CASES)
NOMN = frozenset({'nomn'})
GENDERS = ('masc', 'femn')

INITIAL = re.compile(r'^(?:[A-ZА-ЯЁ]|Дж)$')      # `Дж. Буш`: `Дж` is how Russian writes the initial J
WORD = re.compile(r"[^\W\d_]+(?:[-’'][^\W\d_]+)*")       # `О’Рейли`, `Жан-Мари`, `аль-Хадж`
UNDECLINED = re.compile(r'[иеоуюэё]$')                    # `Пелоси`, `Донателли`, `Тифензее`
CONSONANT = re.compile(r'[бвгджзклмнпрстфхцчшщ]$')
PATRONYMIC_MASC = re.compile(r'(?:ович|евич|ич)(а|у|ем|е)?$')          # Андреевича, Ильичу
PATRONYMIC_FEMN = re.compile(r'(?:овн|евн|ичн)(а|ы|е|у|ой|ою)$')        # Иосифовне
RUSSIAN_STEM = re.compile(r'(?:ов|ев|ёв|ин|ын)$')                      # Иванов, Путин
# endings a name seldom has in the nominative: the instrumental of `Агата`, `Франсия`, `Эфтимис`
OBLIQUE = re.compile(r'[^аеиоуыэюяй](?:ой|ою|ом|ем)$|ией$')
ADJECTIVAL = re.compile(r'(?:ий|ый|ой|ого|его|ому|ему|им|ым|ом|ем|ая|яя|ую|юю)$')

# (ending of the form, ending of the lemma, cases, gender the lemma must have)
FIRST_NAME_FORMS = (
    ('а', '', ('gent', 'accs'), 'masc'), ('у', '', ('datv',), 'masc'), ('ом', '', ('ablt',), 'masc'),
    ('ем', '', ('ablt',), 'masc'), ('е', '', ('loct',), 'masc'),
    ('я', 'й', ('gent', 'accs'), 'masc'), ('ю', 'й', ('datv',), 'masc'), ('ем', 'й', ('ablt',), 'masc'),
    ('е', 'й', ('loct',), 'masc'),
    ('я', 'ь', ('gent', 'accs'), 'masc'), ('ю', 'ь', ('datv',), 'masc'), ('ем', 'ь', ('ablt',), 'masc'),
    ('е', 'ь', ('loct',), 'masc'),
    ('ы', 'а', ('gent',), None), ('и', 'а', ('gent',), None), ('е', 'а', ('datv', 'loct'), None),
    ('у', 'а', ('accs',), None), ('ой', 'а', ('ablt',), None), ('ей', 'а', ('ablt',), None),
    ('и', 'я', ('gent', 'datv', 'loct'), None), ('е', 'я', ('datv', 'loct'), None),
    ('ю', 'я', ('accs',), None), ('ей', 'я', ('ablt',), None), ('ёй', 'я', ('ablt',), None),
)
# a Russian surname on -ов/-ин: (ending of the form, ending of the lemma, cases, gender)
RUSSIAN_FORMS = (
    ('', '', ('nomn',), 'masc'), ('а', '', ('gent', 'accs'), 'masc'), ('у', '', ('datv',), 'masc'),
    ('ым', '', ('ablt',), 'masc'), ('е', '', ('loct',), 'masc'),
    ('а', 'а', ('nomn',), 'femn'), ('ой', 'а', ('gent', 'datv', 'ablt', 'loct'), 'femn'),
    ('у', 'а', ('accs',), 'femn'),
)
RUSSIAN_PLURAL = (('ы', ('nomn',)), ('ых', ('gent', 'accs', 'loct')), ('ым', ('datv',)), ('ыми', ('ablt',)))
# another consonant-final surname, declined for a man: `Лофнера`, `Лофнеру`, `Лофнером`
HARD_FORMS = (('а', ('gent', 'accs')), ('у', ('datv',)), ('ом', ('ablt',)), ('ем', ('ablt',)),
              ('е', ('loct',)))
SOFT_FORMS = (('я', ('gent', 'accs')), ('ю', ('datv',)), ('ем', ('ablt',)), ('е', ('loct',)))
# a surname on -а/-я, any gender: `Обамы`, `Массе`
A_FORMS = (('ы', ('gent',)), ('и', ('gent',)), ('е', ('datv', 'loct')), ('у', ('accs',)), ('ой', ('ablt',)),
           ('ей', ('ablt',)))
YA_FORMS = (('и', ('gent', 'datv', 'loct')), ('е', ('datv', 'loct')), ('ю', ('accs',)), ('ей', ('ablt',)))

NOMINATIVE_BONUS = 0.3   # the case a name is most often in, and the one that changes nothing
ORDER_BONUS = 0.5        # first name, then surname: the usual order in news
CJK_BONUS = 6.0
CJK_ENDINGS = ('', 'а', 'у', 'ом', 'ем', 'е')     # `Кима`, `Ира`: Korean names decline in Russian


class Hyp(NamedTuple):
    """One analysis of one word in one role: its nominative, the cases and gender it fits."""
    normal: str
    cases: frozenset
    gender: str | None     # None: either
    trust: float
    plural: bool = False


@dataclass(frozen=True, slots=True)
class Reading:
    """One reading of a whole name: a role and a nominative per word."""
    normals: tuple[str, ...]
    roles: tuple[str, ...]
    case: str
    gender: str | None
    score: float
    plural: bool = False

    @property
    def parts(self) -> tuple[str, str, str]:
        parts = {'first': [], 'middle': [], 'last': []}
        for normal, role in zip(self.normals, self.roles):
            if role == 'initial':
                # `Н. Н. Петрова`: the first initial is the first name, the next the middle
                parts['first' if not parts['first'] else 'middle'].append(normal + '.')
            else:
                parts[role].append(normal)
        return tuple(' '.join(parts[_]) for _ in ('first', 'middle', 'last'))


# ---------------------------------------------------------------- lexicons

fold = fold_word     # `Фёдор` → `федор`, `О’Нил` → `о'нил`


@lru_cache(maxsize=1)
def listed_names() -> dict[str, str | None]:
    """`data/first_names.txt`: folded first name → its gender (`masc`, `femn`)."""
    return {fold(_[0]): {'m': 'masc', 'f': 'femn'}.get(_[1]) if len(_) > 1 else None
            for _ in words('first_names')}


@lru_cache(maxsize=1)
def first_names() -> dict[str, str | None]:
    """The first-name lexicon: natasha's list and ours; folded name → gender when known."""
    names: dict[str, str | None] = {}
    spec = find_spec('natasha')
    if spec is not None and spec.submodule_search_locations:
        path = Path(next(iter(spec.submodule_search_locations))) / 'data' / 'dict' / 'first.txt'
        if path.is_file():
            names.update((fold(_), None) for _ in path.read_text(encoding='utf-8').split())
    names.update(listed_names())
    return names


@lru_cache(maxsize=1)
def particles() -> frozenset[str]:
    return frozenset(fold(_[0]) for _ in words('name_particles'))


@lru_cache(maxsize=1)
def cjk_surnames() -> frozenset[str]:
    return frozenset(fold(word) for row in words('cjk_surnames') for word in row)


@lru_cache(maxsize=1)
def cjk_syllables() -> frozenset[str]:
    return frozenset(fold(word) for row in words('cjk_syllables') for word in row)


@lru_cache(maxsize=50_000)
def is_cjk_syllables(word: str) -> bool:
    """`Цзиньтао` = цзинь + тао; `Гог` is no such word."""
    word, syllables = fold(word), cjk_syllables()
    reachable = [True] + [False] * len(word)
    for end in range(1, len(word) + 1):
        reachable[end] = any(reachable[start] and word[start:end] in syllables
                             for start in range(max(0, end - 6), end))
    return reachable[-1]


def is_first_name(word: str) -> bool:
    return fold(word) in first_names()


@lru_cache(maxsize=50_000)
def first_gender(name: str) -> str | None:
    """`Никита` masc, `Алла` femn, `Кими` (listed) masc; `Саша`, `Беназир` not known."""
    key = fold(name)
    listed = first_names().get(key)
    if listed:
        return listed
    genders = {morph.attr(_.tag, 'gender') for _ in morph.parses(name)
               if 'Name' in _.tag and morph.in_dictionary(_) and morph.attr(_.tag, 'case') == 'nomn'
               and morph.attr(_.tag, 'number') == 'sing'}
    if genders:
        return genders.pop() if len(genders) == 1 and genders <= set(GENDERS) else None
    return None     # `Беназир`: the ending does not tell


def known_first(word: str) -> bool:
    """A first name of the lexicon in any case: `Анна`, `Луитпольду`."""
    return any(_.trust >= 2.0 for _ in first_hyps(word))


def is_latin(word: str) -> bool:
    return not morph.is_cyrillic(word)


# ---------------------------------------------------------------- analyses of one word

def dictionary_hyps(word: str, tag: str, trust: float, lexicon: bool = False) -> list[Hyp]:
    """pymorphy3 dictionary parses of `word` tagged `tag`, each put in the nominative singular."""
    hyps = []
    share: dict[tuple, float] = {}      # how often pymorphy3 sees this lemma in this word (`Александра`)
    for parsed in morph.parses(word):
        if tag in parsed.tag and morph.in_dictionary(parsed):
            lemma = (parsed.normal_form, morph.attr(parsed.tag, 'gender'))
            share[lemma] = share.get(lemma, 0.0) + parsed.score
    for parsed in morph.parses(word):
        if tag not in parsed.tag or not morph.in_dictionary(parsed):
            continue
        case, gender = morph.attr(parsed.tag, 'case'), morph.attr(parsed.tag, 'gender')
        if case not in CASES and 'Fixd' not in parsed.tag:
            continue
        gender = gender if gender in GENDERS else None
        cases = ANY_CASE if 'Fixd' in parsed.tag else frozenset({case})
        plural = morph.attr(parsed.tag, 'number') == 'plur'
        if plural and tag != 'Surn':
            continue
        grammemes = ('nomn', 'sing') + (('masc',) if plural else (gender,) if gender else ())
        normal = morph.inflect_word(word, parsed, grammemes)
        if plural:
            hyps.append(Hyp(normal, cases, None, 2.0, plural=True))
            continue
        weight = trust
        if lexicon:     # `Александра`: mostly the genitive of `Александр`, seldom a woman's name
            weight = trust - 0.6 + 0.6 * share[(parsed.normal_form, morph.attr(parsed.tag, 'gender'))]
            if not is_first_name(normal):
                # a Name of the dictionary that is no common first name (`Макартур`, `Салом`)
                weight = 0.4
        hyps.append(Hyp(normal, cases, gender, weight))
    return hyps


@lru_cache(maxsize=100_000)
def first_hyps(word: str) -> tuple[Hyp, ...]:
    """`word` as a first name."""
    if is_latin(word):
        return (Hyp(word, ANY_CASE, None, 1.0),)
    key = fold(word)
    hyps = []
    known = dictionary_hyps(word, 'Name', 3.0, lexicon=True)
    if key in first_names():
        gender = first_gender(word)
        undeclined = UNDECLINED.search(key) or (gender == 'femn' and CONSONANT.search(key))
        # where pymorphy3 knows the word, its readings weigh in (`Владимира` is the genitive
        # of `Владимир`, `Александра` mostly so); otherwise the list decides
        if key in listed_names() or not any(_.trust > 1.0 for _ in known):
            hyps.append(Hyp(word, ANY_CASE if undeclined else NOMN, gender, 3.0))
            if gender is None and CONSONANT.search(key) and not known:
                # a listed name of either gender, consonant-final: a woman's does not decline
                # (`Мехрибан Алиеву` is the accusative of `Мехрибан Алиева`)
                hyps.append(Hyp(word, ANY_CASE - NOMN, 'femn', 2.0))
        elif not any('nomn' in _.cases and _.trust > 1.0 for _ in known):
            hyps.append(Hyp(word, ANY_CASE if undeclined else NOMN, gender, 2.0))
    for ending, lemma_ending, cases, gender in FIRST_NAME_FORMS:
        if not key.endswith(ending) or len(key) - len(ending) < 2:
            continue
        lemma = word[:len(word) - len(ending)] + lemma_ending
        if fold(lemma) not in first_names():
            continue
        lemma_gender = first_gender(lemma)
        if lemma_ending == '' and not CONSONANT.search(fold(lemma)):
            continue
        if gender and lemma_gender != gender:
            continue
        hyps.append(Hyp(lemma, frozenset(cases), lemma_gender, 2.5))
    hyps += known
    if '-' in word and not hyps:     # `Ливиу-Дитер`, `Ахмат-Хаджи`: both halves first names
        hyps += compound_hyps(word, first_hyps)
    oblique = bool(OBLIQUE.search(key))
    if not key.endswith('ы'):      # `Аксары` is no nominative; `Бесселю` rather the dative of `Бессель`
        hyps.append(Hyp(word, ANY_CASE if UNDECLINED.search(key) else NOMN, None,
                        0.1 if oblique else 0.2 if re.search(r'[^аеиоуыэюя][ую]$', key) else 0.5))
    # `с Агатой Беднарчук` → `Агата`: an unknown name in an ending no nominative has
    # (`Оррина` is the genitive of `Оррин`: `-ин` makes a first name too, not only a Russian surname)
    hyps += declined_guesses(word, *((0.6, 0.6) if oblique else (0.3, 0.3)), russian=False)
    head, _, tail = word.partition('-')
    if tail and fold(head) in first_names() and (gender := first_gender(head)):
        # `Ахмат-Хаджи` is a man's name, and with an undeclined tail it stays as written in every case
        hyps = [_._replace(gender=gender) for _ in hyps if _.gender in (None, gender)]
        if UNDECLINED.search(fold(tail)):
            hyps.append(Hyp(word, ANY_CASE, gender, 2.5))
    return tuple(hyps)


def patronymic_base(word: str) -> bool:
    """`андреевич` comes from `Андрей`, `васильевна` from `Василий`; `статкевич` from no name."""
    match = re.search(r'(?:ович|евич|овн|евн|ич|ичн)$', word)
    if not match:
        return False
    stem = word[:match.start()]
    bases = (stem, stem + 'й', stem + 'ь', stem + 'а', stem + 'я',
             stem[:-1] + 'ий' if stem.endswith('ь') else '',
             stem[:-1] + 'я' if stem.endswith('ь') else '')
    return any(_ and _ in first_names() for _ in bases)


@lru_cache(maxsize=50_000)
def is_patronymic(word: str) -> bool:
    """`Андреевича`, `Иосифовне`: a patronymic, as the dictionary or its ending says."""
    return any(_.trust >= 2.5 for _ in middle_hyps(word))


@lru_cache(maxsize=100_000)
def middle_hyps(word: str) -> tuple[Hyp, ...]:
    """`word` as a patronymic, or as a second given name (`Реджеп Тайип Эрдоган`)."""
    key = fold(word)
    hyps = dictionary_hyps(word, 'Patr', 3.0)
    match = PATRONYMIC_MASC.search(key)
    if match and len(key) > 5 and patronymic_base(key[:len(key) - len(match.group(1) or '')]):
        ending = match.group(1) or ''
        case = {'': 'nomn', 'а': 'gent', 'у': 'datv', 'ем': 'ablt', 'е': 'loct'}[ending]
        cases = ('gent', 'accs') if case == 'gent' else (case,)
        hyps.append(Hyp(word[:len(word) - len(ending)], frozenset(cases), 'masc', 2.5))
    match = PATRONYMIC_FEMN.search(key)
    if match and len(key) > 5 and patronymic_base(key[:len(key) - len(match.group(1))]):
        ending = match.group(1)
        cases = {'а': ('nomn',), 'ы': ('gent',), 'е': ('datv', 'loct'), 'у': ('accs',),
                 'ой': ('ablt', 'gent', 'datv', 'loct'), 'ою': ('ablt',)}[ending]
        hyps.append(Hyp(word[:len(word) - len(ending)] + 'а', frozenset(cases), 'femn', 2.5))
    hyps += [_._replace(trust=_.trust * 0.6) for _ in first_hyps(word)]
    return tuple(hyps)


@lru_cache(maxsize=100_000)
def last_hyps(word: str) -> tuple[Hyp, ...]:
    """`word` as a surname."""
    if ' ' in word:           # `де Голля`: the particle as written, the rest declined
        prefix, core = word.rsplit(' ', 1)
        return tuple(_._replace(normal=f'{prefix} {_.normal}') for _ in last_hyps(core))
    if is_latin(word):
        return (Hyp(word, ANY_CASE, None, 1.0),)
    if '-' in word:
        head, rest = word.split('-', 1)
        if fold(head) in particles():     # `аль-Хадж`, `эль-Масри`
            return tuple(_._replace(normal=f'{head}-{_.normal}') for _ in last_hyps(rest))
        return compound_hyps(word, last_hyps)
    key = fold(word)
    hyps = dictionary_hyps(word, 'Surn', 2.5)
    if ADJECTIVAL.search(key) and len(key) > 4:     # `Долгорукому`, `Разумовского`
        for parsed in morph.parses(word):
            gender = morph.attr(parsed.tag, 'gender')
            if morph.attr(parsed.tag, 'POS') != 'ADJF' or morph.attr(parsed.tag, 'number') != 'sing' \
                    or gender not in GENDERS or morph.attr(parsed.tag, 'case') not in CASES:
                continue
            normal = morph.inflect_word(word, parsed, ('nomn', 'sing', gender))
            if not morph.in_dictionary(parsed) and not re.search(r'(?:ск|цк)(?:ий|ой|ая)$', fold(normal)):
                continue      # pymorphy3 guesses `Леманом` is an adjective `леманый`
            hyps.append(Hyp(normal, frozenset({morph.attr(parsed.tag, 'case')}), gender, 2.0))
    for ending, lemma_ending, cases, gender in RUSSIAN_FORMS:
        stem = key[:len(key) - len(ending)] if ending else key
        if key.endswith(ending) and RUSSIAN_STEM.search(stem) and len(stem) > 3:
            hyps.append(Hyp(word[:len(stem)] + lemma_ending, frozenset(cases), gender, 2.4))
    for ending, cases in RUSSIAN_PLURAL:
        stem = key[:-len(ending)]
        if key.endswith(ending) and RUSSIAN_STEM.search(stem) and len(stem) > 3:
            hyps.append(Hyp(word[:len(stem)], frozenset(cases), None, 2.0, plural=True))
    if re.search(r'(?:ых|их)$', key) and not RUSSIAN_STEM.search(key[:-2]):
        hyps.append(Hyp(word, ANY_CASE, None, 2.0))   # `Сергей Искусных`, `Черных`
    if UNDECLINED.search(key):
        # `Лофнеру` is rather the dative of `Лофнер`; Romanian `Чаушеску` does end so, and `Нисипяну`
        # too, but less surely than `Дилану` is the dative of `Дилан` beside a dative first name
        hyps.append(Hyp(word, ANY_CASE, None,
                        0.4 if key[-1] in 'ую' and not re.search(r'(?:ску|ану|яну)$', key)
                        else 0.7 if re.search(r'(?:ану|яну)$', key) else 1.0))
    elif key[-1] in 'ая':        # `Бенуа`, `Моруа`: a vowel before the `-а` and it does not decline
        hyps.append(Hyp(word, ANY_CASE if re.search(r'[уо]а$', key) else NOMN, None, 1.0))
    elif key[-1] == 'ы':          # `Маехары` is rather the genitive of `Маехара`
        hyps.append(Hyp(word, NOMN, None, 0.3))
    else:
        # `Леманом`, `Чантурией`: rather the instrumental of `Леман`, `Чантурия`; `Геварой` too, unless
        # a man's nominative (`Мариано Рахой`): a woman's surname as written seldom ends so
        ending = 0.4 if re.search(r'[^аеиоуыэюя](?:ом|ем|ым)$|ией$', key) else 1.0
        hyps.append(Hyp(word, NOMN, 'masc', ending))
        hyps.append(Hyp(word, ANY_CASE, 'femn', 0.4 if OBLIQUE.search(key) else ending))   # `Аллы Бут`
    hyps += declined_guesses(word, 0.8, 0.8)
    return tuple(hyps)


def declined_guesses(word: str, hard: float, vowel: float, russian: bool = True) -> list[Hyp]:
    """Oblique forms of an unknown name: `Лофнера` ← `Лофнер` (a man), `Обамы` ← `Обама`
    (`-ова`, `-ина` are left to the Russian surname patterns unless `russian` is False)."""
    key, hyps = fold(word), []
    for ending, cases in HARD_FORMS:
        stem = key[:-len(ending)]
        if key.endswith(ending) and len(stem) >= 2 and CONSONANT.search(stem) and not (
                russian and RUSSIAN_STEM.search(stem)):
            hyps.append(Hyp(word[:len(stem)], frozenset(cases), 'masc', hard))
    for ending, cases in SOFT_FORMS:
        stem = key[:-len(ending)]
        if key.endswith(ending) and len(stem) >= 2:
            lemma = word[:len(stem)] + ('й' if stem[-1] in 'аеиоуэюяы' else 'ь')
            hyps.append(Hyp(lemma, frozenset(cases), 'masc', hard * 0.75))
    for forms, lemma_ending in ((A_FORMS, 'а'), (YA_FORMS, 'я')):
        for ending, cases in forms:
            stem = key[:-len(ending)]
            if key.endswith(ending) and len(stem) >= 2 and (CONSONANT.search(stem) or lemma_ending == 'я'):
                hyps.append(Hyp(word[:len(stem)] + lemma_ending, frozenset(cases), None,
                                vowel if lemma_ending == 'а' else vowel * 0.75))
    return hyps


def compound_hyps(word: str, analyse) -> tuple[Hyp, ...]:
    """`Римского-Корсакова`: both halves in one case and gender."""
    head, tail = word.split('-', 1)
    hyps = []
    for one in analyse(head):
        for two in analyse(tail):
            cases = one.cases & two.cases
            if (not cases or (one.gender and two.gender and one.gender != two.gender)
                    or one.plural != two.plural):
                continue
            hyps.append(Hyp(f'{one.normal}-{two.normal}', cases, one.gender or two.gender,
                            (one.trust + two.trust) / 2, one.plural))
    return tuple(hyps)


HYPS = {'first': first_hyps, 'middle': middle_hyps, 'last': last_hyps}


# ---------------------------------------------------------------- whole names

def units(words: list[str]) -> list[str]:
    """Words with surname particles joined to the word after them: `Жан-Мари`, `Ле Пен`."""
    result, index = [], 0
    while index < len(words):
        start = index
        while index + 1 < len(words) and fold(words[index]) in particles() \
                and not INITIAL.match(words[index]) and (words[index][:1].islower() or start > 0):
            index += 1
        result.append(' '.join(words[start:index + 1]))
        index += 1
    return result


def is_cjk(names: list[str]) -> bool:
    """`Ху Цзиньтао`, `Кима Чен Ира`: a Chinese, Korean or Vietnamese surname, then syllables."""
    if len(names) < 2:
        return False
    head, tail = fold(names[0]), fold(names[-1])
    return any(head[:len(head) - len(_)] in cjk_surnames() for _ in CJK_ENDINGS if head.endswith(_)) and all(
        is_cjk_syllables(_) for _ in names[1:-1]) and any(
        is_cjk_syllables(tail[:len(tail) - len(_)]) for _ in CJK_ENDINGS if tail.endswith(_))


@lru_cache(maxsize=50_000)
def given_hyps(word: str) -> tuple[Hyp, ...]:
    """The last syllable of a Chinese, Korean or Vietnamese given name, declined when
    consonant-final (`Кима Чен Ира` → `Ким Чен Ир`); the syllables before it do not decline."""
    key = fold(word)
    declined = [_ for _ in declined_guesses(word, 0.8, 0.8, russian=False)
                if is_cjk_syllables(_.normal) and CONSONANT.search(fold(_.normal))]
    hyps = [Hyp(word, NOMN if CONSONANT.search(key) else ANY_CASE, None, 0.0 if declined else 1.0)] \
        if is_cjk_syllables(key) else []     # `Ира` is `Ир` + `а` rather than the syllables и-ра
    hyps += declined
    return tuple(hyps)


def syllable_hyps(word: str) -> tuple[Hyp, ...]:
    return (Hyp(word, ANY_CASE, None, 1.0),)


@lru_cache(maxsize=50_000)
def cjk_last_hyps(word: str) -> tuple[Hyp, ...]:
    """A Chinese, Korean or Vietnamese surname: `Кима` → `Ким`, `Ху` as written."""
    found = tuple(_ for _ in last_hyps(word) if fold(_.normal) in cjk_surnames() and not _.plural)
    if fold(word) in cjk_surnames():      # news seldom declines it: `Ким Чен Ына`, `с Ким Чен Ыном`
        found += (Hyp(word, ANY_CASE, None, 2.5),)
    return found


# roles of Chinese, Korean and Vietnamese given names, read as `first`
GIVEN_ROLES = {'given': given_hyps, 'syllable': syllable_hyps, 'cjk_last': cjk_last_hyps}


def structures(names: list[str], initials: int) -> list[tuple[tuple[str, ...], float]]:
    """Role patterns for the words that are not initials, each with its prior."""
    count = len(names)
    if count == 0:
        return [((), 0.0)]
    if count == 1:
        return [(('last',), 0.0)] if initials else [(('last',), 0.1), (('first',), 0.0)]
    # surname first (`Иванов Иван Иванович`) only when the first word is no first name (`Карлос Симон`)
    # and two words surname first only when the second is a first name or the first an adjectival
    # surname (`Иванова Анна`, `Баварскому Луитпольду`; not `Оррина Хэтча`)
    surname_first = -2.0 if is_first_name(names[0]) else 0.0 if count > 2 or known_first(names[1]) or (
        ADJECTIVAL.search(fold(names[0])) and any(_.trust >= 2.0 for _ in last_hyps(names[0]))) else -1.0
    found = [(('first',) + ('middle',) * (count - 2) + ('last',), ORDER_BONUS),
             (('last', 'first') + ('middle',) * (count - 2), surname_first)]
    if count == 2 and is_patronymic(names[1]):
        found.append((('first', 'middle'), 0.0))
    if is_cjk(names):
        # `Ху Цзиньтао`: last, first; `Ким Чен Ир`: last `Ким`, first `Чен`, middle `Ир`, the way
        # Russian reads three-part names (and factRuEval labels them)
        found.append((('cjk_last', 'given') if count == 2 else
                      ('cjk_last', 'syllable') + ('syllable',) * (count - 3) + ('given',), CJK_BONUS))
    particle = [' ' in _ or fold(_.split('-', 1)[0]) in particles() for _ in names]
    return [(roles, prior) for roles, prior in found
            if all(role == 'last' for role, is_particle in zip(roles, particle) if is_particle)]


@lru_cache(maxsize=50_000)
def readings(words: tuple[str, ...], context: tuple = ()) -> tuple[Reading, ...]:
    """Every reading of a name, the most likely first. `context`: (cases, weight) pairs the words
    around the name suggest (`по словам Лофнера`: the genitive; `блоггера Джошуа Вольфа`: the
    genitive or accusative of the noun it stands beside)."""
    parts = units(list(words))
    names = [_ for _ in parts if not INITIAL.match(_)]
    initials = len(parts) - len(names)
    found: dict[tuple, Reading] = {}
    for roles, prior in structures(names, initials):
        analyses = [{**HYPS, **GIVEN_ROLES}[role](name) for name, role in zip(names, roles)]
        for plural in (False, True):
            if plural and (len(names) != 1 or roles != ('last',) or initials):
                continue
            for case in CASES:
                for gender in (GENDERS if not plural else (None,)):
                    base = prior + (NOMINATIVE_BONUS if case == 'nomn' else 0.0)
                    base += sum(weight for cases, weight in context if case in cases)
                    for chosen in choices(analyses, case, gender, plural):
                        score = base + sum(_.trust for _ in chosen)
                        known = {_.gender for _ in chosen} - {None}
                        reading = build(parts, names, roles, chosen, case,
                                        gender if known else None, score, plural)
                        key = (reading.normals, reading.roles)
                        old = found.get(key)
                        if old is None or reading.score > old.score + 1e-9:
                            found[key] = reading
                        elif abs(reading.score - old.score) < 1e-9 and old.gender != reading.gender:
                            found[key] = Reading(old.normals, old.roles, old.case, None, old.score,
                                                 old.plural)
    return tuple(sorted(found.values(), key=lambda _: -_.score))


def choices(analyses: list, case: str, gender: str, plural: bool) -> list[list[Hyp]]:
    """The hypotheses a reading in `case` and `gender` takes: the most trusted per word; a name of one
    word keeps each nominative it may have (`Килпатрике`: as written, or the locative of `Килпатрик`),
    so that linking can find the one another mention names in full."""
    chosen = []
    for hyps in analyses:
        fitting = [_ for _ in hyps if case in _.cases and _.plural == plural
                   and (plural or _.gender in (None, gender))]
        if not fitting:
            return []
        if len(analyses) == 1:
            best: dict[str, Hyp] = {}
            for hyp in sorted(fitting, key=lambda _: -_.trust):
                best.setdefault(hyp.normal, hyp)
            return [[_] for _ in best.values()]
        chosen.append(max(fitting, key=lambda _: _.trust))
    return [chosen]


def build(parts, names, roles, chosen, case, gender, score, plural) -> Reading:
    normals, role_of, index = [], [], 0
    for part in parts:
        if INITIAL.match(part):
            normals.append(part)
            role_of.append('initial')
            continue
        normals.append(chosen[index].normal)
        role = {'given': 'first', 'syllable': 'first', 'cjk_last': 'last'}.get(roles[index], roles[index])
        if role == 'first' and 'first' in role_of and roles[0] == 'cjk_last':
            role = 'middle'
        role_of.append(role)
        index += 1
    return Reading(tuple(normals), tuple(role_of), case, gender, score, plural)


def words_of(text: str) -> tuple[str, ...]:
    """The words of a person mention: `Фил О’Рейли` → (`Фил`, `О’Рейли`); dots and brackets dropped."""
    return tuple(WORD.findall(fold_hyphens(text)))


def mention_readings(text: str, context: tuple = ()) -> tuple[Reading, ...]:
    return readings(words_of(text), context)


def normal_person(words: list[str], context: tuple = (), gender: str | None = None
                  ) -> tuple[list[str], tuple[str, str, str]]:
    """A nominative per word and the parts (first, middle, last) of the best reading; `context` as
    for `readings`, `gender` the one a verb gives (`Александра Дмитриева пришла`: the woman)."""
    found = readings(tuple(words), context)
    if not words or not found:
        return list(words), ('', '', ' '.join(words))
    best = found[0]
    if gender:
        best = next((_ for _ in found if _.score >= found[0].score - MARGIN and _.gender in (None, gender)),
                    best)
    normals: list[str] = []
    for part, normal in zip(units(list(words)), best.normals):
        count = len(part.split(' '))
        pieces = normal.split(' ')
        normals += pieces if len(pieces) == count else [normal] + [''] * (count - 1)
    return normals, best.parts


APOSTROPHES = ("’", "'", 'ʼ', '`')


def word_groups(tokens: tuple[str, ...], gaps: tuple[str, ...]) -> list[list[int]]:
    """Indexes of the tokens of each word of a name: `О`, `’`, `Рейли` make one word."""
    groups: list[list[int]] = []
    for index, token in enumerate(tokens):
        if not any(_.isalpha() for _ in token):
            continue
        if groups and index >= 2 and groups[-1][-1] == index - 2 and tokens[index - 1] in APOSTROPHES \
                and not gaps[index] and not gaps[index - 1]:
            groups[-1] += [index - 1, index]
        else:
            groups.append([index])
    return groups


# ---------------------------------------------------------------- names compared

@dataclass(frozen=True, slots=True)
class Name:
    """A candidate name of a person: one reading of one mention, weighed against its other readings."""
    first: str
    middle: str
    last: str
    gender: str | None
    weight: float          # 1 for the mention's best reading, less for the others
    plural: bool = False

    @property
    def full(self) -> bool:
        return bool(self.first and self.last)


MARGIN = 1.0        # readings this close to the best one are kept for linking
OTHER_WEIGHT = 0.6


@lru_cache(maxsize=100_000)
def name_key(text: str) -> str:
    return fold_key(text)


@lru_cache(maxsize=50_000)
def candidate_names(text: str, context: tuple = ()) -> tuple[Name, ...]:
    """The likely readings of a person mention as names, best first:
    `Лофнеру` → `Лофнер` (a man, dative) and `Лофнеру` (as written)."""
    found = mention_readings(text, context)
    if not found:
        return ()
    names, seen = [], set()
    for _index, reading in enumerate(found):
        if reading.score < found[0].score - MARGIN or len(names) >= 4:
            break
        first, middle, last = reading.parts
        if not (first or last):
            first, middle = middle, ''
        key = (name_key(first), name_key(middle), name_key(last), reading.plural)
        if key in seen:
            continue
        seen.add(key)
        names.append(Name(first, middle, last, reading.gender, 1.0 if not names else OTHER_WEIGHT,
                          reading.plural))
    return tuple(names)


def first_fits(a: str, b: str) -> bool:
    """`Н.` fits `Никита`; full first names must be equal (`ё` = `е`)."""
    a, b = name_key(a), name_key(b)
    if a.endswith('.') and b.endswith('.'):
        return a[:1] == b[:1]
    if a.endswith('.') or b.endswith('.'):      # `Дж.` fits `Джеймс`
        initial, name = (a, b) if a.endswith('.') else (b, a)
        return name.startswith(initial[:-1])
    return a == b


def compatible(a: Name, b: Name) -> bool:
    """Could two names be of one person: no part contradicts and one part is shared."""
    if a.plural or b.plural:
        return False
    if a.last and b.last and name_key(a.last) != name_key(b.last):
        return False
    if a.first and b.first and not first_fits(a.first, b.first):
        return False
    if a.middle and b.middle and not first_fits(a.middle, b.middle):
        return False
    if a.gender and b.gender and a.gender != b.gender:
        return False
    return bool((a.last and b.last)
                or (a.first and b.first and not (a.first.endswith('.') and b.first.endswith('.'))))
