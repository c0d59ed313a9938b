"""The application: app assembly, HTTP routes, the GraphQL endpoint, sign-in, the CLI, the relays."""
