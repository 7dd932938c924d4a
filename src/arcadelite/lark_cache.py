"""Lark LALR parsers that start in milliseconds: Lark builds the tables once, a cache file keeps them.

Building a Lark LALR parser from its grammar takes ~0.3 s, and even Lark's own cache (a pickle of
its objects) costs ~20 ms to import Lark plus ~35 ms to rebuild those objects in every process.
`load_parser` asks Lark for the tables once, writes them to a cache file as plain data (``marshal``:
dicts of names and integers, the lexer's regular expressions as text), and from then on runs the
parse with the small LALR driver and contextual lexer below, which do exactly what Lark's do (the
same tables, the same token order and callbacks; tests/test_lark_cache.py compares the two on every
statement of the SQL test corpus and thousands of mutants) without importing Lark at all.

Each parser state has its own lexer, a regular expression of the terminals it accepts, compiled
when the state is first met; ``re`` compiles those in Python (~0.6 ms each, ~90 ms over the first
50 kinds of statement). On CPython the compiled programs are cached too and handed straight to
``_sre.compile``, which checks them (anything else falls back to ``re.compile``).

The cache file is named by a key that hashes the grammar text, the parser options, Lark's version,
the Python implementation and build, and this module's table format, so any change of one of
them builds a new one. It is looked for in the user cache directory (``$XDG_CACHE_HOME`` or
``~/.cache``, folder ``arcadelite``, which must belong to this user and be writable by no one
else; it is created private), then in a ``__pycache__`` folder beside the grammar; it is written
to the first of those that accepts it, through a temporary file renamed into place (readers never
see half a file; concurrent writers write equivalent files, the last rename wins). A file that is
truncated, damaged (a CRC-32 covers it) or of another key is ignored and replaced; when no
location is writable the tables are built in memory for this process only. ``marshal`` is not
meant for untrusted data: hence the owner and mode checks on the folder.

Used by ``arcadelite.sql`` (and meant for the Cypher parser to come).
"""

from __future__ import annotations

import marshal
import os
import re
import sys
import time
import zlib
from array import array
from collections.abc import Iterator
from typing import Any

FORMAT = 3
"""Version of the table layout below: bump it when the extraction or the driver changes."""

_MAGIC = b"arcadelite-lark-tables"
_DIGEST_SIZE = 4
CACHE_DIR_NAME = "arcadelite"


# ------------------------------------------------------------------------ tokens and errors


class Token(str):
    """A piece of the input, as Lark's Token: a str with its terminal name and position."""

    __slots__ = ("type", "start_pos", "line", "column", "end_line", "end_column", "end_pos")

    type: str
    start_pos: int
    line: int
    column: int
    end_line: int
    end_column: int
    end_pos: int

    def __new__(cls, type_: str, value: str, start_pos: int, line: int, column: int) -> Token:
        token = str.__new__(cls, value)
        token.type = type_
        token.start_pos = start_pos
        token.line = line
        token.column = column
        return token

    @property
    def value(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {str(self)!r})"


class Tree:
    """The node of a rule that has no callback: what an ``_inlined`` rule hands to its parent."""

    __slots__ = ("data", "children")

    def __init__(self, data: str, children: list[Any]) -> None:
        self.data = data
        self.children = children

    def __repr__(self) -> str:
        return f"Tree({self.data!r}, {self.children!r})"


class UnexpectedInput(Exception):
    """The input does not match the grammar (the base of the two errors below)."""

    line: int
    column: int


class UnexpectedToken(UnexpectedInput):
    """The parser met ``token`` where only the terminals named in ``expected`` could follow."""

    def __init__(self, token: Token, expected: set[str]) -> None:
        super().__init__(f"Unexpected token {token!r}, expected one of {sorted(expected)}")
        self.token = token
        self.expected = expected
        self.line = token.line
        self.column = token.column
        self.pos_in_stream = token.start_pos


class UnexpectedCharacters(UnexpectedInput):
    """No terminal of the lexer's state matches the text at ``pos_in_stream``."""

    def __init__(self, text: str, pos: int, line: int, column: int, allowed: set[str]) -> None:
        super().__init__(
            f"No terminal matches {text[pos : pos + 1]!r} at line {line}, column {column}"
        )
        self.pos_in_stream = pos
        self.line = line
        self.column = column
        self.allowed = allowed


