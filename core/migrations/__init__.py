"""Alembic migrations; `entrelieux migrate` applies them."""
