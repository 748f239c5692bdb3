"""Predictions for gold texts: the pipeline run over them, the tables of an earlier run, or natasha.

Reads the gold texts (and, for `tables=`, an output folder); gives `Annotations`:
the predicted mentions (with the value, unit and qualifier of the numbers table),
the entities (a person by first + last name) and the roles, each role with the
extents of its person's and organisation's mentions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import pandas as pd

from pipeline.evaluation.goldsets import Annotations, Gold, GoldError, Labelled, Named, RoleRecord, clean


def run_pipeline(texts: dict[str, str]) -> dict[str, pd.DataFrame]:
    """The tables a run writes, for the pipeline run over {doc_id: text}."""
    from pipeline.batch.resources import shared
    from pipeline.batch.runner import process
    from pipeline.document import Document, Problem
    from pipeline.store import rows as tables
    res = shared()
    docs, problems = [], []
    for doc_id, text in texts.items():
        result = process(Document(doc_id=doc_id, text=text, source=f'{doc_id}.txt'), res)
        (problems if isinstance(result, Problem) else docs).append(result)
    return tables.build(docs, problems)


def from_tables(frames: dict[str, pd.DataFrame], gold: Gold) -> Annotations:
    """Predicted mentions and entities of the gold documents, from output tables."""
    found = Annotations()
    documents = frames['documents'].set_index('doc_id') if len(frames['documents']) else None
    for doc_id, text in gold.texts.items():
        if documents is None or doc_id not in documents.index:
            found.warnings.append(f'{doc_id}: not in the predicted tables; '
                                  f'every gold mention counts as missed')
        elif documents.loc[doc_id, 'text'] != text:
            found.warnings.append(f'{doc_id}: the predicted table holds another text; '
                                  f'offsets will not line up')
    for row in frames['errors'].itertuples(index=False):
        if clean(row.doc_id) in gold.texts:
            found.warnings.append(f'{row.level}: {row.message}')
    numbers = {row.mention_id: row for row in frames['numbers'].itertuples(index=False)}
    mentions = frames['mentions']
    mentions = mentions[mentions['doc_id'].isin(list(gold.texts)) & mentions['type'].isin(list(gold.types))]
    for row in mentions.itertuples(index=False):
        value, value_max, unit, qualifier = clean(row.value), None, None, None
        detail = numbers.get(row.mention_id)
        if detail is not None:
            value = clean(detail.value) if clean(detail.value) is not None else value
            value_max, unit, qualifier = clean(detail.value_max), clean(detail.unit), clean(detail.qualifier)
        found.mentions.append(Labelled(row.doc_id, row.type, int(row.start), int(row.stop), row.text,
                                       normal=clean(row.normal), value=value, value_max=value_max, unit=unit,
                                       qualifier=qualifier, entity=clean(row.entity_id)))
    first = {}
    for mention in sorted(found.mentions, key=lambda _: _.start):
        if mention.entity is not None:
            first.setdefault(mention.entity, mention)
    persons = {row.entity_id: row for row in frames['persons'].itertuples(index=False)}
    entities = frames['entities']
    entities = entities[entities['doc_id'].isin(list(gold.texts)) & entities['type'].isin(list(gold.types))]
    for row in entities.itertuples(index=False):
        name = row.name
        person = persons.get(row.entity_id)
        if person is not None and clean(person.first) and clean(person.last):
            name = f'{person.first} {person.last}'
        elif person is not None and gold.entity_normals and clean(person.first):
            name = person.first     # factRuEval names a person by first and last name, never the patronymic
        mention = first.get(row.entity_id)
        found.entities.append(Named(row.doc_id, row.type, name, entity=row.entity_id,
                                    start=mention.start if mention else clean(row.first_start),
                                    stop=mention.stop if mention else None))
    found.roles = roles_from_tables(frames, gold)
    if gold.entity_normals:
        names = {_.entity: _.name for _ in found.entities}
        found.mentions = [replace(_, normal=names.get(_.entity, _.normal)) for _ in found.mentions]
    return found


def roles_from_tables(frames: dict[str, pd.DataFrame], gold: Gold) -> list[RoleRecord]:
    """Predicted roles of the gold documents, each with the extents of its person's and
    organisation's mentions."""
    roles = frames.get('roles')
    if roles is None or not len(roles):
        return []
    roles = roles[roles['doc_id'].isin(list(gold.texts))]
    mentions = frames['mentions']
    mentions = mentions[mentions['doc_id'].isin(list(gold.texts)) & mentions['entity_id'].notna()]
    extents: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for row in mentions.itertuples(index=False):
        extents[row.entity_id].append((int(row.start), int(row.stop)))
    found = []
    for row in roles.itertuples(index=False):
        org = clean(row.org_entity_id)
        found.append(RoleRecord(row.doc_id, row.person, clean(row.organisation), row.position,
                                row.position_normal, int(row.start), int(row.stop),
                                person_spans=tuple(extents.get(row.person_entity_id, ())),
                                org_spans=tuple(extents.get(org, ())) if org else (),
                                kind=clean(getattr(row, 'kind', None))))
    return found


def predict(gold: Gold, system: str = 'ours', tables: str | Path | None = None) -> Annotations:
    """Predictions for the gold texts: `ours` (run, or read from `tables`) or `natasha`."""
    if system == 'natasha':
        if tables is not None:
            raise GoldError('--tables reads our output tables; it does not go with --system natasha')
        from pipeline.evaluation import baseline
        return from_tables(baseline.build(gold.texts), gold)
    if system != 'ours':
        raise GoldError(f'unknown system {system!r} (ours or natasha)')
    if tables is not None:
        from pipeline.store.tables import load_tables
        if not Path(tables).is_dir():
            raise GoldError(f'tables folder {tables} does not exist')
        return from_tables(load_tables(tables), gold)
    return from_tables(run_pipeline(gold.texts), gold)
