"""Command line: ``python -m torture [part ...] [--quick] [--seed N] [--workdir DIR]``."""

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
    # the parts are checked below: argparse checks a positional's default against `choices`,
    # and no list passes (so `python -m torture` alone failed)
    parser.add_argument("parts", nargs="*", metavar="part",
                        help=f"parts to run, of {', '.join(PARTS)} (default: all)")  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="short versions of every part")
    parser.add_argument("--seed", type=int, default=None, help="random seed (printed otherwise)")
    parser.add_argument("--workdir", default=None, help="where databases go (default: /tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args(argv)
    unknown = [part for part in args.parts if part not in (*PARTS, "all")]
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}: choose from {', '.join(PARTS)}, all")
    parts = PARTS if not args.parts or "all" in args.parts else tuple(dict.fromkeys(args.parts))
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
