"""The service model (plain data) and the naming rules its identifiers follow."""
