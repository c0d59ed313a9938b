"""Who is calling: bearer tokens today, OpenID Connect sign-in with the identity issue."""
