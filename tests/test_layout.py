"""``layout``: what it lays out is what black makes of it, and nothing it does changes what
black makes of a module."""

from __future__ import annotations

import pytest

from onebot_gen import render, resolve, spec
from onebot_gen.formatting import chunks
from onebot_gen.formatting.layout import laid_out
from onebot_gen.formatting.plan import black_alone as black
from onebot_gen.formatting.source import LINE_LENGTH
from onebot_gen.formatting.steps import Step

from .goldens import FIXTURES, fixture_names

#: Code that ``laid_out`` makes exactly as black makes it.
AS_BLACK = {
    "call, what is inside on one line": """
class A:
    def get_record(self):
        return cast("FileInfo", self._call("get_record", {"file": file, "file_id": file_id, "out_format": out_format}, timeout))
""",
    "call, an item a line, a dict always so": """
class A:
    async def send_flash_msg(self):
        return cast("SendFlashMsgResult", await self._call("send_flash_msg", {"fileset_id": fileset_id, "user_id": user_id, "group_id": group_id, "x": x}, timeout))
""",
    "items split again": """
def post(self):
    return self.send_private_msg(user_id, compose("post_private_file", [("image", "file", image), ("record", "file", record), ("video", "file", video), ("file", "file", file)], one_of=True), timeout=timeout)
""",
    "def, its parameters on one line": """
class A:
    @overload
    def calls(self, action: Literal["get_doubt_friends_add_request"]) -> list[GetDoubtFriendsAddRequestParams]: ...
""",
    "def, a lone parameter": """
class A:
    def private_message(handler: Handler[PrivateMessageEvent, GroupMessageEvent, MessageSentEvent]) -> Handler[PrivateMessageEvent]:
        return handler
""",
    "def, a parameter a line": """
async def event(self, kind: Literal["PrivateMessageEvent"], /, *, user_id: int | str | None = None, **fields: Any) -> None:
    pass
""",
    "long import": """
if TYPE_CHECKING:
    from ..models import DeleteFriendResult, DoubtFriendRequest, FriendCategory, FriendInfo, GetClientkeyResult
""",
    "an item of a dict written an item a line": """
ACTIONS: dict[str, tuple[str, str | None]] = {
    "get_login_info": ("get_login_info", None),
    "get_doubt_friends_add_request": ("get_doubt_friends_add_request", "GetDoubtFriendsAddRequestParams"),
}
""",
    "plain strings in double quotes": """
SELECTOR = ('post_type', {'message': ('message_type', {'private': 'PrivateMessageEvent'})})
""",
    "blank lines of a class: one after its docstring, at most one": '''
class GetVipInfoResult(TypedDict):
    """The result."""
    user_id: int
    """QQ number."""


    nickname: NotRequired[Literal['a', 'b']]
    """Nickname."""



x = 1
''',
}

#: Code that ``laid_out`` leaves as it is: black lays it out in ways not known there.
LEFT = {
    "a split at a subscript": """
class A:
    def on(
        self,
        result: UploadPrivateFileResult | Callable[[UploadPrivateFileParams], UploadPrivateFileResult],
    ) -> None: ...
""",
    "a comment": """
x = call_something_long(argument_one_with_a_long_name, argument_two_with_a_long_name, argument_three_with_a_long_name)  # why
""",
    "a string over several lines": '''
def f():
    """Use it so:

    return cast("X", self._call("get_record", {"file": file, "file_id": file_id}, timeout, 1, 2, 3))
    'quoted'
    """
''',
    "strings with quotes or escapes, f-strings, bytes": """
x = ['say "hi"', 'a\\n', f'{x}', b'b', '''t''']
""",
    "a string inside an f-string": """
x = f"{d['a']}"
""",
    "a trailing comma already": """
x = call_something_long(argument_one_with_a_long_name, argument_two_with_a_long_name, argument_three_with_a_long_name,)
""",
    "one long item": """
x = call_something_long(inner_call_with_a_long_name(argument_one_with_a_long_name, argument_two_with_a_long_name, argument_three_with_a_long_name))
""",
    "something after the brackets": """
x = call_something_long(argument_one_with_a_long_name, argument_two_with_a_long_name, argument_three_with_a_long_name).attribute
""",
    "a head too long": """
x = a_very_long_function_name_that_goes_on_and_on_and_on_and_on_and_on_and_on_and_on_and_on_and_on_and_on_(1, 2)
""",
    "a class's bases": """
class OneBot(Senders, AccountActions, FileActions, GroupActions, GroupContentActions, MessageActions):
    pass
""",
    "a backslash": """
x = call_something_long(argument_one_with_a_long_name, argument_two_with_a_long_name, argument_three_with_a_long_name) + \\
    another_call_with_a_long_name(argument_number_three, argument_number_four, five)
""",
}


@pytest.mark.parametrize("name", AS_BLACK)
def test_lays_out_as_black_does(name: str) -> None:
    source = AS_BLACK[name].lstrip("\n")
    assert laid_out(source) == black(source) != source


def test_ends_with_one_line_end() -> None:
    for source in ("x = 1\n\n\n", "x = 1", "class A:\n    x = 1\n\n"):
        assert laid_out(source) == black(source) != source


@pytest.mark.parametrize("name", LEFT)
def test_leaves_alone_what_black_does_otherwise(name: str) -> None:
    source = LEFT[name].lstrip("\n")
    assert any(len(line) > LINE_LENGTH for line in source.splitlines()) or "'" in source
    assert laid_out(source) == source


def test_code_that_does_not_tokenize_is_left_as_it_is() -> None:
    for source in ("def f(:\n", "x = '''open\n", "x = (\n"):
        assert laid_out(source) == source


def test_black_makes_the_same_of_every_generated_piece() -> None:
    """Every piece black is given (see ``chunks``) of every module the fixture specs make:
    black makes the same of it with and without ``laid_out``, and leaves most of them as
    ``laid_out`` made them (one pass of black, not two)."""
    pieces = []
    for name in fixture_names():
        rendered = render.render(resolve.resolve(spec.load(FIXTURES / name / "spec")))
        modules = [t for p, t in rendered.items() if p.endswith(".py") and isinstance(t, str)]
        modules += [t.make(t.text) for t in rendered.values() if isinstance(t, Step)]
        for module in modules:
            cut = chunks.cut(module)
            pieces += [module] if cut is None else [cut.skeleton, *cut.pieces]
    assert len(pieces) > 400
    as_black_leaves_it = 0
    for piece in pieces:
        formatted = black(laid_out(piece))
        assert formatted == black(piece)
        as_black_leaves_it += formatted == laid_out(piece)
    assert as_black_leaves_it > 0.9 * len(pieces)
