"""Link: mentions of one thing within one article share an entity.

Reads the normalised name mentions; adds `doc.entities` and sets each name
mention's `entity` (an index into `doc.entities`).

- People (`person_entities`): full names first; a surname alone
  (`Разумовский`, `Лофнеру`) or a first name with or without patronymic
  (`Никиты Андреевича`) joins the one person it fits in any of its likely
  readings, gender permitting (`Бута` is a man; `Бут рассказала` a woman),
  and stays apart when it fits several; the person's name is first + last.
- Organisations and places (`thing_entities`): same folded normal form;
  other names of one thing in the gazetteer (`КНР` → `Китай`); a name and
  its abbreviation in brackets (`rules.orgs` marks them); a place's
  adjective or its name (`японский МИД`, `МИД Японии`); a short form that
  begins exactly one longer name (`Колледжа` → `Колледж автоматизации
  производства`, `Конгресс` → `Конгресс США`) or is its initials (`ОКАС` →
  `Объединение когнитивных ассоциативных систем`) joins it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from itertools import pairwise

from pipeline.document import NAME_TYPES, Document, Entity, NameHints
from pipeline.lang import places
from pipeline.lang.names import INITIAL, Name, candidate_names, compatible, first_fits, words_of
from pipeline.lang.text import fold_key

# a bare surname that fits several people goes to one named this many times as often as any other
SALIENT = 2


def key(text: str) -> str:
    return fold_key(text)


def abbreviation(name: str) -> str:
    """Initial letters of the significant words: `Объединение когнитивных ассоциативных систем` → `ОКАС`."""
    words = [_ for _ in name.replace('-', ' ').split() if len(_) > 2 or _[:1].isupper()]
    return ''.join(_[0] for _ in words).upper()


def person_entities(mentions: list[tuple[int, object]],
                    text: str | None = None) -> list[tuple[Entity, list[int]]]:
    """Group PER mentions into people.

    Each mention brings its likely readings (`person_names.candidate_names`:
    `Лофнеру` may be `Лофнеру` or the dative of `Лофнер`). Full names (first
    and last) come first, in text order, and join the person whose name they
    fit. A partial mention (a surname, a first name with or without
    patronymic) then joins the one person it fits, with its gender as the
    form (`Бута` is a man: a woman's `Бут` does not decline) or the verb
    after it (`Бут рассказала`) tells it; when it fits several it joins the
    one named at least twice as often as any other (the person the article
    is about), or else stays apart, with the partial mentions like it. A
    Latin name in brackets right after a name is that person (`Джошуа Вольф
    (Joshua Wolf)`). The person's name is the reading most of its mentions
    support, in the gender the verbs give (`Александра Дмитриева` is
    `Александр Дмитриев` when the article also says `Александр`; `Евгения
    Минченко` is `Евгений` when `отметил Минченко`); a person with no
    surname keeps the patronymic (`Наина Иосифовна`).
    """
    items = sorted((person_item(index, mention) for index, mention in mentions), key=lambda _: _['start'])
    appositions = apposition_pairs(items, text)
    people = People()
    for item in items:
        if item['index'] in appositions or not item['names'][0].full or item['names'][0].plural:
            continue
        people.join_full_name(item)
    for item in items:
        if item['index'] in people.group_of or item['index'] in appositions:
            continue
        people.join_partial_name(item)
    for index, antecedent in sorted(appositions.items()):
        while antecedent in appositions:
            antecedent = appositions[antecedent]
        item = next(_ for _ in items if _['index'] == index)
        if antecedent in people.group_of:
            people.add(people.group_of[antecedent], item, names=False)
        else:
            people.new_group(item)
    return [(person_entity(group), sorted(_['index'] for _ in group['members'])) for group in people.groups]


def person_item(index: int, mention) -> dict:
    """A PER mention with its likely readings, its gender hint and whether it is written in Latin."""
    hints = mention.hints or NameHints()
    names = candidate_names(mention.text, hints.cases)
    if not names:
        first, middle, last = mention.parts or ('', '', mention.normal or mention.text)
        names = (Name(first, middle, last, None, 1.0),)
    return dict(index=index, start=mention.start, stop=mention.stop, names=names, hint=hints.gender,
                normal=key(mention.normal or mention.text),
                latin=not any('а' <= _.lower() <= 'я' or _ in 'ёЁ' for _ in mention.text))


def apposition_pairs(items: list[dict], text: str | None) -> dict[int, int]:
    """Mention index → the index of the name right before it that it restates in brackets."""
    appositions = {}
    for previous, item in pairwise(items):
        if not previous['latin'] and 0 <= item['start'] - previous['stop'] <= 3 and (
                text is None or '(' in text[previous['stop']:item['start']]) and (
                item['latin'] or (previous['names'][0].full and not item['names'][0].first)):
            # `Джоэл Саймон (Joel Simon)`, `Екатерина Аталык (Половникова)`
            appositions[item['index']] = previous['index']
    return appositions


class People:
    """The people of one article as they are built: groups of mention items, each with the readings
    of its names (`names`, each reading once: `known` maps a reading to its place in `names`)."""

    def __init__(self):
        self.groups: list[dict] = []
        self.group_of: dict[int, dict] = {}

    def add(self, group: dict, item: dict, names: bool = True) -> None:
        group['members'].append(item)
        if names:   # each reading once, at its highest weight: a person named 5,000 times stays cheap to fit
            known = group['known']
            for name in item['names']:
                reading = (name.first, name.middle, name.last, name.gender, name.plural)
                if reading not in known:
                    known[reading] = len(group['names'])
                    group['names'].append(name)
                elif name.weight > group['names'][known[reading]].weight:
                    group['names'][known[reading]] = name
        self.group_of[item['index']] = group

    def new_group(self, item: dict) -> None:
        group = {'members': [], 'names': [], 'known': {}, 'plural': item['names'][0].plural}
        self.groups.append(group)
        self.add(group, item)

    def join(self, item: dict, group: dict | None) -> None:
        """Add the mention to the group it fits, or start its own."""
        if group is None:
            self.new_group(item)
        else:
            self.add(group, item)

    def join_full_name(self, item: dict) -> None:
        """A full name joins the person whose full name it fits best, or starts one."""
        found = [(fit(item, _, True), _) for _ in self.groups]
        found = sorted([_ for _ in found if _[0] > 0 and any(n.full for n in item['names'])],
                       key=lambda _: -_[0])
        self.join(item, found[0][1] if found else None)

    def join_partial_name(self, item: dict) -> None:
        """A surname or first name joins the one person it fits (gender, salience permitting), else
        the best-fitting group of partial names like it, else starts its own."""
        people = [_ for _ in self.groups if any(n.full for n in _['names'])]
        found = [(weight, _) for _ in people if (weight := fit(item, _, True)) > 0]
        if len(found) > 1 and item['hint']:     # `Бут рассказала`: Алла, not Виктор Бут
            found = [(weight, _) for _ in people if (weight := fit(item, _, True, item['hint'])) > 0] or found
        group = choose(found)
        if group is None:
            others = [_ for _ in self.groups if _ not in people]
            found = sorted([(weight, _) for _ in others if (weight := fit(item, _, False)) > 0],
                           key=lambda _: -_[0])
            group = found[0][1] if found else None
        self.join(item, group)


def fit(item: dict, group: dict, full_only: bool, hint: str | None = None) -> float:
    """The weight of the item's best reading that fits the group (0: none)."""
    if group['plural'] or item['names'][0].plural:
        return 0.0
    return max((name.weight for name in item['names'] for other in group['names']
                if (other.full or not full_only) and (name.full or not item['names'][0].full)
                and compatible(name, other) and not (hint and other.gender and other.gender != hint)),
               default=0.0)


def choose(found: list[tuple[float, dict]]) -> dict | None:
    """The one group among (weight, group) pairs the item belongs to, if one."""
    if len(found) > 1:
        found = [_ for _ in found if _[0] >= 1.0] or found
    if len(found) > 1:      # the person the article is about: named at least twice as often as the others
        found = sorted(found, key=lambda _: -len(_[1]['members']))
        if len(found[0][1]['members']) >= SALIENT * len(found[1][1]['members']):
            found = found[:1]
    return found[0][1] if len(found) == 1 else None


def person_entity(group: dict) -> Entity:
    """The name most of the group's mentions support: first + last when both are known."""
    names = group['names']
    hints = {_['hint'] for _ in group['members']} - {None}
    fitting = [_ for _ in names if _.gender in (None, *hints)]
    if len(hints) == 1 and any(_.full for _ in fitting):
        names = fitting     # `отметил Минченко`: `Евгения Минченко` is Евгений, in the genitive
    options = [_ for _ in names if _.full] or names
    best, best_support = options[0], -1.0
    for option in options:
        support = sum(max((_.weight for _ in member['names'] if _ == option or compatible(_, option)),
                          default=0.0) for member in group['members'])
        if support > best_support + 1e-9 or (
                abs(support - best_support) < 1e-9 and option.weight > best.weight):
            best, best_support = option, support
    first, middle, last = best.first, best.middle, best.last
    for member in group['members']:
        name = member['names'][0]
        if not compatible(name, best) and not (name.first and first and compatible_first(name.first, first)):
            continue
        if name.middle and not middle:
            middle = name.middle
        if (name.first and first.endswith('.') and not name.first.endswith('.')
                and compatible_first(name.first, first)):
            first = name.first
    if not (first or last):
        first, middle = middle, ''
    name = f'{first} {last}' if first and last else (f'{first} {middle}' if first and middle and not
                                                       first.endswith('.') else first or last)
    if first and last and any(_['normal'] in (key(f'{last} {first}'), key(f'{last} {first} {middle}'))
                              for _ in group['members']):
        # written surname first (`Ху Цзиньтао`, `Ким Чен Ир`): so named
        name = ' '.join(filter(None, (last, first, middle)))
    return Entity('PER', name, first=first, middle=middle, last=last)


def compatible_first(a: str, b: str) -> bool:
    """`Н.` fits `Никита`; full first names must be equal."""
    return first_fits(a, b)


def thing_entities(type: str, mentions: list[tuple[int, object]]) -> list[tuple[Entity, list[int]]]:
    """Group ORG or LOC mentions into things.

    Mentions join when their normal forms are the same (folded); when the
    gazetteer knows them as names of one thing (`Китай`, `КНР`, `Поднебесная`;
    `ЕС`, `Евросоюз`; `Большая двадцатка`, `G-20`); when one stands in
    brackets after the other (`Движение против нелегальной иммиграции (ДПНИ)`:
    `rules.orgs` marks them in `links.same_as`); when one names a place by its adjective
    and the other by its name (`японский МИД`, `МИД Японии`); and a short
    form joins the one longer name it begins (`Колледжа` → `Колледж
    автоматизации производства`, `Конгресс` → `Конгресс США`) or abbreviates
    (`ОКАС` → `Объединение когнитивных ассоциативных систем`). The thing's
    name is the most frequent of its full names (a name that only begins
    another does not count), the first one on a tie.
    """
    things = Things()
    for index, mention in mentions:
        things.add(index, mention)
    for _index, mention in mentions:               # `Комитет защиты журналистов (КЗЖ)`
        for start in mention.links.same_as if mention.links else ():
            if start in things.by_start:
                things.union(things.by_start[mention.start], things.by_start[start])
    things.join_aliases(type)
    things.join_short_forms()
    return things.entities(type)


class Things:
    """Organisations or places as they are built: a group per folded name (`names` as (start, name),
    `kind`, `members`), groups joined by union-find."""

    def __init__(self):
        self.groups: dict[str, dict] = {}
        self.parent: dict[str, str] = {}
        self.by_start: dict[int, str] = {}

    def find(self, name_key: str) -> str:
        parent = self.parent
        while parent[name_key] != name_key:
            parent[name_key] = parent[parent[name_key]]
            name_key = parent[name_key]
        return name_key

    def union(self, a: str, b: str) -> None:
        a, b = self.find(a), self.find(b)
        if a != b:
            self.parent[b] = a

    def add(self, index: int, mention) -> None:
        name = mention.normal or mention.text
        name_key = key(name)
        if not name_key:
            return
        group = self.groups.setdefault(name_key, {'names': [], 'kind': '', 'members': []})
        self.parent.setdefault(name_key, name_key)
        group['names'].append((mention.start, name))
        group['members'].append(index)
        if mention.kind and not group['kind']:
            group['kind'] = mention.kind
        self.by_start[mention.start] = name_key

    def join_aliases(self, type: str) -> None:
        """`КНР` is `Китай` (the gazetteer); `японский МИД` is `МИД Японии`."""
        aliases: dict[str, str] = {}
        for name_key, group in self.groups.items():
            for marker in filter(None, (places.alias_key(type, group['names'][0][1]),
                                        place_signature(group['names'][0][1]))):
                if marker in aliases:
                    self.union(aliases[marker], name_key)
                else:
                    aliases[marker] = name_key

    def join_short_forms(self) -> None:
        """A short form joins the one longer name it begins or abbreviates."""
        groups, find = self.groups, self.find
        keys = sorted(groups, key=len, reverse=True)
        for short in keys:
            words = short.split()
            short_name = groups[short]['names'][0][1]
            targets = {find(long) for long in keys if long != short and (
                (len(long.split()) > len(words) and long.split()[:len(words)] == words)
                or (' ' not in short and abbreviation(groups[long]['names'][0][1]) == short_name))}
            targets.discard(find(short))
            if len(targets) == 1:
                self.union(targets.pop(), short)

    def entities(self, type: str) -> list[tuple[Entity, list[int]]]:
        """One entity per set of joined groups, with the indexes of its mentions."""
        merged: dict[str, list[str]] = {}
        for name_key in self.groups:
            merged.setdefault(self.find(name_key), []).append(name_key)
        result = []
        for members in merged.values():
            names = [name for _ in members for name in self.groups[_]['names']]
            kind = next((self.groups[_]['kind'] for _ in members if self.groups[_]['kind']), '')
            indexes = sorted(index for _ in members for index in self.groups[_]['members'])
            result.append((Entity(type, entity_name(names), kind=kind), indexes))
        return result


def entity_name(names: list[tuple[int, str]]) -> str:
    """The most frequent full name (one that begins no other), the earliest on a tie."""
    keys = {key(name) for _, name in names}
    full = [(start, name) for start, name in names
            if not any(other != key(name) and other.split()[:len(key(name).split())] == key(name).split()
                       for other in keys)]
    counts: dict[str, int] = {}
    first: dict[str, tuple[int, str]] = {}
    for start, name in sorted(full or names):
        counts[key(name)] = counts.get(key(name), 0) + 1
        first.setdefault(key(name), (start, name))
    best = max(counts, key=lambda _: (counts[_], -first[_][0]))
    return first[best][1]


def place_signature(name: str) -> str | None:
    """`японский МИД` and `МИД Японии` → one signature: the words' lemmas with a
    place's adjective read as the place; None unless a place and another word are in it."""
    words = name.split()
    if len(words) < 2:
        return None
    found, place = [], False
    for word in words:
        entry = places.place_of_adjective(word)
        entry = entry or places.lookup([word])
        if entry is not None and entry.type == 'LOC':
            found.append('@' + entry.name)
            place = True
        else:
            found.append(min(places.lemmas(word)))
    return ' '.join(sorted(found)) if place and len(found) > 1 else None


def run(doc: Document, res=None) -> Document:
    by_type: dict[str, list] = {_: [] for _ in NAME_TYPES}
    for index, mention in enumerate(doc.mentions):
        if mention.type in by_type:
            by_type[mention.type].append((index, mention))
    found = person_entities(by_type['PER'], doc.text)
    for type in ('ORG', 'LOC'):
        found.extend(thing_entities(type, by_type[type]))
    found.sort(key=lambda item: min(doc.mentions[_].start for _ in item[1]))
    doc.entities = []
    for entity, members in found:
        number = len(doc.entities)
        doc.entities.append(entity)
        for index in members:
            doc.mentions[index] = replace(doc.mentions[index], entity=number,
                                          normal=agreed(doc.mentions[index], entity))
    return doc


def agreed(mention, entity: Entity) -> str:
    """A one-word person mention's normal as its person's surname or first name, when the word can be
    that name's form (`Путина` of Владимир Путин is `Путин`, not the woman's surname `Путина`)."""
    normal = mention.normal
    words = words_of(mention.text)
    names = tuple(_ for _ in words if not INITIAL.match(_))
    if entity.type != 'PER' or not normal or names != words[-1:] or key(normal) in (
            key(entity.last), key(entity.first)):
        return normal
    for name in candidate_names(mention.text):
        for part in (entity.last, entity.first):
            if part and key(name.last or name.first) == key(part) and not part.endswith('.'):
                if len(words) == 1:
                    return part
                last = LAST_WORD.search(normal)     # initials before the surname stay: `А.Третьяк`
                return normal[:last.start()] + part if last else normal
    return normal


LAST_WORD = re.compile(r"[^\W\d_][\w'’-]*$")
