"""Partner access, below the HTTP layer: API keys, shared cost budgets, persisted queries.

Each module is a library the HTTP layer calls per request (docs/partners.md says what a partner
sees, docs/operations.md how it is stored): `keys` turns an Authorization header into a
`Principal`, `budgets` debits the principal's token bucket in PostgreSQL, `persisted` turns a
request's query and extensions into the document to run. None of them imports the schema.
"""
