"""Everything that writes: code from the model, the copier render, migrations, updates."""

from fastgen.render.copier_prompts import import_copier

# Before any module of this package imports copier (copier_prompts says why).
import_copier()
