"""Limits of the supported databases that the spec checks and the compile share."""

# InnoDB indexes 3072 bytes: 768 characters of up to 4 bytes in utf8mb4.
MAX_INDEXED_CHARS = 768

# A string field without max_length is a VARCHAR(255).
DEFAULT_STRING_LENGTH = 255

# An integer column is 32 bits on every database (the API checks the same range).
INTEGER_MIN = -(2**31)
INTEGER_MAX = 2**31 - 1

# A decimal column is NUMERIC(18, 4): 14 digits before the point, 4 after; the API
# reads a decimal string by the same rule (the generated schemas' DECIMAL_TEXT).
DECIMAL_SCALE = 4
DECIMAL_INTEGER_DIGITS = 14
DECIMAL_TEXT = r"-?[0-9]{1,14}(\.[0-9]{1,4})?"
