"""The ``WWW-Authenticate`` of a generated route's 401: the challenge of each scheme
its security accepts (RFC 9110 11.6.1), not ``Bearer`` whatever the scheme.

The generated tests send each probe (``test_openapi_operations.py``); these check
what they expect, scheme kind by kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastgen.render.security import challenge_probes
from fastgen.spec.inputs import read_input_file

REPO = Path(__file__).parents[1]


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        # HTTP Basic: a realm (RFC 7617 requires it) and the charset of user:password.
        (
            "tests/corpus/museum-3.1.yaml",
            ['Basic realm="Redocly Museum API", charset="UTF-8"'],
        ),
        ("examples/store.yaml", ['Bearer realm="Pet Store with orders"']),
        # Two API keys, both required: one challenge each, naming the header.
        (
            "tests/corpus/vtex-giftcard-hub.yaml",
            [
                (
                    'ApiKey realm="GiftCard Hub API", in="header", '
                    'name="X-VTEX-API-AppKey", ApiKey realm="GiftCard Hub API", '
                    'in="header", name="X-VTEX-API-AppToken"'
                )
            ],
        ),
        # Alternatives: a token or an API key, in the requirement's order.
        (
            "tests/corpus/hubspot-automation-v4.yaml",
            [
                (
                    'Bearer realm="Custom Workflow Actions", ApiKey realm="Custom '
                    'Workflow Actions", in="header", name="private-app-legacy"'
                )
            ],
        ),
        ("tests/corpus/petstore-expanded.yaml", []),  # no security, no 401
    ],
)
def test_a_401_challenges_with_the_schemes_of_its_route(
    document: str, expected: list[str]
) -> None:
    model = read_input_file(REPO / document).model
    assert [challenge for _, _, challenge in challenge_probes(model)] == expected


def test_a_realm_is_a_quoted_string_of_printable_ascii(tmp_path: Path) -> None:
    """A title with quotes, a backslash or non-ASCII text cannot break the header."""
    text = (REPO / "examples" / "store.yaml").read_text()
    title = next(line for line in text.splitlines() if "title:" in line)
    spec = tmp_path / "store.yaml"
    spec.write_text(text.replace(title, "  title: 'Caf\u00e9 \"A\\B\"'", 1))
    ((_, _, challenge),) = challenge_probes(read_input_file(spec).model)
    assert challenge == r'Bearer realm="Caf \"A\\B\""'  # the é left out
