"""Access-matrix declarations of one module each: RULES (merged into access_rules.RULES) and
build(world), called after the shared world is built, to add the module's objects to
world.objects. Each module imports the presets from tests.security.access_rules.
"""

from __future__ import annotations

import importlib
import pkgutil

MODULES = [
    importlib.import_module(f"{__name__}.{info.name}") for info in pkgutil.iter_modules(__path__)
]
