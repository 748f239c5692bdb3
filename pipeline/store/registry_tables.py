"""The registry kept up to date incrementally in Delta tables (the rules are in registry.py).

Reads the documents the registry has not seen in their current version (`_index`
against `_registry/documents`: the documents of the run that just finished, and those
of a run killed before its registry update), or not with their current story (a copy
published earlier arrived later: `documents.duplicate_of` of the copies was rewritten),
with their entities, name parts and mention normals; adds to `registry_entities`
(entity → global id), `registry` (one row per global id), and tables of its own:

    _registry/keys       key -> global id, first come (and `#P`, `#O`, `#L`: the highest id given)
    _registry/members    one row per linked entity: what the `registry` row of its id is computed from
    _registry/counts     global id, kind (`alias`, `name`, `full`, `#articles`, `#story`, …), text, count
    _registry/persons    surname, global id, first, last, count: the persons with a full name
    _registry/documents  doc_id, sha256, story of each document linked: the commit marker of an update

A story is the doc_id of its first copy (`documents.duplicate_of`, or the doc_id itself):
`#articles` counts an id's documents (`n_documents`), `#story` its members per story,
and `n_articles` is the number of stories with members, so syndicated copies count once.

Only the keys those documents may match are read (delta-rs scans with predicates,
files skipped by their statistics), and only the persons already registered with
their surnames; ids are given by `registry.build`, as a build over the whole folder
gives them. The `registry` rows of the global ids those documents had or now have
are updated from their previous rows and name counts, minus the members that went and
plus those that came, so a run's cost does not grow with how many articles an id
has; only an id that lost the member holding its first or last date reads its
members' dates again.

Order of commits: keys (append), members, registry_entities, counts, registry, and
`_registry/documents` last; a killed update is done again by the next run (members,
links and rows are replaced by doc_id or global id, so doing it twice gives the same;
counts are replaced whole for the ids, from the rows read before).
"""

from __future__ import annotations

from collections import Counter, defaultdict

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.store import registry, schemas
from pipeline.store.arrow import LITERALS, isin

KEYS, MEMBERS, DOCUMENTS = '_registry/keys', '_registry/members', '_registry/documents'
COUNTS = '_registry/counts'
PERSONS = '_registry/persons'
COUNTERS = [f'#{_}' for _ in registry.PREFIX.values()]
SCHEMAS = {
    KEYS: pa.schema([('key', pa.string()), ('global_id', pa.string())]),
    DOCUMENTS: pa.schema([('doc_id', pa.string()), ('sha256', pa.string()), ('story', pa.string())]),
    COUNTS: pa.schema([('global_id', pa.string()), ('kind', pa.string()), ('text', pa.string()),
                       ('count', pa.int64())]),
    PERSONS: pa.schema([('surname', pa.string()), ('global_id', pa.string()), ('first', pa.string()),
                        ('last', pa.string()), ('count', pa.int64())]),
    MEMBERS: pa.schema([
        ('entity_id', pa.string()), ('doc_id', pa.string()), ('sha256', pa.string()),
        ('global_id', pa.string()), ('type', pa.string()), ('name', pa.string()), ('first', pa.string()),
        ('last', pa.string()), ('surname', pa.string()), ('aliases', pa.list_(pa.string())),
        ('n_mentions', pa.int64()), ('published', pa.string()), ('story', pa.string())]),
}


def read(store, name: str, columns=None, predicate: str | None = None) -> pa.Table:
    return store.arrow(name, columns, predicate, schema=SCHEMAS.get(name))


def strings(table: pa.Table, column: str) -> list:
    return table[column].cast(pa.string()).to_pylist()


