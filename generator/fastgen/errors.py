"""The failure that is not about a spec's content (I/O, git, copier): every layer raises it."""

from __future__ import annotations


class FastgenError(Exception):
    """A user-facing failure that is not about the spec's content (I/O, git, copier)."""
