"""Validate: score the pipeline (or the natasha baseline) against hand-labelled gold.

Reads gold mentions, either GOLD-GUIDE.md JSONL (`gold/*.jsonl`, texts beside
them as `<doc_id>.txt` or in `seeds/`) or the factRuEval-2016 layout
(`book_N.txt/.spans/.objects/.coref`: Person → PER, Org → ORG, Location and
LocOrg → LOC, names only), and predictions for the same texts: the pipeline
run over them, the tables of an earlier run (`tables=`), or the natasha
baseline (`system='natasha'`).

Reports, as GOLD-GUIDE.md (Scoring) defines it: per type and overall (micro),
precision, recall and F1 on overlapping spans (same document and type, each
mention matched at most once, greedy by largest overlap) and on exact spans;
among matched pairs, the accuracy of `normal` (names) and of `value` and
`unit` (dates, numbers, money) after folding `ё`→`е` and case (numbers as
numbers: 250000 == 250000.0); entity-level P/R/F1 per document (type + folded
name; first + last name for people); and every false positive, false
negative, boundary or wrong normal/value/unit as one row with its context.
Figures below the thresholds of a TOML file come back as failures.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable

import pandas as pd

from pipeline.document import NAME_TYPES, TYPES, VALUE_TYPES
from pipeline.evaluation.goldsets import (Annotations, Gold, GoldError, Labelled, Named, RoleRecord, clean, entity_key, fold, fold_name, number, read_gold, same_value, select, show)

UNIT_TYPES = ('NUMBER', 'MONEY')
ERROR_COLUMNS = ['doc_id', 'type', 'kind_of_error', 'gold_start', 'gold_stop', 'gold_text', 'gold_normal_value',
                 'gold_unit', 'pred_start', 'pred_stop', 'pred_text', 'pred_normal_value', 'pred_unit', 'context']
CONTEXT = 40   # characters of context on each side of an error


# ---------------------------------------------------------------- predictions

def run_pipeline(texts: dict[str, str]) -> dict[str, pd.DataFrame]:
    """The tables a run writes, for the pipeline run over {doc_id: text}."""
    from pipeline.store import rows as tables
    from pipeline.batch.runner import process
    from pipeline.document import Document, Problem
    from pipeline.batch.resources import shared
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
            found.warnings.append(f'{doc_id}: not in the predicted tables; every gold mention counts as missed')
        elif documents.loc[doc_id, 'text'] != text:
            found.warnings.append(f'{doc_id}: the predicted table holds another text; offsets will not line up')
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
    """Predicted roles of the gold documents, each with the extents of its person's and organisation's mentions."""
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
                                org_spans=tuple(extents.get(org, ())) if org else ()))
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


# ---------------------------------------------------------------- scoring

def spans_meet(a: tuple, b: tuple) -> bool:
    return any(x[0] < y[1] and y[0] < x[1] for x in a for y in b)


def role_person_ok(gold: RoleRecord, pred: RoleRecord) -> bool:
    """Same person: by mention extents when the gold gives them (factRuEval), else by folded name."""
    if gold.person_spans:
        return spans_meet(gold.person_spans, pred.person_spans)
    return bool(gold.person and pred.person) and fold_name(gold.person) == fold_name(pred.person)


def role_org_ok(gold: RoleRecord, pred: RoleRecord) -> bool:
    """Same organisation or place (none on both sides counts as the same)."""
    if gold.org_spans or pred.org_spans and gold.person_spans:
        return spans_meet(gold.org_spans, pred.org_spans)
    if not gold.organisation or not pred.organisation:
        return not gold.organisation and not pred.organisation
    if fold_name(gold.organisation) == fold_name(pred.organisation):
        return True
    from pipeline.lang import places  # `РФ` is `Россия`
    return any(places.alias_key(type, gold.organisation) is not None
               and places.alias_key(type, gold.organisation) == places.alias_key(type, pred.organisation)
               for type in ('LOC', 'ORG'))


def unique_roles(roles: list[RoleRecord], key) -> list[RoleRecord]:
    """One role per (document, person, organisation): the first evidence."""
    seen, kept = set(), []
    for role in sorted(roles, key=lambda _: (_.doc_id, _.start if _.start is not None else -1)):
        if key(role) not in seen:
            seen.add(key(role))
            kept.append(role)
    return kept


def score_roles(gold: Gold, pred: Annotations) -> tuple[pd.DataFrame, list[dict]]:
    """P/R/F1 of roles: `person` (the right person holds a role) and `person+org` (and where);
    `position_normal` accuracy among person+org pairs whose gold gives it. Each gold role
    (one per document, person and organisation) is matched once."""
    gold_roles = unique_roles(gold.roles, lambda _: (_.doc_id, _.person_spans or fold_name(_.person or ''),
                                                     _.org_spans or fold_name(_.organisation or '')))
    pred_roles = unique_roles(pred.roles, lambda _: (_.doc_id, fold_name(_.person or ''),
                                                     fold_name(_.organisation or '')))
    rows, examples = [], []
    for level, org_needed in (('person', False), ('person+org', True)):
        used: set[int] = set()
        matched, normal_ok, normal_total = 0, 0, 0
        pairs = {}
        for g_index, g in enumerate(gold_roles):
            for p_index, p in enumerate(pred_roles):
                if p_index in used or p.doc_id != g.doc_id or not role_person_ok(g, p):
                    continue
                if org_needed and not role_org_ok(g, p):
                    continue
                used.add(p_index)
                pairs[g_index] = p_index
                matched += 1
                if g.position_normal:
                    normal_total += 1
                    normal_ok += fold(g.position_normal) == fold(p.position_normal)
                break
        precision, recall, f1 = prf(matched, len(gold_roles), len(pred_roles))
        rows.append(dict(level=level, gold=len(gold_roles), pred=len(pred_roles), matched=matched,
                         precision=precision, recall=recall, f1=f1,
                         position_normal=accuracy(normal_ok, normal_total)))
        if org_needed:
            for g_index, g in enumerate(gold_roles):
                p = pred_roles[pairs[g_index]] if g_index in pairs else None
                examples.append(role_example('correct' if p else 'missed', gold, g, p))
            for p_index, p in enumerate(pred_roles):
                if p_index not in used:
                    examples.append(role_example('wrong', gold, None, p))
    return pd.DataFrame(rows).set_index('level'), examples


def role_grid(table: pd.DataFrame) -> str:
    """The role figures as a Markdown table."""
    show = lambda _: f'{_:.3f}' if isinstance(_, float) else str(_)
    lines = ['| level | ' + ' | '.join(table.columns) + ' |', '|---|' + '---:|' * len(table.columns)]
    lines += [f'| {level} | ' + ' | '.join(show(_) for _ in row) + ' |' for level, row in table.iterrows()]
    return '\n'.join(lines)


def role_example(kind: str, gold: Gold, g: RoleRecord | None, p: RoleRecord | None) -> dict:
    item = p or g
    text = gold.texts.get(item.doc_id, '')
    start = item.start if item.start is not None else (item.person_spans[0][0] if item.person_spans else 0)
    stop = item.stop if item.stop is not None else start + 1
    return dict(kind=kind, doc_id=item.doc_id,
                gold=f'{g.person} | {g.position} | {g.organisation}' if g else None,
                pred=f'{p.person} | {p.position_normal} | {p.organisation}' if p else None,
                context=context(text, start, stop))


def overlap(a, b) -> int:
    return min(a.stop, b.stop) - max(a.start, b.start)


def match(gold: list, pred: list) -> list[tuple[int, int]]:
    """(gold index, pred index) pairs of overlapping spans, each used once, greedy by largest overlap."""
    candidates = []
    for g, gold_item in enumerate(gold):
        for p, pred_item in enumerate(pred):
            size = overlap(gold_item, pred_item)
            if size > 0:
                distance = abs(gold_item.start - pred_item.start) + abs(gold_item.stop - pred_item.stop)
                candidates.append((-size, distance, gold_item.start, pred_item.start, g, p))
    candidates.sort()
    used_gold, used_pred, pairs = set(), set(), []
    for *_, g, p in candidates:
        if g not in used_gold and p not in used_pred:
            used_gold.add(g)
            used_pred.add(p)
            pairs.append((g, p))
    return sorted(pairs)


def exact_matches(gold: list, pred: list) -> int:
    """Mentions with the very same span, each counted once."""
    spans = Counter((_.start, _.stop) for _ in pred)
    return sum((Counter((_.start, _.stop) for _ in gold) & spans).values())


def normal_ok(gold: Labelled, pred: Labelled) -> bool:
    return fold(pred.normal) in {fold(_) for _ in (gold.normal, *gold.aliases)}


def prf(tp: int, gold: int, pred: int) -> tuple[float, float, float]:
    """Precision, recall, F1; 0 when there is something to find or found, NaN when neither."""
    if gold == 0 and pred == 0:
        return math.nan, math.nan, math.nan
    precision = tp / pred if pred else 0.0
    recall = tp / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def accuracy(correct: int, total: int) -> float:
    return correct / total if total else math.nan


def context(text: str, start: int, stop: int) -> str:
    """`… left [span] right …` on one line."""
    left = text[max(0, start - CONTEXT):start]
    right = text[stop:stop + CONTEXT]
    snippet = f'{left}[{text[start:stop]}]{right}'
    return ' '.join(snippet.replace('\n', ' ⏎ ').split())


def error_row(kind: str, doc_id: str, type: str, text: str, gold=None, pred=None) -> dict:
    def label(item):
        if item is None:
            return None
        if isinstance(item, Named):
            return item.name
        return item.normal if item.type in NAME_TYPES else show(item.value)

    spans = [_ for _ in (gold, pred) if _ is not None and _.start is not None]
    start = min(_.start for _ in spans) if spans else 0
    stop = max((_.stop if _.stop is not None else _.start + 1) for _ in spans) if spans else 0
    return dict(
        doc_id=doc_id, type=type, kind_of_error=kind,
        gold_start=getattr(gold, 'start', None), gold_stop=getattr(gold, 'stop', None),
        gold_text=getattr(gold, 'text', None) if not isinstance(gold, Named) else None,
        gold_normal_value=label(gold), gold_unit=getattr(gold, 'unit', None),
        pred_start=getattr(pred, 'start', None), pred_stop=getattr(pred, 'stop', None),
        pred_text=getattr(pred, 'text', None) if not isinstance(pred, Named) else None,
        pred_normal_value=label(pred), pred_unit=getattr(pred, 'unit', None),
        context=context(text, start, stop),
    )


def score_mentions(gold: Gold, pred: Annotations) -> tuple[pd.DataFrame, list[dict]]:
    """Per-type (and `all`) counts and figures, and the error rows."""
    counts = {_: Counter() for _ in gold.types}
    errors = []
    by_gold, by_pred = defaultdict(list), defaultdict(list)
    for mention in gold.mentions:
        by_gold[mention.doc_id, mention.type].append(mention)
    for mention in pred.mentions:
        if mention.doc_id in gold.texts and mention.type in counts:
            by_pred[mention.doc_id, mention.type].append(mention)
    for doc_id, text in gold.texts.items():
        for type in gold.types:
            golds = sorted(by_gold[doc_id, type], key=lambda _: (_.start, _.stop))
            preds = sorted(by_pred[doc_id, type], key=lambda _: (_.start, _.stop))
            pairs = match(golds, preds)
            count = counts[type]
            count['gold'] += len(golds)
            count['pred'] += len(preds)
            count['tp_overlap'] += len(pairs)
            count['tp_exact'] += exact_matches(golds, preds)
            matched_gold, matched_pred = {g for g, _ in pairs}, {p for _, p in pairs}
            for g, p in pairs:
                g_item, p_item = golds[g], preds[p]
                if (g_item.start, g_item.stop) != (p_item.start, p_item.stop):
                    errors.append(error_row('wrong_span', doc_id, type, text, g_item, p_item))
                checks = []
                if type in NAME_TYPES and g_item.normal is not None:
                    checks.append(('normal', normal_ok(g_item, p_item)))
                if type in VALUE_TYPES:
                    checks.append(('value', same_value(g_item.value, p_item.value)))
                if type in UNIT_TYPES:
                    checks.append(('unit', same_value(g_item.unit, p_item.unit)))
                for name, ok in checks:
                    count[f'{name}_n'] += 1
                    count[f'{name}_correct'] += ok
                    if not ok:
                        errors.append(error_row(f'wrong_{name}', doc_id, type, text, g_item, p_item))
            for g, item in enumerate(golds):
                if g not in matched_gold:
                    errors.append(error_row('false_negative', doc_id, type, text, gold=item))
            for p, item in enumerate(preds):
                if p not in matched_pred:
                    errors.append(error_row('false_positive', doc_id, type, text, pred=item))
    counts['all'] = sum(counts.values(), Counter())
    rows = {}
    for type, count in counts.items():
        row = dict(gold=count['gold'], pred=count['pred'])
        for kind in ('overlap', 'exact'):
            tp = count[f'tp_{kind}']
            p, r, f = prf(tp, count['gold'], count['pred'])
            row.update({f'tp_{kind}': tp, f'p_{kind}': p, f'r_{kind}': r, f'f1_{kind}': f})
        for name in ('normal', 'value', 'unit'):
            row[f'{name}_accuracy'] = accuracy(count[f'{name}_correct'], count[f'{name}_n'])
            row[f'{name}_correct'] = count[f'{name}_correct']
            row[f'{name}_n'] = count[f'{name}_n']
        rows[type] = row
    scores = pd.DataFrame.from_dict(rows, orient='index')
    scores.index.name = 'type'
    return scores, errors


def score_entities(gold: Gold, pred: Annotations) -> tuple[pd.DataFrame, list[dict]]:
    """Entity-level figures per type (and `all`): entities of a document matched by type and folded name."""
    types = [_ for _ in gold.types if _ in NAME_TYPES]
    counts = {_: Counter() for _ in types}
    errors = []
    by_gold, by_pred = defaultdict(list), defaultdict(list)
    for entity in gold.entities:
        by_gold[entity.doc_id, entity.type].append(entity)
    for entity in pred.entities:
        if entity.doc_id in gold.texts and entity.type in counts:
            by_pred[entity.doc_id, entity.type].append(entity)
    for doc_id, text in gold.texts.items():
        for type in types:
            golds, preds = by_gold[doc_id, type], by_pred[doc_id, type]
            keys = [entity_key(type, _.name) for _ in preds]
            used, matched = set(), set()
            for names in ('name', 'aliases'):    # the main names first, then the other accepted ones
                for g, entity in enumerate(golds):
                    if g in matched:
                        continue
                    wanted = {entity_key(type, _) for _ in
                              ((entity.name,) if names == 'name' else entity.aliases)}
                    p = next((p for p, key in enumerate(keys) if p not in used and key in wanted), None)
                    if p is not None:
                        used.add(p)
                        matched.add(g)
            counts[type].update(gold=len(golds), pred=len(preds), matched=len(matched))
            errors += [error_row('entity_false_negative', doc_id, type, text, gold=_)
                       for g, _ in enumerate(golds) if g not in matched]
            errors += [error_row('entity_false_positive', doc_id, type, text, pred=_)
                       for p, _ in enumerate(preds) if p not in used]
    counts['all'] = sum(counts.values(), Counter())
    rows = {}
    for type, count in counts.items():
        p, r, f = prf(count['matched'], count['gold'], count['pred'])
        rows[type] = dict(gold=count['gold'], pred=count['pred'], matched=count['matched'], p=p, r=r, f1=f)
    table = pd.DataFrame.from_dict(rows, orient='index')
    table.index.name = 'type'
    return table, errors


# ---------------------------------------------------------------- thresholds

def parse_toml(text: str) -> dict:
    """TOML through tomllib (Python 3.11+), else through `parse_thresholds`."""
    try:
        import tomllib
    except ModuleNotFoundError:      # Python 3.10: no tomllib, and no extra dependency for this
        return parse_thresholds(text)
    return tomllib.loads(text)


def parse_thresholds(text: str) -> dict:
    """The TOML subset thresholds need: `[A]` or `[A.B]` sections, `key = number` lines, `#` comments."""
    data: dict = {}
    section = data
    for line_number, line in enumerate(text.splitlines(), 1):
        line = line.split('#', 1)[0].strip()
        if not line:
            continue
        if line.startswith('[') and line.endswith(']'):
            section = data
            for part in line[1:-1].split('.'):
                section = section.setdefault(part.strip().strip('"'), {})
            continue
        key, sign, value = line.partition('=')
        figure = number(value) if sign else None
        if figure is None:
            raise ValueError(f'line {line_number}: expected `figure = number`, got {line!r}')
        section[key.strip()] = figure
    return data


def load_thresholds(path: str | Path | None) -> dict:
    """Thresholds from a TOML file: `[PER] f1_overlap = 0.8`, `[all] ...`, `[entities.PER] f1 = ...`."""
    if path is None:
        return {}
    path = Path(path)
    if not path.is_file():
        raise GoldError(f'thresholds file {path} does not exist')
    try:
        return parse_toml(path.read_text(encoding='utf-8'))
    except ValueError as error:     # tomllib.TOMLDecodeError
        raise GoldError(f'{path}: {error}') from None


def default_thresholds(gold_dir: str | Path, fmt: str = 'jsonl') -> Path | None:
    """`thresholds.toml` beside JSONL gold, when there is one."""
    path = Path(gold_dir) / 'thresholds.toml'
    return path if fmt == 'jsonl' and path.is_file() else None


# ---------------------------------------------------------------- report

SCORE_COLUMNS = [('gold', 'gold'), ('pred', 'pred'), ('p_overlap', 'P'), ('r_overlap', 'R'), ('f1_overlap', 'F1'),
                 ('p_exact', 'P exact'), ('r_exact', 'R exact'), ('f1_exact', 'F1 exact'),
                 ('normal_accuracy', 'normal'), ('value_accuracy', 'value'), ('unit_accuracy', 'unit')]
ENTITY_COLUMNS = [('gold', 'gold'), ('pred', 'pred'), ('matched', 'matched'), ('p', 'P'), ('r', 'R'), ('f1', 'F1')]


def cell(table: pd.DataFrame, type: str, column: str) -> str:
    value = table.loc[type, column]
    if column.endswith('_accuracy'):
        name = column.removesuffix('_accuracy')
        total = int(table.loc[type, f'{name}_n'])
        return '–' if not total else f'{value:.3f} {int(table.loc[type, f"{name}_correct"])}/{total}'
    if isinstance(value, float):
        return '–' if math.isnan(value) else f'{value:.3f}'
    return str(value)


def grid(table: pd.DataFrame, columns: list[tuple[str, str]], markdown: bool = False) -> str:
    headers = ['type'] + [_ for __, _ in columns]
    rows = [[str(type)] + [cell(table, type, column) for column, _ in columns] for type in table.index]
    if markdown:
        lines = ['| ' + ' | '.join(headers) + ' |', '|' + '|'.join(['---'] + ['---:'] * len(columns)) + '|']
        return '\n'.join(lines + ['| ' + ' | '.join(row) + ' |' for row in rows])
    widths = [max(len(row[i]) for row in [headers] + rows) for i in range(len(headers))]

    def line(row):
        return '  '.join(value.ljust(widths[i]) if i == 0 else value.rjust(widths[i]) for i, value in enumerate(row))
    return '\n'.join([line(headers)] + [line(row) for row in rows])


@dataclass
class Report:
    """Figures of one validation: per-type `scores`, `entities`, and the `errors` rows."""
    scores: pd.DataFrame
    entities: pd.DataFrame
    errors: pd.DataFrame
    system: str = 'ours'
    gold_dir: str = ''
    fmt: str = 'jsonl'
    documents: int = 0
    seconds: float = 0.0            # predictions (including model loading)
    warnings: list[str] = field(default_factory=list)
    failures: list[str] | None = None   # set by `check`
    thresholds: str | None = None       # where they came from
    roles: pd.DataFrame | None = None   # role P/R/F1 (`score_roles`), when the gold holds roles
    role_examples: list[dict] = field(default_factory=list)

    def check(self, thresholds: dict, source: str | Path | None = None) -> list[str]:
        """Every figure below its threshold, as `PER f1_overlap 0.712 < 0.800` (none checked: [])."""
        if not thresholds:
            return []
        failures = []
        for section, keys in thresholds.items():
            if section == 'entities':
                for type, entity_keys in keys.items():
                    failures += self.below(self.entities, type, entity_keys, f'entities {type}')
            elif section == 'roles':      # [roles.person], [roles."person+org"]: precision, recall, f1
                for level, role_keys in keys.items():
                    if level not in ('person', 'person+org'):
                        raise GoldError(f'thresholds: unknown section [roles.{level}] (person or "person+org")')
                    if self.roles is None:
                        failures.append(f'roles {level}: no roles measured (gold without ROLE records)')
                        continue
                    failures += self.below(self.roles, level, role_keys,
                                           f'roles {level}', levels=('person', 'person+org'))
            else:
                failures += self.below(self.scores, section, keys, section)
        self.failures, self.thresholds = failures, str(source or 'given thresholds')
        return failures

    def below(self, table: pd.DataFrame, type: str, keys: dict, label: str,
              levels: tuple = TYPES + ('all',)) -> list[str]:
        if type not in levels:
            raise GoldError(f'thresholds: unknown section [{label}] (a type or `all`)')
        if not isinstance(keys, dict):
            raise GoldError(f'thresholds: {label} should be a [section] of `figure = number` lines')
        failures = []
        for key, threshold in keys.items():
            if key not in table.columns or key in ('gold', 'pred'):
                raise GoldError(f'thresholds: unknown figure {key!r} in [{label}]; known: '
                                + ', '.join(_ for _ in table.columns if _ not in ('gold', 'pred')))
            if type not in table.index:
                continue                      # a type this gold does not label
            value = float(table.loc[type, key])
            if math.isnan(value):     # nothing to measure it on: fails only a real requirement
                if threshold > 0 and table.loc[type, 'gold'] > 0:
                    failures.append(f'{label} {key} not measured (nothing matched) < {threshold:.3f}')
            elif value < threshold:
                failures.append(f'{label} {key} {value:.3f} < {threshold:.3f}')
        return failures

    def header(self) -> str:
        return (f'system {self.system} on {self.gold_dir} ({self.fmt}): {self.documents} documents, '
                f'predictions in {self.seconds:.1f} s')

    def text(self) -> str:
        """The tables as printed on the terminal."""
        parts = [self.header(), '', 'Mentions (P/R/F1 on overlapping spans, then exact spans; '
                                    'normal/value/unit: accuracy among overlapping pairs)',
                 grid(self.scores, SCORE_COLUMNS), '', 'Entities (per document, type + folded name)',
                 grid(self.entities, ENTITY_COLUMNS)]
        if self.roles is not None:
            parts += ['', 'Roles (one per document, person and organisation; position_normal: accuracy)',
                      self.roles.to_string(float_format=lambda _: f'{_:.3f}')]
        if self.warnings:
            parts += ['', f'{len(self.warnings)} warning(s):'] + [f'  {_}' for _ in self.warnings[:10]]
            if len(self.warnings) > 10:
                parts.append('  ... (all of them in the report)')
        if self.failures is not None:
            parts += ['', f'Thresholds ({self.thresholds}): '
                      + (f'{len(self.failures)} figure(s) below' if self.failures else 'all met')]
            parts += [f'  below: {_}' for _ in self.failures]
        return '\n'.join(parts)

    def markdown(self) -> str:
        kinds = (self.errors.groupby(['type', 'kind_of_error']).size().unstack(fill_value=0)
                 if len(self.errors) else None)
        parts = ['# Validation report', '', self.header(), '',
                 '## Mentions', '',
                 'P/R/F1 on overlapping spans (same type and document, each matched once, greedy by largest '
                 'overlap), then on exact spans. `normal`, `value`, `unit`: accuracy among the overlapping '
                 'pairs (correct/scored), after folding `ё`→`е` and case; numbers compared as numbers.', '',
                 grid(self.scores, SCORE_COLUMNS, markdown=True), '',
                 '## Entities', '',
                 'Entities of each document matched by type and folded name (`ё`, case, quotes, hyphens; '
                 'people by first + last name).', '',
                 grid(self.entities, ENTITY_COLUMNS, markdown=True), '']
        if self.roles is not None:
            parts += ['## Roles', '', 'Roles matched once each, by document and person (`person`), and also by '
                      'organisation or place (`person+org`); `position_normal`: accuracy among the matched '
                      'pairs whose gold gives it.', '',
                      role_grid(self.roles), '']
            for kind in ('correct', 'wrong', 'missed'):
                shown = [_ for _ in self.role_examples if _['kind'] == kind]
                if shown:
                    parts += [f'### {kind} ({len(shown)})', '']
                    parts += [f"- {_['doc_id']}: gold `{_['gold']}` / ours `{_['pred']}` — {_['context']}"
                              for _ in shown]
                    parts.append('')
        if self.failures is not None:
            parts += [f'## Thresholds ({self.thresholds})', '']
            parts += [f'- below: {_}' for _ in self.failures] if self.failures else ['All figures meet their '
                                                                                     'thresholds.']
            parts.append('')
        if kinds is not None:
            parts += ['## Errors by kind', '', '| type | ' + ' | '.join(kinds.columns) + ' |',
                      '|---|' + '---:|' * len(kinds.columns)]
            parts += [f'| {type} | ' + ' | '.join(str(_) for _ in row) + ' |' for type, row in kinds.iterrows()]
            parts.append('')
        if self.warnings:
            parts += ['## Warnings', ''] + [f'- {_}' for _ in self.warnings] + ['']
        return '\n'.join(parts)

    def write(self, report: str | Path, errors: str | Path | None = None) -> tuple[Path, Path]:
        """The Markdown report, and the error rows as CSV (default: `<report>-errors.csv` beside it)."""
        report = Path(report)
        errors = Path(errors) if errors is not None else report.with_name(f'{report.stem}-errors.csv')
        report.parent.mkdir(parents=True, exist_ok=True)
        errors.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(self.markdown(), encoding='utf-8')
        self.errors.to_csv(errors, index=False, encoding='utf-8-sig')
        return report, errors


def compare(gold: Gold, pred: Annotations, **details) -> Report:
    """Score predictions against gold."""
    scores, mention_errors = score_mentions(gold, pred)
    entities, entity_errors = score_entities(gold, pred)
    errors = pd.DataFrame(mention_errors + entity_errors, columns=ERROR_COLUMNS)
    for column in ('gold_start', 'gold_stop', 'pred_start', 'pred_stop'):
        errors[column] = errors[column].astype('Int64')
    position = errors['gold_start'].fillna(errors['pred_start'])
    order = errors.assign(position=position).sort_values(['doc_id', 'type', 'position'], kind='stable').index
    errors = errors.loc[order].reset_index(drop=True)
    roles, role_examples = score_roles(gold, pred) if gold.roles else (None, [])
    return Report(scores, entities, errors, documents=len(gold.texts),
                  warnings=list(gold.warnings) + list(pred.warnings), roles=roles,
                  role_examples=role_examples, **details)


def validate(gold_dir: str | Path, texts: str | Path | None = None, tables: str | Path | None = None,
             fmt: str = 'jsonl', system: str = 'ours', docs: str | None = None,
             exclude: Iterable[str] = ()) -> Report:
    """Score `system` (our pipeline, or its output `tables`; or `natasha`) against the gold in `gold_dir`."""
    gold = select(read_gold(gold_dir, fmt, texts), docs, exclude)
    started = time.perf_counter()
    pred = predict(gold, system, tables)
    seconds = time.perf_counter() - started
    return compare(gold, pred, system=system if tables is None else f'ours (tables {tables})',
                   gold_dir=str(gold_dir), fmt=fmt, seconds=seconds)
