"""Link: mentions of one thing within one article share an entity.

Reads the normalised name mentions; adds `doc.entities` and sets each name
mention's `entity` (an index into `doc.entities`).

- People (`person_entities`): full names first; a surname alone
  (`Разумовский`, `Лофнеру`) or a first name with or without patronymic
  (`Никиты Андреевича`) joins the one person it fits in any of its likely
  readings, gender permitting (`Бута` is a man; `Бут рассказала` a woman),
  and stays apart when it fits several; the person's name is first + last.
- Organisations and places: same folded normal form; a short form that is
  the head of exactly one longer name (`Колледжа` → `Колледж автоматизации
  производства`) or its initials (`ОКАС` → `Объединение когнитивных
  ассоциативных систем`) joins it.
"""

from __future__ import annotations

from dataclasses import replace

from .document import Document, Entity, NAME_TYPES
from .person_names import Name, candidate_names, compatible, first_fits


def key(text: str) -> str:
    return text.lower().replace('ё', 'е').replace('"', '').replace('«', '').replace('»', '').strip()


def abbreviation(name: str) -> str:
    """Initial letters of the significant words: `Объединение когнитивных ассоциативных систем` → `ОКАС`."""
    words = [_ for _ in name.replace('-', ' ').split() if len(_) > 2 or _[:1].isupper()]
    return ''.join(_[0] for _ in words).upper()


def person_entities(mentions: list[tuple[int, object]]) -> list[tuple[Entity, list[int]]]:
    """Group PER mentions into people.

    Each mention brings its likely readings (`person_names.candidate_names`:
    `Лофнеру` may be `Лофнеру` or the dative of `Лофнер`). Full names (first
    and last) come first, in text order, and join the person whose name they
    fit. A partial mention (a surname, a first name with or without
    patronymic) then joins the one person it fits, with its gender as the
    form (`Бута` is a man: a woman's `Бут` does not decline) or the verb
    after it (`Бут рассказала`) tells it; when it fits several it stays
    apart, with the partial mentions like it. A Latin name in brackets right
    after a name is that person (`Джошуа Вольф (Joshua Wolf)`). The person's
    name is the reading most of its mentions support: `Александра Дмитриева`
    is `Александр Дмитриев` when the article also says `Александр`.
    """
    items = []
    for index, mention in mentions:
        details = dict(_ for _ in mention.extra if isinstance(_, tuple) and len(_) == 2)
        names = candidate_names(mention.text, details.get('case_context', ()))
        if not names:
            first, middle, last = mention.parts or ('', '', mention.normal or mention.text)
            names = (Name(first, middle, last, None, 1.0),)
        hint = details.get('gender')
        items.append(dict(index=index, start=mention.start, stop=mention.stop, names=names, hint=hint,
                          latin=not any('а' <= _.lower() <= 'я' or _ in 'ёЁ' for _ in mention.text)))
    items.sort(key=lambda _: _['start'])
    groups: list[dict] = []
    group_of: dict[int, dict] = {}

    def add(group, item, names=True):
        group['members'].append(item)
        if names:
            group['names'].extend(item['names'])
        group_of[item['index']] = group

    def new_group(item):
        group = {'members': [], 'names': [], 'plural': item['names'][0].plural}
        groups.append(group)
        add(group, item)

    def fit(item, group, full_only, hint=None):
        """The weight of the item's best reading that fits the group (0: none)."""
        if group['plural'] or item['names'][0].plural:
            return 0.0
        return max((name.weight for name in item['names'] for other in group['names']
                    if (other.full or not full_only) and (name.full or not item['names'][0].full)
                    and compatible(name, other) and not (hint and other.gender and other.gender != hint)),
                   default=0.0)

    def choose(item, found):
        """The one group among (weight, group) pairs the item belongs to, if one."""
        if len(found) > 1:
            found = [_ for _ in found if _[0] >= 1.0] or found
        return found[0][1] if len(found) == 1 else None

    appositions = {}
    for previous, item in zip(items, items[1:]):
        if not previous['latin'] and 0 <= item['start'] - previous['stop'] <= 3 and (
                item['latin'] or (previous['names'][0].full and not item['names'][0].first)):
            # `Джоэл Саймон (Joel Simon)`, `Екатерина Аталык (Половникова)`
            appositions[item['index']] = previous['index']
    for item in items:
        if item['index'] in appositions or not item['names'][0].full or item['names'][0].plural:
            continue
        found = [(fit(item, _, True), _) for _ in groups]
        found = sorted([_ for _ in found if _[0] > 0 and any(n.full for n in item['names'])],
                       key=lambda _: -_[0])
        group = found[0][1] if found else None
        if group is None:
            new_group(item)
        else:
            add(group, item)
    for item in items:
        if item['index'] in group_of or item['index'] in appositions:
            continue
        people = [_ for _ in groups if any(n.full for n in _['names'])]
        found = [(weight, _) for _ in people if (weight := fit(item, _, True)) > 0]
        if len(found) > 1 and item['hint']:     # `Бут рассказала`: Алла, not Виктор Бут
            found = [(weight, _) for _ in people if (weight := fit(item, _, True, item['hint'])) > 0] or found
        group = choose(item, found)
        if group is None:
            others = [_ for _ in groups if _ not in people]
            found = sorted([(weight, _) for _ in others if (weight := fit(item, _, False)) > 0],
                           key=lambda _: -_[0])
            group = found[0][1] if found else None
        if group is None:
            new_group(item)
        else:
            add(group, item)
    for index, antecedent in sorted(appositions.items()):
        while antecedent in appositions:
            antecedent = appositions[antecedent]
        item = next(_ for _ in items if _['index'] == index)
        add(group_of[antecedent], item, names=False) if antecedent in group_of else new_group(item)
    result = []
    for group in groups:
        entity = person_entity(group)
        result.append((entity, sorted(_['index'] for _ in group['members'])))
    return result


