"""Moto fixtures for the AWS adapters. moto's in-process backend is not thread-safe, so tests
that use it run sequentially; atomicity under concurrency is DynamoDB's, proven on the SQL store."""

import boto3
import pytest
from moto import mock_aws

from uploads.aws import clients
from uploads.aws.dynamodb import ATTRIBUTE_DEFINITIONS, KEY_SCHEMA

REGION = "eu-west-1"
TABLE = "PhotoUploadCounts"
PHOTO_BUCKET = "photoshare-test-photos"


def forget_clients() -> None:
    for cached in (clients.dynamodb, clients.s3, clients.guest_dynamodb, clients.guest_s3):
        cached.cache_clear()


@pytest.fixture
def aws_env(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        # Clients cached from another test would talk to that test's (gone) mock.
        forget_clients()
        yield
        forget_clients()


@pytest.fixture
def dynamodb_table(aws_env) -> str:
    boto3.client("dynamodb").create_table(
        TableName=TABLE,
        KeySchema=KEY_SCHEMA,
        AttributeDefinitions=ATTRIBUTE_DEFINITIONS,
        BillingMode="PAY_PER_REQUEST",
    )
    return TABLE


@pytest.fixture
def photo_bucket(aws_env) -> str:
    boto3.client("s3").create_bucket(Bucket=PHOTO_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    return PHOTO_BUCKET


@pytest.fixture
def aws_backend(settings, dynamodb_table, photo_bucket):
    """Django switched to the AWS backend (PHOTOSHARE_BACKEND=aws) against moto."""
    settings.BACKEND = "aws"
    settings.DYNAMODB_TABLE = dynamodb_table
    settings.PHOTO_BUCKET = photo_bucket
    return settings
