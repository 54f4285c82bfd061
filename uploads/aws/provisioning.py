"""Create or update, idempotently, the AWS resources photoshare runs on, and write least-privilege
IAM policies for its two functions. Used by `manage.py provision_aws`.
"""

import json
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ClientError

from uploads.aws.clients import Client
from uploads.aws.dynamodb import ATTRIBUTE_DEFINITIONS, KEY_SCHEMA
from uploads.ports import STAGING_PREFIX

# What each function calls, as IAM actions (TransactWriteItems is authorised per item action).
# tests/test_function_policies.py records every call of every path of both functions and checks that
# these allow each one and nothing more.
GUEST_TABLE_ACTIONS = ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
# GetObject: a retry finishing the claim of a request that died after storing its photo reads it back.
GUEST_PHOTO_ACTIONS = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
DASHBOARD_TABLE_ACTIONS = [*GUEST_TABLE_ACTIONS, "dynamodb:BatchWriteItem", "dynamodb:Query"]
DASHBOARD_PHOTO_ACTIONS = ["s3:DeleteObject", "s3:GetObject"]
# The dashboard writes only into its own trees of the photo bucket, never over an original
# (THUMBNAIL_PREFIX in events/thumbnails.py, EXPORT_PREFIX in events/exports.py).
THUMBNAIL_TREE = "thumbs/"
EXPORT_TREE = "exports/"
LOG_ACTIONS = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
# Old versions of deleted or replaced objects are kept this long, then expire.
NONCURRENT_DAYS = 30
# ZIP exports are copies: they expire after a week.
EXPORT_DAYS = 7
# What direct uploads leave behind (a phone that never finished): staged bytes under _incoming/, and
# multipart uploads anywhere, go after a day. The recovery sweep removes them within minutes; this is
# the backstop, S3's shortest lifecycle period.
LEFTOVER_DAYS = 1
PHOTO_BUCKET_RULES: list[dict[str, Any]] = [
    {
        "ID": "expire-old-versions",
        "Status": "Enabled",
        "Filter": {"Prefix": ""},
        "NoncurrentVersionExpiration": {"NoncurrentDays": NONCURRENT_DAYS},
    },
    {
        "ID": "expire-zip-exports",
        "Status": "Enabled",
        "Filter": {"Prefix": EXPORT_TREE},
        "Expiration": {"Days": EXPORT_DAYS},
    },
    {
        "ID": "abort-incomplete-multipart-uploads",
        "Status": "Enabled",
        "Filter": {"Prefix": ""},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": LEFTOVER_DAYS},
    },
    {
        # Staged bytes still carry the location: their old versions go too, not after 30 days.
        "ID": "expire-staged-uploads",
        "Status": "Enabled",
        "Filter": {"Prefix": STAGING_PREFIX},
        "Expiration": {"Days": LEFTOVER_DAYS},
        "NoncurrentVersionExpiration": {"NoncurrentDays": LEFTOVER_DAYS},
    },
    {
        # What the rule above leaves: a delete marker with no version behind it.
        "ID": "remove-staged-delete-markers",
        "Status": "Enabled",
        "Filter": {"Prefix": STAGING_PREFIX},
        "Expiration": {"ExpiredObjectDeleteMarker": True},
    },
]
# API Gateway's throttle on the guest API's stage, for all clients together (it cannot tell them apart;
# the per-address rule is uploads/ratelimit.py, in the function). It bounds what a flood costs and how
# far it can scale the function: the venue rush (200 guests: ~200 page loads and 600 uploads in a
# minute, ~13 requests/s; all in the same second at worst, ~400 requests in 3 s) uses a fraction of it,
# even with several events' rushes at once. Zappa has no setting for it: provision_aws applies it.
GUEST_API_RATE = 100  # requests a second, steady
GUEST_API_BURST = 500  # requests at once
# Zappa names the REST API after the project and stage, and deploys it to a stage of the same name.
GUEST_STAGE = "guest"


@dataclass(frozen=True)
class Names:
    region: str
    account: str
    table: str
    photo_bucket: str
    site_bucket: str
    deploy_bucket: str
    project: str = "photoshare"

    @property
    def dashboard_secrets(self) -> str:
        """The S3 object Zappa's `remote_env` loads into the dashboard's environment at cold start."""
        return f"{self.project}-dashboard.env.json"

    @property
    def table_arn(self) -> str:
        return f"arn:aws:dynamodb:{self.region}:{self.account}:table/{self.table}"

    def function_name(self, function: str) -> str:
        """Zappa names each function after the project and its stage."""
        return f"{self.project}-{function}"

    def function_arn(self, function: str) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{self.function_name(function)}"

    def log_arn(self, function: str) -> str:
        return f"arn:aws:logs:{self.region}:{self.account}:log-group:/aws/lambda/{self.function_name(function)}:*"

    @property
    def guest_api(self) -> str:
        return f"{self.project}-{GUEST_STAGE}"

    @property
    def site_url(self) -> str:
        return f"http://{self.site_bucket}.s3-website-{self.region}.amazonaws.com"


