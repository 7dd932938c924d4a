"""The openCypher TCK (vendored in tests/tck) as a runner: ``python -m tck --help``.

Engines: ``arcadelite`` (in-process) and ``native`` (upstream's GraalVM build, in a worker
process under its own Python); ``--parse-only`` checks arcadelite's Cypher parser alone.
"""
