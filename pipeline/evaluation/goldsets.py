"""Gold sets: hand-labelled mentions read into one shape, whatever their layout.

Reads GOLD-GUIDE.md JSONL (`gold/*.jsonl`, texts beside them as
`<doc_id>.txt` or in a texts folder) and the factRuEval-2016 layout
(`book_N.txt/.spans/.objects/.coref`: Person → PER, Org → ORG, Location and
LocOrg → LOC, a mention's extent the union of its spans, `normal` from the
entity's `.coref` record) and NEREL brat files (`<id>.txt/.ann`: types mapped to
GOLD-GUIDE.md's, spans only, WORKS_AS relations as person → position roles).
`validate.py` scores predictions against them.
"""

from __future__ import annotations

import fnmatch
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.document import NAME_TYPES, TYPES
from pipeline.lang.text import fold_case
from pipeline.lang.text import fold_name as text_fold_name

FACTRU_TYPES = {'Person': 'PER', 'Org': 'ORG', 'Location': 'LOC', 'LocOrg': 'LOC'}
# NEREL's types mapped to GOLD-GUIDE.md's (its README: places split by kind, PERCENT and AGE apart
# from NUMBER); FACILITY, NATIONALITY, ORDINAL and the rest have no counterpart in the guide: left out
NEREL_TYPES = {'PERSON': 'PER', 'ORGANIZATION': 'ORG', 'CITY': 'LOC', 'COUNTRY': 'LOC',
               'STATE_OR_PROVINCE': 'LOC', 'DISTRICT': 'LOC', 'LOCATION': 'LOC', 'DATE': 'DATE',
               'MONEY': 'MONEY', 'NUMBER': 'NUMBER', 'PERCENT': 'NUMBER', 'AGE': 'NUMBER'}


class GoldError(Exception):
    """Gold, texts or tables that cannot be read; the message says which and why."""


# ---------------------------------------------------------------- records

@dataclass(frozen=True, slots=True)
class Labelled:
    """One mention, gold or predicted, with the fields of GOLD-GUIDE.md."""
    doc_id: str
    type: str
    start: int
    stop: int
    text: str
    normal: str | None = None
    value: str | float | None = None
    value_max: float | None = None
    unit: str | None = None
    qualifier: str | None = None
    entity: str | None = None     # entity id (factRuEval coref, or the tables' entity_id)
    aliases: tuple[str, ...] = () # other accepted normal forms (factRuEval: several `name` lines)


@dataclass(frozen=True, slots=True)
class Named:
    """One entity of one document: a type and a canonical name."""
    doc_id: str
    type: str
    name: str
    entity: str | None = None
    aliases: tuple[str, ...] = ()
    start: int | None = None      # its first mention, to show it in the errors
    stop: int | None = None


@dataclass(frozen=True, slots=True)
class RoleRecord:
    """A person holding a position (gold ROLE record, factRuEval Occupation fact, or a `roles` row).

    `person_spans`/`org_spans` are extents of the person's and the organisation's
    mentions in the article: factRuEval facts name objects, matched by overlap."""
    doc_id: str
    person: str | None
    organisation: str | None = None
    position: str | None = None
    position_normal: str | None = None
    start: int | None = None
    stop: int | None = None
    person_spans: tuple[tuple[int, int], ...] = ()
    org_spans: tuple[tuple[int, int], ...] = ()
    kind: str | None = None       # predicted: `position` or `occupation` (roles.kind)


@dataclass
class Annotations:
    mentions: list[Labelled] = field(default_factory=list)
    entities: list[Named] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    roles: list[RoleRecord] = field(default_factory=list)


@dataclass
class Gold(Annotations):
    texts: dict[str, str] = field(default_factory=dict)
    types: tuple[str, ...] = TYPES    # the types this gold labels (factRuEval: names only)
    # factRuEval's normal forms are entity names (a bare `Саркози` → `Николя Саркози`):
    # predicted mentions are then scored by the name of the entity they are linked to
    entity_normals: bool = False
    # what the gold labels besides spans: NEREL gives no normal forms, values, units or entity names
    facets: tuple[str, ...] = ('normal', 'value', 'unit', 'entities')
    # the gold labels occupations held nowhere in particular (`архитектор Иван Петров`) as roles;
    # factRuEval does not (its Occupation facts are jobs held somewhere): such predictions are not scored
    bare_occupations: bool = True


