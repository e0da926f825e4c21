"""Hooks around each resource's writes, one module each (yours to edit)."""
