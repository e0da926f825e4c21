"""The generated outbound client loads the CA bundle once per process, not per app.

Loading it costs ~30 ms, about half of starting an app; the generated suites start
one app per test.
"""

from __future__ import annotations

import asyncio
import importlib.util
import ssl
from types import ModuleType
from typing import Any

import pytest

from .conftest import REPO

OUTBOUND = REPO / "tests" / "golden" / "bookstore" / "src" / "bookstore" / "outbound.py"


def golden_outbound() -> ModuleType:
    spec = importlib.util.spec_from_file_location("golden_outbound", OUTBOUND)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_clients_share_one_ca_bundle_load(monkeypatch: pytest.MonkeyPatch) -> None:
    loads: list[Any] = []
    load = ssl.SSLContext.load_verify_locations

    def counted(self: ssl.SSLContext, *args: Any, **kwargs: Any) -> None:
        loads.append(args or kwargs)
        load(self, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counted)
    outbound = golden_outbound()
    options = {"timeout": 5.0, "max_connections": 4, "failures": 3, "cooldown": 1.0}
    clients = [outbound.OutboundClient.create(**options) for _ in range(3)]
    for client in clients:
        asyncio.run(client.client.aclose())
    assert len(loads) == 1