def person_entity(group: dict) -> Entity:
    """The name most of the group's mentions support: first + last when both are known."""
    names = group['names']
    options = [_ for _ in names if _.full] or names
    best, best_support = options[0], -1.0
    for option in options:
        support = sum(max((_.weight for _ in member['names'] if _ == option or compatible(_, option)),
                          default=0.0) for member in group['members'])
        if support > best_support + 1e-9 or (abs(support - best_support) < 1e-9 and option.weight > best.weight):
            best, best_support = option, support
    first, middle, last = best.first, best.middle, best.last
    for member in group['members']:
        name = member['names'][0]
        if not compatible(name, best) and not (name.first and first and compatible_first(name.first, first)):
            continue
        if name.middle and not middle:
            middle = name.middle
        if name.first and first.endswith('.') and not name.first.endswith('.') and compatible_first(name.first, first):
            first = name.first
    if not (first or last):
        first, middle = middle, ''
    name = f'{first} {last}' if first and last else first or last
    return Entity('PER', name, first=first, middle=middle, last=last)


def compatible_first(a: str, b: str) -> bool:
    """`Н.` fits `Никита`; full first names must be equal."""
    return first_fits(a, b)


def thing_entities(type: str, mentions: list[tuple[int, object]]) -> list[tuple[Entity, list[int]]]:
    """Group ORG or LOC mentions by normal form, short forms joining long ones."""
    groups: dict[str, dict] = {}
    for index, mention in mentions:
        name = mention.normal or mention.text
        group = groups.setdefault(key(name), {'name': name, 'kind': mention.kind, 'members': []})
        group['members'].append(index)
        if mention.kind and not group['kind']:
            group['kind'] = mention.kind
    keys = sorted(groups, key=len, reverse=True)
    merged_into: dict[str, str] = {}
    for short in keys:
        if ' ' in short:
            continue
        targets = [long for long in keys if long != short and long not in merged_into and (
            long.split()[0] == short or abbreviation(groups[long]['name']) == groups[short]['name'])]
        if len(targets) == 1:
            merged_into[short] = targets[0]
    for short, long in merged_into.items():
        groups[long]['members'].extend(groups[short]['members'])
    result = []
    for name_key, group in groups.items():
        if name_key in merged_into:
            continue
        result.append((Entity(type, group['name'], kind=group['kind']), sorted(group['members'])))
    return result


def run(doc: Document, res=None) -> Document:
    by_type: dict[str, list] = {_: [] for _ in NAME_TYPES}
    for index, mention in enumerate(doc.mentions):
        if mention.type in by_type:
            by_type[mention.type].append((index, mention))
    found = person_entities(by_type['PER'])
    for type in ('ORG', 'LOC'):
        found.extend(thing_entities(type, by_type[type]))
    found.sort(key=lambda item: min(doc.mentions[_].start for _ in item[1]))
    doc.entities = []
    for entity, members in found:
        number = len(doc.entities)
        doc.entities.append(entity)
        for index in members:
            doc.mentions[index] = replace(doc.mentions[index], entity=number)
    return doc
