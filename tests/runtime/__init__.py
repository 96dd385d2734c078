"""Tests of the hand-written client runtime (templates/runtime) against a local server."""
