"""Cold-start the dashboard function from an unpacked package and serve a page and its stylesheet.

    AWS_ENDPOINT_URL=http://127.0.0.1:PORT python boot_dashboard_package.py UNPACKED_DIR EVENT_JSON

Run on the Lambda runtime's Python with nothing but the package on its path, against the moto
server the test started. Zappa's handler loads the secrets file named by `remote_env` from S3,
sets Django up from the package's own copy of Django, and answers API Gateway events. Prints one
JSON object.
"""

import json
import os
import re
import sys
from pathlib import Path

unpacked, event_path = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
settings = json.loads((unpacked / "zappa_settings.json").read_text())["dashboard"]
os.environ |= settings["aws_environment_variables"] | {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": settings["aws_region"],
}
sys.path.insert(0, str(unpacked))
os.chdir(unpacked)


def main() -> dict:
    import boto3  # the package's own, like everything below

    bucket, key = settings["remote_env"].removeprefix("s3://").split("/", 1)
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": settings["aws_region"]})
    secrets = {"DJANGO_SECRET_KEY": "from-remote-env", "DATABASE_URL": "sqlite:////tmp/photoshare-boot.sqlite3"}
    s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(secrets).encode())

    import handler

    event = json.loads(event_path.read_text())
    page = handler.lambda_handler(event, None)
    # Then the page's first stylesheet, as the browser would ask for it.
    stylesheet = re.search(r'href="([^"]+\.css)"', page["body"]).group(1)
    stage = "/" + event["requestContext"]["stage"]
    css = handler.lambda_handler(event | {"path": stylesheet.removeprefix(stage)}, None)
    import django

    return {
        "status": page["statusCode"],
        "body": page["body"],
        "stylesheet": stylesheet,
        "stylesheet_status": css["statusCode"],
        "django_file": django.__file__,
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
        "secret_loaded": os.environ.get("DJANGO_SECRET_KEY") == "from-remote-env",
        "native_modules": sorted(
            name for name, module in sys.modules.items() if (getattr(module, "__file__", None) or "").endswith(".so")
        ),
    }


print(json.dumps(main()))
