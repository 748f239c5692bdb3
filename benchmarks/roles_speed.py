"""Time of the roles stage beside the whole pipeline, on NEREL development articles.

    python benchmarks/roles_speed.py [--docs 200] [--compare OLD_ROLES.py]

Runs every stage of `pipeline.batch.runner.STAGES` before `rules.roles` over
`--docs` NEREL development articles (../shared/nerel-train, the holdout of
benchmarks/nerel-holdout.txt left out; the factRuEval dev texts when NEREL is
absent), times that, then times the roles stage alone over the same documents
(three passes, the best kept; the first warms the morphology caches) and prints
ms per document and its share of the whole. `--compare` times another version
of the roles module (e.g. `git show REV:pipeline/stages/roles.py > old.py`)
on the same documents. Figures, not asserts.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NEREL = ROOT.parent / 'shared' / 'nerel-train'
FACTRU = ROOT.parent / 'shared' / 'factru-devset'


def texts(limit: int) -> dict[str, str]:
    from pipeline.evaluation.goldsets import read_list, read_text
    if NEREL.is_dir():
        held = set(read_list(ROOT / 'benchmarks' / 'nerel-holdout.txt'))
        paths = [_ for _ in sorted(NEREL.glob('*.txt')) if _.stem not in held]
    else:
        paths = sorted(FACTRU.glob('*.txt'))
    return {_.stem: read_text(_) for _ in paths[:limit]}


def best_of(run, docs, passes: int = 3) -> float:
    times = []
    for _ in range(passes):
        copies = [copy.copy(doc) for doc in docs]
        started = time.perf_counter()
        for doc in copies:
            run(doc)
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--docs', type=int, default=200)
    parser.add_argument('--compare', type=Path, help='another roles module to time on the same documents')
    args = parser.parse_args()
    from pipeline.batch.resources import shared
    from pipeline.batch.runner import STAGES
    from pipeline.document import Document
    from pipeline.stages import roles
    res = shared()
    found = texts(args.docs)
    docs = [Document(doc_id=key, text=text, source=f'{key}.txt') for key, text in found.items()]
    started = time.perf_counter()
    for name, stage in STAGES:
        if name == 'rules.roles':
            break
        docs = [stage(doc, res) for doc in docs]
    before = time.perf_counter() - started
    chars = sum(len(_.text) for _ in docs)
    print(f'{len(docs)} documents, {chars:,} characters; stages before roles: {before:.1f} s '
          f'({1000 * before / len(docs):.1f} ms/doc)')
    modules = [('roles (this tree)', roles)]
    if args.compare:
        spec = importlib.util.spec_from_file_location('roles_compared', args.compare)
        other = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(other)
        modules.append((f'roles ({args.compare})', other))
    for label, module in modules:
        seconds = best_of(module.run, docs)
        count = sum(len(module.run(copy.copy(_)).roles) for _ in docs)
        print(f'{label}: {seconds:.2f} s, {1000 * seconds / len(docs):.2f} ms/doc, '
              f'{100 * seconds / (before + seconds):.1f}% of the pipeline; {count} roles')


if __name__ == '__main__':
    main()
