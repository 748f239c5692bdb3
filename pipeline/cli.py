"""Command line: `python -m pipeline run|compact|validate ...` (thin over the library)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# light modules only: `run` starts its workers before this process imports pandas and the models
from pipeline.batch.budget import DOC_TIMEOUT, BudgetError, time_budget
from pipeline.batch.engines import CHUNK_SIZE
from pipeline.batch.ingest import SUFFIXES
from pipeline.store.layout import TABLES


def command_run(args) -> int:
    from pipeline.batch import engines, ingest
    from pipeline.store import layout
    try:
        ingest.check_out(args.inputs, args.tables)
    except ingest.InputError as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    try:
        engine = engines.start(args.engine or ('dask' if args.scheduler else 'local'),
                               args.workers or engines.cores(), args.scheduler, preload=engines.PRELOAD)
    except engines.EngineError as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    held = 0 if args.reprocess_older else layout.documents_held(args.tables)
    if isinstance(engine, engines.Local) and ingest.estimate(args.inputs) - held >= 2 * args.chunk_size:
        engine.start()    # workers load their models while this process imports pandas and reads the input
    from pipeline.batch.runner import run
    from pipeline.store.tables import StoreError
    try:
        summary = run(args.inputs, args.tables, progress=None if not args.quiet else False,
                      workers=args.workers, chunk_size=args.chunk_size, engine=engine,
                      doc_timeout=args.doc_timeout, reprocess_older=args.reprocess_older,
                      languages=args.languages, duplicates=not args.no_duplicates)
    except KeyboardInterrupt:
        print('interrupted: the chunks committed so far are kept; the same command finishes the job',
              file=sys.stderr)
        return 130
    except (engines.EngineError, StoreError, ingest.InputError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    except OSError as error:   # a read-only mount, a full disk: the store stays as last committed
        from pipeline.export.target import reason
        print(f'error: cannot write {args.tables}: {reason(error)} ({error.filename or args.tables})',
              file=sys.stderr)
        return 2
    finally:
        engine.close()
    print(summary.line())
    if summary.errors and not summary.documents and not summary.skipped:
        print('error: no input could be processed (see the errors table)', file=sys.stderr)
        return 1
    if args.strict and summary.errors:
        print(f'error: {summary.errors} inputs or documents failed (--strict; see the errors table)',
              file=sys.stderr)
        return 1
    return 0


def command_compact(args) -> int:
    from pipeline.store.tables import StoreError, compact
    try:
        before, after = compact(args.tables, args.retention_hours)
    except StoreError as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    print(f'{args.tables}: {before} data files before, {after} after (files older than '
          f'{args.retention_hours:g} hours that no current row needs deleted)')
    return 0


def command_export(args) -> int:
    from pipeline.export.target import TargetError
    from pipeline.store.tables import StoreError
    try:
        if args.format == 'csv':
            from pipeline.export.csvtables import write_folder
            out = write_folder(args.tables, args.out or beside(args.tables, '-csv'))[0].parent
        elif args.format == 'xlsx':
            from pipeline.export.excel import ExcelError, write_xlsx
            try:
                out = write_xlsx(args.tables, args.out or beside(args.tables, '.xlsx'))
            except ExcelError as error:
                raise StoreError(str(error)) from None
        else:
            from pipeline.export.sql import write_database
            out = write_database(args.tables, args.out or beside(args.tables, '.duckdb'))
    except (StoreError, FileNotFoundError, TargetError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    print(f'{args.format}: {out}')
    return 0


TABLES_DEFAULT = 'output'
VALIDATE_REPORT = 'validate/report.md'   # outside the tables folder, as every derived file


def tables_option(parser, help: str = 'the tables: output folder of a run, or s3://bucket/path '
                                      '(default: output)') -> None:
    """--tables DIR, and --out as a hidden synonym where --out used to name the tables folder."""
    parser.add_argument('--tables', default=TABLES_DEFAULT, metavar='DIR', help=help)


def old_out_option(parser) -> None:
    """--out, the old name of --tables for `run` and `compact`: kept working, not shown."""
    parser.add_argument('--out', dest='tables', metavar='DIR', help=argparse.SUPPRESS)


def beside(tables: str, suffix: str) -> str:
    """A derived file named after the tables folder, next to it: output -> output.xlsx (never inside it)."""
    folder = Path(tables)
    if not folder.name:   # `.` or `/`: no name to take
        folder = folder.absolute()
    return str(folder.with_name(f'{folder.name or "tables"}{suffix}'))


def table_list() -> str:
    return ', '.join(TABLES)


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f'{text} is not a positive number')
    return value


def seconds(text: str) -> float:
    """--doc-timeout: seconds checked by budget.time_budget (0 and inf: no limit)."""
    try:
        value = time_budget(text)
    except BudgetError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return 0.0 if value is None else value


def command_validate(args) -> int:
    from pipeline.evaluation import goldsets, validate
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
    default = Path(beside(args.tables, '-validate'), 'report.md') if args.tables else VALIDATE_REPORT
    report_file, errors_file = report.write(args.report or default, args.errors)
    print(f'\nreport: {report_file}; errors: {errors_file} ({len(report.errors)} rows)')
    return 1 if failures else 0


def command_sql(args) -> int:
    from pipeline.export.sql import QueryError, show
    try:
        sys.stdout.write(show(args.query, args.tables, fmt=args.format, max_rows=args.max_rows))
    except (QueryError, FileNotFoundError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    return 0


def command_report(args) -> int:
    from pipeline.export.report import write
    from pipeline.export.target import TargetError
    try:
        out = write(args.tables, args.out or beside(args.tables, '.html'), doc_ids=args.doc, limit=args.docs)
    except (KeyError, FileNotFoundError, TargetError) as error:
        print(f'error: {error.args[0]}', file=sys.stderr)
        return 2
    print(f'report: {out}')
    return 0


def command_dictionary(args) -> int:
    from pipeline.export.dictionary import render
    sys.stdout.write(render())
    return 0


def command_xlsx(args) -> int:
    """`xlsx`: the same as `export xlsx`."""
    args.format = 'xlsx'
    return command_export(args)


def command_database(args) -> int:
    """`database`: the same as `export duckdb`."""
    args.format = 'duckdb'
    return command_export(args)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog='python -m pipeline',
        description='Extract people, organisations, places, dates and numbers from Russian news into tables.',
    )
    commands = top.add_subparsers(dest='command', required=True, metavar='COMMAND')
    add_run(commands)
    add_compact(commands)
    add_export(commands)
    add_validate(commands)
    add_sql(commands)
    add_report(commands)
    add_dictionary(commands)
    add_xlsx(commands)
    add_database(commands)
    return top


def add_run(commands) -> None:
    """`run`: its arguments and handler."""
    suffixes = ', '.join(SUFFIXES)
    run = commands.add_parser(
        'run', help='process articles into tables',
        description=f'Process articles ({suffixes} files, or folders of them) into Delta Lake '
                    f'tables: {table_list()}.')
    run.add_argument('inputs', nargs='+', metavar='INPUT',
                     help=f'files or folders (searched recursively for {suffixes})')
    tables_option(run, 'the tables folder the run adds to, or s3://bucket/path '
                       '(default: output; --out is the old name)')
    old_out_option(run)
    run.add_argument('--quiet', action='store_true', help='no progress bar')
    run.add_argument('--workers', type=positive, metavar='N',
                     help='worker processes, each loading the models once (default: the number of cores)')
    run.add_argument('--chunk-size', type=positive, default=CHUNK_SIZE, metavar='N',
                     help=f'documents per chunk, the unit sent to a worker and committed (default '
                          f'{CHUNK_SIZE}); memory grows with it, not with the corpus')
    run.add_argument('--engine', choices=('local', 'dask'),
                     help='local (this machine; default) or dask (a dask.distributed cluster; '
                          "pip install 'ru-news-facts[dask]')")
    run.add_argument('--scheduler', metavar='ADDRESS',
                     help='Dask scheduler, e.g. tcp://10.0.0.5:8786 (implies --engine dask; without it, '
                          '--engine dask starts a local cluster of --workers processes)')
    run.add_argument('--doc-timeout', type=seconds, default=None, metavar='SECONDS',
                     help=f'time budget per document, all stages together (default {DOC_TIMEOUT:g}; '
                          f'0 or inf: no limit); a document that runs past it is an errors row naming '
                          f'the stage, and the batch goes on')
    run.add_argument('--reprocess-older', action='store_true',
                     help='also process again the documents that another pipeline version wrote (after '
                          'an upgrade), replacing their rows; by default unchanged texts are skipped')
    run.add_argument('--languages', default='ru', metavar='CODES',
                     help='languages sent through the Russian stages, comma-separated ISO 639-1 codes '
                          '(default ru; all: every one); documents in others are kept in the documents '
                          'table with their language')
    run.add_argument('--no-duplicates', action='store_true',
                     help='do not look for syndicated copies: documents.duplicate_of stays empty and the '
                          'index of stories (_duplicates/) is not read or grown')
    run.add_argument('--strict', action='store_true',
                     help='exit with 1 when any input or document failed (an error row); by default '
                          'only when no input could be processed')
    run.epilog = ('Runs are incremental: documents already in --tables with the same text (sha256) are '
                  'skipped, an edited one replaces its old rows, and a killed run leaves whole documents '
                  'only; running the same command again finishes the job. Each run is a row of the runs '
                  'table. Exit status: 0 done, 1 nothing could be processed (or, with --strict, anything '
                  'failed), 2 the run could not start, 130 interrupted.')
    run.set_defaults(handler=command_run)


def add_compact(commands) -> None:
    """`compact`: its arguments and handler."""
    compact = commands.add_parser(
        'compact', help='merge the small files of the tables and delete those no longer needed',
        description='Delta Lake optimize (small files merged into larger ones) and vacuum (files that no '
                    'version younger than the retention needs are deleted) for every table of an output '
                    'folder; the tables read the same before and after.')
    tables_option(compact, 'the tables folder to compact, or s3://bucket/path '
                           '(default: output; --out is the old name)')
    old_out_option(compact)
    compact.add_argument('--retention-hours', type=float, default=168, metavar='HOURS',
                         help='keep the files that versions of the last HOURS need (default 168, a week: '
                              'a reader that started before may still read them; 0 deletes them at once)')
    compact.set_defaults(handler=command_compact)


def add_export(commands) -> None:
    """`export`: its arguments and handler."""
    export = commands.add_parser(
        'export', help='write the tables as CSV files, an Excel workbook or a DuckDB database',
        description='Write the live rows of every table on demand: csv (a folder of <table>.csv, UTF-8 with '
                    'BOM, formula-looking cells neutralised with a leading apostrophe), xlsx (one sheet per '
                    'table) or duckdb (a database file for BI tools).',
        epilog='example: python -m pipeline export csv --tables output --out output-csv')
    export.add_argument('format', choices=('csv', 'xlsx', 'duckdb'), help='what to write')
    tables_option(export)
    export.add_argument('--out', metavar='PATH',
                        help='csv: a folder; xlsx, duckdb: the file to write (default: beside the tables '
                             'folder, output -> output-csv/, output.xlsx, output.duckdb)')
    export.set_defaults(handler=command_export)


def add_validate(commands) -> None:
    """`validate`: its arguments and handler."""
    check = commands.add_parser(
        'validate', help='score the pipeline against hand-labelled gold',
        description='Score the pipeline (or the natasha baseline) against gold: P/R/F1 per type on '
                    'overlapping and on exact spans, accuracy of normal/value/unit, entity-level P/R/F1 '
                    '(GOLD-GUIDE.md, Scoring). Prints the tables, writes a Markdown report and a CSV of '
                    'every error, and exits with 1 when a figure is below its threshold.',
        epilog='examples: python -m pipeline validate --gold gold; '
               'python -m pipeline validate --gold ../shared/factru-devset --format factru --system natasha')
    check.add_argument('--gold', required=True, metavar='DIR',
                       help='gold folder: *.jsonl as GOLD-GUIDE.md describes (default format), or '
                            'factRuEval files')
    check.add_argument('--texts', metavar='DIR',
                       help='where <doc_id>.txt are when not beside the gold files (default: seeds)')
    check.add_argument('--tables', metavar='DIR',
                       help='score the tables of an earlier run in DIR instead of running the pipeline')
    check.add_argument('--format', choices=('jsonl', 'factru', 'nerel'), default='jsonl',
                       help='gold layout: jsonl (GOLD-GUIDE.md), factru (factRuEval-2016) '
                            'or nerel (NEREL brat files: spans and roles only); default jsonl')
    check.add_argument('--system', choices=('ours', 'natasha'), default='ours',
                       help='ours (the pipeline) or natasha (the plain natasha baseline); default ours')
    check.add_argument('--report', metavar='FILE',
                       help=f'Markdown report (default: {VALIDATE_REPORT}; with --tables DIR, '
                            f'DIR-validate/report.md beside the tables)')
    check.add_argument('--errors', metavar='FILE',
                       help='CSV of every false positive/negative, boundary and wrong normal/value/unit, '
                            'with context (default: <report>-errors.csv beside the report)')
    check.add_argument('--thresholds', metavar='FILE',
                       help='TOML of minimum figures, e.g. [PER] f1_overlap = 0.8 (default: '
                            'thresholds.toml in a jsonl gold folder, when present)')
    which = check.add_mutually_exclusive_group()
    which.add_argument('--docs', metavar='PATTERN',
                       help='score only documents whose id matches these glob patterns (comma-separated)')
    which.add_argument('--exclude', metavar='FILE',
                       help='leave out the document ids listed in FILE, one a line')
    which.add_argument('--only', metavar='FILE',
                       help='score only the document ids listed in FILE, one a line')
    check.set_defaults(handler=command_validate)


def add_sql(commands) -> None:
    """`sql`: its arguments and handler."""
    sql = commands.add_parser(
        'sql', help='run a read-only SQL query over the tables (DuckDB)',
        description=f'Run one SELECT (or WITH, DESCRIBE, SHOW, EXPLAIN) query with DuckDB over the '
                    f'tables, each a view by its own name ({table_list()}), and print the result. The '
                    f'tables are read, never written; DuckDB cannot open any file while the query runs.',
        epilog='example: python -m pipeline sql "SELECT type, count(*) FROM mentions GROUP BY type"; '
               'output/README.md has more, and every column')
    sql.add_argument('query', metavar='QUERY', help='one SQL statement')
    tables_option(sql)
    sql.add_argument('--format', choices=('table', 'csv'), default='table',
                     help='table (boxed, for people; long results are cut) or csv (every row, for scripts; '
                          'a text cell starting = + - @ tab or CR gets a leading \' so spreadsheets do not '
                          'run it as a formula)')
    sql.add_argument('--max-rows', type=positive, default=200, metavar='N',
                     help='rows shown by --format table (default 200)')
    sql.set_defaults(handler=command_sql)


def add_report(commands) -> None:
    """`report`: its arguments and handler."""
    report = commands.add_parser(
        'report', help='write an HTML page of the articles with their mentions highlighted',
        description='Write one self-contained HTML page: each article with its mentions highlighted by '
                    'type (hover for the normal form or value) and an index of entities linking to their '
                    'mentions. Everything from the articles is escaped; the page runs no script.')
    tables_option(report)
    report.add_argument('--out', metavar='FILE',
                        help='the .html file to write (default: beside the tables folder, output -> '
                             'output.html)')
    which_docs = report.add_mutually_exclusive_group()
    which_docs.add_argument('--docs', type=positive, metavar='N',
                            help='only the first N articles (by doc_id)')
    which_docs.add_argument('--doc', action='append', metavar='ID',
                            help='only this article (repeat for more)')
    report.set_defaults(handler=command_report)


def add_dictionary(commands) -> None:
    """`dictionary`: its arguments and handler."""
    dictionary = commands.add_parser(
        'dictionary', help='print the data dictionary (output/README.md) from the declared schemas',
        description='Print output/README.md generated from pipeline/store/schemas.py: every table and '
                    'column with its type, rules, description and an example value, and example SQL '
                    'queries.',
        epilog='usage: python -m pipeline dictionary > output/README.md')
    dictionary.set_defaults(handler=command_dictionary)


def add_xlsx(commands) -> None:
    """`xlsx`: its arguments and handler."""
    xlsx = commands.add_parser(
        'xlsx', help='write the tables as an Excel workbook, one sheet per table',
        description=f'Write every table ({table_list()}) as one sheet of an .xlsx workbook, which Excel '
                    f"opens with Cyrillic intact in any locale. Text is never turned into formulas; cells "
                    f"are cut at Excel's 32,767 characters, with a note.")
    tables_option(xlsx)
    xlsx.add_argument('--out', metavar='FILE',
                      help='workbook to write (default: beside the tables folder, output -> output.xlsx)')
    xlsx.set_defaults(handler=command_xlsx)


def add_database(commands) -> None:
    """`database`: its arguments and handler."""
    database = commands.add_parser(
        'database', help='write the tables into a DuckDB database file for BI tools',
        description=f'Write every table ({table_list()}) into a DuckDB database file (tables by their own '
                    f'names, column descriptions as comments) for BI tools and notebooks; written whole '
                    f'or not at all.')
    tables_option(database)
    database.add_argument('--out', metavar='FILE',
                          help='database file to write (default: beside the tables folder, output -> '
                               'output.duckdb)')
    database.set_defaults(handler=command_database)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.handler(args)


if __name__ == '__main__':
    sys.exit(main())
