"""The deploy artifacts `make package` builds offline with Zappa (make test builds them first).

The unpacked packages run on the Lambda runtime's Python (Debian's build of it, which `make package`
unpacks under .build/), against a moto server: nothing of this test run's interpreter gets in.
"""

import ast
import json
import os
import re
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer

# The same whatever DATABASE_URL says (or it sets its own): the PostgreSQL pass leaves it out.
pytestmark = pytest.mark.one_database

ROOT = Path(__file__).resolve().parents[2]
DIST, BUILD = ROOT / "dist", ROOT / ".build"
KB, MB = 1024, 1024 * 1024
STAGES = json.loads((ROOT / "zappa_settings.json").read_text())
RUNTIME = STAGES["dashboard"]["runtime"]  # "python3.13"
RUNTIME_TAG = "cp" + RUNTIME.removeprefix("python").replace(".", "")  # "cp313"
OLDEST_SDK = dict(
    line.split("==") for line in (ROOT / "tests/deploy/oldest-sdk.txt").read_text().split() if "==" in line
)
# What the guest function runs: the uploads/ modules its handler imports, and Zappa's own files.
GUEST_FILES = {
    *(
        f"uploads/{name}.py"
        for name in ["__init__", "lambda_handler", "http", "core", "ports", "policy", "payload", "images", "hevc"]
    ),
    *(f"uploads/{name}.py" for name in ["naming", "exif", "xmp", "config", "ratelimit"]),
    *(f"uploads/aws/{name}.py" for name in ["__init__", "budget", "clients", "dynamodb", "s3", "staging"]),
    "__init__.py",
    "handler.py",
    "zappa_settings.py",
    "package_info.json",
}
# Standard library modules Python 3.13 removed (PEP 594, and 2to3).
REMOVED_IN_313 = set(
    [
        "aifc",
        "audioop",
        "cgi",
        "cgitb",
        "chunk",
        "crypt",
        "imghdr",
        "mailcap",
        "msilib",
        "nis",
        "nntplib",
        "ossaudiodev",
        "pipes",
        "sndhdr",
        "spwd",
        "sunau",
        "telnetlib",
        "uu",
        "xdrlib",
        "lib2to3",
    ]
)


def artifact(name: str) -> Path:
    path = DIST / f"{name}.zip"
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make package` (make test does)")
    return path


def unpack(name: str, tmp_path_factory) -> Path:
    unpacked = tmp_path_factory.mktemp(f"{name}-package")
    with zipfile.ZipFile(artifact(name)) as package:
        package.extractall(unpacked)
    return unpacked


def runtime_python() -> Path:
    path = BUILD / RUNTIME / "bin" / RUNTIME
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make package` (make test does)")
    return path


def run_json(command: list, **kwargs) -> dict:
    out = subprocess.run(command, capture_output=True, text=True, **kwargs)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture
def aws_endpoint():
    """A moto server in this process, reached over HTTP by the package's own interpreter."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    # moto's state lives in this process, across servers: each test starts from an empty account.
    reset = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")  # noqa: S310 (http, ours)
    urllib.request.urlopen(reset).close()  # noqa: S310
    yield endpoint
    server.stop()


@pytest.fixture(scope="module")
def guest_package(tmp_path_factory) -> Path:
    return unpack("guest", tmp_path_factory)


def clean_env(**extra: str) -> dict:
    """A Lambda starts with only what its configuration sets: none of this test run's settings."""
    prefixes = ("DJANGO_", "PHOTOSHARE_", "AWS_", "DATABASE_", "PYTHON")
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes)} | extra


def test_both_functions_target_a_runtime_aws_supports_for_years():
    assert {stage["runtime"] for stage in STAGES.values()} == {"python3.13"}


def test_the_guest_package_holds_only_what_the_function_runs():
    path = artifact("guest")
    with zipfile.ZipFile(path) as package:
        names = {name for name in package.namelist() if not name.endswith("/")}
    print(f"guest.zip: {path.stat().st_size:,} bytes, {len(names)} files")
    assert names == GUEST_FILES
    assert path.stat().st_size <= 64 * KB


# A photo in one PUT (received whole), a video's first part of two; each published once, nothing left staged.
STAGED_UPLOADS = {"received": [[1], [1]], "published_once": [True, True], "left_staged": 0}


def serve_guest(guest_package: Path, python: Path, env: dict) -> dict:
    script = ROOT / "tests" / "deploy" / "serve_guest_package.py"
    return run_json([str(python), str(script), str(guest_package)], cwd=guest_package, env=env)


def test_the_unpacked_guest_package_serves_200_then_429_then_403_and_never_overwrites(guest_package, aws_endpoint):
    # On this run's interpreter and its current SDK.
    result = serve_guest(guest_package, Path(sys.executable), clean_env(AWS_ENDPOINT_URL=aws_endpoint))
    assert result["handler_file"].startswith(str(guest_package))
    assert result["statuses"] == [200, 429, 403]
    assert result["overwrite_refused"]
    assert result["staged_uploads"] == STAGED_UPLOADS
    assert "django" not in result["modules"]


