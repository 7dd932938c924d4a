"""HNSW tests run once per installed backend (usearch, faiss-cpu): use the ann_library fixture."""

from __future__ import annotations

import pytest

from arcadelite.vector.ann import AnnIndex, FaissAnnIndex

BACKENDS = [cls.name for cls in (AnnIndex, FaissAnnIndex) if cls.installed()] or ["none"]


@pytest.fixture(params=BACKENDS)
def ann_library(request, monkeypatch):
    """The test runs under every installed HNSW library (ARCADELITE_ANN selects it)."""
    if request.param == "none":
        pytest.skip("no HNSW library installed (usearch or faiss-cpu)")
    monkeypatch.setenv("ARCADELITE_ANN", request.param)
    return request.param
