"""Read queries over the corpus: the filter compiler, orderings, keyset pagination, batched loads.

The interface with the GraphQL layer is documented in docs/read-api-interface.md.
"""
