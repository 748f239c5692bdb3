"""Normalise: the nominative canonical name of every PER/ORG/LOC mention.

Reads the name mentions and their tokens; sets `normal` (GOLD-GUIDE.md),
`kind` (the generic descriptor of an organisation or place: `технопарк`,
`область`) and, for people, `parts` = (first, middle, last). All morphology
is pymorphy3 (cached):

- people: each part inflected to the nominative in the gender of the person
  (`Дмитрия Разумовского` → `Дмитрий Разумовский`, `Шинкаревой` →
  `Шинкарева`), patronymics recognised (`Никиты Андреевича`);
- organisations and places: the head noun phrase agreed and put in the
  nominative, dependants left as written (`Колледжа автоматизации
  производства` → `Колледж автоматизации производства`, `Цифровом
  прорыве-2020` → `Цифровой прорыв-2020`, `Всемирной продовольственной и
  сельскохозяйственной организации` → `Всемирная ...`); plural-only names,
  places and bodies named in the plural kept plural (`Лужниках` →
  `Лужники`, `Курильские острова`, `правоохранительные органы`, `«Ведомостей»`
  → `Ведомости`), other plurals made singular (`Кванториумов`,
  `Мариинского театров`); an unknown foreign name taken as a thing, not a
  person (`Бенрате` → `Бенрат`, `Тоттенхэме` → `Тоттенхэм`, `Кушадаси`
  as written); abbreviations in capitals (`миде Грузии` → `МИД Грузии`);
- quoted names after a descriptor are kept as written (`ФГАНУ «ФИЦТО»` →
  `ФИЦТО`, kind `ФГАНУ`; the innermost of nested quotes), and so is a Latin
  or capitalised name after a generic descriptor (`компании Harles und
  Jentzsch`, `Команда Феррари` → `Феррари`); a place's descriptor is dropped
  (`реки Славянки` → `Славянка`, `лондонском районе Тоттенхэм` →
  `Тоттенхэм`). The `kind` set by `rules.orgs` is kept.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from pipeline.document import NAME_TYPES, Document, NameHints
from pipeline.lang import morph
from pipeline.lang.names import normal_person, word_groups
from pipeline.lang.text import QUOTE_MARKS, fold_hyphens, fold_spaces

CASES = ('nomn', 'gent', 'datv', 'accs', 'ablt', 'loct', 'voct', 'gen2', 'acc2', 'loc2')
DIGIT_SUFFIX = re.compile(r'^(.*[^\W\d_])(-\d[\w-]*)$')   # прорыве-2020


def fold(text: str) -> str:
    """Hyphens to U+002D, any run of spaces to one space."""
    return fold_spaces(fold_hyphens(text))


def is_word(text: str) -> bool:
    return any(_.isalpha() for _ in text)


# ---------------------------------------------------------------- phrases

def split_suffix(word: str) -> tuple[str, str]:
    """`прорыве-2020` → (`прорыве`, `-2020`)."""
    match = DIGIT_SUFFIX.match(word)
    return (match.group(1), match.group(2)) if match else (word, '')


def noun_parses(word: str):
    return [_ for _ in morph.parses(word) if morph.attr(_.tag, 'POS') == 'NOUN']


def adj_parses(word: str):
    return [_ for _ in morph.parses(word) if morph.attr(_.tag, 'POS') in ('ADJF', 'PRTF')]


def agreement(adjectives: list[str], head: str, type: str = ''):
    """The head's noun parse agreeing with every preceding adjective, and the
    adjectives' parses in that agreement (None for an adjective that agrees
    with no reading, as an unknown word may not)."""
    heads = head_parses(head, type)
    best = None
    for head_parse in heads:
        case, number, gender = (morph.attr(head_parse.tag, 'case'), morph.attr(head_parse.tag, 'number'),
                                morph.attr(head_parse.tag, 'gender'))
        chosen = []
        for word in adjectives:
            found = None
            for parse in adj_parses(word):
                tag = parse.tag
                if morph.attr(tag, 'case') != case or morph.attr(tag, 'number') != number:
                    continue
                if number == 'sing' and morph.attr(tag, 'gender') and gender\
                        and morph.attr(tag, 'gender') != gender:
                    continue
                found = parse
                break
            if found is None:                 # `Мариинского театров`: one of two theatres
                found = next((_ for _ in adj_parses(word) if morph.attr(_.tag, 'case') == case
                              and morph.attr(_.tag, 'number') == 'sing' and number == 'plur'), None)
            chosen.append(found)
        if all(_ is not None for _ in chosen):
            return head_parse, chosen
        score = sum(_ is not None for _ in chosen)
        if best is None or score > best[0]:
            best = (score, head_parse, chosen)
    if best is None:
        return None, None
    return best[1], best[2] if best[0] else None


NAME_GRAMMEMES = ('Name', 'Surn', 'Patr')


def head_parses(word: str, type: str = '') -> list:
    """Noun readings of a head word; for organisations and places, readings as a
    thing first and the nominative first, so an unknown name is taken as written
    (`Абу-Грэйв`, not `Аба-Грэйв`) and a place not as a woman's name (`Бенрате` → `Бенрат`)."""
    parses = noun_parses(word)
    if type not in ('ORG', 'LOC'):
        return parses
    if any(morph.in_dictionary(_) for _ in parses):      # pymorphy3's order, people's readings last
        return sorted(parses, key=lambda _: (any(g in _.tag for g in NAME_GRAMMEMES),
                                             not morph.in_dictionary(_), 'anim' in _.tag))
    if type == 'LOC':      # an unknown place: singular first (`Гагаузии` → `Гагаузия`)
        return sorted(parses, key=lambda _: (any(g in _.tag for g in NAME_GRAMMEMES), 'anim' in _.tag,
                                             morph.attr(_.tag, 'number') != 'sing',
                                             morph.attr(_.tag, 'case') != 'nomn'))
    return sorted(parses, key=lambda _: (any(g in _.tag for g in NAME_GRAMMEMES), 'anim' in _.tag,
                                         morph.attr(_.tag, 'case') != 'nomn',
                                         morph.attr(_.tag, 'number') != 'sing'))


