"""Storage: the only package that talks to SQLite (through APSW)."""

from .engine import Session, Storage, field_sql, json_path

__all__ = ["Session", "Storage", "field_sql", "json_path"]
