"""GraphiQL, served by the app itself from the files in assets/ (see refresh.py)."""