def target_number(head_parse, type: str, word: str = '', first: bool = False) -> str:
    """Keep plural for plural-only names (`Лужники`, `Нидерланды`), for places
    (`Курильские острова`, `Соединённые Штаты`) and for a capitalised common
    noun that opens a name (`«Ведомости»`, `Эмиратах`); else singular
    (`«Кванториумов»`, `Мариинского театров`)."""
    tag = head_parse.tag
    if morph.attr(tag, 'number') != 'plur':
        return 'sing'
    if 'Pltm' in tag or morph.inflect(head_parse, 'sing', 'nomn') is None:
        return 'plur'
    if type == 'LOC' or (type == 'ORG' and first and word[:1].isupper() and morph.in_dictionary(head_parse)):
        return 'plur'
    if type == 'ORG' and places_state(word):
        return 'plur'          # `правоохранительные органы Китая`: a body named in the plural
    return 'sing'


def places_state(word: str) -> bool:
    from pipeline.lang import places
    return places.descriptor(word, 'state')


FOREIGN_ENDINGS = ('е', 'ом')     # `Тоттенхэме`, `Тусоне`: a foreign place in the locative


def foreign_nominative(word: str) -> str | None:
    """A capitalised name pymorphy3 knows only as a person's (`Тоттенхэме` → `Тоттенхэма`):
    the masculine nominative when its ending is a locative or instrumental one."""
    parses = noun_parses(word)
    if not word[:1].isupper() or any('inan' in _.tag or 'Geox' in _.tag for _ in parses):
        return None
    for ending in FOREIGN_ENDINGS:
        stem = word[:-len(ending)]
        if word.endswith(ending) and len(stem) > 2 and stem[-1].lower() in 'бвгджзклмнпрстфхцчшщ':
            return stem
    return None