# ------------------------------------------------------------------------------- the driver


class _Lexer:
    """One state's lexer: its terminals' regular expressions, compiled on first use."""

    __slots__ = ("spec", "patterns", "unless", "newline_types", "ignore_types", "allowed")

    def __init__(self, spec: tuple, regexps: dict[str, str], flags: int) -> None:
        self.spec = (spec, regexps, flags)
        self.patterns: list[re.Pattern[str]] | None = None
        self.unless: dict[str, list[re.Pattern[str]]] = {}
        _chunks, _unless, newline_types, ignore_types, allowed, _programs = spec
        self.newline_types = frozenset(newline_types)
        self.ignore_types = frozenset(ignore_types)
        self.allowed = frozenset(allowed)

    def compile(self) -> list[re.Pattern[str]]:
        (chunks, unless, _, _, _, blob), regexps, flags = self.spec
        programs, unless_programs = marshal.loads(blob)
        self.unless = {
            name: _compile(names, regexps, flags, unless_programs[name])
            for name, names in unless.items()
        }
        self.patterns = _compile(chunks, regexps, flags, programs)
        return self.patterns

    def match(self, text: str, pos: int) -> tuple[str, str] | None:
        for pattern in self.patterns or self.compile():
            m = pattern.match(text, pos)
            if m:
                return m.group(0), m.lastgroup  # type: ignore[return-value]  # a named group matched, so lastgroup is set
        return None


def _scanner_pattern(names: tuple[str, ...], regexps: dict[str, str]) -> str:
    """Lark's scanner expression: one named group per terminal, in the lexer's order."""
    return "|".join(f"(?P<{name}>{regexps[name]})" for name in names)


def _compile(chunks: tuple, regexps: dict[str, str], flags: int,
             programs: tuple) -> list[re.Pattern[str]]:  # fmt: skip
    """The compiled expressions of a scanner, from their cached programs where possible."""
    compiled = []
    for names, program in zip(chunks, programs):
        pattern = _scanner_pattern(names, regexps)
        compiled.append(_from_program(pattern, program) or re.compile(pattern, flags))
    return compiled


def _regex_program(pattern: str, flags: int) -> tuple | None:
    """What ``re.compile`` hands to CPython's ``_sre.compile`` for this expression, or None.

    ``re`` parses and compiles an expression in Python (~0.6 ms for one of these scanners, most
    of a statement's first parse); the resulting program is plain data, cached with the tables
    (whose key names the exact Python build) and handed to ``_sre.compile`` directly next time.
    Anything unexpected (another implementation, other internals) means None: ``re.compile``.
    """
    try:
        import _sre  # type: ignore[import-not-found]  # CPython's regex engine has no stubs

        try:
            from re import _compiler, _parser  # type: ignore[attr-defined]  # private since 3.11
        except ImportError:  # Python 3.10
            import sre_compile as _compiler
            import sre_parse as _parser
        parsed = _parser.parse(pattern, flags)
        code = _compiler._code(parsed, flags)
        groupindex = dict(parsed.state.groupdict)
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, i in groupindex.items():
            indexgroup[i] = name
        program = (flags | parsed.state.flags, array("I", code).tobytes(),
                   parsed.state.groups - 1, groupindex, tuple(indexgroup))  # fmt: skip
        rebuilt, expected = _from_program(pattern, program), re.compile(pattern, flags)
        same = rebuilt is not None and (
            rebuilt.pattern,
            rebuilt.flags,
            rebuilt.groups,
            rebuilt.groupindex,
        ) == (expected.pattern, expected.flags, expected.groups, expected.groupindex)
        return program if same and _sre.MAGIC else None
    except Exception:
        return None


def _from_program(pattern: str, program: tuple | None) -> re.Pattern[str] | None:
    """The compiled expression from a cached program (None: compile it the usual way)."""
    if program is None:
        return None
    try:
        import _sre

        flags, code, groups, groupindex, indexgroup = program
        return _sre.compile(pattern, flags, array("I", code).tolist(), groups, groupindex,
                            indexgroup)  # fmt: skip
    except Exception:
        return None