def ensure_table(dynamodb: Client, names: Names) -> str:
    try:
        dynamodb.create_table(
            TableName=names.table,
            KeySchema=KEY_SCHEMA,
            AttributeDefinitions=ATTRIBUTE_DEFINITIONS,
            BillingMode="PAY_PER_REQUEST",
        )
        outcome = "created"
    except dynamodb.exceptions.ResourceInUseException:
        outcome = "exists"
    dynamodb.get_waiter("table_exists").wait(TableName=names.table)
    dynamodb.update_continuous_backups(
        TableName=names.table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    return outcome


def _ensure_bucket(s3: Client, bucket: str, region: str) -> str:
    try:
        options = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        s3.create_bucket(Bucket=bucket, **options)
        return "created"
    except ClientError as error:
        if error.response["Error"]["Code"] == "BucketAlreadyOwnedByYou":
            return "exists"
        raise


def ensure_deploy_bucket(s3: Client, names: Names) -> str:
    """Private: Zappa's code uploads and the dashboard's secrets file."""
    outcome = _ensure_bucket(s3, names.deploy_bucket, names.region)
    _block_public_access(s3, names.deploy_bucket)
    return outcome


def _block_public_access(s3: Client, bucket: str) -> None:
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )


def ensure_photo_bucket(s3: Client, names: Names, download_origins: list[str], upload_origins: list[str]) -> str:
    """Private, encrypted, versioned; CORS lets the dashboard's pages fetch presigned downloads and the
    guest page send presigned uploads."""
    outcome = _ensure_bucket(s3, names.photo_bucket, names.region)
    _block_public_access(s3, names.photo_bucket)
    s3.put_bucket_encryption(
        Bucket=names.photo_bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]
        },
    )
    s3.put_bucket_versioning(Bucket=names.photo_bucket, VersioningConfiguration={"Status": "Enabled"})
    rules = _kept_rules(s3, names.photo_bucket, PHOTO_BUCKET_RULES) + PHOTO_BUCKET_RULES
    s3.put_bucket_lifecycle_configuration(Bucket=names.photo_bucket, LifecycleConfiguration={"Rules": rules})
    download = {"AllowedMethods": ["GET", "HEAD"], "AllowedOrigins": download_origins or ["*"], "MaxAgeSeconds": 3600}
    upload = {
        # The guest page PUTs each file or part straight to its presigned URL, from the site's origin.
        "AllowedMethods": ["PUT"],
        "AllowedOrigins": upload_origins,
        "AllowedHeaders": ["Content-Type", "x-amz-checksum-sha256"],
        # Each part's ETag, which the page may send back when it completes.
        "ExposeHeaders": ["ETag"],
        "MaxAgeSeconds": 3600,
    }
    s3.put_bucket_cors(Bucket=names.photo_bucket, CORSConfiguration={"CORSRules": [download, upload]})
    return outcome


