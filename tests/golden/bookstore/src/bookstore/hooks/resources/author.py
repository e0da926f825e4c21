"""Rules around the author routes.

This file is yours: fastgen created it once and never overwrites it. Override the
methods of ``ResourceHooks`` you need; mypy checks their signatures against the base.
"""

from bookstore.models import Author
from bookstore.resource_hooks import ResourceHooks


class AuthorHooks(ResourceHooks[Author]):
    """Hooks of the author resource (none yet: the defaults do nothing)."""


hooks = AuthorHooks()
