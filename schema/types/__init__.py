"""One module per GraphQL object type; `strawberry.lazy` breaks the cycles between them."""
