"""Child process of ``torture.multiprocess``: ``python -m torture.mp_child '<json>'``.

Prints one JSON line describing what happened (``ok``, or the error class and message).
"""

from __future__ import annotations

import json
import os
import sys
import time

import arcadelite as arcadedb


def main() -> None:
    cfg = json.loads(sys.argv[1])
    if cfg.get("at"):
        time.sleep(max(0.0, cfg["at"] - time.time()))  # start together with the other children
    out: dict = {"pid": os.getpid()}
    started = time.perf_counter()
    try:
        action = cfg["action"]
        if action == "open":
            db = arcadedb.open_database(cfg["path"])
            out["count"] = db.count_type("Item")
            print(json.dumps(dict(out, ok=True, opened=True)), flush=True)
            if cfg.get("write"):
                with db.transaction():
                    db.new_document("Item").set("n", -os.getpid()).save()
            time.sleep(cfg.get("hold", 0))
            if cfg.get("hold_forever"):
                time.sleep(3600)
            db.close()
            return
        if action == "create":
            arcadedb.create_database(cfg["path"]).close()
        elif action == "exists":
            out["exists"] = arcadedb.database_exists(cfg["path"])
        elif action == "rawread":  # plain SQLite, read-only, next to a live arcadelite writer
            import apsw

            conn = apsw.Connection(os.path.join(cfg["path"], "arcadelite.sqlite"),
                                   flags=apsw.SQLITE_OPEN_READONLY)  # fmt: skip
            conn.setbusytimeout(5000)
            out["counts"] = []
            for _ in range(cfg.get("reads", 1)):
                out["counts"].append(
                    conn.execute(f"SELECT count(*) FROM {cfg['table']}").fetchone()[0]
                )
                time.sleep(cfg.get("pause", 0))
            out["integrity"] = conn.execute("PRAGMA quick_check").fetchone()[0]
            conn.close()
        out["ok"] = True
    except Exception as exc:  # reported to the parent
        out.update(ok=False, error=type(exc).__name__, message=str(exc),
                   is_arcadedb_error=isinstance(exc, arcadedb.ArcadeDBError))  # fmt: skip
    out["seconds"] = round(time.perf_counter() - started, 4)
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
