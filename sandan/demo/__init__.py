"""The demo world, built through the same services and importers as real data.

The top floor of the house: it may import every domain app, and none of them imports it.
`sandan load_demo` (management/commands/load_demo.py) builds, in order, the registry
(`registry/`), the program (`program.py`), the councils (`councils/`) and the support
pipeline of 2010 (`support/`); `base.py` holds the seeded randomness they share and
`words.py` the word lists. See docs/demo.md.
"""
