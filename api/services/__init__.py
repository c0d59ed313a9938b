"""Business rules: functions of (session, principal, command) that raise DomainError and never commit."""
