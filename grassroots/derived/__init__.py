"""Derived data: everything the registry can recompute from its facts.

The ancestry closure (`closure.py`), the figures ledger and its yearly checkpoints (`ledger.py`,
`checkpoints.py`) and the name search index (`name_index.py`). The tables live in the apps whose
facts they derive from (organizations.UnitAncestry, figures.FigureDelta/FigureCheckpoint,
members.MemberStint/MemberNameKey); the code that keeps them exact lives here, below every writer.
Writers call `maintain` with what changed; nothing in this package calls a writer.
"""
