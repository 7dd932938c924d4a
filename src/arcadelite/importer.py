"""Import: ``Importer``, ``import_csv`` and ``import_database`` (the public import path; they live
in ``io.rows`` and ``io.restore``)."""

from .io.restore import ImportDatabaseError, import_database
from .io.rows import FORMATS, IMPORT_TYPES, ImportAbortedError, Importer, import_csv

__all__ = ["FORMATS", "IMPORT_TYPES", "ImportAbortedError", "ImportDatabaseError", "Importer",
           "import_csv", "import_database"]  # fmt: skip