# ---------------------------------------------------------------- folding

INITIAL_LETTER = re.compile(r'[A-ZА-ЯЁ]')


def fold(text) -> str | None:
    """Case and `ё` folded (GOLD-GUIDE.md, Scoring): `Ребёнок` → `ребенок`."""
    return None if text is None else fold_case(str(text).strip())


def fold_name(text: str) -> str:
    """An entity name for comparison: `ё`, case, quotes and hyphens folded (`«IT‑куб»` → `it куб`)."""
    return text_fold_name(str(text)) if text is not None else ''


def entity_key(type: str, name: str) -> str:
    """Folded name; a person by first + last word (`Н. Н. Петрова` → `н. петрова`)."""
    key = fold_name(name)
    words = key.split()
    if type == 'PER' and len(words) > 2:
        return f'{words[0]} {words[-1]}'
    return key


def number(value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip().replace(',', '.'))
    except ValueError:
        return None


def same_value(gold, pred) -> bool:
    """Equal values: numbers as numbers (250000 == '250000' == 250000.0), the rest as folded strings."""
    if gold is None or pred is None:
        return gold is None and pred is None
    gold_number, pred_number = number(gold), number(pred)
    if gold_number is not None and pred_number is not None:
        return math.isclose(gold_number, pred_number, rel_tol=1e-9, abs_tol=1e-9)
    return fold(gold) == fold(pred)


def show(value) -> str | None:
    """A value as GOLD-GUIDE.md writes it: 250000.0 → `250000`."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def clean(value):
    """pandas missing values (NA, NaN) as None."""
    try:
        return None if pd.isna(value) else value
    except (TypeError, ValueError):
        return value


# ---------------------------------------------------------------- gold readers

def read_text(path: Path) -> str:
    """A text decoded as the pipeline's ingest decodes it, so offsets agree."""
    from pipeline.batch.ingest import InputError, decode
    try:
        return decode(path.read_bytes()).text
    except InputError as error:
        raise GoldError(f'{path} {error}') from None


def find_texts(doc_ids: Iterable[str], places: list[Path]) -> dict[str, str]:
    """`<doc_id>.txt` of every document, looked up in `places` in order."""
    texts, missing = {}, []
    for doc_id in doc_ids:
        path = next((_ / f'{doc_id}.txt' for _ in places if (_ / f'{doc_id}.txt').is_file()), None)
        if path is None:
            missing.append(doc_id)
        else:
            texts[doc_id] = read_text(path)
    if missing:
        where = ' or '.join(str(_) for _ in places)
        raise GoldError(f'no text for {len(missing)} gold document(s) in {where}: {", ".join(missing[:5])}'
                        + (' ...' if len(missing) > 5 else '') + ' (give the folder of texts with --texts)')
    return texts


def gold_record(record: dict, where: str) -> Labelled:
    try:
        type = record['type']
        if type not in TYPES:
            raise GoldError(f'{where}: unknown type {type!r}')
        value = record.get('value')
        return Labelled(
            doc_id=str(record['doc_id']), type=type, start=int(record['start']), stop=int(record['stop']),
            text=record.get('text', ''), normal=record.get('normal'), value=value,
            value_max=number(record.get('value_max')), unit=record.get('unit'),
            qualifier=record.get('qualifier'),
            entity=record.get('entity'),
        )
    except KeyError as error:
        raise GoldError(f'{where}: no {error.args[0]!r} field') from None
    except (TypeError, ValueError) as error:
        raise GoldError(f'{where}: {error}') from None


def role_record(record: dict, where: str) -> RoleRecord:
    """A gold ROLE record (gold/README.md): the person's and organisation's normal names, the position."""
    try:
        return RoleRecord(doc_id=str(record['doc_id']), person=record['person'],
                          organisation=record.get('organisation'), position=record.get('position'),
                          position_normal=record.get('position_normal'), start=int(record['start']),
                          stop=int(record['stop']))
    except KeyError as error:
        raise GoldError(f'{where}: ROLE record without {error.args[0]!r}') from None
    except (TypeError, ValueError) as error:
        raise GoldError(f'{where}: {error}') from None