class Parser:
    """A loaded LALR parser: ``parse(text, start)`` runs the callbacks of ``transformer``.

    ``transformer`` has one method per rule name or alias (taking the list of children, as a Lark
    embedded transformer); a rule without one becomes a `Tree`. ``postlex`` (optional) has a
    ``process(tokens)`` generator, as Lark's post-lexers. Not thread-safe: use one per thread or
    a lock.
    """

    def __init__(self, tables: dict[str, Any], transformer: object, postlex: Any = None) -> None:
        self.tables = tables
        self.terminals: dict[str, tuple[bool, str]] = tables["terminals"]
        self.postlex = postlex
        self._states: dict[int, dict[str, int]] = tables["states"]
        self._start_states: dict[str, int] = tables["start_states"]
        self._end_states: dict[str, int] = tables["end_states"]
        regexps, flags = tables["regexps"], tables["flags"]
        self._lexers: list[_Lexer | None] = [None] * len(tables["lexers"])
        self._lexer_index: dict[int, int] = tables["lexer_of_state"]
        self._root_lexer = _Lexer(tables["root_lexer"], regexps, flags)
        self._rules = [
            (origin, size, include, trailing, expand1, getattr(transformer, name, None), name)
            for origin, size, include, trailing, expand1, name in tables["rules"]
        ]

    def parse(self, text: str, start: str) -> Any:
        """Parse ``text`` from the start symbol ``start``; UnexpectedInput when it does not fit."""
        state_stack = [self._start_states[start]]
        value_stack: list[Any] = []
        end_state = self._end_states[start]
        tokens: Iterator[Token] = self._lex(text, state_stack)
        if self.postlex is not None:
            tokens = self.postlex.process(tokens)
        token = None
        for token in tokens:
            self._feed(token, state_stack, value_stack, end_state, False)
        if token is None:
            end = Token("$END", "", 0, 1, 1)
        else:
            end = Token("$END", "", token.start_pos, token.line, token.column)
            end.end_line, end.end_column, end.end_pos = (
                token.end_line,
                token.end_column,
                token.end_pos,
            )
        return self._feed(end, state_stack, value_stack, end_state, True)

    def _feed(self, token: Token, state_stack: list[int], value_stack: list[Any],
              end_state: int, is_end: bool) -> Any:  # fmt: skip
        """Lark's ParserState.feed_token: reduce as long as the table says, then shift."""
        states = self._states
        kind = token.type
        while True:
            row = states[state_stack[-1]]
            try:
                action = row[kind]
            except KeyError:
                raise UnexpectedToken(token, {s for s in row if s.isupper()}) from None
            if action >= 0:  # shift
                state_stack.append(action)
                value_stack.append(token)
                return None
            origin, size, include, trailing, expand1, method, name = self._rules[~action]
            if size:
                children = value_stack[-size:]
                del state_stack[-size:]
                del value_stack[-size:]
            else:
                children = []
            if include is not None:  # Lark's ChildFilterLALR: drop filtered tokens, inline _rules
                kept: list[Any] = []
                for i, inline, nones in include:
                    if nones:
                        kept += [None] * nones
                    if inline:  # a left-recursive list takes over its head's list, as
                        if kept:  # Lark does (copying it made long lists quadratic)
                            kept += children[i].children
                        else:
                            kept = children[i].children
                    else:
                        kept.append(children[i])
                if trailing:
                    kept += [None] * trailing
                children = kept
            if expand1 and len(children) == 1:  # ?rule with one child
                value = children[0]
            elif method is not None:
                value = method(children)
            else:
                value = Tree(name, children)
            state_stack.append(states[state_stack[-1]][origin])
            value_stack.append(value)
            if is_end and state_stack[-1] == end_state:
                return value_stack[-1]

    def _lexer(self, state: int) -> _Lexer:
        """The lexer of a parser state (Lark shares one among states that accept the same)."""
        index = self._lexer_index[state]
        lexer = self._lexers[index]
        if lexer is None:
            tables = self.tables
            lexer = _Lexer(tables["lexers"][index], tables["regexps"], tables["flags"])
            self._lexers[index] = lexer
        return lexer

    def _lex(self, text: str, state_stack: list[int]) -> Iterator[Token]:
        """Lark's ContextualLexer: each token read by the lexer of the parser's current state."""
        lexers = self._lexers
        index = self._lexer_index
        pos, line, line_start, end = 0, 1, 0, len(text)
        while pos < end:
            lexer = lexers[index[state_stack[-1]]] or self._lexer(state_stack[-1])
            found = lexer.match(text, pos)
            if found is None:
                raise self._no_match(lexer, text, pos, line, pos - line_start + 1)
            value, kind = found
            start_pos, start_line, start_column = pos, line, pos - line_start + 1
            if kind in lexer.newline_types:
                newlines = value.count("\n")
                if newlines:
                    line += newlines
                    line_start = pos + value.rindex("\n") + 1
            pos += len(value)
            if kind in lexer.ignore_types:
                continue
            token = Token(kind, value, start_pos, start_line, start_column)
            token.end_line, token.end_column, token.end_pos = line, pos - line_start + 1, pos
            unless = lexer.unless.get(kind)
            if unless is not None:  # a keyword that the name pattern also matches
                for pattern in unless:
                    m = pattern.fullmatch(value)
                    if m:
                        token.type = m.lastgroup  # type: ignore[assignment]  # a named group matched, so lastgroup is set
                        break
            yield token

    def _no_match(self, lexer: _Lexer, text: str, pos: int, line: int,
                  column: int) -> UnexpectedInput:  # fmt: skip
        """As Lark: a terminal of another state there makes an UnexpectedToken, else characters."""
        allowed = set(lexer.allowed - lexer.ignore_types) or {"<END-OF-FILE>"}
        error = UnexpectedCharacters(text, pos, line, column, allowed)
        root = self._root_lexer
        found = root.match(text, pos)
        if found is None or found[1] in root.ignore_types:
            return error
        token = Token(found[1], found[0], pos, line, column)
        unless = root.unless.get(token.type)
        for pattern in unless or ():
            m = pattern.fullmatch(token)
            if m:
                token.type = m.lastgroup  # type: ignore[assignment]  # a named group matched, so lastgroup is set
                break
        return UnexpectedToken(token, allowed)


