"""eventgraph: a GraphQL API over a structured corpus of diplomatic and political events."""
