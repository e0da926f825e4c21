"""The fast (libyaml) loader reads documents exactly as PyYAML's pure-Python one."""

from __future__ import annotations

import pytest

from fastgen.spec import loader

from .test_openapi_corpus import CORPUS

pytestmark = pytest.mark.skipif(
    loader.FAST_LOADER is loader.PURE_LOADER, reason="PyYAML built without libyaml"
)


@pytest.mark.parametrize(
    "name", ["billingo-3.0.7.yaml", "opc-baseline-3.0.json", "museum-3.1.yaml"]
)
def test_same_data_and_positions(name: str) -> None:
    text = (CORPUS / name).read_text()
    fast_data, fast = loader._load(loader.FAST_LOADER, text, name)
    pure_data, pure = loader._load(loader.PURE_LOADER, text, name)
    assert fast_data == pure_data
    assert (fast.values, fast.keys) == (pure.values, pure.keys)


def test_syntax_errors_name_where_the_construct_starts() -> None:
    with pytest.raises(loader.SpecError) as caught:
        loader.load_text("a: [b\n", "x.yaml")
    assert [str(p) for p in caught.value.problems] == [
        (
            "x.yaml:1:4: invalid YAML: '[' opened here is never closed: no ']' "
            "before the end of the file (noticed at 2:1)"
        )
    ]
