"""Body of ``POST /admin/reindex`` (reindex in fastgen.yaml).

This file is yours: fastgen created it once and never overwrites it.
"""

import logging

logger = logging.getLogger(__name__)


async def handle() -> None:
    """Runs after the 202 response was sent; open your own session if you need one."""
    logger.info("reindex requested; write its body in %s", __name__)
