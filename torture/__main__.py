"""Command line: ``python -m torture [part ...] [--quick] [--seed N] [--workdir DIR]``.

Without parts every part runs; ``--dry-run`` prints the parts that would run."""

from __future__ import annotations

import argparse
import importlib
import sys

PARTS = (
    "crash",
    "powerloss",
    "concurrency",
    "multiprocess",
    "fuzz",
    "badinput",
    "soak",
    "async_random",
    "faults",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m torture", description=__doc__)
    # no `choices=`: Python 3.11's argparse checks the default of an empty nargs="*" against
    # them as one value and refused the bare command (exit 2); the names are checked below
    parser.add_argument("parts", nargs="*", metavar="PART",
                        help=f"parts to run, of: {', '.join(PARTS)}, all (default: all)")  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="short versions of every part")
    parser.add_argument("--seed", type=int, default=None, help="random seed (printed otherwise)")
    parser.add_argument("--workdir", default=None, help="where databases go (default: /tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--dry-run", action="store_true", help="print the parts and stop")
    args = parser.parse_args(argv)
    unknown = [p for p in args.parts if p not in (*PARTS, "all")]
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}: choose from {', '.join(PARTS)}, all")
    if not args.parts or "all" in args.parts:
        parts = PARTS
    else:
        parts = tuple(dict.fromkeys(args.parts))
    if args.dry_run:
        print(" ".join(parts))
        return 0
    results: dict[str, bool] = {}
    for part in parts:
        module = importlib.import_module(f"torture.{part}")
        try:
            results[part] = module.run(quick=args.quick, base=args.workdir, seed=args.seed,
                                       keep=args.keep)  # fmt: skip
        except Exception:  # a crash of the harness itself is a failure too
            import traceback

            traceback.print_exc()
            print(f"[{part}] FAIL (the part itself raised)", flush=True)
            results[part] = False
    if len(results) > 1:
        summary = ", ".join(f"{p} {'PASS' if ok else 'FAIL'}" for p, ok in results.items())
        print(f"[torture] {summary}", flush=True)
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
