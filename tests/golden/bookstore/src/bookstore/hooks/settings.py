"""Your settings: add fields or change defaults here.

This file is yours: fastgen created it once and never overwrites it. The generated
fields (database, pool, cache, ...) come from fastgen.yaml through ``GeneratedSettings``;
every field can be set by an environment variable of the same name.
"""

from bookstore.settings import GeneratedSettings


class Settings(GeneratedSettings):
    """The service's settings; e.g. ``sentry_dsn: str = ""`` or ``log_level: str = "DEBUG"``."""
