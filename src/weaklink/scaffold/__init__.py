"""`weaklink adapter new BRAND`: a new adapter package that passes the conformance kit as made.

The package is what a vendor fills in: `export.py` (its format, as pydantic models),
`adapter.py` (recognise a file by its content, map it), one fixture per device model, and a
test module that runs weaklink's conformance kit over the fixtures. It is written from the
templates beside this file with `string.Template`; nothing existing is ever overwritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from string import Template

from ..errors import InputError

_WORDS = re.compile(r"[A-Za-z0-9]+")
# template -> where it goes in the package ({module} and {name} filled in)
LAYOUT = {
    "pyproject.toml.tmpl": "pyproject.toml",
    "README.md.tmpl": "README.md",
    "__init__.py.tmpl": "{module}/__init__.py",
    "adapter.py.tmpl": "{module}/adapter.py",
    "export.py.tmpl": "{module}/export.py",
    "manifest.json.tmpl": "{module}/manifest.json",
    "fixture.json.tmpl": "fixtures/{model}_1.0.0.json",
    "test_conformance.py.tmpl": "tests/test_{name}_conformance.py",
}


@dataclass(frozen=True)
class Names:
    """Every name a brand's adapter package uses, derived from the brand as the user wrote it."""

    brand_title: str  # Acme Lights
    name: str  # acme_lights: the manifest name and entry point
    package: str  # weaklink-acme-lights
    module: str  # weaklink_acme_lights
    class_name: str  # AcmeLightsAdapter
    model: str = "EXAMPLE-1"
    serial: str = "EX0001"

    @classmethod
    def of(cls, brand: str) -> Names:
        """The names for `brand`; InputError when it has no letters or digits to name a package with."""
        words = _WORDS.findall(brand)
        if not words or not words[0][0].isalpha():
            raise InputError(f"{brand!r} cannot name an adapter: use letters and digits, starting with a letter",
                             field="BRAND")
        name = "_".join(word.lower() for word in words)
        return cls(brand_title=" ".join(brand.split()), name=name, package="weaklink-" + name.replace("_", "-"),
                   module="weaklink_" + name, class_name="".join(w[:1].upper() + w[1:] for w in words) + "Adapter")


def new_adapter(brand: str, into: Path) -> Path:
    """Write the adapter package for `brand` into `into/weaklink-<name>/`; the folder written."""
    names = Names.of(brand)
    root = into / names.package
    if root.exists():
        raise InputError("already exists: weaklink never writes over it", source=root)
    values = {field: getattr(names, field) for field in Names.__dataclass_fields__}
    templates = files(__package__).joinpath("template")
    for template, target in LAYOUT.items():
        path = root / target.format(**values)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Template(templates.joinpath(template).read_text(encoding="utf-8")).substitute(values),
                        encoding="utf-8")
    (root / names.module / "py.typed").write_text("")
    return root
