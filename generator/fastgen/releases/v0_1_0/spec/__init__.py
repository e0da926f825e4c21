"""The input side: loading spec documents with positions and validating them."""
