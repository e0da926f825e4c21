"""Bodies of the hand-written endpoints, one module each (yours to edit)."""
