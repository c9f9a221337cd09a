"""Writing the corpus one object at a time: what the admin mutations run.

An object is given in the fixture format (`api.fixtures.models`), checked by the rules fixture
files are checked by (`api.fixtures.single`), and written as the loader writes its rows
(`api.fixtures.load.rows`), in one transaction that names its actor for the change log, locks
the row it changes, and keeps the answer of an idempotency key (`idempotency`). What cannot be
written comes back as `UserError`s, and nothing is.
"""
