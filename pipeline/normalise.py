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
  прорыве-2020` → `Цифровой прорыв-2020`), plural-only names kept plural
  (`Лужниках` → `Лужники`), other plurals made singular (`Кванториумов`);
- quoted names after a descriptor are kept as written (`ФГАНУ «ФИЦТО»` →
  `ФИЦТО`, kind `ФГАНУ`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from . import morph
from .person_names import normal_person, word_groups
from .document import NAME_TYPES, Document

HYPHENS = re.compile('[\u2010\u2011\u2012\u2043\u00ad]')
SPACES = re.compile(r'[\s\u00a0\u202f\u2009\u200b]+')
OPEN_QUOTES = '«"„“\''
CLOSE_QUOTES = '»"“”\''
QUOTES = set(OPEN_QUOTES + CLOSE_QUOTES)
CASES = ('nomn', 'gent', 'datv', 'accs', 'ablt', 'loct', 'voct', 'gen2', 'acc2', 'loc2')
DIGIT_SUFFIX = re.compile(r'^(.*[^\W\d_])(-\d[\w-]*)$')   # прорыве-2020


def fold(text: str) -> str:
    """Hyphens to U+002D, any run of spaces to one space."""
    return SPACES.sub(' ', HYPHENS.sub('-', text)).strip()


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


def agreement(adjectives: list[str], head: str):
    """The head's noun parse agreeing with every preceding adjective, and the
    adjectives' parses in that agreement."""
    heads = noun_parses(head)
    for head_parse in heads:
        case, number, gender = morph.attr(head_parse.tag, 'case'), morph.attr(head_parse.tag, 'number'), morph.attr(head_parse.tag, 'gender')
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
            if found is None:
                break
            chosen.append(found)
        else:
            return head_parse, chosen
    return (heads[0] if heads else None), None


def target_number(head_parse, type: str) -> str:
    """Keep plural for plural-only names (`Лужники`, `Нидерланды`), else singular."""
    tag = head_parse.tag
    if morph.attr(tag, 'number') != 'plur':
        return 'sing'
    if 'Pltm' in tag or morph.inflect(head_parse, 'sing', 'nomn') is None:
        return 'plur'
    return 'sing'


def normal_phrase(words: list[str], type: str) -> list[str]:
    """Put the leading noun phrase of `words` into the nominative."""
    head_index = None
    for index, word in enumerate(words):
        base, _ = split_suffix(word)
        if not morph.is_cyrillic(base) or (base.isupper() and len(base) > 1):
            break   # Latin names and abbreviations end the inflectable part
        if noun_parses(base) and not (adj_parses(base) and index + 1 < len(words)
                                      and noun_parses(split_suffix(words[index + 1])[0])
                                      and _agrees_forward(base, split_suffix(words[index + 1])[0])):
            head_index = index
            break
        if not adj_parses(base):
            break
    if head_index is None:
        return words
    adjectives = [split_suffix(_)[0] for _ in words[:head_index]]
    head, suffix = split_suffix(words[head_index])
    head_parse, adjective_parses = agreement(adjectives, head)
    if head_parse is None:
        return words
    number = target_number(head_parse, type)
    result = list(words)
    if morph.attr(head_parse.tag, 'case') == 'nomn' and morph.attr(head_parse.tag, 'number') == number and adjective_parses is not None:
        return result   # already nominative: leave as written
    result[head_index] = morph.inflect_word(head, head_parse, ('nomn', number)) + suffix
    if adjective_parses:
        gender = morph.attr(head_parse.tag, 'gender')
        for index, (word, parse) in enumerate(zip(adjectives, adjective_parses)):
            grammemes = ('nomn', number) if number == 'plur' or gender not in ('masc', 'femn', 'neut') \
                else ('nomn', number, gender)
            result[index] = morph.inflect_word(word, parse, grammemes) + split_suffix(words[index])[1]
    return result


def _agrees_forward(word: str, following: str) -> bool:
    """`Калужской области`: an adjective reading that agrees with the next noun."""
    for adjective in adj_parses(word):
        for noun in noun_parses(following):
            if morph.attr(adjective.tag, 'case') == morph.attr(noun.tag, 'case') and morph.attr(adjective.tag, 'number') == morph.attr(noun.tag, 'number'):
                return True
    return False


# ---------------------------------------------------------------- mentions

def quoted(tokens: list[str]) -> tuple[int, int] | None:
    """Indexes (open, close) of the outermost quotes around a name, if any."""
    opens = [i for i, t in enumerate(tokens) if t in QUOTES]
    if len(opens) < 2:
        return None
    return opens[0], opens[-1]


def join(tokens: list[str], gaps: list[str]) -> str:
    out = []
    for token, gap in zip(tokens, gaps):
        out.append((' ' if gap else '') + token)
    return fold(''.join(out))


@lru_cache(maxsize=100_000)
def normalise_name(type: str, tokens: tuple[str, ...], gaps: tuple[str, ...]):
    """(normal, kind, parts) of a name mention given its tokens and the spaces before each."""
    tokens = tuple(HYPHENS.sub('-', _) for _ in tokens)
    if type == 'PER':
        groups = word_groups(tokens, gaps)      # `О’Рейли` is one word
        normals, parts = normal_person([''.join(tokens[_] for _ in group) for group in groups])
        out = list(tokens)
        for group, normal in zip(groups, normals):
            out[group[0]] = normal
            for index in group[1:]:
                out[index] = ''
        return join(out, list(gaps)), '', parts
    span = quoted(list(tokens))
    if span and type == 'ORG':
        open_, close = span
        inner = list(tokens[open_ + 1:close])
        inner_gaps = list(gaps[open_ + 1:close])
        descriptor = [t for t in tokens[:open_] if is_word(t)]
        if not descriptor:
            inner = normal_tokens(inner, type)
        kind = join(normal_tokens(descriptor, type), list(gaps[:len(descriptor)])) if descriptor else ''
        return join(inner, inner_gaps), kind.lower() if kind and not kind.isupper() else kind, None
    return join(normal_tokens(list(tokens), type), list(gaps)), '', None


def normal_tokens(tokens: list[str], type: str) -> list[str]:
    """Tokens of a name with its leading noun phrase in the nominative."""
    words = [i for i, t in enumerate(tokens) if is_word(t)]
    normals = normal_phrase([tokens[_] for _ in words], type)
    out = list(tokens)
    for index, normal in zip(words, normals):
        out[index] = normal
    return out


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
        normal, kind, parts = normalise_name(mention.type, tokens, gaps)
        doc.mentions[index] = replace(mention, normal=normal, kind=kind or mention.kind, parts=parts)
    return doc
