"""Errors."""

__all__ = ["OneBotError", "ActionFailed"]


class OneBotError(Exception):
    """Base."""


class ActionFailed(OneBotError):
    """Failed."""
