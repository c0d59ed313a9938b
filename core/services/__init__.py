"""Business rules: (session, principal, command) -> result; they raise DomainError, never commit."""
