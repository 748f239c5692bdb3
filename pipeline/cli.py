"""Command line: `python -m pipeline run|validate ...` (thin over the library)."""

from __future__ import annotations

import argparse
import sys


def command_run(args) -> int:
    from .batch import run
    summary = run(args.inputs, args.out, progress=None if not args.quiet else False)
    print(summary.line())
    return 0


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
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.handler(args)


if __name__ == '__main__':
    sys.exit(main())
