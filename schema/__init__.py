"""The GraphQL surface of eventgraph (Strawberry); imports api.store, never the other way round."""
