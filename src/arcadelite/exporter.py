"""Export: ``export_database`` and ``export_to_csv`` (the public import path; they live in
``io.export``)."""

from .io.export import FORMATS, export_database, export_to_csv, resolve_export_path

__all__ = ["FORMATS", "export_database", "export_to_csv", "resolve_export_path"]
