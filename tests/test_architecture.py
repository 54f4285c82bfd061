"""The shape the code keeps: read from the source's import statements, so a new module cannot escape."""

import ast
from pathlib import Path

import pytest

# The same whatever DATABASE_URL says (or it sets its own): the PostgreSQL pass leaves it out.
pytestmark = pytest.mark.one_database

ROOT = Path(__file__).resolve().parents[1]
# The upload core and what it is made of: plain Python, so the same rules run locally and on AWS.
DOMAIN = [
    "core",
    "ports",
    "policy",
    "payload",
    "images",
    "hevc",
    "naming",
    "exif",
    "xmp",
    "videos",
    "http",
    "config",
    "lambda_handler",
]


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def python_files(*folders: str) -> list[Path]:
    return [p for folder in folders for p in (ROOT / folder).rglob("*.py") if "migrations" not in p.parts]


def top(name: str) -> str:
    return name.split(".")[0]


@pytest.mark.parametrize("module", DOMAIN)
def test_the_upload_core_imports_neither_django_nor_boto3(module):
    imported = {top(name) for name in imports_of(ROOT / "uploads" / f"{module}.py")}
    assert not imported & {"django", "boto3", "botocore", "events", "photoshare_site"}


def test_uploads_never_imports_events_or_the_wiring():
    offenders = {
        str(path.relative_to(ROOT)): name
        for path in python_files("uploads")
        for name in imports_of(path)
        if top(name) == "events" or name.startswith("photoshare_site")
    }
    assert offenders == {}


def test_only_the_aws_adapter_package_imports_boto3():
    offenders = [
        str(path.relative_to(ROOT))
        for path in python_files("uploads", "events", "photoshare_site")
        if {top(name) for name in imports_of(path)} & {"boto3", "botocore", "storages"}
        and "aws" not in path.relative_to(ROOT).parts
    ]
    assert offenders == []


def test_views_never_ask_which_runtime_runs():
    for path in python_files("events/views"):
        assert "BACKEND" not in path.read_text() and "on_aws" not in path.read_text(), path