# ------------------------------------------------------------------------ building the tables


def build_tables(grammar: str, options: dict[str, Any], postlex: Any = None) -> dict[str, Any]:
    """Have Lark build the LALR parser and take out everything `Parser` needs, as plain data."""
    from lark import Lark
    from lark.parse_tree_builder import (
        ChildFilterLALR,
        ChildFilterLALR_NoPlaceholders,
        ExpandSingleChild,
    )
    from lark.parsers.lalr_analysis import Shift

    lark = Lark(grammar, parser="lalr", lexer="contextual", postlex=postlex, cache=False,
                propagate_positions=False, **options)  # fmt: skip
    rule_index = {rule: i for i, rule in enumerate(lark.rules)}
    rules = []
    for rule, chain in lark._parse_tree_builder.rule_builders:
        include, trailing, expand1 = None, 0, False
        for wrapper in chain:
            if wrapper is ExpandSingleChild:
                expand1 = True
            elif getattr(wrapper, "func", None) is ChildFilterLALR:
                include = tuple(tuple(item) for item in wrapper.args[0])
                trailing = wrapper.args[1]
            elif getattr(wrapper, "func", None) is ChildFilterLALR_NoPlaceholders:
                include = tuple((i, inline, 0) for i, inline in wrapper.args[0])
            else:
                raise NotImplementedError(f"Lark tree-builder step {wrapper!r} is not supported")
        name = rule.alias or rule.options.template_source or rule.origin.name
        rules.append((rule_index[rule], (rule.origin.name, len(rule.expansion), include, trailing,
                                         expand1, name)))  # fmt: skip
    ordered = [spec for _, spec in sorted(rules, key=lambda item: item[0])]

    table = lark.parser.parser.parser.parse_table
    states = {
        state: {
            symbol: (target if action is Shift else ~rule_index[target])
            for symbol, (action, target) in row.items()
        }
        for state, row in table.states.items()
    }

    contextual = getattr(lark.parser.lexer, "lexer", lark.parser.lexer)  # under a post-lexer
    regexps = {t.name: t.pattern.to_regexp() for t in lark.terminals}
    flags = lark.lexer_conf.g_regex_flags

    def lexer_spec(basic: Any) -> tuple:
        scanner = basic.scanner  # builds the expressions, as Lark does on first use
        chunks = _chunks(scanner, regexps)
        unless = {name: _chunks(callback.scanner, regexps)
                  for name, callback in basic.callback.items()}  # fmt: skip
        programs = tuple(_regex_program(_scanner_pattern(names, regexps), flags)
                         for names in chunks)  # fmt: skip
        unless_programs = {name: tuple(_regex_program(_scanner_pattern(names, regexps), flags)
                                       for names in chunked)
                           for name, chunked in unless.items()}  # fmt: skip
        # one blob per lexer, unpacked when that lexer is first used: most never are
        blob = marshal.dumps(_plain((programs, unless_programs)))
        return (chunks, unless, tuple(sorted(basic.newline_types)),
                tuple(sorted(basic.ignore_types)), tuple(sorted(scanner.allowed_types)), blob)  # fmt: skip

    lexers: list[tuple] = []
    index_of: dict[int, int] = {}
    lexer_of_state = {}
    for state, basic in contextual.lexers.items():
        if id(basic) not in index_of:
            index_of[id(basic)] = len(lexers)
            lexers.append(lexer_spec(basic))
        lexer_of_state[state] = index_of[id(basic)]
    return _plain(
        {
            "states": states,
            "start_states": dict(table.start_states),
            "end_states": dict(table.end_states),
            "rules": ordered,
            "lexers": lexers,
            "lexer_of_state": lexer_of_state,
            "root_lexer": lexer_spec(contextual.root_lexer),
            "regexps": regexps,
            "flags": flags,
            "terminals": {
                t.name: (t.pattern.type == "str", t.pattern.value) for t in lark.terminals
            },
        }
    )