def replace(store, name: str, rows: pa.Table, column: str, values: list[str], existed: bool,
            properties=None) -> None:
    """Rows of `name` whose `column` is in `values` replaced by `rows`, in one commit (for a long list of
    values, the table rewritten whole)."""
    from deltalake import write_deltalake
    table = store.delta(name)
    if table is not None and existed and len(values) > LITERALS:
        current = store.arrow(name)
        kept = current.filter(pc.invert(pc.is_in(current[column], value_set=pa.array(values, pa.string()))))
        write_deltalake(table, pa.concat_tables([kept.cast(rows.schema), rows]), mode='overwrite',
                        commit_properties=properties)
    elif table is not None and existed and values:
        write_deltalake(table, rows, mode='overwrite', predicate=isin(column, values),
                        commit_properties=properties)
    elif table is not None and (len(rows) or properties):
        write_deltalake(table, rows, mode='append', commit_properties=properties)
    elif table is None:
        write_deltalake(store.uri(name), rows, mode='append', storage_options=store.options,
                        commit_properties=properties)


def behind(store) -> tuple[list[str], set[str]]:
    """(doc_ids whose current version or story the registry has not linked, doc_ids it linked in some
    version)."""
    linked = read(store, DOCUMENTS)
    if len(linked) and 'story' not in linked.column_names:   # a registry of the layout before stories
        raise ValueError(f'the registry of {store.root} counts articles, not stories (written before '
                         f'syndicated copies counted once): move the folder aside and run over the '
                         f'same inputs')
    seen = dict(zip(strings(linked, 'doc_id'), zip(strings(linked, 'sha256'), strings(linked, 'story'))))
    story = stories(store)
    return sorted(_ for _, (sha, _v) in store.index.items() if seen.get(_) != (sha, story.get(_, _))), \
        set(seen)


def stories(store) -> dict[str, str]:
    """doc_id -> the first copy of its story, for the copies (`documents.duplicate_of`)."""
    copies = store.arrow('documents', ['doc_id', 'duplicate_of'], 'duplicate_of IS NOT NULL')
    return {d: s for d, s in zip(strings(copies, 'doc_id'), strings(copies, 'duplicate_of')) if s}


