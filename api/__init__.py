"""Entrelieux service core: settings, tables, business rules, authentication and app assembly."""
