"""The GraphQL contract (Strawberry): thin types, queries and mutations per domain, loaders."""
