"""Subscriptions: the change feed pushed to WebSocket clients (`hub`: one listening connection
and one feed reader per process; `endpoint`: /graphql over WebSocket, graphql-transport-ws)."""
