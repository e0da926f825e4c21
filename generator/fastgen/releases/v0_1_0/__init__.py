"""fastgen: one spec file in, a cached async FastAPI service out — and kept up to date."""

__version__ = "0.1.0"
