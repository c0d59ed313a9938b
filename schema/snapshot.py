"""Print the schema's SDL: `python -m schema.snapshot > schema/schema.graphql`."""

from __future__ import annotations

import sys

from core.settings import Settings
from schema.build import print_sdl

if __name__ == "__main__":
    sys.stdout.write(print_sdl(Settings(environment="development")))
