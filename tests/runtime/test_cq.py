"""CQ-code helpers: escaping, and converting between segment lists and strings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onebot_client import cq, seg
from onebot_client.seg import CQ_SCALARS


def test_escape_and_unescape() -> None:
    assert cq.escape("a&b [c], d") == "a&amp;b &#91;c&#93;, d"
    assert cq.escape("a,b", comma=True) == "a&#44;b"
    assert cq.unescape("&#91;CQ:at,qq=1&#93; &amp;amp;") == "[CQ:at,qq=1] &amp;"


def test_render() -> None:
    message = [seg.text("hi [1]"), seg.at(123), seg.image("https://x/a.png?a=1,2"), seg.dice()]
    assert cq.render(message) == (
        "hi &#91;1&#93;[CQ:at,qq=123][CQ:image,file=https://x/a.png?a=1&#44;2][CQ:dice]"
    )
    assert cq.render([{"type": "record", "data": {"file": "a.amr", "magic": True}}]) == (
        "[CQ:record,file=a.amr,magic=1]"
    )


def test_parse() -> None:
    assert cq.parse("hi&amp;[CQ:at,qq=123] [CQ:face,id=14][CQ:shake]&#91;x") == [
        {"type": "text", "data": {"text": "hi&"}},
        {"type": "at", "data": {"qq": "123"}},
        {"type": "text", "data": {"text": " "}},
        {"type": "face", "data": {"id": "14"}},
        {"type": "shake", "data": {}},
        {"type": "text", "data": {"text": "[x"}},
    ]
    assert cq.parse("") == []
    assert cq.parse("[CQ:broken") == [{"type": "text", "data": {"text": "[CQ:broken"}}]


def test_parse_converts_the_fields_typed_as_numbers_and_booleans() -> None:
    assert cq.parse(
        "[CQ:image,file=a.png,sub_type=1][CQ:reply,seq=42,id=7][CQ:record,file=a.amr,magic=1]"
    ) == [
        {"type": "image", "data": {"file": "a.png", "sub_type": 1}},
        {"type": "reply", "data": {"seq": 42, "id": "7"}},  # id: int | str, kept as written
        {"type": "record", "data": {"file": "a.amr", "magic": True}},
    ]


@pytest.mark.parametrize(
    ("code", "data"),
    [
        ("[CQ:image,file=a.jpg,sub_type=abc]", {"file": "a.jpg", "sub_type": "abc"}),
        ("[CQ:face,id=1,chainCount=x]", {"id": "1", "chainCount": "x"}),
        ("[CQ:reply,seq=" + "9" * 5000 + "]", {"seq": "9" * 5000}),  # over int's 4,300 digits
        ("[CQ:record,file=a.amr,magic=maybe]", {"file": "a.amr", "magic": "maybe"}),
    ],
)
def test_a_value_that_does_not_convert_is_kept_as_written(code: str, data: object) -> None:
    (segment,) = cq.parse(code)
    assert segment["data"] == data


def test_parse_bounds_its_input() -> None:
    """(Its time on hostile strings is measured by ``bench/cq.py``.)"""
    assert cq.parse("[CQ:a[CQ:at,qq=1]") == [
        {"type": "text", "data": {"text": "[CQ:a"}},
        {"type": "at", "data": {"qq": "1"}},
    ]
    with pytest.raises(ValueError, match="at most"):
        cq.parse("x" * (cq.MAX_CHARS + 1))


@given(st.text())
def test_escaping_round_trips(text: str) -> None:
    assert cq.unescape(cq.escape(text)) == text
    assert cq.unescape(cq.escape(text, comma=True)) == text
    assert "[" not in cq.escape(text) and "]" not in cq.escape(text)


names = st.from_regex(r"[a-z][a-z_]{0,8}", fullmatch=True)
segments = st.one_of(
    st.builds(lambda text: {"type": "text", "data": {"text": text}}, st.text(min_size=1)),
    st.builds(
        lambda type_, data: {"type": type_, "data": data},
        names.filter(lambda name: name != "text" and name not in CQ_SCALARS),
        st.dictionaries(names, st.text(), max_size=3),
    ),
)


def merged(message: list[dict[str, object]]) -> list[dict[str, object]]:
    """Adjacent text segments as one (a string cannot tell them apart)."""
    out: list[dict[str, object]] = []
    for segment in message:
        if out and segment["type"] == "text" and out[-1]["type"] == "text":
            text = out[-1]["data"]["text"] + segment["data"]["text"]  # type: ignore[index]
            out[-1] = {"type": "text", "data": {"text": text}}
        else:
            out.append(segment)
    return out


@given(st.lists(segments, max_size=6))
def test_parse_reverses_render(message: list[dict[str, object]]) -> None:
    assert cq.parse(cq.render(message)) == merged(message)
