"""Everything that writes: code from the model, the copier render, migrations, updates."""