def update(store) -> int:
    """Link the documents the registry is behind on; returns how many."""
    docs, linked_before = behind(store)
    if not docs:
        return 0
    documents = store.where('documents', ['doc_id', 'sha256', 'published', 'duplicate_of'], 'doc_id',
                            docs).to_pandas()
    entities = store.where('entities', ['entity_id', 'doc_id', 'type', 'name', 'n_mentions'], 'doc_id', docs)
    entities = entities.to_pandas()
    persons = store.where('persons', ['entity_id', 'first', 'last'], 'doc_id', docs).to_pandas()
    mentions = store.where('mentions', ['entity_id', 'normal'], 'doc_id', docs,
                           'entity_id IS NOT NULL AND normal IS NOT NULL').to_pandas()
    aliases: dict[str, list[str]] = defaultdict(list)
    for entity_id, normal in zip(mentions['entity_id'].tolist(), mentions['normal'].tolist()):
        if normal not in aliases[entity_id]:
            aliases[entity_id].append(normal)
    items = registry.candidates(entities, persons, aliases, {})
    surnames = sorted({_.person.last for _ in items if _.person is not None and _.person.last})
    needed = set(COUNTERS)
    for item in items:
        needed.update(item.strong)
        needed.add(f'{item.type}@{item.entity_id}')
        if item.person is not None and item.person.last:
            last, initial = item.person.last, item.person.initial
            needed.update([f'PER~{last}', f'PER?{last}', f'PER~{initial} {last}'])
    found = store.where(KEYS, None, 'key', sorted(needed), schema=SCHEMAS[KEYS])
    keys: dict[str, str] = {}
    for key, global_id in zip(strings(found, 'key'), strings(found, 'global_id')):
        if key in COUNTERS:
            keys[key] = max(keys.get(key, global_id), global_id, key=registry.number_of)
        else:
            keys.setdefault(key, global_id)
    # persons with a full name registered under these surnames, but those of these documents: what
    # `named` holds in a whole build; one entity stands for each (id, first name, surname)
    old = store.where(MEMBERS, None, 'doc_id', docs, schema=SCHEMAS[MEMBERS])
    people = person_counts(store, sorted(set(surnames) | set(_ for _ in strings(old, 'surname') if _)))
    change(people, old, -1)
    named = pd.DataFrame([dict(entity_id=f'#{global_id}#{number}', doc_id='#registry', sha256='#',
                               global_id=global_id, type='PER', name=f'{first} {last}', n_mentions=1,
                               first=first, last=last, published=None)
                          for number, ((surname, global_id, first, last), count) in enumerate(people.items())
                          if count > 0 and surname in set(surnames)],
                         columns=['entity_id', 'doc_id', 'sha256', 'global_id', 'type', 'name', 'n_mentions',
                                  'first', 'last', 'published'])
    state = registry.State(named[['entity_id', 'doc_id', 'sha256', 'global_id']].astype('string'), keys)
    all_entities = pd.concat([entities, named[['entity_id', 'doc_id', 'type', 'name', 'n_mentions']]],
                             ignore_index=True)
    all_persons = pd.concat([persons, named[['entity_id', 'first', 'last']]], ignore_index=True)
    all_documents = pd.concat([documents, named[['doc_id', 'sha256', 'published']].drop_duplicates('doc_id')],
                              ignore_index=True)
    _, links, after = registry.build(all_entities, all_persons,
                                     pd.DataFrame({'entity_id': mentions['entity_id'],
                                                   'normal': mentions['normal']}),
                                     all_documents, state)
    global_ids = dict(zip(links['entity_id'].tolist(), links['global_id'].tolist()))
    affected = set(strings(old, 'global_id')) | {global_ids[_] for _ in entities['entity_id']}
    existed = bool(set(docs) & linked_before)

    # 1. keys: the new ones, and the highest id of each prefix
    fresh = {k: v for k, v in after.keys.items() if k in needed and k not in keys and k not in COUNTERS}
    highest = {}
    for global_id in after.keys.values():
        prefix = f'#{global_id[0]}'
        if registry.number_of(global_id) > registry.number_of(highest.get(prefix, global_id[0] + '0')):
            highest[prefix] = global_id
    fresh.update(highest)
    keys_rows = pa.table({'key': list(fresh), 'global_id': list(fresh.values())}, schema=SCHEMAS[KEYS])
    replace(store, KEYS, keys_rows, 'key', [], False)
    # 2. the members of these documents
    sha = dict(zip(documents['doc_id'].tolist(), documents['sha256'].tolist()))
    published = dict(zip(documents['doc_id'].tolist(), documents['published'].tolist()))
    story = {doc_id: none(first) or doc_id
             for doc_id, first in zip(documents['doc_id'].tolist(), documents['duplicate_of'].tolist())}
    parts = {row.entity_id: row for row in registry.rows(persons, ['entity_id', 'first', 'last'])}
    members = pa.table({
        'entity_id': entities['entity_id'].tolist(), 'doc_id': entities['doc_id'].tolist(),
        'sha256': [sha[_] for _ in entities['doc_id']],
        'global_id': [global_ids[_] for _ in entities['entity_id']],
        'type': entities['type'].tolist(), 'name': entities['name'].tolist(),
        'first': [none(parts[_].first) if _ in parts else None for _ in entities['entity_id']],
        'last': [none(parts[_].last) if _ in parts else None for _ in entities['entity_id']],
        'surname': [registry.fold_person(parts[_].last) if _ in parts and none(parts[_].last) else None
                    for _ in entities['entity_id']],
        'aliases': [aliases.get(_, []) for _ in entities['entity_id']],
        'n_mentions': [int(_) for _ in entities['n_mentions']],
        'published': [none(published.get(_)) for _ in entities['doc_id']],
        'story': [story[_] for _ in entities['doc_id']],
    }, schema=SCHEMAS[MEMBERS])
    # 3. the counts and registry rows of every id these documents had or now have, then their members
    marker = store.delta(DOCUMENTS)
    update_number = (marker.version() + 1 if marker is not None else 0) + 1   # versions count from 0
    rows = aggregate(store, sorted(affected), old, members, docs, update_number)
    change(people, members, 1)
    save_people(store, people, update_number)
    from pipeline.store.arrow import to_arrow
    replace(store, 'registry', to_arrow('registry', rows), 'global_id', sorted(affected), True)
    replace(store, MEMBERS, members, 'doc_id', docs, existed)
    public = schemas.check('registry_entities', pd.DataFrame({
        'entity_id': entities['entity_id'], 'doc_id': entities['doc_id'],
        'global_id': [global_ids[_] for _ in entities['entity_id']]}))
    replace(store, 'registry_entities', to_arrow('registry_entities', public), 'doc_id', docs, existed)
    # 4. the marker: these documents are linked
    replace(store, DOCUMENTS, pa.table({'doc_id': docs, 'sha256': [sha.get(_) for _ in docs],
                                        'story': [story.get(_, _) for _ in docs]},
                                       schema=SCHEMAS[DOCUMENTS]), 'doc_id', docs, existed)
    return len(docs)


