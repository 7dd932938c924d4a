"""Import and export: files in, files out.

- rows.py: CSV, TSV and JSONL files into documents, vertices or edges (``Importer``,
  ``import_csv``), streamed through a ``bulk.BulkWriter``: memory stays flat, every row ends
  imported or reported with its line.
- restore.py: ArcadeDB JSONL dumps (from ``export_database`` or ArcadeDB itself) restored into
  an empty database in one transaction (``import_database``; SQL ``IMPORT DATABASE`` reaches it
  through the Store); its rows go through the chunk writer (bulk/chunks.py).
- export.py: a whole database as ArcadeDB's JSONL dump (``export_database``, read from one
  snapshot, written to a temporary file renamed into place), query results as CSV
  (``export_to_csv``).

Decisions: the importer drives the bulk layer only through its public ``BulkWriter``; records
are read through storage's scans and snapshots (no SQL here). Public import paths stay
``arcadelite.importer`` and ``arcadelite.exporter``.
"""