def _plain(value: Any) -> Any:
    """The same data in built-in types only (Lark's names are str subclasses): marshal-able."""
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (bool, bytes)) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    raise TypeError(f"Not plain data: {value!r}")


def _chunks(scanner: Any, regexps: dict[str, str]) -> tuple:
    """A Lark scanner's terminal names, grouped as its compiled expressions group them.

    Lark joins ``(?P<name>regexp)`` pieces with ``|`` in its terminal order and splits them
    where ``re`` would refuse too many groups; the pieces are matched back here, and an
    expression that cannot be rebuilt exactly stops the build (never a silently other lexer).
    """
    names = [t.name for t in scanner.terminals]
    chunks = []
    for compiled in scanner._mres:
        chunk: list[str] = []
        rest = compiled.pattern
        while names and rest:
            piece = f"(?P<{names[0]}>{regexps[names[0]]})"
            if rest == piece:
                rest = ""
            elif rest.startswith(piece + "|"):
                rest = rest[len(piece) + 1 :]
            else:
                break
            chunk.append(names.pop(0))
        if rest or "|".join(f"(?P<{n}>{regexps[n]})" for n in chunk) != compiled.pattern:
            raise NotImplementedError("Lark's scanner expression differs from its terminals'")
        chunks.append(tuple(chunk))
    if names:
        raise NotImplementedError(f"Lark's scanner left terminals out: {names}")
    return tuple(chunks)


# ------------------------------------------------------------------------------- the cache


def cache_key(grammar: str, options: dict[str, Any], postlex: Any = None) -> str:
    """What the tables depend on, hashed: grammar, options, Lark, Python, this format."""
    accepted = tuple(getattr(postlex, "always_accept", ()))
    parts = [grammar, repr(sorted(options.items())), repr(accepted), lark_version(),
             sys.implementation.cache_tag or "", sys.version, str(FORMAT)]  # fmt: skip
    try:  # hashlib's own BLAKE2, imported alone: hashlib loads OpenSSL first (2-6 ms)
        from _blake2 import blake2b
    except ImportError:  # another Python
        from hashlib import blake2b
    return blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()


def lark_version() -> str:
    """Lark's version, read from its package without importing it (importing costs ~20 ms)."""
    module = sys.modules.get("lark")
    if module is not None:
        return str(module.__version__)
    for folder in sys.path:
        init = os.path.join(folder or ".", "lark", "__init__.py")
        try:
            with open(init, encoding="utf-8") as f:
                found = re.search(r"""^__version__\s*(?::\s*str\s*)?=\s*['"]([^'"]+)['"]""",
                                  f.read(), re.MULTILINE)  # fmt: skip
        except OSError:
            continue
        if found:
            return found.group(1)
        break
    import lark

    return str(lark.__version__)


