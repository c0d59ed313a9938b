"""Bulk imports from files people already have: census CSVs for places, JSONL/CSV for listings."""
