"""Registry: one global id for each real-world person, organisation and place across all articles.

Reads the live `entities`, `persons`, the PER/ORG/LOC mention normals and
`documents` of an output folder, and the registry state of its last build;
gives every entity a `global_id` and writes the `registry` table (one row per
global id: canonical name, aliases, type, article count, first and last
seen) and `registry_entities` (entity_id → global_id). store.py rebuilds it
at the end of every finished run that changed the tables.

How it decides (in this order, for each entity not linked before):

1. Keys. An entity has strong keys: its name and its mentions' normal names
   (folded: lower case, `ё` as `е`, quotes and repeated spaces dropped), the
   gazetteer name of a known place or organisation (`РФ`, `Российская
   Федерация` → `Россия`), a name read with its place (`японское
   правительство` and `правительство Японии` are one), and for a person the
   pair first name + surname (`э` as `е` too: `Сэйдзи`, `Сейдзи`)
   (`Владимир Владимирович Путин` and `Владимир Путин` share `владимир
   путин`; a bare surname or an initial is never a strong key). If a strong
   key already has a global id, the entity takes it; keys are first-come:
   the entity's own name is tried first, then its aliases.
2. A person named by surname alone (`Бонер`), or initial and surname (`В.
   Путин`), joins the one registered person with that surname (and initial)
   and a full name. With none it joins the other bare `Бонер`s of earlier
   articles; with two or more (`Иванов`: Сергей and Пётр) it merges with
   neither and files under an explicitly ambiguous `Иванов`.
3. A full name whose surname so far stood alone (`Путин` before any
   `Владимир Путин`) takes that surname's id: the person is now named.
4. Safeguards: a person with a first name only (`Маша`), and an organisation
   named by a generic word only (`правительство`, `министерство`), never
   merge across articles: each article's is its own global id.

Ids are stable: an entity of a document that has not changed since the last
build keeps its global id, and every key keeps the id it first got, so an id
never changes once given, whatever later runs bring. New entities are
resolved in a fixed order (full names before bare surnames; then by
publication date, doc_id, entity_id), so the result does not depend on the
number of workers or chunk sizes; it may depend on how articles were split
across runs (a bare surname that was unambiguous when it came keeps its id).
"""

from __future__ import annotations

from collections import Counter, defaultdict, namedtuple
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from pipeline.lang.text import fold_key
from pipeline.store import schemas

PREFIX = {'PER': 'P', 'ORG': 'O', 'LOC': 'L'}
MAX_ALIASES = 30


def fold(text: str) -> str:
    return fold_key(str(text))


def fold_person(text: str) -> str:
    """A name part folded, `э` as `е` too: foreign names are spelt both ways (`Сэйдзи`, `Сейдзи`)."""
    return fold(text).replace('э', 'е')


def is_initial(word: str | None) -> bool:
    return bool(word) and len(word.rstrip('.')) <= 1


def number_of(global_id: str) -> int:
    return int(global_id[1:])


@dataclass(slots=True)
class State:
    """What a build leaves for the next: links of entities to ids, and every key given so far."""
    links: pd.DataFrame       # entity_id, doc_id, sha256, global_id
    keys: dict[str, str]      # key -> global_id, first come

    @classmethod
    def empty(cls) -> State:
        return cls(pd.DataFrame(columns=['entity_id', 'doc_id', 'sha256', 'global_id'], dtype='string'), {})


@dataclass(slots=True)
class Person:
    first: str = ''      # folded
    last: str = ''
    initial: str = ''    # first letter of the first name or initial


@dataclass(slots=True)
class Candidate:
    """One entity to resolve, with what the rules look at."""
    entity_id: str
    doc_id: str
    type: str
    name: str
    strong: list[str] = field(default_factory=list)
    person: Person | None = None
    local: bool = False   # never merges across articles

    @property
    def rank(self) -> int:
        """Full names first, then initial + surname, then bare surnames."""
        if self.person is None or (self.person.first and not is_initial(self.person.first)):
            return 0
        return 1 if self.person.initial else 2


def rows(frame: pd.DataFrame, columns: list[str]):
    """The frame's rows as named tuples of plain Python values (iterating Arrow-backed columns is slow)."""
    Row = namedtuple('Row', columns)
    return [Row(*_) for _ in zip(*(frame[column].tolist() for column in columns))]


def warm() -> None:
    """Load what a build needs (morphology, gazetteer, the schema checks' imports) ahead of it: a run
    with worker processes does this in a thread of its idle main process, not after the last chunk."""
    from pipeline.lang import places
    generic_orgs()
    places.name_prefixes()
    gazetteer_name('LOC', 'Москвы')
    place_signature('японское правительство')
    schemas.check('registry', schemas.frame('registry', []))


