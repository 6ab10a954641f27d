"""Names of a package loaded when first used (PEP 562): `composer`, `composer.text` and
`composer.store` list their public names, and a command imports only the modules whose
names it uses (`history` must not pay for the splitter or SQLAlchemy at start-up)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module


def lazy_getattr(package: str, homes: Mapping[str, str]) -> Callable[[str], object]:
    """The module `__getattr__` of `package`: a name of `homes` is taken from its module
    (`package.module`) and kept on the package, so the next lookup is a plain attribute."""

    def __getattr__(name: str) -> object:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(home if "." in home else f"{package}.{home}"), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
