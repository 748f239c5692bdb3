"""No import cycles in the package: each room imports only from rooms below it (STYLE.md, Rooms and seams).

Every import statement of pipeline/**/*.py counts, at module level and inside functions (a lazy
import still ties two modules together); imports by name at run time (`import_module`) are not
statements and are not seen.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / 'pipeline'


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix('').parts
    return '.'.join(parts[:-1] if parts[-1] == '__init__' else parts)


def modules() -> dict[str, Path]:
    return {module_name(_): _ for _ in sorted(PACKAGE.rglob('*.py'))}


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that `name` (at `path`) imports, anywhere in its code."""
    package = name if path.name == '__init__.py' else name.rpartition('.')[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'), str(path))):
        if isinstance(node, ast.Import):
            targets = [_.name for _ in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                anchor = package.split('.')[:len(package.split('.')) - node.level + 1]
                base = '.'.join(anchor + ([base] if base else []))
            # `from pipeline.store import rows` imports the module rows; `from x import name`, x itself
            targets = [f'{base}.{_.name}' if f'{base}.{_.name}' in known else base for _ in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:   # `import pipeline.store.rows as x` and the like
                target = target.rpartition('.')[0]
            if target and target != name:
                found.add(target)
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                group.append(other)
                if other == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def import_graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imported(name, path, set(found)) for name, path in found.items()}


GRAPH_CASES = [
    # (modules and what they import, the cycles expected)
    ({'a': {'b'}, 'b': {'c'}, 'c': set()}, []),
    ({'a': {'b'}, 'b': {'a'}}, [['a', 'b']]),
    ({'a': {'b'}, 'b': {'c'}, 'c': {'a'}, 'd': {'a'}}, [['a', 'b', 'c']]),
    ({'a': {'b'}, 'b': {'a'}, 'c': {'d'}, 'd': {'c'}}, [['a', 'b'], ['c', 'd']]),
]


@pytest.mark.parametrize('graph, expected', GRAPH_CASES)
def test_imports_cycle_finder(graph, expected):
    assert sorted(cycles(graph)) == expected


def test_imports_reader_sees_function_level_and_relative_imports(tmp_path):
    package = tmp_path / 'pipeline'
    (package / 'room').mkdir(parents=True)
    (package / '__init__.py').write_text('')
    (package / 'room' / '__init__.py').write_text('')
    (package / 'room' / 'a.py').write_text('def f():\n    from pipeline.room import b\n')
    (package / 'room' / 'b.py').write_text('from . import a\nimport pipeline.room.c as c\n')
    (package / 'room' / 'c.py').write_text('from pipeline import __version__\n')
    known = {'pipeline', 'pipeline.room', 'pipeline.room.a', 'pipeline.room.b', 'pipeline.room.c'}
    read = {name: imported(name, package / 'room' / f'{name[-1]}.py', known)
            for name in ('pipeline.room.a', 'pipeline.room.b', 'pipeline.room.c')}
    assert read == {'pipeline.room.a': {'pipeline.room.b'},
                    'pipeline.room.b': {'pipeline.room.a', 'pipeline.room.c'},
                    'pipeline.room.c': {'pipeline'}}
    assert cycles(read) == [['pipeline.room.a', 'pipeline.room.b']]


def test_imports_no_cycles():
    graph = import_graph()
    assert len(graph) > 40 and graph['pipeline.batch.runner']   # the walk found the package
    found = cycles(graph)
    assert not found, 'import cycles: ' + '; '.join(' <-> '.join(_) for _ in found)