def read_gold_jsonl(directory: str | Path, texts: str | Path | None = None) -> Gold:
    """GOLD-GUIDE.md gold: every `*.jsonl` in `directory` (not below it), texts beside them or in `texts`."""
    directory = Path(directory)
    files = sorted(directory.glob('*.jsonl'))
    if not files:
        raise GoldError(f'{directory} holds no *.jsonl gold files')
    mentions, doc_ids, roles = [], {}, []
    for path in files:
        lines = path.read_text(encoding='utf-8').splitlines()
        for line_number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise GoldError(f'{path}:{line_number}: not valid JSON ({error.msg})') from None
            if isinstance(record, dict) and record.get('type') == 'ROLE':
                roles.append(role_record(record, f'{path}:{line_number}'))
                doc_ids[roles[-1].doc_id] = None
                continue
            mention = gold_record(record, f'{path}:{line_number}')
            mentions.append(mention)
            doc_ids[mention.doc_id] = None
        if not any(_.strip() for _ in lines):
            doc_ids[path.stem] = None       # an article with nothing to label
    places = [directory, Path(texts if texts is not None else 'seeds')]
    gold = Gold(mentions=mentions, texts=find_texts(doc_ids, places), roles=roles)
    for mention in mentions:
        found = gold.texts[mention.doc_id][mention.start:mention.stop]
        if found != mention.text:
            gold.warnings.append(f'gold {mention.doc_id} {mention.type} {mention.start}:{mention.stop}: '
                                 f'text {mention.text!r} but the article has {found!r} there')
    gold.entities = group_entities(mentions)
    return gold


def group_entities(mentions: list[Labelled]) -> list[Named]:
    """Gold entities of JSONL gold: name mentions of one document grouped by `entity`, else by
    folded normal."""
    groups: dict[tuple, list[Labelled]] = {}
    for mention in mentions:
        if mention.type in NAME_TYPES and (mention.entity or mention.normal):
            key = entity_key(mention.type, mention.entity or mention.normal)
            groups.setdefault((mention.doc_id, mention.type, key), []).append(mention)
    entities = []
    for (doc_id, type, key), members in groups.items():
        first = min(members, key=lambda _: _.start)
        name = next((_.entity for _ in members if _.entity), None) or \
            next((_.normal for _ in members if _.normal), first.text)
        entities.append(Named(doc_id, type, name, entity=key, start=first.start, stop=first.stop))
    return entities


def factru_lines(path: Path) -> list[list[str]]:
    """The fields before `#` of every non-blank line."""
    rows = []
    for line in path.read_text(encoding='utf-8').splitlines():
        fields = line.split('#', 1)[0].split()
        if fields:
            rows.append(fields)
    return rows


def factru_coref(path: Path) -> list[tuple[str, list[str], dict[str, list[str]]]]:
    """(entity id, mention ids, {key: [values]}) of each blank-line separated record of a .coref file."""
    records = []
    for block in re.split(r'\n\s*\n', path.read_text(encoding='utf-8')):
        lines = [_ for _ in block.splitlines() if _.strip()]
        if not lines:
            continue
        head = lines[0].split()
        keys: dict[str, list[str]] = defaultdict(list)
        for line in lines[1:]:
            key, _, value = line.strip().partition(' ')
            if value.strip():
                keys[key].append(value.strip())
        records.append((head[0], head[1:], keys))
    return records


def factru_names(type: str, keys: dict[str, list[str]]) -> list[str]:
    """Normal forms of a coref record: a person's first + last name (either alone when one is missing)."""
    if type == 'PER':
        parts = [keys[_][0] for _ in ('firstname', 'lastname') if keys.get(_)]
        if not parts:
            parts = [keys[_][0] for _ in ('nickname', 'patronymic') if keys.get(_)][:1]
        if not parts:
            return []
        name = ' '.join(parts)
        # factRuEval writes an initial as the letter (`Н Кан`); GOLD-GUIDE.md keeps its dot (`Н. Кан`)
        dotted = ' '.join(_ + '.' if INITIAL_LETTER.fullmatch(_) else _ for _ in name.split())
        return [name, dotted] if dotted != name else [name]
    return list(keys.get('name', []))