def _kept_rules(s3: Client, bucket: str, ours: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The bucket's lifecycle rules that are not ours (added by hand): a new configuration replaces all."""
    try:
        current: list[dict[str, Any]] = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    except ClientError as error:
        if error.response["Error"]["Code"] == "NoSuchLifecycleConfiguration":
            return []
        raise
    return [rule for rule in current if rule.get("ID") not in {rule["ID"] for rule in ours}]


def ensure_site_bucket(s3: Client, names: Names) -> str:
    """The one public bucket: the static guest page, read-only to the world."""
    outcome = _ensure_bucket(s3, names.site_bucket, names.region)
    s3.put_public_access_block(
        Bucket=names.site_bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": False,
            "RestrictPublicBuckets": False,
        },
    )
    s3.put_bucket_policy(
        Bucket=names.site_bucket,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "PublicReadGuestPage",
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{names.site_bucket}/*",
                    }
                ],
            }
        ),
    )
    s3.put_bucket_website(
        Bucket=names.site_bucket,
        WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "guest/index.html"}},
    )
    return outcome


def apigateway() -> Client:
    return boto3.client("apigateway")


def throttle_guest_api(apigateway: Client, names: Names) -> str:
    """Set the guest stage's throttle; the API exists once `zappa deploy guest` has run."""
    apis = [api for page in apigateway.get_paginator("get_rest_apis").paginate() for api in page["items"]]
    api = next((api for api in apis if api["name"] == names.guest_api), None)
    if api is None:
        return "not deployed yet: run this again after `zappa deploy guest`"
    apigateway.update_stage(
        restApiId=api["id"],
        stageName=GUEST_STAGE,
        patchOperations=[
            {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": str(GUEST_API_RATE)},
            {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": str(GUEST_API_BURST)},
        ],
    )
    return f"{GUEST_API_RATE} requests/s, bursts of {GUEST_API_BURST}"


def _statement(
    sid: str, actions: list[str], resources: list[str], condition: dict[str, Any] | None = None
) -> dict[str, Any]:
    statement = {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": resources}
    return statement | ({"Condition": condition} if condition else {})


def _staging_statements(bucket: str, object_actions: list[str]) -> list[dict[str, Any]]:
    """Direct uploads' bytes wait under _incoming/ (uploads/aws/staging.py): finding a multipart upload
    again, and deleting every version of what is discarded (the bucket is versioned)."""
    return [
        _statement(
            "StagedUploads",
            ["s3:AbortMultipartUpload", "s3:DeleteObjectVersion", *object_actions],
            [f"{bucket}/{STAGING_PREFIX}*"],
        ),
        # ListBucketMultipartUploads takes no s3:prefix condition: the bucket's uploads in progress.
        _statement("FindMultipartUploads", ["s3:ListBucketMultipartUploads"], [bucket]),
        _statement(
            "ListStagedVersions",
            ["s3:ListBucketVersions"],
            [bucket],
            {"StringLike": {"s3:prefix": f"{STAGING_PREFIX}*"}},
        ),
    ]


def function_policies(names: Names) -> dict[str, dict[str, Any]]:
    """One policy document per function, each naming only the resources and actions it uses."""
    bucket = f"arn:aws:s3:::{names.photo_bucket}"
    # S3 answers a missing key with 404 only to a caller that may list the bucket (403 to others):
    # both functions tell "not stored" from "refused" when settling a claim.
    list_photos = _statement("ListPhotos", ["s3:ListBucket"], [bucket])
    return {
        "guest": {
            "Version": "2012-10-17",
            "Statement": [
                _statement("Counters", GUEST_TABLE_ACTIONS, [names.table_arn]),
                _statement("StorePhotos", GUEST_PHOTO_ACTIONS, [f"{bucket}/*"]),
                list_photos,
                # Its presigned PUTs are authorised as this role: s3:PutObject above covers them.
                *_staging_statements(bucket, ["s3:ListMultipartUploadParts"]),
                _statement("Logs", LOG_ACTIONS, [names.log_arn("guest")]),
            ],
        },
        "dashboard": {
            "Version": "2012-10-17",
            "Statement": [
                _statement("CountersAndPolicies", DASHBOARD_TABLE_ACTIONS, [names.table_arn]),
                _statement("Photos", DASHBOARD_PHOTO_ACTIONS, [f"{bucket}/*"]),
                _statement("WriteThumbnails", ["s3:PutObject"], [f"{bucket}/{THUMBNAIL_TREE}*"]),
                # Completing a direct upload the bucket's event announced stores its photo: anywhere,
                # never over an existing object (the write must carry If-None-Match: *).
                _statement(
                    "PublishDirectUploads",
                    ["s3:PutObject"],
                    [f"{bucket}/*"],
                    {"StringEquals": {"s3:if-none-match": "*"}},
                ),
                *_staging_statements(bucket, []),
                _statement(
                    "WriteExports",
                    ["s3:AbortMultipartUpload", "s3:PutObject"],
                    [f"{bucket}/{EXPORT_TREE}*"],
                ),
                list_photos,
                # "Download all" asks the function itself to build the ZIP (uploads/aws/exports.py).
                _statement("BuildZipsInTheBackground", ["lambda:InvokeFunction"], [names.function_arn("dashboard")]),
                _statement(
                    "ReadSecrets", ["s3:GetObject"], [f"arn:aws:s3:::{names.deploy_bucket}/{names.dashboard_secrets}"]
                ),
                _statement("Logs", LOG_ACTIONS, [names.log_arn("dashboard")]),
            ],
        },
    }


LAMBDA_TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def caller_region_and_account() -> tuple[str, str]:
    """Where the credentials in use point: the policies name this account's resources."""
    session = boto3.session.Session()
    return str(session.region_name), str(session.client("sts").get_caller_identity()["Account"])
