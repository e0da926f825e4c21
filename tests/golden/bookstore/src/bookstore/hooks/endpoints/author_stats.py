"""Body of ``GET /authors/{author_id}/stats`` (author_stats in fastgen.yaml).

This file is yours: fastgen created it once and never overwrites it. The cache layer
keeps what ``handle`` returns for 120 s; the writes in ``invalidated_by`` clear it.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from bookstore.schemas.endpoints import AuthorStatsResponse


async def handle(
    session: AsyncSession,
    author_id: int,
) -> AuthorStatsResponse:
    """Compute the response; until you do, the endpoint answers 501."""
    raise NotImplementedError(f"author_stats: write its body in {__name__}")