def test_on_the_runtimes_python_and_the_oldest_sdk_it_supports_the_guest_package_serves_and_never_overwrites(
    guest_package, aws_endpoint
):
    # GIVEN the runtime's Python with only the oldest SDK the guest supports (no IfNoneMatch in its S3 model)
    env = clean_env(AWS_ENDPOINT_URL=aws_endpoint, PYTHONPATH=str(BUILD / "oldest-sdk"))
    # WHEN the unpacked package serves uploads
    result = serve_guest(guest_package, runtime_python(), env)
    # THEN it answers as on a current SDK, and S3 got the header that refuses an overwrite
    assert (result["python"], result["boto3"], result["botocore"]) == (
        RUNTIME.removeprefix("python"),
        OLDEST_SDK["boto3"],
        OLDEST_SDK["botocore"],
    )
    assert result["handler_file"].startswith(str(guest_package))
    assert result["statuses"] == [200, 429, 403]
    assert result["overwrite_refused"]
    # AND direct uploads staged on S3 work there too (presigned PUTs, multipart, conditional publish)
    assert result["staged_uploads"] == STAGED_UPLOADS


def test_the_dashboard_package_fits_lambda_without_slim_handler():
    path = artifact("dashboard")
    print(f"dashboard.zip: {path.stat().st_size / MB:.1f} MB")
    assert path.stat().st_size < 50 * MB
    with zipfile.ZipFile(path) as package:
        names = set(package.namelist())
        settings = package.read("zappa_settings.py").decode()
    assert {"handler.py", "manage.py", "events/s3_events.py", "django/__init__.py"} <= names
    assert any(name.startswith("staticfiles/admin/") for name in names)
    assert "photoshare_site.settings" in settings
    assert not any(name.startswith(("tests/", ".venv/", "pytest/", "troposphere/", "yaml/")) for name in names)


def test_every_native_extension_in_the_dashboard_package_is_built_for_the_runtime():
    with zipfile.ZipFile(artifact("dashboard")) as package:
        names = package.namelist()
        wheels = {name: package.read(name).decode() for name in names if name.endswith(".dist-info/WHEEL")}
    # Shared libraries a wheel vendors (pillow.libs/...) carry no ABI tag; their wheel's tag is checked below.
    extensions = [name for name in names if re.search(r"\.so(\.|$)", name) and ".libs/" not in name]
    assert extensions, "Pillow, psycopg and pillow-heif have extensions: the listing is wrong"
    assert [
        n for n in extensions if not n.endswith((f".cpython-{RUNTIME_TAG[2:]}-x86_64-linux-gnu.so", ".abi3.so"))
    ] == []
    for wheel, text in wheels.items():
        if "Root-Is-Purelib: false" in text:
            tags = re.findall(r"^Tag: (\S+)$", text, re.MULTILINE)
            assert tags, wheel
            for tag in tags:
                python, abi, platform = tag.split("-")
                assert (python, abi) == (RUNTIME_TAG, RUNTIME_TAG) or abi == "abi3", (wheel, tag)
                # Amazon Linux 2023, under the python3.12/3.13 runtimes, has glibc 2.34.
                glibc = re.fullmatch(r"manylinux_2_(\d+)_x86_64|manylinux(2014|2010|1)_x86_64", platform)
                assert glibc and int(glibc.group(1) or 17) <= 34, (wheel, tag)


def test_the_dashboard_package_has_the_model_of_every_aws_service_its_code_calls():
    # The Makefile keeps only some of botocore's models; a client for any other would fail on AWS.
    calls = re.compile(r"""(?:client|resource)\(\s*["']([a-z0-9-]+)["']""")
    with zipfile.ZipFile(artifact("dashboard")) as package:
        names = package.namelist()
        runtime_code = [n for n in names if n.split("/")[0] in {"uploads", "events", "photoshare_site"}]
        runtime_code += ["zappa/handler.py", "zappa/asynchronous.py", "storages/backends/s3.py"]
        services = {svc for n in runtime_code if n.endswith(".py") for svc in calls.findall(package.read(n).decode())}
    models = {n.split("/")[2] for n in names if n.startswith("botocore/data/") and n.count("/") > 3}
    assert {"s3", "dynamodb", "lambda"} <= services
    assert services - models == set()


def removed_modules_imported(source: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found & REMOVED_IN_313


def test_nothing_imports_a_module_python_3_13_removed():
    sources = {str(path.relative_to(ROOT)): path.read_text() for path in ROOT.glob("[!.]*/**/*.py")}
    for name in ("dashboard", "guest"):
        with zipfile.ZipFile(artifact(name)) as package:
            sources |= {
                f"{name}.zip:{n}": package.read(n).decode("utf-8", "replace")
                for n in package.namelist()
                if n.endswith(".py")
            }
    # A cheap filter first: most files name none of them.
    pattern = re.compile(rf"^\s*(?:import|from)\s+(?:{'|'.join(REMOVED_IN_313)})\b", re.MULTILINE)
    offenders = {name: removed_modules_imported(text) for name, text in sources.items() if pattern.search(text)}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_unpacked_dashboard_cold_starts_on_the_runtimes_python_and_serves_the_login_page(
    tmp_path_factory, aws_endpoint
):
    unpacked = unpack("dashboard", tmp_path_factory)
    script = ROOT / "tests" / "deploy" / "boot_dashboard_package.py"
    event = ROOT / "tests" / "lambda_events" / "apigw_rest_v1_get_admin_login.json"
    command = [str(runtime_python()), str(script), str(unpacked), str(event)]
    result = run_json(command, env=clean_env(AWS_ENDPOINT_URL=aws_endpoint))
    assert result["python"] == RUNTIME.removeprefix("python")
    assert result["secret_loaded"]
    assert result["django_file"].startswith(str(unpacked))
    assert (result["status"], "csrfmiddlewaretoken" in result["body"]) == (200, True)
    # Links and assets carry the API Gateway stage, and WhiteNoise serves the assets from the package.
    assert 'action="/dashboard/admin/login/"' in result["body"]
    assert result["stylesheet"].startswith("/dashboard/static/admin/css/")
    assert result["stylesheet_status"] == 200
