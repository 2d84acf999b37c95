"""`weaklink adapter new`: a package that installs, registers itself and passes the kit as made."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import weaklink, weaklink_process

from weaklink.errors import InputError
from weaklink.scaffold import Names, new_adapter


@pytest.mark.parametrize("brand, name, package, class_name", [
    ("Acme", "acme", "weaklink-acme", "AcmeAdapter"),
    ("Acme Lights", "acme_lights", "weaklink-acme-lights", "AcmeLightsAdapter"),
    ("  tp-link  Tapo ", "tp_link_tapo", "weaklink-tp-link-tapo", "TpLinkTapoAdapter"),
])
def test_names_follow_from_the_brand(brand: str, name: str, package: str, class_name: str) -> None:
    names = Names.of(brand)
    assert (names.name, names.package, names.module, names.class_name) == (name, package, f"weaklink_{name}",
                                                                           class_name)


@pytest.mark.parametrize("brand", ["", "  ", "42 Lights", "---"])
def test_a_brand_that_cannot_name_a_package_is_bad_input(brand: str, tmp_path: Path) -> None:
    with pytest.raises(InputError):
        new_adapter(brand, tmp_path)
    assert not list(tmp_path.iterdir())


def test_nothing_existing_is_written_over(tmp_path: Path) -> None:
    (tmp_path / "weaklink-acme").mkdir()
    (tmp_path / "weaklink-acme" / "mine.txt").write_text("the vendor's own work")
    result = weaklink_process("adapter", "new", "Acme", "--into", tmp_path)
    assert result.returncode == 2 and "already exists" in result.stderr and "Traceback" not in result.stderr
    assert [p.name for p in (tmp_path / "weaklink-acme").iterdir()] == ["mine.txt"]


def test_the_new_package_installs_registers_and_passes_the_kit(tmp_path: Path) -> None:
    result = weaklink("adapter", "new", "Acme Lights", "--into", tmp_path)
    assert result.exit_code == 0, result.output
    root = tmp_path / "weaklink-acme-lights"
    # installed as a vendor would install it, but into a folder of its own, not this environment
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--target",
                    str(site), str(root)], check=True, capture_output=True, timeout=300)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), *(p for p in sys.path if p)])}
    kit = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider"], cwd=root, env=env,
                         capture_output=True, text=True, timeout=300)
    assert kit.returncode == 0, kit.stdout + kit.stderr
    assert "11 passed" in kit.stdout and "test_planted_secrets_never_reach_the_model[EXAMPLE-1_1.0.0.json]" in kit.stdout
    listed = subprocess.run([sys.executable, "-c", "from weaklink.cli import main; main()", "adapters", "--format",
                             "json"], env=env, capture_output=True, text=True, timeout=60)
    entry = next(e for e in json.loads(listed.stdout) if e["entry_point"] == "acme_lights")
    assert (entry["package"], entry["manifest"]["brand"]) == ("weaklink-acme-lights", "Acme Lights")