def factru_occupations(doc_id: str, text: str, path: Path, objects: dict, spans: dict,
                       coref: list) -> list[RoleRecord]:
    """Occupation facts of a .facts file: Who (`obj<N>`: coref entity N), Position (`span<N>`), Where.

    The person and the place are given as every mention of their coref entity,
    so a role found at any of their mentions matches; the names are the coref's."""
    entities = {entity_id: (members, keys) for entity_id, members, keys in coref}

    def resolve(value: str) -> tuple[str | None, str | None, tuple[tuple[int, int], ...]]:
        """(type, name, mention extents) of an `obj<N>` or `span<N>` value."""
        if value.startswith('obj') and value[3:] in entities:
            members, keys = entities[value[3:]]
            types = [objects[_][0] for _ in members if _ in objects]
            type = types[0] if types else None
            found = factru_names(type, keys) if type else []
            return type, found[0] if found else None, tuple(sorted({objects[_][1:] for _ in members
                                                                    if _ in objects}))
        if value.startswith('span') and value[4:] in spans:
            start, stop = spans[value[4:]]
            return None, text[start:stop], ((start, stop),)
        return None, None, ()

    roles = []
    for block in re.split(r'\n\s*\n', path.read_text(encoding='utf-8')):
        lines = [_.split(None, 2) for _ in block.splitlines() if _.strip()]
        if not lines or len(lines[0]) < 2 or lines[0][1] != 'Occupation':
            continue
        fields: dict[str, list[str]] = defaultdict(list)
        for line in lines[1:]:
            if len(line) >= 2:
                fields[line[0]].append(line[1])
        who = [resolve(_) for _ in fields.get('Who', [])]
        who = next((_ for _ in who if _[0] == 'PER'), None)
        if who is None:
            continue
        where = next((resolve(_) for _ in fields.get('Where', [])), (None, None, ()))
        position = [resolve(_)[2] for _ in fields.get('Position', [])]
        position = [extent for _ in position for extent in _]
        start = min((_[0] for _ in position), default=None)
        stop = max((_[1] for _ in position), default=None)
        roles.append(RoleRecord(doc_id=doc_id, person=who[1], organisation=where[1],
                                position=text[start:stop] if position else None, start=start, stop=stop,
                                person_spans=who[2], org_spans=where[2]))
    return roles


def read_factru(directory: str | Path) -> Gold:
    """factRuEval-2016 gold: names (PER/ORG/LOC) with extents, normal forms and coreference."""
    directory = Path(directory)
    files = sorted(directory.glob('*.objects'))
    if not files:
        raise GoldError(f'{directory} holds no factRuEval *.objects files')
    gold = Gold(types=NAME_TYPES, entity_normals=True, bare_occupations=False)
    for path in files:
        doc_id = path.stem
        stem = path.with_suffix('')
        spans: dict[str, tuple[int, int]] = {}
        for fields in factru_lines(stem.with_suffix('.spans')):
            start = int(fields[2])
            spans.setdefault(fields[0], (start, start + int(fields[3])))
        objects: dict[str, tuple[str, int, int]] = {}
        for fields in factru_lines(path):
            type = FACTRU_TYPES.get(fields[1])
            extents = [spans[_] for _ in fields[2:] if _ in spans]
            if type is None or not extents:
                continue
            objects[fields[0]] = (type, min(_[0] for _ in extents), max(_[1] for _ in extents))
        text = read_text(stem.with_suffix('.txt'))
        gold.texts[doc_id] = text
        coref = factru_coref(stem.with_suffix('.coref')) if stem.with_suffix('.coref').exists() else []
        linked = {}
        for entity_id, members, keys in coref:
            for type in dict.fromkeys(objects[_][0] for _ in members if _ in objects):
                names = factru_names(type, keys)
                key = f'{doc_id}:{entity_id}:{type}'
                for member in members:
                    if member in objects and objects[member][0] == type:
                        linked[member] = (key, names)
                if names:
                    first = min((objects[_] for _ in members if _ in objects and objects[_][0] == type),
                                key=lambda _: _[1])
                    gold.entities.append(Named(doc_id, type, names[0], entity=key, aliases=tuple(names[1:]),
                                               start=first[1], stop=first[2]))
        facts = stem.with_suffix('.facts')
        if facts.exists():
            gold.roles.extend(factru_occupations(doc_id, text, facts, objects, spans, coref))
        for object_id, (type, start, stop) in objects.items():
            key, names = linked.get(object_id, (f'{doc_id}:{object_id}', []))
            gold.mentions.append(Labelled(doc_id, type, start, stop, text[start:stop],
                                          normal=names[0] if names else None, entity=key,
                                          aliases=tuple(names[1:])))
    return gold


