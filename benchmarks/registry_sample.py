"""The registry on the seeds and the factRuEval dev texts: a sample of merges and non-merges to check by hand.

    python benchmarks/registry_sample.py [--work DIR] [--sample 50] [--seed 0]

Runs the pipeline in two incremental runs (the first half of the articles,
then all of them) and a rerun, and prints:

- how many entity ids the second run kept (every one the first run gave must
  stay) and whether the rerun left the registry as it was;
- the registry's size: global ids by type, how many span two or more articles;
- `--sample` merges: pairs of entities of different articles that share a
  global id (one pair per global id, ids drawn at random, evenly across types);
- `--sample` non-merges: pairs of entities of different articles that do not
  share one although they look alike (same type, and the same surname for
  people, a common word of three letters or more for the others), drawn at
  random, evenly across types, one pair per pair of global ids.

Each pair is written to `<work>/registry-sample.csv` with the sentence each
entity is first mentioned in, and a `same` column to fill by hand (`yes`,
`no` or `?`). The precision of merges is yes / (yes + no) over the merges;
of non-merges, no / (yes + no) over the non-merges. The factRuEval texts are
read from ../shared and never copied into the project.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
FACTRU = ROOT.parent / 'shared' / 'factru-devset'
sys.path.insert(0, str(ROOT))

from pipeline import load_tables  # noqa: E402
from pipeline.batch.runner import run  # noqa: E402


def sentence(text: str, start: int, stop: int, width: int = 110) -> str:
    left = max(text.rfind('\n', 0, start), text.rfind('. ', 0, start), start - width)
    right = min(_ for _ in (text.find('\n', stop), text.find('. ', stop), stop + width, len(text)) if _ >= 0)
    return ' '.join((text[left + 1:start] + '[' + text[start:stop] + ']' + text[stop:right]).split())


def words(name: str) -> set[str]:
    return {_ for _ in re.findall(r'\w+', name.lower().replace('ё', 'е')) if len(_) >= 3}


def stratified(items: list, kind, size: int, rng: random.Random) -> list:
    """`size` items drawn at random, as evenly across kinds (PER, ORG, LOC) as they allow."""
    groups = defaultdict(list)
    for item in items:
        groups[kind(item)].append(item)
    for group in groups.values():
        rng.shuffle(group)
    chosen = []
    while len(chosen) < size and any(groups.values()):
        for name in sorted(groups):
            if groups[name] and len(chosen) < size:
                chosen.append(groups[name].pop())
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work', type=Path, default=None,
                        help='folder for the inputs and output (default: temporary)')
    parser.add_argument('--sample', type=int, default=50)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix='registry-'))
    inputs, out = work / 'in', work / 'out'
    shutil.rmtree(work / 'in', ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    inputs.mkdir(parents=True)
    files = sorted((ROOT / 'seeds').glob('*.txt')) + (sorted(FACTRU.glob('*.txt')) if FACTRU.is_dir() else [])
    half = len(files) // 2
    for file in files[:half]:
        shutil.copy(file, inputs / file.name)
    run([inputs], out, progress=False)
    first = load_tables(out)
    for file in files[half:]:
        shutil.copy(file, inputs / file.name)
    run([inputs], out, progress=False)
    tables = load_tables(out)
    run([inputs], out, progress=False)
    again = load_tables(out)

    before = dict(zip(first['registry_entities']['entity_id'], first['registry_entities']['global_id']))
    after = dict(zip(tables['registry_entities']['entity_id'], tables['registry_entities']['global_id']))
    kept = sum(after.get(_) == before[_] for _ in before)
    print(f'{len(files)} articles ({half} in the first run, then all); '
          f'ids kept by the second run: {kept}/{len(before)}; '
          f'rerun left the registry as it was: {again["registry"].equals(tables["registry"])}')
    registry = tables['registry']
    for type, group in registry.groupby('type'):
        print(f'{type}: {len(group)} global ids for {group["n_articles"].sum()} article entities; '
              f'{(group["n_articles"] > 1).sum()} in two or more articles')

    entities = tables['entities'].merge(tables['registry_entities'][['entity_id', 'global_id']],
                                        on='entity_id')
    persons = tables['persons'].set_index('entity_id')
    texts = dict(zip(tables['documents']['doc_id'], tables['documents']['text']))
    mentions = (tables['mentions'].dropna(subset=['entity_id']).sort_values('start')
                .drop_duplicates('entity_id'))
    first_mention = {row.entity_id: (row.start, row.stop) for row in mentions.itertuples()}
    rng = random.Random(args.seed)

    def row(kind, a, b):
        a, b = (pd.Series(_._asdict()) if hasattr(_, '_asdict') else _ for _ in (a, b))
        return dict(kind=kind, type=a.type, global_id_a=a.global_id, global_id_b=b.global_id,
                    doc_a=a.doc_id, name_a=a['name'],
                    context_a=sentence(texts[a.doc_id], *first_mention[a.entity_id]),
                    doc_b=b.doc_id, name_b=b['name'],
                    context_b=sentence(texts[b.doc_id], *first_mention[b.entity_id]),
                    same='')

    rows = []
    spread = [gid for gid, group in entities.groupby('global_id') if group['doc_id'].nunique() > 1]
    for gid in stratified(sorted(spread), lambda _: _[0], args.sample, rng):
        group = entities[entities['global_id'] == gid]
        a = group.sample(1, random_state=rng.randrange(10**6)).iloc[0]
        b = group[group['doc_id'] != a.doc_id].sample(1, random_state=rng.randrange(10**6)).iloc[0]
        rows.append(row('merge', a, b))

    def signature(entity) -> set[str]:
        if entity.type == 'PER' and entity.entity_id in persons.index:
            last = persons.loc[entity.entity_id, 'last']
            return {str(last).lower().replace('ё', 'е')} if isinstance(last, str) else set()
        return words(entity.name)

    index = defaultdict(list)
    for entity in entities.itertuples(index=False):
        for word in signature(entity):
            index[(entity.type, word)].append(entity)
    pairs = set()
    for found in index.values():
        for i, a in enumerate(found):
            for b in found[i + 1:]:
                if a.doc_id != b.doc_id and a.global_id != b.global_id:
                    pairs.add(tuple(sorted((a.entity_id, b.entity_id))))
    by_id = {_.entity_id: _ for _ in entities.itertuples(index=False)}
    distinct, seen = [], set()
    for a, b in sorted(pairs):   # one pair per pair of global ids
        key = tuple(sorted((by_id[a].global_id, by_id[b].global_id)))
        if key not in seen:
            seen.add(key)
            distinct.append((a, b))
    for a, b in stratified(distinct, lambda _: by_id[_[0]].type, args.sample, rng):
        rows.append(row('non-merge', by_id[a], by_id[b]))
    print(f'look-alike pairs of global ids not merged: {len(distinct)}')
    sample = pd.DataFrame(rows)
    sample.to_csv(work / 'registry-sample.csv', index=False)
    print(f'sample: {(sample["kind"] == "merge").sum()} merges, '
          f'{(sample["kind"] == "non-merge").sum()} non-merges '
          f'-> {work / "registry-sample.csv"}')


if __name__ == '__main__':
    main()
