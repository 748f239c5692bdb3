"""HTML view: each article with its mentions highlighted, and an index of entities.

Reads the tables (`documents`, `mentions`, `entities`, `numbers`) and writes
one self-contained page: inline CSS, no script, no external resource, and a
Content-Security-Policy that forbids both. Article text is untrusted, so every
string the page shows, in text or in an attribute, goes through `html.escape`;
`<script>alert(1)</script>` in an article reads as those characters.

Mentions of different types may overlap (`мэрии Москвы`: an ORG holding a
LOC). The text is cut at every mention boundary and each piece is wrapped in
the marks of all mentions covering it, outermost first; a mark that would
cross another is closed and reopened, so the markup always nests and every
piece still carries every type it belongs to. Hovering shows the innermost
mention's type and its normal form or value.
"""

from __future__ import annotations

import html
import os
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pandas as pd

from pipeline.store.schemas import TYPES

COLOURS = {   # background, underline
    'PER': ('#dbeafe', '#1d4ed8'),
    'ORG': ('#ffedd5', '#c2410c'),
    'LOC': ('#dcfce7', '#15803d'),
    'DATE': ('#f3e8ff', '#7e22ce'),
    'NUMBER': ('#e0f2fe', '#0e7490'),
    'MONEY': ('#fef9c3', '#a16207'),
}
NAMES = {'PER': 'person', 'ORG': 'organisation', 'LOC': 'place', 'DATE': 'date', 'NUMBER': 'number',
         'MONEY': 'money'}


@dataclass(frozen=True, slots=True)
class Span:
    """One mention as the page shows it."""
    start: int
    stop: int
    type: str
    title: str      # hover text
    anchor: str     # id of its first mark


def escape(text) -> str:
    """Text for HTML content or a quoted attribute; None and NA become ''."""
    if text is None or text is pd.NA or (isinstance(text, float) and text != text):
        return ''
    return html.escape(str(text), quote=True)


def type_class(kind: str) -> str:
    return f't-{kind}' if kind in COLOURS else 't-other'


def hover_text(mention, number) -> str:
    """`PER · Дмитрий Разумовский`, `MONEY · ≥ 10000 RUB`, `DATE · 2024-08-20;2024-08-21`."""
    parts = [str(mention.type)]
    if mention.type in ('NUMBER', 'MONEY') and number is not None:
        qualifier = {'approx': '≈', 'gt': '>', 'gte': '≥', 'lt': '<', 'lte': '≤'}.get(number.qualifier, '')
        value = mention.value if isinstance(mention.value, str) else ''
        if not pd.isna(number.value_max):
            value += f'–{format_number(number.value_max)}'
        unit = '' if pd.isna(number.unit) else f' {number.unit}'
        parts.append(f'{qualifier} {value}{unit}'.strip())
    else:
        shown = mention.normal if isinstance(mention.normal, str) else mention.value
        if isinstance(shown, str) and shown:
            parts.append(shown)
    return ' · '.join(parts)


def format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def nest(text: str, spans: list[Span]) -> str:
    """`text` escaped, each span wrapped in <mark>s that always nest (see the module docstring)."""
    spans = [_ for _ in spans if 0 <= _.start < _.stop <= len(text)]
    order = sorted(range(len(spans)), key=lambda _: (spans[_].start, -spans[_].stop, _))
    rank = {index: position for position, index in enumerate(order)}    # outermost first
    cuts = sorted({0, len(text)} | {_.start for _ in spans} | {_.stop for _ in spans})
    starting = defaultdict(list)
    for index, span in enumerate(spans):
        starting[span.start].append(index)
    out: list[str] = []
    open_marks: list[int] = []      # spans whose mark is open, outermost first
    active: set[int] = set()
    anchored: set[int] = set()
    for left, right in pairwise(cuts):
        active = {_ for _ in active if spans[_].stop > left} | set(starting[left])
        wanted = sorted(active, key=rank.__getitem__)
        keep = 0
        while keep < min(len(open_marks), len(wanted)) and open_marks[keep] == wanted[keep]:
            keep += 1
        out.extend('</mark>' for _ in open_marks[keep:])
        for index in wanted[keep:]:
            span = spans[index]
            classes = f'm {type_class(span.type)}'
            if index in anchored:
                out.append(f'<mark class="{classes} cont" title="{escape(span.title)}">')
            else:
                anchored.add(index)
                out.append(f'<mark class="{classes}" id="{escape(span.anchor)}" '
                           f'title="{escape(span.title)}">')
        open_marks = wanted
        out.append(escape(text[left:right]))
    out.extend('</mark>' for _ in open_marks)
    return ''.join(out)


def select_documents(documents: pd.DataFrame, doc_ids: list[str] | None, limit: int | None) -> pd.DataFrame:
    if doc_ids:
        missing = sorted(set(doc_ids) - set(documents['doc_id']))
        if missing:
            raise KeyError(f'no document with id {", ".join(missing)}')
        documents = documents[documents['doc_id'].isin(doc_ids)]
    documents = documents.sort_values('doc_id', kind='stable')
    return documents.head(limit) if limit else documents


