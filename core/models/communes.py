"""French communes (INSEE code, postcodes, centroid) and the intercommunalities (EPCI) they belong
to: the offline geocoder's reference tables and the territories' levels.

Loaded from `data/communes.csv` and `data/epci.csv` (Licence Ouverte: INSEE, La Poste, DGCL; see
data/README.md).
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
    epci_siren: str | None = Field(
        default=None,
        max_length=9,
        index=True,
        description="The SIREN of its intercommunality (EPCI); none for the few communes in none.",
    )


class Epci(SQLModel, table=True):
    """An intercommunality with its own tax status (EPCI à fiscalité propre): a communauté de
    communes (CC), d'agglomération (CA), urbaine (CU) or a métropole (METRO, MET69)."""

    __tablename__ = "epci"

    siren: str = Field(primary_key=True, max_length=9)
    name: str = Field(max_length=200)
    nature: str = Field(max_length=8, description="CC, CA, CU, METRO or MET69.")
    population: int | None = None
