"""arcadelite's torture suite: crash, power loss, concurrency, multi-process, fuzz, bad input
and soak.

Run ``python -m torture [crash|powerloss|concurrency|multiprocess|fuzz|badinput|soak|all]
[--quick]``: each part prints its figures and a PASS/FAIL line, and the exit code is non-zero on
any failure. docs/reliability.md has the figures and what they mean.
"""