def person_counts(store, surnames: list[str]) -> Counter:
    """(surname, global id, first, last) -> live members, of the persons with a full name under `surnames`
    (names folded)."""
    found = store.where(PERSONS, None, 'surname', surnames, schema=SCHEMAS[PERSONS])
    keys = zip(*(strings(found, _) for _ in ('surname', 'global_id', 'first', 'last')))
    return Counter(dict(zip(keys, found['count'].to_pylist())))


def change(people: Counter, members: pa.Table, sign: int) -> None:
    """`people` with the full-named persons among `members` counted in (+1) or out (-1)."""
    frame = members.select(['global_id', 'type', 'first', 'last']).to_pandas()
    for row in frame.to_dict('records'):
        if is_full(row) and none(row['last']):
            first, last = registry.fold_person(row['first']), registry.fold_person(row['last'])
            people[last, row['global_id'], first, last] += sign


def save_people(store, people: Counter, update_number: int) -> None:
    """The counts of `people`, for their surnames, with the update's transaction (applied once)."""
    from deltalake import CommitProperties, Transaction

    from pipeline.store.arrow import APP
    app = f'{APP}/registry-persons'
    table = store.delta(PERSONS)
    if table is not None and (table.transaction_version(app) or 0) >= update_number:
        return
    kept = [(key, count) for key, count in people.items() if count > 0]
    rows = pa.table({name: [_[0][index] for _ in kept] for index, name in
                     enumerate(('surname', 'global_id', 'first', 'last'))} | {'count': [_[1] for _ in kept]},
                    schema=SCHEMAS[PERSONS])
    replace(store, PERSONS, rows, 'surname', sorted({_[0] for _ in people}), True,
            CommitProperties(app_transactions=[Transaction(app, update_number)]))


def none(value):
    return value if isinstance(value, str) and value else None


def is_full(row) -> bool:
    """A person named with a first name that is not an initial (what the canonical name prefers)."""
    first = registry.fold_person(row['first']) if isinstance(row['first'], str) and row['first'] else ''
    return row['type'] == 'PER' and bool(first) and not registry.is_initial(first)


def aggregate(store, affected: list[str], removed: pa.Table, added: pa.Table, docs: list[str],
              update_number: int) -> pd.DataFrame:
    """The `registry` rows of the `affected` ids, from their persisted counts (names, articles, mentions,
    dates) minus the members `removed` plus those `added`: the cost follows the members that changed,
    not how many articles an id has (`Россия` is in most of them). The counts are committed with the
    application transaction (`registry`, update number), so an update done again after a kill never
    applies its change twice. Only an id that lost the member holding its first or last date reads its
    members' dates again."""
    from deltalake import CommitProperties, Transaction

    from pipeline.store.arrow import APP
    app = f'{APP}/registry'
    counts = Counter()
    found = store.where(COUNTS, None, 'global_id', affected, schema=SCHEMAS[COUNTS])
    for global_id, kind, text, count in zip(*(strings(found, _) for _ in ('global_id', 'kind', 'text')),
                                            found['count'].to_pylist()):
        counts[global_id, kind, text] += count
    table = store.delta(COUNTS)
    if table is None or (table.transaction_version(app) or 0) < update_number:
        apply(store, counts, removed, added, docs)
        kept = [(g, k, t, c) for (g, k, t), c in counts.items() if c > 0 and counts[g, '#articles', ''] > 0]
        rows = pa.table({'global_id': [_[0] for _ in kept], 'kind': [_[1] for _ in kept],
                         'text': [_[2] for _ in kept], 'count': [_[3] for _ in kept]}, schema=SCHEMAS[COUNTS])
        replace(store, COUNTS, rows, 'global_id', affected, True,
                CommitProperties(app_transactions=[Transaction(app, update_number)]))
    names: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for (global_id, kind, text), count in counts.items():
        if count > 0:
            names[global_id][kind][text] = count
    found = []
    for global_id in affected:
        held = names[global_id]
        if not held['#articles']:
            continue
        type = TYPES[global_id[0]]
        name = canonical(type, held)
        aliases = sorted(held['alias'].items(), key=lambda _: (-_[1], _[0]))
        others = [alias for alias, _ in aliases if alias != name]
        found.append(dict(global_id=global_id, type=type, name=name,
                          aliases=' | '.join(others[:registry.MAX_ALIASES]) or None,
                          n_articles=len(held['#story']), n_documents=held['#articles'][''],
                          n_mentions=held['#mentions'][''],
                          first_seen=next(iter(held['#first']), None),
                          last_seen=next(iter(held['#last']), None)))
    return schemas.check('registry', schemas.frame('registry', found))