def foreign(word: str) -> bool:
    """A capitalised name pymorphy3 knows no thing by: only people's readings
    (`Аль`, `Кушадаси`), or a hyphenated guess (`Вейк-ан-Зее`); kept as written."""
    parses = noun_parses(word)
    if not word[:1].isupper() or not parses or word.endswith('ии'):
        return False       # `Гагаузии`: the oblique case of a place in `-ия`
    if all(any(g in _.tag for g in NAME_GRAMMEMES) for _ in parses):
        return True
    return ('-' in word and not any(morph.in_dictionary(_) for _ in parses)
            and word.split('-')[-1][:1].isupper())


def normal_phrase(words: list[str], type: str) -> list[str]:
    """Put the leading noun phrase of `words` into the nominative."""
    conjunctions = [i for i, w in enumerate(words) if w == 'и' and 0 < i < len(words) - 1
                    and adj_parses(words[i - 1]) and adj_parses(words[i + 1])]
    if conjunctions and type in ('ORG', 'LOC'):       # `продовольственной и сельскохозяйственной организации`
        rest = [w for i, w in enumerate(words) if i not in conjunctions]
        normal = normal_phrase(rest, type)
        for index in conjunctions:
            normal.insert(index, words[index])
        return normal
    head_index = None
    for index, word in enumerate(words):
        base, _ = split_suffix(word)
        if not morph.is_cyrillic(base) or (base.isupper() and len(base) > 1):
            break   # Latin names and abbreviations end the inflectable part
        following = split_suffix(words[index + 1])[0] if index + 1 < len(words) else None
        if noun_parses(base) and not (adj_parses(base) and following and _agrees_forward(base, following)):
            head_index = index
            break
        if not adj_parses(base):
            break
    if head_index is None:
        return words
    adjectives = [split_suffix(_)[0] for _ in words[:head_index]]
    head, suffix = split_suffix(words[head_index])
    if type in ('ORG', 'LOC') and len(words) == 1:
        stem = foreign_nominative(head)
        if stem is not None:
            return [stem + suffix]
        if foreign(head):
            return words
    head_parse, adjective_parses = agreement(adjectives, head, type)
    if head_parse is None:
        return words
    number = target_number(head_parse, type, head, head_index == 0)
    result = list(words)
    if (morph.attr(head_parse.tag, 'case') == 'nomn' and morph.attr(head_parse.tag, 'number') == number
            and adjective_parses is not None):
        return result   # already nominative: leave as written
    result[head_index] = morph.inflect_word(head, head_parse, ('nomn', number)) + suffix
    if adjective_parses:
        gender = morph.attr(head_parse.tag, 'gender')
        for index, (word, parse) in enumerate(zip(adjectives, adjective_parses)):
            if parse is None:
                continue
            grammemes = ('nomn', number) if number == 'plur' or gender not in ('masc', 'femn', 'neut') \
                else ('nomn', number, gender)
            result[index] = morph.inflect_word(word, parse, grammemes) + split_suffix(words[index])[1]
    return result


def _agrees_forward(word: str, following: str) -> bool:
    """`Калужской области`, `Брукхейвенской национальной лаборатории`: an adjective
    reading that agrees with a noun or adjective reading of the next word."""
    others = [_ for _ in morph.parses(following) if morph.attr(_.tag, 'POS') in ('NOUN', 'ADJF', 'PRTF')]
    for adjective in adj_parses(word):
        for other in others:
            if (morph.attr(adjective.tag, 'case') == morph.attr(other.tag, 'case')
                    and morph.attr(adjective.tag, 'number') == morph.attr(other.tag, 'number')):
                return True
    return False


# ---------------------------------------------------------------- mentions

