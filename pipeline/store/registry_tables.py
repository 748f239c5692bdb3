"""The registry kept up to date incrementally in Delta tables (the rules are in registry.py).

Reads the documents the registry has not seen in their current version (`_index`
against `_registry/documents`: the documents of the run that just finished, and those
of a run killed before its registry update) with their entities, name parts and
mention normals; adds to `registry_entities` (entity → global id), `registry` (one row
per global id), and three tables of its own:

    _registry/keys       key -> global id, first come (and `#P`, `#O`, `#L`: the highest id given)
    _registry/members    one row per linked entity: what the `registry` row of its id is computed from
    _registry/documents  doc_id, sha256 of each document linked: the commit marker of an update

Only the keys those documents may match are read (filtered scans), and only the
persons already registered with their surnames; the `registry` rows of the global ids
those documents had or now have are recomputed from their members. Ids are given by
`registry.build`, exactly as a build over the whole folder gives them.

Order of commits: keys (append), members, registry_entities, registry, and
`_registry/documents` last; a killed update is done again by the next run.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
import pyarrow as pa

from pipeline.store import registry, schemas
from pipeline.store.tables import isin

KEYS, MEMBERS, DOCUMENTS = '_registry/keys', '_registry/members', '_registry/documents'
COUNTERS = [f'#{_}' for _ in registry.PREFIX.values()]
SCHEMAS = {
    KEYS: pa.schema([('key', pa.string()), ('global_id', pa.string())]),
    DOCUMENTS: pa.schema([('doc_id', pa.string()), ('sha256', pa.string())]),
    MEMBERS: pa.schema([
        ('entity_id', pa.string()), ('doc_id', pa.string()), ('sha256', pa.string()),
        ('global_id', pa.string()), ('type', pa.string()), ('name', pa.string()), ('first', pa.string()),
        ('last', pa.string()), ('surname', pa.string()), ('aliases', pa.list_(pa.string())),
        ('n_mentions', pa.int64()), ('published', pa.string())]),
}


def read(store, name: str, columns=None, predicate: str | None = None) -> pa.Table:
    return store.arrow(name, columns, predicate, schema=SCHEMAS.get(name))


def strings(table: pa.Table, column: str) -> list:
    return table[column].cast(pa.string()).to_pylist()


def replace(store, name: str, rows: pa.Table, column: str, values: list[str], existed: bool) -> None:
    """Rows of `name` whose `column` is in `values` replaced by `rows`, in one commit."""
    from deltalake import write_deltalake
    from pipeline.store.tables import quote
    table = store.delta(name)
    if table is not None and existed and values:
        write_deltalake(table, rows, mode='overwrite', predicate=f'{column} IN ({quote(values)})')
    elif table is None or len(rows):
        write_deltalake(table if table is not None else store.uri(name), rows, mode='append',
                        storage_options=store.options)


def behind(store) -> tuple[list[str], set[str]]:
    """(doc_ids whose current version the registry has not linked, doc_ids it linked in some version)."""
    linked = read(store, DOCUMENTS)
    seen = dict(zip(strings(linked, 'doc_id'), strings(linked, 'sha256')))
    return sorted(_ for _, (sha, _v) in store.index.items() if seen.get(_) != sha), set(seen)


def update(store) -> int:
    """Link the documents the registry is behind on; returns how many."""
    docs, linked_before = behind(store)
    if not docs:
        return 0
    wanted = isin('doc_id', docs)
    documents = store.arrow('documents', ['doc_id', 'sha256', 'published'], wanted).to_pandas()
    entities = store.arrow('entities', ['entity_id', 'doc_id', 'type', 'name', 'n_mentions'], wanted)
    entities = entities.to_pandas()
    persons = store.arrow('persons', ['entity_id', 'first', 'last'], wanted).to_pandas()
    named_only = f'{wanted} AND entity_id IS NOT NULL AND normal IS NOT NULL'
    mentions = store.arrow('mentions', ['entity_id', 'normal'], named_only).to_pandas()
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
    found = read(store, KEYS, predicate=isin('key', sorted(needed)))
    keys: dict[str, str] = {}
    for key, global_id in zip(strings(found, 'key'), strings(found, 'global_id')):
        if key in COUNTERS:
            keys[key] = max(keys.get(key, global_id), global_id, key=registry.number_of)
        else:
            keys.setdefault(key, global_id)
    # persons registered with these surnames and a full name: what `named` holds in a whole build
    named = read(store, MEMBERS, ['entity_id', 'doc_id', 'sha256', 'global_id', 'type', 'name', 'first',
                                  'last', 'n_mentions', 'published'],
                 f'{isin("surname", surnames)} AND NOT {wanted}' if surnames else 'false').to_pandas()
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
    old = read(store, MEMBERS, ['global_id'], wanted)
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
    # 2. members and registry_entities of these documents
    sha = dict(zip(documents['doc_id'].tolist(), documents['sha256'].tolist()))
    published = dict(zip(documents['doc_id'].tolist(), documents['published'].tolist()))
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
    }, schema=SCHEMAS[MEMBERS])
    replace(store, MEMBERS, members, 'doc_id', docs, existed)
    public = schemas.check('registry_entities', pd.DataFrame({
        'entity_id': entities['entity_id'], 'doc_id': entities['doc_id'],
        'global_id': [global_ids[_] for _ in entities['entity_id']]}))
    from pipeline.store.tables import to_arrow
    replace(store, 'registry_entities', to_arrow('registry_entities', public), 'doc_id', docs, existed)
    # 3. the registry rows of every id these documents had or now have
    rows = aggregate(read(store, MEMBERS, predicate=isin('global_id', sorted(affected))))
    replace(store, 'registry', to_arrow('registry', rows), 'global_id', sorted(affected),
            store.delta('registry') is not None)
    # 4. the marker: these documents are linked
    replace(store, DOCUMENTS, pa.table({'doc_id': docs, 'sha256': [sha.get(_) for _ in docs]},
                                       schema=SCHEMAS[DOCUMENTS]), 'doc_id', docs, existed)
    return len(docs)


def none(value):
    return value if isinstance(value, str) and value else None


def aggregate(members: pa.Table) -> pd.DataFrame:
    """`registry` rows of the global ids of `members` (all members of each)."""
    frame = members.to_pandas()
    if not len(frame):
        return schemas.check('registry', schemas.frame('registry', []))
    aliases = dict(zip(frame['entity_id'], [list(_) for _ in frame['aliases']]))
    items = registry.candidates(frame[['entity_id', 'doc_id', 'type', 'name']],
                                frame.loc[frame['type'] == 'PER', ['entity_id', 'first', 'last']],
                                aliases, dict.fromkeys(frame['entity_id'], ''))
    linked = dict(zip(frame['entity_id'], frame['global_id']))
    published = {doc: value for doc, value in zip(frame['doc_id'], frame['published'])
                 if isinstance(value, str)}
    return registry.table(items, linked, aliases, published, frame[['entity_id', 'n_mentions']])
