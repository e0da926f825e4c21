"""Checks of a shape-valid native spec that pydantic cannot see.

Each module checks one concern across the whole spec (references between resources,
duplicate routes, keys that only make sense together) and yields every problem it
finds, located with the loader's position map.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastgen.spec.loader import Positions
from fastgen.spec.native.checks.aggregates import aggregate_problems
from fastgen.spec.native.checks.caching import policy_problems
from fastgen.spec.native.checks.endpoints import endpoint_problems
from fastgen.spec.native.checks.fields import field_problems
from fastgen.spec.native.checks.listing import listing_problems
from fastgen.spec.native.checks.portability import portability_problems
from fastgen.spec.native.checks.resources import (
    operation_problems,
    required_ref_cycles,
)
from fastgen.spec.native.checks.routes import route_problems
from fastgen.spec.native.model import FastgenSpec
from fastgen.spec.problems import Problem

CHECKS = (
    field_problems,
    portability_problems,
    required_ref_cycles,
    operation_problems,
    listing_problems,
    endpoint_problems,
    aggregate_problems,
    route_problems,
    policy_problems,
)


def semantic_problems(spec: FastgenSpec, positions: Positions) -> Iterator[Problem]:
    """Every cross-field problem of ``spec``."""
    for check in CHECKS:
        yield from check(spec, positions)
