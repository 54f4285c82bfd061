"""P2: the guest Lambda's cold start: a fresh interpreter imports the handler and serves one request
(AWS calls answered by a stub), against a fresh interpreter importing boto3 and creating the same
DynamoDB and S3 clients."""

import os
import subprocess
import sys
from pathlib import Path

from bench.common import Row, best_of

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "import boto3; boto3.client('dynamodb'); boto3.client('s3')"
HANDLER = """
from uploads import lambda_handler
from uploads.policy import hash_upload_key
store = lambda_handler.uploader().quota
item = {"Name": {"S": "Party"}, "UploadLimit": {"N": "10"}, "IsOpen": {"BOOL": True},
        "UploadKeySha256": {"S": hash_upload_key("k")}}
store.client.get_item = lambda **kwargs: {"Item": item}
answer = lambda_handler.handler({"httpMethod": "GET", "path": "/events/party",
                                 "queryStringParameters": {"key": "k"}}, None)
assert answer["statusCode"] == 200, answer
"""


def fresh_interpreter(code: str) -> None:
    env = os.environ | {
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "PHOTOSHARE_PHOTO_BUCKET": "bench",
    }
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)


def run(quick: bool = False) -> Row:
    runs = 3 if quick else 9
    ours = best_of(runs, lambda: fresh_interpreter(HANDLER))
    baseline = best_of(runs, lambda: fresh_interpreter(BASELINE))
    ratio = ours / baseline
    return Row(
        "P2",
        "guest Lambda cold start + 1 request (ms), vs boto3 + 2 clients",
        ours * 1000,
        baseline * 1000,
        "ms",
        "<= 1.15",
        ratio <= 1.15,
    )
