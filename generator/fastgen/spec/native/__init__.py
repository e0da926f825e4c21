"""The native input: fastgen.yaml, its pydantic model, validation and compiler."""
