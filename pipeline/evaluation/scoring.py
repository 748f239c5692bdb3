"""Scoring: predictions against gold, as GOLD-GUIDE.md (Scoring) defines it.

Mentions: per type and overall (micro) P/R/F1 on overlapping spans (same
document and type, each mention matched at most once, greedy by largest
overlap) and on exact spans; among matched pairs, the accuracy of `normal`,
`value` and `unit` after folding. Entities: P/R/F1 per document by type and
folded name. Roles: P/R/F1 by person, and by person and organisation. Every
error comes back as one row with its context (`ERROR_COLUMNS`).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import pandas as pd

from pipeline.document import NAME_TYPES, VALUE_TYPES
from pipeline.evaluation.goldsets import (
    Annotations,
    Gold,
    Labelled,
    Named,
    RoleRecord,
    entity_key,
    fold,
    fold_name,
    same_value,
    show,
)

UNIT_TYPES = ('NUMBER', 'MONEY')
ERROR_COLUMNS = ['doc_id', 'type', 'kind_of_error',
                 'gold_start', 'gold_stop', 'gold_text', 'gold_normal_value', 'gold_unit',
                 'pred_start', 'pred_stop', 'pred_text', 'pred_normal_value', 'pred_unit', 'context']
CONTEXT = 40   # characters of context on each side of an error


def spans_meet(a: tuple, b: tuple) -> bool:
    return any(x[0] < y[1] and y[0] < x[1] for x in a for y in b)


def role_person_ok(gold: RoleRecord, pred: RoleRecord) -> bool:
    """Same person: by mention extents when the gold gives them (factRuEval), else by folded name."""
    if gold.person_spans:
        return spans_meet(gold.person_spans, pred.person_spans)
    return bool(gold.person and pred.person) and fold_name(gold.person) == fold_name(pred.person)


def role_org_ok(gold: RoleRecord, pred: RoleRecord) -> bool:
    """Same organisation or place (none on both sides counts as the same)."""
    if gold.org_spans or (pred.org_spans and gold.person_spans):
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
    (one per document, person and organisation) is matched once. Against a gold that does not label
    occupations held nowhere in particular (factRuEval), predicted occupations without an organisation
    are left out."""
    gold_roles = unique_roles(gold.roles, lambda _: (_.doc_id, _.person_spans or fold_name(_.person or ''),
                                                     _.org_spans or fold_name(_.organisation or '')))
    scored = [_ for _ in pred.roles if gold.bare_occupations or _.kind != 'occupation' or _.organisation]
    pred_roles = unique_roles(scored, lambda _: (_.doc_id, fold_name(_.person or ''),
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


def grouped(items, docs=None, types=None) -> defaultdict:
    """Mentions or entities by (doc_id, type); with `docs` and `types`, only those of them."""
    found = defaultdict(list)
    for item in items:
        if docs is None or (item.doc_id in docs and item.type in types):
            found[item.doc_id, item.type].append(item)
    return found


def score_mentions(gold: Gold, pred: Annotations) -> tuple[pd.DataFrame, list[dict]]:
    """Per-type (and `all`) counts and figures, and the error rows."""
    counts = {_: Counter() for _ in gold.types}
    errors = []
    by_gold, by_pred = grouped(gold.mentions), grouped(pred.mentions, gold.texts, counts)
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
                for name, ok in [_ for _ in checks if _[0] in gold.facets]:     # NEREL: spans only
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
    types = [_ for _ in gold.types if _ in NAME_TYPES and 'entities' in gold.facets]
    counts = {_: Counter() for _ in types}
    errors = []
    by_gold, by_pred = grouped(gold.entities), grouped(pred.entities, gold.texts, counts)
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
