"""Command line: `python -m pipeline run|validate ...` (thin over the library)."""

from __future__ import annotations

import argparse
import sys


def command_run(args) -> int:
    from .batch import run
    summary = run(args.inputs, args.out, progress=None if not args.quiet else False)
    print(summary.line())
    return 0


def command_validate(args) -> int:
    from . import goldsets, validate
    try:
        report = validate.validate(args.gold, texts=args.texts, tables=args.tables, fmt=args.format,
                                   system=args.system, exclude=goldsets.read_list(args.exclude),
                                   docs=','.join(goldsets.read_list(args.only)) if args.only else args.docs)
        thresholds = args.thresholds or validate.default_thresholds(args.gold, args.format)
        failures = report.check(validate.load_thresholds(thresholds), thresholds)
    except goldsets.GoldError as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    print(report.text())
    report_file, errors_file = report.write(args.report, args.errors)
    print(f'\nreport: {report_file}; errors: {errors_file} ({len(report.errors)} rows)')
    return 1 if failures else 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog='python -m pipeline',
        description='Extract people, organisations, places, dates and numbers from Russian news into tables.',
    )
    commands = top.add_subparsers(dest='command', required=True, metavar='COMMAND')

    run = commands.add_parser('run', help='process articles into tables',
                              description='Process .txt files, folders of them, or .jsonl/.csv collections '
                                          'into Parquet and CSV tables.')
    run.add_argument('inputs', nargs='+', metavar='INPUT', help='files or folders (searched recursively)')
    run.add_argument('--out', default='output', help='output folder (default: output)')
    run.add_argument('--quiet', action='store_true', help='no progress bar')
    run.set_defaults(handler=command_run)

    check = commands.add_parser(
        'validate', help='score the pipeline against hand-labelled gold',
        description='Score the pipeline (or the natasha baseline) against gold: P/R/F1 per type on overlapping '
                    'and on exact spans, accuracy of normal/value/unit, entity-level P/R/F1 (GOLD-GUIDE.md, '
                    'Scoring). Prints the tables, writes a Markdown report and a CSV of every error, and exits '
                    'with 1 when a figure is below its threshold.',
        epilog='examples: python -m pipeline validate --gold gold; '
               'python -m pipeline validate --gold ../shared/factru-devset --format factru --system natasha')
    check.add_argument('--gold', required=True, metavar='DIR',
                       help='gold folder: *.jsonl as GOLD-GUIDE.md describes (default format), or factRuEval files')
    check.add_argument('--texts', metavar='DIR',
                       help='where <doc_id>.txt are when not beside the gold files (default: seeds)')
    check.add_argument('--tables', metavar='DIR',
                       help='score the tables of an earlier run in DIR instead of running the pipeline')
    check.add_argument('--format', choices=('jsonl', 'factru'), default='jsonl',
                       help='gold layout: jsonl (GOLD-GUIDE.md) or factru (factRuEval-2016); default jsonl')
    check.add_argument('--system', choices=('ours', 'natasha'), default='ours',
                       help='ours (the pipeline) or natasha (the plain natasha baseline); default ours')
    check.add_argument('--report', default='output/validate/report.md', metavar='FILE',
                       help='Markdown report (default: output/validate/report.md)')
    check.add_argument('--errors', metavar='FILE',
                       help='CSV of every false positive/negative, boundary and wrong normal/value/unit, with '
                            'context (default: <report>-errors.csv beside the report)')
    check.add_argument('--thresholds', metavar='FILE',
                       help='TOML of minimum figures, e.g. [PER] f1_overlap = 0.8 (default: thresholds.toml in '
                            'a jsonl gold folder, when present)')
    which = check.add_mutually_exclusive_group()
    which.add_argument('--docs', metavar='PATTERN',
                       help='score only documents whose id matches these glob patterns (comma-separated)')
    which.add_argument('--exclude', metavar='FILE', help='leave out the document ids listed in FILE, one a line')
    which.add_argument('--only', metavar='FILE', help='score only the document ids listed in FILE, one a line')
    check.set_defaults(handler=command_validate)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.handler(args)


if __name__ == '__main__':
    sys.exit(main())
