"""Rules around the book routes.

This file is yours: fastgen created it once and never overwrites it. Override the
methods of ``ResourceHooks`` you need; mypy checks their signatures against the base.
"""

from bookstore.models import Book
from bookstore.resource_hooks import ResourceHooks


class BookHooks(ResourceHooks[Book]):
    """Hooks of the book resource (none yet: the defaults do nothing)."""


hooks = BookHooks()
