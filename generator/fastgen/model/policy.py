"""A read route's caching policy, as the spec declares it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PolicyModel:
    """How one read route is cached; rendered into the generated ``cache_config``."""

    name: str
    path: str
    ttl: int
    strategy: str
    stale_ttl: int
    backend: str
    scope: str
    vary: tuple[str, ...]
    warm: bool
    id_param: str | None
    # A private policy of OpenAPI input: the names of the security schemes of each
    # alternative whose credentials (all of them) key a caller's entries; a request
    # meeting none is not the cache's to answer. None: the principal hook alone.
    security: tuple[tuple[str, ...], ...] | None = None