def quoted(tokens: list[str]) -> tuple[int, int] | None:
    """Indexes (open, close) of the outermost quotes around a name, if any."""
    opens = [i for i, t in enumerate(tokens) if t in QUOTE_MARKS]
    if len(opens) < 2:
        return None
    if len(opens) == 4 and opens[1] == opens[0] + 1 and opens[3] == opens[2] + 1 \
            and {tokens[_] for _ in opens} == {"'"}:
        return opens[1], opens[2]      # `журнал ''Vogue''`: two apostrophes make each mark
    if len(opens) == 3 and any(is_word(_) for _ in tokens[opens[1] + 1:opens[2]]):
        return opens[1], opens[2]      # `"Дворец творчества и спорта "Пионер"`: the innermost name
    return opens[0], opens[-1]


def join(tokens: list[str], gaps: list[str]) -> str:
    out = []
    for token, gap in zip(tokens, gaps):
        out.append((' ' if gap else '') + token)
    return fold(''.join(out))


@lru_cache(maxsize=100_000)
def normalise_name(type: str, tokens: tuple[str, ...], gaps: tuple[str, ...], hints: NameHints | None = None):
    """(normal, kind, parts) of a name mention given its tokens and the spaces before each; a person's
    `hints` (the case and gender the words around it give) weigh in."""
    tokens = tuple(fold_hyphens(_) for _ in tokens)
    if type == 'PER':
        groups = word_groups(tokens, gaps)      # `О’Рейли` is one word
        hints = hints or NameHints()
        normals, parts = normal_person([''.join(tokens[_] for _ in group) for group in groups],
                                       hints.cases, hints.gender)
        out = list(tokens)
        for group, normal in zip(groups, normals):
            out[group[0]] = normal
            for index in group[1:]:
                out[index] = ''
        return join(out, list(gaps)), '', parts
    return normal_thing(type, tokens, gaps)


def normal_thing(type: str, tokens: tuple[str, ...], gaps: tuple[str, ...]):
    """(normal, kind, None) of an organisation or a place.

    A quoted name after a descriptor is kept as written (`ФГАНУ «ФИЦТО»` →
    `ФИЦТО`; with nested quotes the innermost name: `ГАУ ДО ТО "Дворец
    творчества и спорта "Пионер"` → `Пионер`); so is a Latin or capitalised
    name after a generic descriptor (`компании Harles und Jentzsch`, `Команда
    Феррари`); a place's descriptor is dropped (`реки Славянки` → `Славянка`,
    `города Тюмени` → `Тюмень`); everything else is inflected as a whole.
    """
    from pipeline.lang import places
    span = quoted(list(tokens))
    if span and (type == 'ORG' or any(is_word(_) for _ in tokens[:span[0]])):   # `аэропорту «Домодедово»`
        open_, close = span
        inner = list(tokens[open_ + 1:close])
        inner_gaps = list(gaps[open_ + 1:close])
        descriptor = [t for t in tokens[:open_] if is_word(t)]
        if not descriptor:
            inner = normal_tokens(inner, type)
        return join(inner, inner_gaps), places.kind_of(descriptor), None
    split = descriptor_split(type, tokens)
    if split:
        rest, rest_gaps = list(tokens[split:]), list(gaps[split:])
        rest_gaps[0] = ''
        kind = places.kind_of(list(tokens[:split]))
        if type == 'LOC':
            rest = normal_tokens(rest, type)
        return join(rest, rest_gaps), kind, None
    words = [_ for _ in tokens if is_word(_)]
    # `Челябинской области`: the place's kind ends its name
    kind = places.trailing_kind(words[-1]) if type == 'LOC' and len(words) > 1 else ''
    return join(normal_tokens(list(tokens), type), list(gaps)), kind, None