def apply(store, counts: Counter, removed: pa.Table, added: pa.Table, docs: list[str]) -> None:
    """Counts of the ids (`counts[id, kind, text]`), the members `removed` taken out and `added` put in."""
    dates = defaultdict(set)
    for (global_id, kind, text), count in list(counts.items()):
        if kind in ('#first', '#last') and count > 0:
            dates[global_id].add(text)
    again = set()
    for members, sign in ((removed, -1), (added, 1)):
        frame = members.to_pandas()
        for global_id, held in frame.groupby('global_id')['doc_id']:
            counts[global_id, '#articles', ''] += sign * held.nunique()
        story = frame['story'] if 'story' in frame else frame['doc_id']
        frame = frame.assign(story=story.fillna(frame['doc_id']))
        for (global_id, first), held in frame.groupby(['global_id', 'story'])['doc_id']:
            counts[global_id, '#story', first] += sign * held.nunique()
        for row in frame.to_dict('records'):
            global_id = row['global_id']
            counts[global_id, '#mentions', ''] += sign * int(row['n_mentions'])
            for alias in [row['name'], *list(row['aliases'] if row['aliases'] is not None else [])]:
                counts[global_id, 'alias', alias] += sign
            counts[global_id, 'name', row['name']] += sign
            if is_full(row):
                counts[global_id, 'full', row['name']] += sign
            day = row['published'][:10] if none(row['published']) else None
            if day is None:
                continue
            if sign < 0 and day in dates[global_id]:
                again.add(global_id)
            elif sign > 0:
                dates[global_id].add(day)
    if again:   # a member that held the first or last date went: the dates of the id's other members
        others = store.where(MEMBERS, ['global_id', 'published', 'doc_id'], 'global_id', sorted(again),
                             schema=SCHEMAS[MEMBERS])
        others = others.filter(pc.invert(pc.is_in(others['doc_id'], value_set=pa.array(docs, pa.string()))))
        fresh = {_: set() for _ in again}
        for part in (others, added.select(['global_id', 'published'])):
            for global_id, day in zip(strings(part, 'global_id'), strings(part, 'published')):
                if global_id in fresh and day:
                    fresh[global_id].add(day[:10])
        dates.update(fresh)
    for global_id, days in dates.items():
        for kind in ('#first', '#last'):
            for key in [_ for _ in counts if _[0] == global_id and _[1] == kind]:
                del counts[key]
        if days:
            counts[global_id, '#first', min(days)] = 1
            counts[global_id, '#last', max(days)] = 1


TYPES = {prefix: type for type, prefix in registry.PREFIX.items()}


def canonical(type: str, names: dict[str, Counter]) -> str:
    """The name most articles use (registry.canonical, from counts): for a known place or organisation
    its gazetteer name; for a person the commonest full name."""
    if type != 'PER':
        for name, _ in sorted(names['name'].items(), key=lambda _: (-_[1], -len(_[0]), _[0])):
            known = registry.gazetteer_name(type, name)
            if known:
                return known
    pool = names['full'] if type == 'PER' and names['full'] else names['name']
    return sorted(pool, key=lambda _: (-pool[_], -len(_), _))[0]
