"""Limits of the supported databases that the spec checks and the compile share."""

# InnoDB indexes 3072 bytes: 768 characters of up to 4 bytes in utf8mb4.
MAX_INDEXED_CHARS = 768