def brat_entities(path: Path) -> tuple[dict[str, tuple[str, int, int, str]], dict[str, str],
                                       list[tuple[str, str, str]]]:
    """A brat `.ann` file: {T id: (type, start, stop, text)} (a discontinuous span as its extent),
    {T id: Wikidata id} from `N … Reference` lines, and the relations (type, Arg1, Arg2)."""
    spans, links, relations = {}, {}, []
    for line in path.read_text(encoding='utf-8').splitlines():
        fields = line.split('\t')
        if len(fields) < 2:
            continue
        head = fields[1].split()
        try:
            if fields[0].startswith('T') and len(head) >= 3:
                offsets = [int(_) for _ in ' '.join(head[1:]).replace(';', ' ').split()]
                spans[fields[0]] = (head[0], min(offsets), max(offsets), fields[2] if len(fields) > 2 else '')
            elif fields[0].startswith('R') and len(head) == 3:
                relations.append((head[0], head[1].partition(':')[2], head[2].partition(':')[2]))
            elif fields[0].startswith('N') and len(head) == 3 and head[0] == 'Reference':
                links[head[1]] = head[2]
        except ValueError:
            raise GoldError(f'{path}: cannot read {line!r}') from None
    return spans, links, relations


def same_name(a: str, b: str) -> bool:
    """Two mentions of one name in different cases: `Рахимов`, `Рахимова`, `Рахимовым` (last words)."""
    a, b = fold_name(a).split()[-1:], fold_name(b).split()[-1:]
    if not a or not b:
        return False
    a, b = a[0], b[0]
    common = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return a == b or common >= max(4, min(len(a), len(b)) - 1)


def nerel_clusters(ids: list[str], spans: dict, links: dict) -> dict[str, tuple[tuple[int, int], ...]]:
    """{T id: extents of every mention of the same thing}: one Wikidata link, else one name in any case.
    NEREL has no coreference; `role_person_ok` matches a role at any mention of its person."""
    group = {_: _ for _ in ids}

    def root(x):
        while group[x] != x:
            x = group[x]
        return x
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            linked = links.get(a) is not None and links.get(a) == links.get(b)
            unlinked = links.get(a) is None or links.get(b) is None
            if linked or (unlinked and same_name(spans[a][3], spans[b][3])):
                group[root(b)] = root(a)
    members = defaultdict(list)
    for _ in ids:
        members[root(_)].append(spans[_][1:3])
    return {_: tuple(sorted(set(members[root(_)]))) for _ in ids}


def nerel_roles(doc_id: str, spans: dict, links: dict, relations: list) -> list[RoleRecord]:
    """Person → position pairs: one role per WORKS_AS (person → profession), where the position is held
    from WORKPLACE (the profession's, else that of the same person mention; none when neither is given).
    A WORKPLACE without a profession (`работал в Кремле`) states no position and is no role."""
    people = [_ for _, span in spans.items() if span[0] == 'PERSON']
    places = [_ for _, span in spans.items() if NEREL_TYPES.get(span[0]) in ('ORG', 'LOC')]
    same_person, same_place = nerel_clusters(people, spans, links), nerel_clusters(places, spans, links)
    workplace = defaultdict(list)
    for kind, a, b in relations:
        if kind == 'WORKPLACE' and b in same_place:
            workplace[a].append(b)
    roles = []
    for kind, person, profession in relations:
        if kind != 'WORKS_AS' or person not in same_person or profession not in spans:
            continue
        for place in workplace.get(profession) or workplace.get(person) or [None]:
            start, stop = spans[profession][1:3]
            roles.append(RoleRecord(doc_id, spans[person][3], spans[place][3] if place else None,
                                    position=spans[profession][3], start=start, stop=stop,
                                    person_spans=same_person[person],
                                    org_spans=same_place[place] if place else ()))
    return roles