@lru_cache(maxsize=1)
def generic_orgs() -> frozenset[str]:
    from pipeline.lang.words import words
    return frozenset(fold(row[0]) for row in words('org_descriptors'))


@lru_cache(maxsize=100_000)
def gazetteer_name(type: str, name: str) -> str | None:
    from pipeline.lang import places
    entry = places.lookup(name.split())
    return entry.name if entry is not None and entry.type == type else None


@lru_cache(maxsize=100_000)
def place_signature(name: str) -> str | None:
    from pipeline.stages.link import place_signature
    return place_signature(name)


def candidates(entities: pd.DataFrame, persons: pd.DataFrame, aliases: dict[str, list[str]],
               kept: dict[str, str]) -> list[Candidate]:
    """The entities with their keys; those `kept` from the last build need only their name parts
    (their keys were given then)."""
    generic = generic_orgs()
    parts = {row.entity_id: row for row in rows(persons, ['entity_id', 'first', 'last'])}
    found = []
    for row in rows(entities, ['entity_id', 'doc_id', 'type', 'name']):
        item = Candidate(row.entity_id, row.doc_id, row.type, row.name)
        names = [row.name] + [_ for _ in aliases.get(row.entity_id, ()) if _ != row.name]
        if row.type == 'PER':
            part = parts.get(row.entity_id)
            first = fold_person(part.first) if part is not None and isinstance(part.first, str) else ''
            last = fold_person(part.last) if part is not None and isinstance(part.last, str) else ''
            item.person = Person(first, last, first[:1] if first else '')
            if first and last and not is_initial(first):
                item.strong.append(f'PER|{first} {last}')
            elif not last:
                item.local = True    # a first name alone
        elif row.entity_id not in kept:
            for name in names:
                canonical = gazetteer_name(row.type, name)
                if canonical:
                    item.strong.append(f'{row.type}|{fold(canonical)}')
            for name in names:
                key = fold(name)
                if key and (len(key.split()) > 1 or key not in generic):
                    item.strong.append(f'{row.type}|{key}')
                signature = place_signature(name)
                if signature:   # `японское правительство` is `правительство Японии`
                    item.strong.append(f'{row.type}#{signature}')
            item.local = not item.strong
        item.strong = list(dict.fromkeys(item.strong))
        found.append(item)
    return found


class Builder:
    def __init__(self, state: State):
        self.keys = dict(state.keys)
        self.next = Counter()
        for global_id in set(self.keys.values()):
            self.next[global_id[0]] = max(self.next[global_id[0]], number_of(global_id))
        # folded surname -> ids of persons with a full name
        self.named: dict[str, set[str]] = defaultdict(set)
        self.initials: dict[str, set[str]] = {}              # id -> first letters of its full names

    def new_id(self, type: str) -> str:
        prefix = PREFIX[type]
        self.next[prefix] += 1
        return f'{prefix}{self.next[prefix]:06d}'

    def claim(self, key: str, global_id: str) -> None:
        self.keys.setdefault(key, global_id)

    def learn(self, item: Candidate, global_id: str) -> None:
        """Record what a linked entity tells about its id."""
        for key in item.strong:
            self.claim(key, global_id)
        person = item.person
        if person is not None and person.last and person.first and not is_initial(person.first):
            self.named[person.last].add(global_id)
            self.initials.setdefault(global_id, set()).add(person.initial)

    def resolve(self, item: Candidate) -> str:
        if item.local:
            return self.local(item)
        for key in item.strong:
            if key in self.keys:
                return self.keys[key]
        person = item.person
        if person is None:
            return self.new_id(item.type)
        bare = f'PER~{person.last}'
        if item.rank == 0:   # a full name seen for the first time: a surname that stood alone is now named
            alone = self.keys.get(bare)
            if alone is not None and alone not in self.initials:
                return alone
            alone = self.keys.get(f'PER~{person.initial} {person.last}')
            if alone is not None and alone not in self.initials:
                return alone
            return self.new_id('PER')
        named = self.named.get(person.last, set())
        if person.initial:
            named = {_ for _ in named if person.initial in self.initials[_]}
        if len(named) == 1:
            return next(iter(named))
        if named:
            key = f'PER?{person.last}'      # two or more people have this surname: merge with none
        else:
            key = f'PER~{person.initial} {person.last}' if person.initial else bare
        if key not in self.keys:
            self.keys[key] = self.new_id('PER')
        return self.keys[key]

    def local(self, item: Candidate) -> str:
        key = f'{item.type}@{item.entity_id}'
        if key not in self.keys:
            self.keys[key] = self.new_id(item.type)
        return self.keys[key]


