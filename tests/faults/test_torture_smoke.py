"""Issue 10: the smoke run of ``python -m torture faults`` (every fault, small).

Skipped until every item is fixed: today it fails on all fifteen (see tests/faults/DIAGNOSES.md
and the part's own output), and takes ~3 minutes because the hangs run into their deadlines. Once
the last fix lands, remove the marker: the run must PASS (measure its time then; it should be
about a minute, or shrink ``smoke`` further).
"""

from __future__ import annotations

import pytest
from torture import faults


@pytest.mark.fault_pending("items 1-15")
def test_the_faults_part_passes_its_smoke_run(tmp_path):
    assert faults.run(smoke=True, base=str(tmp_path), seed=10)


#: the items whose fixes have landed: their smoke run must pass now
FIXED_ITEMS = [1, 2, 3, 4, 13]


def test_the_faults_part_passes_its_smoke_run_for_the_fixed_items(tmp_path):
    assert faults.run(smoke=True, base=str(tmp_path), seed=10, items=FIXED_ITEMS)
