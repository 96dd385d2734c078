"""The spec's type language: parsing a type string into a small tree.

type  := atom ("|" atom)*
atom  := NAME | "list" "[" type "]" | "dict" "[" "str" "," type "]"
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Built-in type names; every other name refers to a shared object in models.yaml.
PRIMITIVES = ("int", "float", "str", "bool", "id", "message", "any", "null", "Segment")

_TOKEN = re.compile(r"\s*(?:([A-Za-z_][A-Za-z0-9_]*)|(.))")


@dataclass(frozen=True)
class Prim:
    name: str


@dataclass(frozen=True)
class Ref:
    """A shared object from models.yaml."""

    name: str


@dataclass(frozen=True)
class ListOf:
    item: TypeExpr


@dataclass(frozen=True)
class DictOf:
    value: TypeExpr


@dataclass(frozen=True)
class Union:
    options: tuple[TypeExpr, ...]


TypeExpr = Prim | Ref | ListOf | DictOf | Union

#: The type of a param that takes a message.
MESSAGE = Prim("message")


#: How deep ``list[...]`` and ``dict[str, ...]`` may nest (the parser recurses once per level).
MAX_NESTING = 16


class TypeSyntaxError(ValueError):
    pass


def parse(text: str) -> TypeExpr:
    """Parse a type string; raises TypeSyntaxError saying what was expected."""
    tokens = [m.group(1) or m.group(2) for m in _TOKEN.finditer(text) if m.group(0).strip()]
    parser = _Parser(tokens, text)
    result = parser.union()
    if parser.pos != len(tokens):
        raise TypeSyntaxError(f"unexpected {tokens[parser.pos]!r} in type {text!r}")
    return result


class _Parser:
    def __init__(self, tokens: list[str], text: str) -> None:
        self.tokens = tokens
        self.text = text
        self.pos = 0
        self.depth = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def expect(self, token: str) -> None:
        if self.peek() != token:
            found = "the end" if self.peek() is None else repr(self.peek())
            raise TypeSyntaxError(f"expected {token!r} but found {found} in type {self.text!r}")
        self.pos += 1

    def union(self) -> TypeExpr:
        options = [self.atom()]
        while self.peek() == "|":
            self.pos += 1
            options.append(self.atom())
        return options[0] if len(options) == 1 else Union(tuple(options))

    def atom(self) -> TypeExpr:
        name = self.peek()
        if name is None or not (name[0].isalpha() or name[0] == "_"):
            found = "the end" if name is None else repr(name)
            raise TypeSyntaxError(f"expected a type name but found {found} in type {self.text!r}")
        self.pos += 1
        if name in ("list", "dict"):
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise TypeSyntaxError(f"the type nests more than {MAX_NESTING} levels deep")
            inner = self.container(name)
            self.depth -= 1
            return inner
        return Prim(name) if name in PRIMITIVES else Ref(name)

    def container(self, name: str) -> TypeExpr:
        self.expect("[")
        if name == "dict":
            self.expect("str")
            self.expect(",")
        inner = self.union()
        self.expect("]")
        return ListOf(inner) if name == "list" else DictOf(inner)


#: Spellings from Python's typing module and other languages, and the spec's word for each.
_SPELLINGS = (
    (re.compile(r"\bList\["), "list["),
    (re.compile(r"\bDict\["), "dict["),
    (re.compile(r"\b(?:None|NoneType|Null)\b"), "null"),
    (re.compile(r"\bOptional\[([^\[\]]*)\]"), r"\1 | null"),
    (re.compile(r"\bstring\b"), "str"),
    (re.compile(r"\binteger\b"), "int"),
    (re.compile(r"\bboolean\b"), "bool"),
)


def suggest(text: str) -> str | None:
    """The type the spec's language spells for ``text`` (``List[X]`` → ``list[X]``, ``Optional[X]``
    → ``X | null``), when that is a valid type; else None."""
    fixed = text
    for pattern, replacement in _SPELLINGS:
        fixed = pattern.sub(replacement, fixed)
    if fixed == text:
        return None
    try:
        parse(fixed)
    except TypeSyntaxError:
        return None
    return fixed


def refs(t: TypeExpr) -> set[str]:
    """Names of shared objects a type mentions."""
    if isinstance(t, Ref):
        return {t.name}
    if isinstance(t, (ListOf, DictOf)):
        return refs(t.item if isinstance(t, ListOf) else t.value)
    if isinstance(t, Union):
        return set().union(*(refs(o) for o in t.options))
    return set()


def scalar_names(t: TypeExpr) -> set[str]:
    """The primitive names of a type that is a scalar or a union of scalars (else empty)."""
    if isinstance(t, Prim):
        return {t.name}
    if isinstance(t, Union) and all(isinstance(o, Prim) for o in t.options):
        return {o.name for o in t.options if isinstance(o, Prim)}
    return set()


def render(t: TypeExpr) -> str:
    """The type as the spec writes it (for docs and diffs)."""
    if isinstance(t, (Prim, Ref)):
        return t.name
    if isinstance(t, ListOf):
        return f"list[{render(t.item)}]"
    if isinstance(t, DictOf):
        return f"dict[str, {render(t.value)}]"
    return " | ".join(render(o) for o in t.options)


def _covers(a: TypeExpr, b: TypeExpr) -> bool:
    """Whether union option ``a`` already admits every value of option ``b``."""
    if a == b or a == Prim("any"):
        return True
    if a == Prim("id"):
        return b in (Prim("int"), Prim("str"))
    return False


def normalize(t: TypeExpr) -> TypeExpr:
    """The type with nested unions flattened and options another option covers dropped
    (``int | id`` → ``id``, ``int | int | str`` → ``int | str``, ``any | X`` → ``any``)."""
    if isinstance(t, ListOf):
        return ListOf(normalize(t.item))
    if isinstance(t, DictOf):
        return DictOf(normalize(t.value))
    if not isinstance(t, Union):
        return t
    flat: list[TypeExpr] = []
    for option in map(normalize, t.options):
        flat.extend(option.options if isinstance(option, Union) else (option,))
    kept: list[TypeExpr] = []
    for i, option in enumerate(flat):
        others = flat[:i] + flat[i + 1 :]
        earlier = flat[:i]
        # dropped when another option covers it (the first of equal options stays)
        if any(_covers(o, option) and o != option for o in others) or option in earlier:
            continue
        kept.append(option)
    return kept[0] if len(kept) == 1 else Union(tuple(kept))


def redundancy(t: TypeExpr) -> str | None:
    """What is redundant in a union somewhere in ``t`` (None when nothing is), for a problem
    message; ``normalize`` gives the type without it."""
    simpler = normalize(t)
    if simpler == t:
        return None
    return f"redundant union: {render(t)!r} admits the same values as {render(simpler)!r}"