def render(tables: Mapping[str, pd.DataFrame], doc_ids: list[str] | None = None, limit: int | None = None,
           title: str = 'Extracted facts') -> str:
    """The whole page for the chosen documents (all by default) as a string."""
    documents = select_documents(tables['documents'], doc_ids, limit)
    chosen = set(documents['doc_id'])
    mentions = tables['mentions'][tables['mentions']['doc_id'].isin(chosen)]
    mentions = mentions.sort_values(['doc_id', 'start', 'stop'], kind='stable')
    numbers = {row.mention_id: row for row in tables['numbers'].itertuples(index=False)}
    entities = tables['entities'][tables['entities']['doc_id'].isin(chosen)]
    doc_anchor = {doc_id: f'd{number}' for number, doc_id in enumerate(documents['doc_id'])}

    spans_of: dict[str, list[Span]] = defaultdict(list)
    links_of: dict[str, list[tuple[str, str]]] = defaultdict(list)     # entity_id -> [(doc_id, anchor)]
    counts = {_: 0 for _ in TYPES}
    for number, mention in enumerate(mentions.itertuples(index=False)):
        anchor = f'm{number}'
        spans_of[mention.doc_id].append(Span(int(mention.start), int(mention.stop), str(mention.type),
                                             hover_text(mention, numbers.get(mention.mention_id)), anchor))
        counts[mention.type] = counts.get(mention.type, 0) + 1
        if isinstance(mention.entity_id, str):
            links_of[mention.entity_id].append((mention.doc_id, anchor))

    parts = [HEAD.format(title=escape(title), css=CSS),
             f'<h1>{escape(title)}</h1>',
             f'<p class="summary">{len(documents)} article(s), {len(mentions)} mention(s): '
             + ', '.join(f'{escape(kind)} {count}' for kind, count in counts.items()) + '</p>',
             legend(), entity_index(entities, links_of, doc_anchor), '<main>']
    for doc in documents.itertuples(index=False):
        heading = escape(doc.doc_id) + (f' — {escape(doc.title)}' if isinstance(doc.title, str) else '')
        meta = ' · '.join(escape(_) for _ in (doc.published, doc.url, doc.source) if isinstance(_, str))
        parts.append(f'<article id="{doc_anchor[doc.doc_id]}"><h2>{heading}</h2>'
                     f'<p class="meta">{meta}</p>'
                     f'<div class="text">{nest(doc.text, spans_of[doc.doc_id])}</div></article>')
    parts.append('</main></body></html>\n')
    return '\n'.join(parts)


def legend() -> str:
    items = ''.join(f'<li><mark class="m {type_class(kind)}" title="{escape(kind)}">{escape(kind)}</mark> '
                    f'{escape(NAMES[kind])}</li>' for kind in COLOURS)
    return f'<ul class="legend">{items}</ul>'


def entity_index(entities: pd.DataFrame, links_of: dict, doc_anchor: dict) -> str:
    """Entities grouped by type and name across articles, each linking to its mentions."""
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for entity in entities.itertuples(index=False):
        groups[(entity.type, entity.name)].append(entity)
    sections = []
    for kind in ('PER', 'ORG', 'LOC'):
        names = sorted((name for type_, name in groups if type_ == kind),
                       key=lambda name: (-sum(len(links_of[_.entity_id]) for _ in groups[(kind, name)]),
                                         name))
        rows = []
        for name in names:
            places = []
            for entity in sorted(groups[(kind, name)], key=lambda _: _.doc_id):
                links = ' '.join(f'<a href="#{anchor}">{number}</a>'
                                 for number, (_, anchor) in enumerate(links_of[entity.entity_id], start=1))
                places.append(f'<a class="doc" href="#{doc_anchor[entity.doc_id]}">'
                              f'{escape(entity.doc_id)}</a> {links}')
            rows.append(f'<li><mark class="m {type_class(kind)}">{escape(name)}</mark> '
                        f'<span class="where">{" · ".join(places)}</span></li>')
        sections.append(f'<section><h3>{escape(NAMES[kind])} ({len(names)})</h3>'
                        f'<ul>{"".join(rows)}</ul></section>')
    return f'<nav class="index"><h2>Index of entities</h2>{"".join(sections)}</nav>'


def write(tables: str | os.PathLike | Mapping[str, pd.DataFrame], out: str | os.PathLike,
          doc_ids: list[str] | None = None, limit: int | None = None) -> Path:
    """Write the page to `out` atomically; `tables` is an output folder or a dict of DataFrames."""
    from pipeline.export.sql import tables_of
    from pipeline.export.target import writing
    from pipeline.store.files import write_file
    page = render(tables_of(tables), doc_ids, limit)
    with writing(out):   # a regular file or none; TargetError says why not
        return write_file(out, lambda path: Path(path).write_text(page, encoding='utf-8', errors='replace'))


HEAD = """<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style></head><body>"""

CSS = """
body { font: 15px/1.55 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; margin: 0 auto;
       max-width: 980px; padding: 1em 1.5em; color: #1f2937; }
h1 { font-size: 1.5em; margin: .2em 0; } h2 { font-size: 1.15em; margin: 1.4em 0 .2em; }
h3 { font-size: 1em; margin: .6em 0 .2em; text-transform: capitalize; }
.summary, .meta { color: #6b7280; margin: .2em 0; }
.legend { list-style: none; padding: 0; display: flex; gap: 1em; flex-wrap: wrap; }
.index { border: 1px solid #e5e7eb; border-radius: 6px; padding: .2em 1em .6em; background: #fafafa; }
.index ul { list-style: none; padding: 0; margin: 0; columns: 2; column-gap: 2em; }
.index li { break-inside: avoid; margin: .1em 0; }
.index .where { color: #6b7280; font-size: .85em; }
.index a { color: #374151; } .index a.doc { color: #9ca3af; }
article { border-top: 1px solid #e5e7eb; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
mark.m { color: inherit; border-radius: 3px; padding: 0 1px; border-bottom: 2px solid; }
mark.m mark.m { padding: 0; border-bottom-width: 3px; }
mark.m:hover { outline: 1px solid #111827; }
mark.m:target { outline: 3px solid #f43f5e; }
mark.t-other { background: #f3f4f6; border-color: #6b7280; }
""" + ''.join(f'mark.t-{kind} {{ background: {back}; border-color: {line}; }}\n'
              for kind, (back, line) in COLOURS.items())
