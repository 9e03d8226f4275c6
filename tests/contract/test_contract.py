"""Glue against Supaglue's published v2 specs (engagement, mgmt, actions): every operation
routed, and every answer, success or error, valid against the spec.

The specs are read from SUPAGLUE_SPEC_DIR (default: shared/reference/supaglue-openapi/
beside the repository); without them this module is skipped, and `.ci/run` refuses to run.
Each operation is its own test; its failure lists every violation found (the valid call,
no API key, an unknown id, a refused input), and the run ends with one line per failing
operation.
"""

from __future__ import annotations

import pytest

from tests.contract.specs import missing_specs, spec_dir

if missing_specs():
    pytest.skip(
        f"Supaglue's OpenAPI specs are not in {spec_dir()} (set SUPAGLUE_SPEC_DIR to the folder "
        "holding engagement.json, mgmt.json and actions.json)",
        allow_module_level=True,
    )

from openapi_spec_validator import validate  # noqa: E402

from tests.contract import conftest  # noqa: E402
from tests.contract.catalog import CATALOG  # noqa: E402
from tests.contract.harness import check_operation, report  # noqa: E402
from tests.contract.specs import SPEC_NAMES, operations, raw_documents, unrouted_reason  # noqa: E402

OPERATIONS = operations()


@pytest.mark.parametrize("name", SPEC_NAMES)
def test_the_specs_are_valid_openapi(name):
    validate(raw_documents()[name])


def test_the_catalog_has_exactly_one_call_per_operation():
    ids = [op.operation_id for op in OPERATIONS]
    assert len(ids) == len(set(ids)) == 76
    assert set(CATALOG) == set(ids), {
        "without a call": sorted(set(ids) - set(CATALOG)),
        "not in the specs": sorted(set(CATALOG) - set(ids)),
    }


def test_every_operation_is_routed_to_a_view_handling_its_method():
    unrouted = [f"{op}: {reason}" for op in OPERATIONS if (reason := unrouted_reason(op))]
    if unrouted:
        pytest.fail(
            f"{len(unrouted)} of {len(OPERATIONS)} operations not routed:\n" + "\n".join(unrouted),
            pytrace=False,
        )


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.operation_id)
def test_operation_answers_as_its_spec_says(operation, ctx):
    problems = check_operation(operation, ctx)
    if problems:
        conftest.FINDINGS[operation.operation_id] = problems[0]
        pytest.fail(report(operation, problems), pytrace=False)