def read_nerel(directory: str | Path) -> Gold:
    """NEREL (brat `.txt`/`.ann`): entity types mapped (`NEREL_TYPES`), the outermost mention of a type
    kept where they nest, lower-case organisations and places dropped (GOLD-GUIDE.md: a bare descriptor
    `полиция` or an adjective `башкирский` is no mention); WORKS_AS and WORKPLACE relations as roles."""
    directory = Path(directory)
    files = sorted(directory.glob('*.ann'))
    if not files:
        raise GoldError(f'{directory} holds no brat *.ann files')
    gold = Gold(facets=())
    for path in files:
        doc_id = path.stem
        if not path.with_suffix('.txt').is_file():
            raise GoldError(f'{path}: no {doc_id}.txt beside it')
        text = read_text(path.with_suffix('.txt'))
        gold.texts[doc_id] = text
        spans, links, relations = brat_entities(path)
        found = []
        for type, start, stop, _ in spans.values():
            mapped = NEREL_TYPES.get(type)
            if mapped is None or stop > len(text):
                continue
            if mapped in ('ORG', 'LOC') and not any(_.isupper() or _.isdigit() for _ in text[start:stop]):
                continue
            found.append(Labelled(doc_id, mapped, start, stop, text[start:stop],
                                  unit='%' if type == 'PERCENT' else None))
        kept = set()
        for mention in sorted(found, key=lambda _: (_.start, -_.stop)):
            nested = any(_.type == mention.type and _.start <= mention.start and mention.stop <= _.stop
                         and (_.start, _.stop) != (mention.start, mention.stop) for _ in found)
            if not nested and (mention.type, mention.start, mention.stop) not in kept:
                kept.add((mention.type, mention.start, mention.stop))
                gold.mentions.append(mention)
        gold.roles.extend(nerel_roles(doc_id, spans, links, relations))
    return gold


def read_gold(directory: str | Path, fmt: str = 'jsonl', texts: str | Path | None = None) -> Gold:
    if not Path(directory).is_dir():
        raise GoldError(f'gold folder {directory} does not exist')
    if fmt == 'jsonl':
        return read_gold_jsonl(directory, texts)
    if fmt == 'factru':
        return read_factru(directory)
    if fmt == 'nerel':
        return read_nerel(directory)
    raise GoldError(f'unknown gold format {fmt!r} (jsonl, factru or nerel)')


def read_list(path: str | Path | None) -> list[str]:
    """Document ids listed one a line (`#` comments; `.txt`/`.jsonl` suffixes dropped)."""
    if path is None:
        return []
    if not Path(path).is_file():
        raise GoldError(f'list of documents {path} does not exist')
    names = []
    for line in Path(path).read_text(encoding='utf-8').splitlines():
        name = line.split('#', 1)[0].strip()
        if name:
            names.append(re.sub(r'\.(txt|jsonl)$', '', Path(name).name))
    return names


def select(gold: Gold, docs: str | None = None, exclude: Iterable[str] = ()) -> Gold:
    """The gold restricted to documents matching `docs` (glob patterns, comma-separated) and not
    in `exclude`."""
    patterns = [_.strip() for _ in docs.split(',')] if docs else ['*']
    excluded = set(exclude)
    keep = {_ for _ in gold.texts if _ not in excluded and any(fnmatch.fnmatchcase(_, p) for p in patterns)}
    if not keep:
        raise GoldError('no gold document left after --docs/--exclude')
    return Gold(mentions=[_ for _ in gold.mentions if _.doc_id in keep],
                entities=[_ for _ in gold.entities if _.doc_id in keep], warnings=list(gold.warnings),
                texts={k: v for k, v in gold.texts.items() if k in keep}, types=gold.types,
                entity_normals=gold.entity_normals, roles=[_ for _ in gold.roles if _.doc_id in keep],
                facets=gold.facets, bare_occupations=gold.bare_occupations)
