"""The demo registry: `sandan load_demo` builds it, deterministically from a seed.

Two scales:

* ``2009`` (default): the registry as the September 2009 announcement describes it — 742
  complexes (35 national, 322 general, 385 agro-industrial), spread over the provinces in
  proportion to today's real KICOX list and named after its rows, the 12 original cluster
  complexes among them; quarterly statistics 2005Q1–2009Q4; about 40,000 organisations;
  about 300 experts.
* ``national``: today's real registry (data/kicox_complexes_20251231.csv, 1,363 complexes)
  with statistics 2021Q1–2025Q4, 130,000 organisations and 1,000 experts (the benchmark).

Every write takes the ordinary path: complexes and organisations are written as KICOX-layout
files into a temporary directory and imported with `import_complexes` / `import_organisations`;
experts go through `create_expert`; roles through `grant_role`; statistics are bulk-created
with one audit entry per row (`entry_for` + `record_many`), as the importers do.

Running it again: when the registry already holds complexes, the world is left alone and only
the demo users are (re)created — their password reset and missing memberships granted — and
printed. So `make demo` can be run any number of times.

Same seed → same data: every random choice comes from `random.Random` seeded with a string
derived from the seed and a stable key (never Python's `hash()` or set order).
"""
