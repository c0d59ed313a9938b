"""French communes (INSEE code, postcodes, centroid): the offline geocoder's reference table.

Loaded from `data/communes.csv` (Licence Ouverte: INSEE, La Poste, DGCL; see data/README.md).
"""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class Commune(SQLModel, table=True):
    __tablename__ = "commune"

    code_insee: str = Field(primary_key=True, max_length=5)
    name: str = Field(max_length=120)
    name_key: str = Field(max_length=120, index=True, description="Name folded for lookups.")
    postcodes: str = Field(default="", max_length=400, description="Postcodes joined by '|'.")
    department_code: str = Field(max_length=3, index=True)
    department_name: str = Field(max_length=80)
    region_code: str = Field(max_length=3, index=True)
    region_name: str = Field(max_length=80)
    population: int | None = None
    latitude: float | None = None
    longitude: float | None = None
