"""Jinja templates and the hand-written client runtime, shipped with onebot-gen as package data."""
