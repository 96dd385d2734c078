"""The generated TypedDicts at runtime: required and optional keys are right, so that runtime
validators and users' own introspection see which keys may be absent."""

from __future__ import annotations

import typing

import onebot_client.models as models

TYPED_DICTS = [
    obj
    for name in dir(models)
    if isinstance(obj := getattr(models, name), type) and typing.is_typeddict(obj)
]


def test_required_and_optional_keys_follow_not_required() -> None:
    assert len(TYPED_DICTS) > 300
    for cls in TYPED_DICTS:
        hints = typing.get_type_hints(cls, include_extras=True)  # every annotation evaluates
        optional = {k for k, v in hints.items() if typing.get_origin(v) is typing.NotRequired}
        assert cls.__optional_keys__ == optional, cls.__name__
        assert cls.__required_keys__ == hints.keys() - optional, cls.__name__


def test_examples() -> None:
    assert models.GetMsgParams.__required_keys__ == {"message_id"}
    assert "is_origin" in models.AddCustomFaceParams.__optional_keys__
    assert models.GroupMemberInfo.__required_keys__ >= {"group_id", "user_id"}
    assert "qage" in models.GroupMemberInfo.__optional_keys__
