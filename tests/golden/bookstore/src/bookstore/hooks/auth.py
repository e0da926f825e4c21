"""Who is calling: the principal that keys `scope: private` cache entries.

This file is yours: fastgen created it once and never overwrites it. Replace the body
with your real authentication (verify a JWT, look up a session...). The cache layer
calls it before routing, with the raw request, so keep it fast and free of I/O where you
can. Return None for an anonymous caller: private entries are then neither read nor
stored.
"""

import hashlib

from fastapi import Request


async def principal(request: Request) -> str | None:
    """A stable id of the caller; by default a hash of the Authorization credentials."""
    credentials = request.headers.get("authorization")
    if not credentials:
        return None
    return hashlib.sha256(credentials.encode()).hexdigest()
