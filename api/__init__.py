"""The application: app assembly, HTTP routes, /graphql, sign-in, the CLI, the relays."""
