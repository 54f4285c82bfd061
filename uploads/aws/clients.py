"""boto3 clients, made once per process (a warm Lambda reuses them across invocations).

Region and endpoints come from the standard AWS variables (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB,
AWS_ENDPOINT_URL_S3), so the same code runs against LocalStack or any compatible server.
"""

import functools
from typing import Any

import boto3
from botocore.config import Config

from uploads.aws import budget

# boto3 builds its clients at run time: there is no class to name.
Client = Any

# The dashboard's: fail fast rather than wait 60 s on a stuck socket.
_CONFIG = Config(connect_timeout=3, read_timeout=10, retries={"mode": "standard", "max_attempts": 3})


@functools.cache
def dynamodb() -> Client:
    return boto3.client("dynamodb", config=_CONFIG)


@functools.cache
def s3() -> Client:
    return boto3.client("s3", config=_CONFIG)


@functools.cache
def lambda_client() -> Client:
    return boto3.client("lambda", config=_CONFIG)


@functools.cache
def guest_dynamodb() -> Client:
    """The guest function's own clients: shorter timeouts, and no attempt past its time (budget.py)."""
    return budget.watch(boto3.client("dynamodb", config=budget.DYNAMODB))


@functools.cache
def guest_s3() -> Client:
    return budget.watch(boto3.client("s3", config=budget.S3))


@functools.cache
def s3_presigner() -> Client:
    """Signs the URLs phones send direct uploads' bytes to (uploads/aws/staging.py), making no call
    itself: SigV4, the signature that binds the signed headers (size, checksum)."""
    return boto3.client("s3", config=Config(signature_version="s3v4"))
