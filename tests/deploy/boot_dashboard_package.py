"""Cold-start the dashboard function from an unpacked package and serve a page and its stylesheet.

    python boot_dashboard_package.py UNPACKED_DIR EVENT_JSON

Zappa's handler loads the secrets file named by `remote_env` from S3 (moto here), sets Django up
from the package's own copy of Django, and answers API Gateway events. Prints one JSON object.
"""

import io
import json
import os
import re
import sys
from pathlib import Path

import boto3
from moto import mock_aws

unpacked, event_path = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
settings = json.loads((unpacked / "zappa_settings.json").read_text())["dashboard"]
os.environ |= settings["aws_environment_variables"] | {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": settings["aws_region"],
}
sys.path.insert(0, str(unpacked))
os.chdir(unpacked)

with mock_aws():
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

    sys.stdout = io.TextIOWrapper(sys.stdout.buffer)  # moto may have wrapped it
    print(
        json.dumps(
            {
                "status": page["statusCode"],
                "body": page["body"],
                "stylesheet": stylesheet,
                "stylesheet_status": css["statusCode"],
                "django_file": django.__file__,
                "secret_loaded": os.environ.get("DJANGO_SECRET_KEY") == "from-remote-env",
            }
        )
    )
