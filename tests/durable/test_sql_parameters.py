"""Values reach the database only as bound parameters: no SQL text is built from a value.

Every module of the package that talks to a database (it uses sqlite3 or asyncpg, or lies in ``store/``) is
read as a syntax tree. A string that reads as SQL (it starts with a
statement keyword, or holds a placeholder or a ``FROM``/``WHERE``) may be an f-string only when each thing
it interpolates is a module constant of literal text, or one of the identifiers listed in ``IDENTIFIERS``
(SQL cannot bind a table, column or schema name; each of those is checked where it comes from, as its
reason says). ``%`` and ``.format()`` on SQL text are refused outright. The checker is itself tested on a
statement that interpolates a value.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "interpreter" / "statewright"

_SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|SET|PRAGMA|WITH|LISTEN|UNLISTEN|NOTIFY|"
                  r"BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b|\bFROM\s|\bWHERE\b|\$\d|\?\s*[,)]|=\s*\?")

# Interpolations that are identifiers or SQL fragments of the code's own, never a value, and why.
IDENTIFIERS = {
    "self.schema": "PostgreSQL schema name: parse_postgresql_url lets only letters, digits and _ through",
    "self.synchronous": "SQLite's synchronous mode: one of a fixed set, checked when the URL is read",
    "table": "a table name from a tuple of literal names (db info's row counts)",
    "name": "a PRAGMA name from a tuple of literal names (db info)",
    "column": "a column test from a literal mapping of filter to SQL (list filters)",
    "len(parameters)": "the number of the next $n placeholder",
    "len(parameters) + 1": "the number of the next $n placeholder",
    "' AND '.join(where)": "WHERE clauses of literal text with placeholders",
    "'WHERE ' + ' AND '.join(where) if where else ''": "WHERE clauses of literal text with placeholders",
}


def _literal_constants(tree: ast.Module) -> set[str]:
    """Module-level names bound to literal text (strings, and f-strings or sums made only of such names)."""
    names: set[str] = set()
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and _is_literal(node.value, names)):
            names.add(node.targets[0].id)
    return names


def _is_literal(node: ast.expr, constants: set[str]) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str | int | float)
    if isinstance(node, ast.Name):
        return node.id in constants
    if isinstance(node, ast.JoinedStr):
        return all(_is_literal(v.value if isinstance(v, ast.FormattedValue) else v, constants) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _is_literal(node.left, constants) and _is_literal(node.right, constants)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "join":
        return _is_literal(node.func.value, constants) and all(_is_literal(a, constants) for a in node.args)
    if isinstance(node, ast.Tuple | ast.List):
        return all(_is_literal(e, constants) for e in node.elts)
    return False


def _text(node: ast.JoinedStr) -> str:
    return "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))


def problems_in(source: str, where: str) -> list[str]:
    tree = ast.parse(source)
    constants = _literal_constants(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and _SQL.search(_text(node)):
            for value in node.values:
                if not isinstance(value, ast.FormattedValue):
                    continue
                expression = ast.unparse(value.value)
                if _is_literal(value.value, constants) or expression in IDENTIFIERS:
                    continue
                found.append(f"{where}:{node.lineno}: SQL built from `{expression}`: bind it as a parameter")
        elif (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant)
              and isinstance(node.left.value, str) and _SQL.search(node.left.value)):
            found.append(f"{where}:{node.lineno}: SQL built with % formatting")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"
              and isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str)
              and _SQL.search(node.func.value.value)):
            found.append(f"{where}:{node.lineno}: SQL built with .format()")
    return found


def test_no_sql_in_the_package_is_built_from_a_value() -> None:
    problems = []
    checked = 0
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        if path.parent.name != "store" and not re.search(r"^\s*(import|from) (sqlite3|asyncpg)\b", source, re.M):
            continue
        problems += problems_in(source, str(path.relative_to(PACKAGE.parent)))
        checked += "SELECT" in source
    assert checked >= 4, "the store modules were not found"
    assert not problems, "\n".join(problems)


def test_the_checker_finds_a_value_in_sql() -> None:
    source = '''
COLUMNS = "id, arn"
def bad(connection, arn, execution_id, status):
    connection.execute(f"SELECT {COLUMNS} FROM executions WHERE arn = '{arn}'")
    connection.execute("DELETE FROM timers WHERE execution_id = %d" % execution_id)
    connection.execute("UPDATE executions SET status = '{}'".format(status))
def good(connection, arn):
    connection.execute(f"SELECT {COLUMNS} FROM executions WHERE arn = ?", (arn,))
'''
    problems = problems_in(source, "example.py")
    assert [p.split(": ", 1)[1] for p in problems] == [
        "SQL built from `arn`: bind it as a parameter", "SQL built with % formatting", "SQL built with .format()"]
