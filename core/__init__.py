"""The domain core: tables, business rules, errors, the session and the outbox hook.

It knows no web, GraphQL or search library; `search`, `schema` and `api` build on it.
"""
