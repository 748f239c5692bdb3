"""Link: mentions of one thing within one article share an entity.

Reads the normalised name mentions; adds `doc.entities` and sets each name
mention's `entity` (an index into `doc.entities`).

- People: full names first; a surname alone (`Разумовский`) or a first name
  with or without patronymic (`Никиты Андреевича`) joins the one person it
  fits, and stays apart when it fits several.
- Organisations and places: same folded normal form; a short form that is
  the head of exactly one longer name (`Колледжа` → `Колледж автоматизации
  производства`) or its initials (`ОКАС` → `Объединение когнитивных
  ассоциативных систем`) joins it.
"""

from __future__ import annotations

from dataclasses import replace

from .document import Document, Entity, NAME_TYPES


def key(text: str) -> str:
    return text.lower().replace('ё', 'е').replace('"', '').replace('«', '').replace('»', '').strip()


def abbreviation(name: str) -> str:
    """Initial letters of the significant words: `Объединение когнитивных ассоциативных систем` → `ОКАС`."""
    words = [_ for _ in name.replace('-', ' ').split() if len(_) > 2 or _[:1].isupper()]
    return ''.join(_[0] for _ in words).upper()


def person_entities(mentions: list[tuple[int, object]]) -> list[tuple[Entity, list[int]]]:
    """Group PER mentions: full names first, then the partial ones that fit exactly one."""
    groups: list[dict] = []

    def fits(group, first, middle, last):
        if last and (not group['last'] or key(last) != key(group['last'])):
            return False
        if first and group['first'] and not compatible_first(first, group['first']):
            return False
        if middle and group['middle'] and key(middle) != key(group['middle']):
            return False
        return bool(last) or (bool(first) and bool(group['first']))

    def full(mention):
        parts = mention.parts or ('', '', '')
        return bool(parts[0] and parts[2])

    for index, mention in sorted(mentions, key=lambda item: (not full(item[1]), item[0])):
        first, middle, last = mention.parts or ('', '', mention.normal)
        candidates = [_ for _ in groups if fits(_, first, middle, last)]
        if len(candidates) == 1:
            group = candidates[0]
            for field, value in (('first', first), ('middle', middle)):
                if value and (not group[field] or group[field].endswith('.')):
                    group[field] = value
            group['members'].append(index)
        else:
            groups.append({'first': first, 'middle': middle, 'last': last, 'members': [index]})
    result = []
    for group in groups:
        parts = (group['first'], group['last']) if group['first'] and group['last'] else \
            (group['first'], group['middle'], group['last'])
        name = ' '.join(_ for _ in parts if _)
        result.append((Entity('PER', name, first=group['first'], middle=group['middle'],
                              last=group['last']), group['members']))
    return result


def compatible_first(a: str, b: str) -> bool:
    """`Н.` fits `Никита`; full first names must be equal."""
    a, b = key(a), key(b)
    if a.endswith('.') or b.endswith('.'):
        return a[0] == b[0]
    return a == b


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