def descriptor_split(type: str, tokens: tuple[str, ...]) -> int | None:
    """Index of the name after a leading descriptor (adjectives + a generic word), if any:
    `лондонском районе Тоттенхэм`, `компании Harles und Jentzsch`, `ООО Ромашка`."""
    from pipeline.lang import places
    words = list(tokens)
    if len(words) < 2 or not all(is_word(_) for _ in words[:1]):
        return None
    if type == 'ORG' and places.is_site(words):
        return 1          # `сайт Lenta.ru` → `Lenta.ru`
    for index, word in enumerate(words[:-1]):
        if not is_word(word):
            return None
        head = word.rsplit('-', 1)[-1]
        if (type == 'LOC' and places.place_descriptor(word)) or (
                type == 'ORG' and places.descriptor(word, 'org') and (head[:1].islower() or index == 0)):
            following = words[index + 1]
            if not is_name_word(following):
                return None
            if type == 'ORG' and morph.is_cyrillic(following) and (
                    (following.isupper() and (word[:1].isupper() or places.descriptor(word, 'unit')))
                    or (places.lookup([following]) or places.Entry('', '', (), ())).type == 'LOC'
                    or any('Geox' in _.tag for _ in morph.parses(following))
                    or (not following.isupper() and genitive_noun(following))):
                return None       # `Комиссия ЕС`, `Федерация России`, `Совет Федерации`: part of the name
            return index + 1
        if not adj_parses(word) or (index and word[:1].isupper()):
            return None
    return None


def genitive_noun(word: str) -> bool:
    """A dictionary noun most likely in the genitive (`Федерации`; not `Юнайт`, a name)."""
    nouns = [_ for _ in noun_parses(word)
             if morph.in_dictionary(_) and not any(g in _.tag for g in NAME_GRAMMEMES)]
    return bool(nouns) and morph.attr(nouns[0].tag, 'case') == 'gent' and 'Fixd' not in nouns[0].tag


def is_name_word(word: str) -> bool:
    """A word a name may start with: a capital, a digit, a Latin letter."""
    return bool(word) and (word[0].isupper() or word[0].isdigit()
                           or (not morph.is_cyrillic(word) and is_word(word)))


def normal_tokens(tokens: list[str], type: str) -> list[str]:
    """Tokens of a name with its leading noun phrase in the nominative;
    abbreviations written in lower case in capitals (`миде Грузии` → `МИД Грузии`)."""
    words = [i for i, t in enumerate(tokens) if is_word(t)]
    normals = normal_phrase([tokens[_] for _ in words], type)
    out = list(tokens)
    for index, normal in zip(words, normals):
        out[index] = normal.upper() if type in ('ORG', 'LOC') and is_abbreviation_word(normal) else normal
    return out


def is_abbreviation_word(word: str) -> bool:
    """`мид`, `мчс`: a lower-case word pymorphy3 knows only as an abbreviation."""
    if not word.islower():
        return False
    parses = morph.parses(word)
    return bool(parses) and all('Abbr' in _.tag for _ in parses) and morph.in_dictionary(parses[0])


def mention_tokens(doc: Document, mention) -> tuple[tuple[str, ...], tuple[str, ...]]:
    tokens = doc.tokens_in(mention.start, mention.stop)
    if not tokens:
        return (mention.text,), ('',)
    texts, gaps, previous = [], [], tokens[0].start
    for token in tokens:
        texts.append(token.text)
        gaps.append(doc.text[previous:token.start])
        previous = token.stop
    return tuple(texts), tuple(gaps)


def run(doc: Document, res=None) -> Document:
    for index, mention in enumerate(doc.mentions):
        if mention.type not in NAME_TYPES or mention.normal:
            continue
        tokens, gaps = mention_tokens(doc, mention)
        normal, kind, parts = normalise_name(mention.type, tokens, gaps,
                                             mention.hints if mention.type == 'PER' else None)
        doc.mentions[index] = replace(mention, normal=normal, kind=mention.kind or kind, parts=parts)
    return doc
