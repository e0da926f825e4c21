<%!
    def py(value, prefix):
        """``value`` as ruff formats it after ``prefix`` (double quotes, a long
        tuple of a merge's parents one per line)."""
        if value is None or isinstance(value, str):
            return "None" if value is None else '"%s"' % value
        items = ['"%s"' % item for item in value]
        line = "(%s)" % ", ".join(items)
        if len(prefix) + len(line) <= 88:
            return line
        return "(\n" + "".join("    %s,\n" % item for item in items) + ")"
%>"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
"""

from collections.abc import Sequence
<%
    # A merge (`alembic merge`) has no steps; any other revision, even an empty
    # one written with `alembic revision`, gets the imports its steps will use.
    steps = not isinstance(down_revision, (tuple, list)) or upgrades or downgrades
%>\
% if steps or imports:

% endif
% if steps:
import sqlalchemy as sa  # noqa: F401 (an empty revision: for the steps you write)
from alembic import op  # noqa: F401
% endif
% if imports:
${imports}
% endif

revision: str = ${py(up_revision, "revision: str = ")}
down_revision: str | Sequence[str] | None = ${py(down_revision, "down_revision: str | Sequence[str] | None = ")}
branch_labels: str | Sequence[str] | None = ${py(branch_labels, "branch_labels: str | Sequence[str] | None = ")}
depends_on: str | Sequence[str] | None = ${py(depends_on, "depends_on: str | Sequence[str] | None = ")}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