def build(entities: pd.DataFrame, persons: pd.DataFrame, mentions: pd.DataFrame, documents: pd.DataFrame,
          state: State) -> tuple[pd.DataFrame, pd.DataFrame, State]:
    """(registry, registry_entities, the new state) for the live tables.

    `mentions`: doc_id, entity_id, normal of the PER/ORG/LOC mentions; `documents`: doc_id, sha256, published
    (and duplicate_of, when present: a story's copies count once in `n_articles`).
    """
    sha = dict(zip(documents['doc_id'].tolist(), documents['sha256'].tolist()))
    published = {doc_id: value
                 for doc_id, value in zip(documents['doc_id'].tolist(), documents['published'].tolist())
                 if isinstance(value, str) and value}
    aliases: dict[str, list[str]] = defaultdict(list)
    named = mentions.dropna(subset=['entity_id', 'normal'])
    for entity_id, normal in zip(named['entity_id'].tolist(), named['normal'].tolist()):
        if normal not in aliases[entity_id]:
            aliases[entity_id].append(normal)
    kept = {row.entity_id: row.global_id
            for row in rows(state.links, ['entity_id', 'doc_id', 'sha256', 'global_id'])
            if sha.get(row.doc_id) == row.sha256}
    items = candidates(entities, persons, aliases, kept)
    builder = Builder(state)
    linked: dict[str, str] = {}
    # what earlier builds decided stays (keys first, then the named index)
    for item in items:
        if item.entity_id in kept:
            linked[item.entity_id] = kept[item.entity_id]
            builder.learn(item, linked[item.entity_id])
    fresh = [_ for _ in items if _.entity_id not in kept]
    order = {id(_): (_.type, _.rank, published.get(_.doc_id) or '9999', _.doc_id, _.entity_id) for _ in fresh}
    fresh.sort(key=lambda _: order[id(_)])
    for item in fresh:
        linked[item.entity_id] = builder.resolve(item)
        builder.learn(item, linked[item.entity_id])
    links = pd.DataFrame({
        'entity_id': [_.entity_id for _ in items], 'doc_id': [_.doc_id for _ in items],
        'sha256': [sha.get(_.doc_id) for _ in items], 'global_id': [linked[_.entity_id] for _ in items],
    }, dtype='string')
    story = {}
    if 'duplicate_of' in documents:
        story = {doc_id: first for doc_id, first in zip(documents['doc_id'].tolist(),
                                                         documents['duplicate_of'].tolist())
                 if isinstance(first, str) and first}
    registry = table(items, linked, aliases, published, entities, story)
    public = schemas.check('registry_entities',
                           links[['entity_id', 'doc_id', 'global_id']].reset_index(drop=True))
    return registry, public, State(links, builder.keys)


def table(items: list[Candidate], linked: dict[str, str], aliases: dict[str, list[str]],
          published: dict[str, str], entities: pd.DataFrame, story: dict[str, str] | None = None
          ) -> pd.DataFrame:
    """One row per global id with at least one live entity (`story`: doc_id -> the first copy of its
    story, for the copies)."""
    mentions = dict(zip(entities['entity_id'].tolist(), entities['n_mentions'].tolist()))
    groups: dict[str, list[Candidate]] = defaultdict(list)
    for item in items:
        groups[linked[item.entity_id]].append(item)
    rows = []
    for global_id, members in groups.items():
        docs = {_.doc_id for _ in members}
        dates = sorted(published[_] for _ in docs if _ in published)
        name = canonical(members)
        seen = Counter()
        for member in members:
            for alias in [member.name, *aliases.get(member.entity_id, ())]:
                seen[alias] += 1
        others = [alias for alias, _ in sorted(seen.items(), key=lambda _: (-_[1], _[0])) if alias != name]
        rows.append(dict(
            global_id=global_id, type=members[0].type, name=name,
            aliases=' | '.join(others[:MAX_ALIASES]) or None,
            n_articles=len({(story or {}).get(_, _) for _ in docs}), n_documents=len(docs),
            n_mentions=int(sum(int(mentions.get(_.entity_id, 0)) for _ in members)),
            first_seen=dates[0][:10] if dates else None, last_seen=dates[-1][:10] if dates else None,
        ))
    rows.sort(key=lambda _: (_['type'], number_of(_['global_id'])))
    return schemas.check('registry', schemas.frame('registry', rows))


def canonical(members: list[Candidate]) -> str:
    """The name most articles use: for a person the commonest full name, for a known place its
    gazetteer name."""
    type = members[0].type
    if type != 'PER':
        for member in members:
            known = gazetteer_name(type, member.name)
            if known:
                return known
    full = [_ for _ in members if _.rank == 0 and _.person is not None and _.person.first]
    pool = full or members
    counts = Counter(_.name for _ in pool)
    return sorted(counts, key=lambda _: (-counts[_], -len(_), _))[0]