def cache_locations(grammar_path: str) -> list[str]:
    """Folders for the cache file, in order: the user's cache folder, then beside the grammar."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return [os.path.join(base, CACHE_DIR_NAME),
            os.path.join(os.path.dirname(os.path.abspath(grammar_path)), "__pycache__")]  # fmt: skip


def _usable(folder: str, create: bool) -> bool:
    """A folder we may trust and use: ours (when the OS has owners), not writable by others."""
    try:
        if create:
            os.makedirs(folder, mode=0o700, exist_ok=True)
        info = os.stat(folder)
    except OSError:
        return False
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return False
    return not info.st_mode & 0o022  # nobody else may replace a file in it


def _digest(payload: bytes | memoryview) -> bytes:
    """A checksum against damaged files (trust comes from the folder's owner and mode)."""
    return zlib.crc32(payload).to_bytes(_DIGEST_SIZE, "big")


def read_cache(path: str, key: str) -> dict[str, Any] | None:
    """The tables in ``path`` if it is a complete file of this key, else None."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    head = _MAGIC + b" " + key.encode() + b"\n"
    if not data.startswith(head) or len(data) < len(head) + _DIGEST_SIZE:
        return None
    digest = data[len(head) : len(head) + _DIGEST_SIZE]
    payload = memoryview(data)[len(head) + _DIGEST_SIZE :]  # no copy of the ~0.8 MB
    if _digest(payload) != digest:
        return None
    try:
        tables = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    return tables if isinstance(tables, dict) and tables.get("format") == FORMAT else None


def write_cache(path: str, key: str, tables: dict[str, Any]) -> bool:
    """Write the tables to ``path`` atomically (a temporary file renamed over it); False if not."""
    try:
        payload = marshal.dumps(tables)
    except ValueError:
        return False
    digest = _digest(payload)
    import tempfile  # only when writing: ~1.5 ms of import a warm start does not need

    folder = os.path.dirname(path)
    try:
        fd, temporary = tempfile.mkstemp(prefix=".tables-", dir=folder)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(_MAGIC + b" " + key.encode() + b"\n" + digest + payload)
        os.replace(temporary, path)
    except OSError:
        _remove(temporary)
        return False
    _remove_stale_temporaries(folder)
    return True


_STALE_SECONDS = 3600


def _remove_stale_temporaries(folder: str) -> None:
    """Temporary files of writers killed before their rename (an hour old: nobody's any more)."""
    try:
        names = [n for n in os.listdir(folder) if n.startswith(".tables-")]
        now = time.time()
        for name in names:
            path = os.path.join(folder, name)
            if now - os.stat(path).st_mtime > _STALE_SECONDS:
                _remove(path)
    except OSError:
        pass


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def load_tables(grammar_path: str, options: dict[str, Any], postlex: Any = None,
                name: str | None = None) -> dict[str, Any]:  # fmt: skip
    """The grammar's tables: from a valid cache file, else built by Lark and cached if possible."""
    with open(grammar_path, encoding="utf-8") as f:
        grammar = f.read()
    key = cache_key(grammar, options, postlex)
    stem = name or os.path.splitext(os.path.basename(grammar_path))[0]
    filename = f"{stem}-{key}.lalr"
    folders = cache_locations(grammar_path)
    for folder in folders:
        if _usable(folder, create=False):
            tables = read_cache(os.path.join(folder, filename), key)
            if tables is not None:
                return tables
    tables = build_tables(grammar, options, postlex)
    tables["format"] = FORMAT
    for folder in folders:
        if _usable(folder, create=True) and write_cache(
            os.path.join(folder, filename), key, tables
        ):
            break
    return tables


def load_parser(grammar_path: str, transformer: object, options: dict[str, Any],
                postlex: Any = None, name: str | None = None) -> Parser:  # fmt: skip
    """A `Parser` for the grammar file: ``options`` are Lark's (``start``, ``maybe_placeholders``)."""
    return Parser(load_tables(grammar_path, options, postlex, name), transformer, postlex)


__all__ = [
    "FORMAT",
    "Parser",
    "Token",
    "Tree",
    "UnexpectedCharacters",
    "UnexpectedInput",
    "UnexpectedToken",
    "build_tables",
    "cache_key",
    "cache_locations",
    "load_parser",
    "load_tables",
    "read_cache",
    "write_cache",
]
