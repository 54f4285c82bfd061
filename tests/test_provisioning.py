"""provision_aws and publish_guest_frontend under moto, each run twice. That each function's IAM
policy allows exactly the calls it makes is tests/test_function_policies.py."""

import json
from io import StringIO

import boto3
import pytest
from botocore.stub import Stubber
from django.core.management import call_command

from uploads.aws import alarms, clients, provisioning
from uploads.guest_minify import served
from uploads.guest_page import GUEST_FILES

# AWS resources only: the PostgreSQL pass leaves it out.
pytestmark = pytest.mark.one_database

SITE = "photoshare-guests"
PHOTOS = "photoshare-photos"
DEPLOYS = "photoshare-deploys"
THROTTLE = [
    {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "100"},
    {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "500"},
]


class GuestApi:
    """API Gateway as botocore's Stubber answers it, each call checked against the service's model
    (moto's API Gateway needs packages this project does not install). No guest API until deployed."""

    def __init__(self) -> None:
        self.deployed = False
        self.stubber: Stubber | None = None

    def client(self):
        client = boto3.client("apigateway", region_name="eu-west-1")
        self.stubber = Stubber(client)
        apis = [{"id": "abc123", "name": "photoshare-guest"}] if self.deployed else []
        self.stubber.add_response("get_rest_apis", {"items": apis})
        if self.deployed:
            expected = {"restApiId": "abc123", "stageName": "guest", "patchOperations": THROTTLE}
            self.stubber.add_response("update_stage", {}, expected)
        self.stubber.activate()
        return client


@pytest.fixture(autouse=True)
def guest_api(monkeypatch) -> GuestApi:
    api = GuestApi()
    monkeypatch.setattr(provisioning, "apigateway", api.client)
    return api


def provision(tmp_path, *options: str) -> str:
    out = StringIO()
    call_command(
        "provision_aws",
        *options,
        "--photo-bucket",
        PHOTOS,
        "--site-bucket",
        SITE,
        "--deploy-bucket",
        DEPLOYS,
        "--dashboard-origin",
        "https://dash.example.org",
        "--policy-dir",
        str(tmp_path / "iam"),
        stdout=out,
    )
    return out.getvalue()


def test_provisioning_twice_creates_then_keeps_everything(aws_env, tmp_path):
    first, second = provision(tmp_path), provision(tmp_path)
    assert "table PhotoUploadCounts: created" in first and "table PhotoUploadCounts: exists" in second
    dynamodb, s3 = boto3.client("dynamodb"), boto3.client("s3")
    table = dynamodb.describe_table(TableName="PhotoUploadCounts")["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    backups = dynamodb.describe_continuous_backups(TableName="PhotoUploadCounts")["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    for private in (PHOTOS, DEPLOYS):
        assert all(s3.get_public_access_block(Bucket=private)["PublicAccessBlockConfiguration"].values())
    rule = s3.get_bucket_encryption(Bucket=PHOTOS)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert s3.get_bucket_versioning(Bucket=PHOTOS)["Status"] == "Enabled"
    rules = {r["ID"]: r for r in s3.get_bucket_lifecycle_configuration(Bucket=PHOTOS)["Rules"]}
    assert rules["expire-zip-exports"]["Expiration"]["Days"] == 7
    assert s3.get_bucket_cors(Bucket=PHOTOS)["CORSRules"][0]["AllowedOrigins"] == ["https://dash.example.org"]
    assert s3.get_bucket_website(Bucket=SITE)["IndexDocument"]["Suffix"] == "index.html"
    assert json.loads(s3.get_bucket_policy(Bucket=SITE)["Policy"])["Statement"][0]["Action"] == "s3:GetObject"


def test_the_photo_bucket_takes_the_guest_pages_uploads_and_clears_what_they_leave(aws_env, tmp_path, settings):
    settings.GUEST_API_CORS_ORIGINS = ["https://guests.example.org"]
    provision(tmp_path)
    s3 = boto3.client("s3")
    # GIVEN a rule the operator added by hand, WHEN provisioning runs again
    rules = s3.get_bucket_lifecycle_configuration(Bucket=PHOTOS)["Rules"]
    hand_made = {"ID": "by-hand", "Status": "Enabled", "Filter": {"Prefix": "old/"}, "Expiration": {"Days": 90}}
    s3.put_bucket_lifecycle_configuration(Bucket=PHOTOS, LifecycleConfiguration={"Rules": [*rules, hand_made]})
    provision(tmp_path)
    # THEN it is kept, with each of ours once
    rules = {r["ID"]: r for r in s3.get_bucket_lifecycle_configuration(Bucket=PHOTOS)["Rules"]}
    assert len(s3.get_bucket_lifecycle_configuration(Bucket=PHOTOS)["Rules"]) == len(rules) == 6
    assert rules["by-hand"]["Expiration"]["Days"] == 90
    assert rules["abort-incomplete-multipart-uploads"]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 1
    assert rules["abort-incomplete-multipart-uploads"]["Filter"]["Prefix"] == ""
    staged = rules["expire-staged-uploads"]
    assert staged["Filter"]["Prefix"] == "_incoming/"
    assert (staged["Expiration"]["Days"], staged["NoncurrentVersionExpiration"]["NoncurrentDays"]) == (1, 1)
    assert rules["remove-staged-delete-markers"]["Expiration"]["ExpiredObjectDeleteMarker"] is True
    assert rules["expire-old-versions"]["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30
    # AND the guest page may PUT to presigned URLs from its origin, and read each part's ETag
    downloads, uploads = s3.get_bucket_cors(Bucket=PHOTOS)["CORSRules"]
    assert (uploads["AllowedMethods"], uploads["AllowedOrigins"]) == (["PUT"], ["https://guests.example.org"])
    assert uploads["AllowedHeaders"] == ["Content-Type", "x-amz-checksum-sha256"]
    assert uploads["ExposeHeaders"] == ["ETag"]
    assert downloads["AllowedMethods"] == ["GET", "HEAD"]


def test_without_guest_origins_uploads_are_allowed_from_the_site_bucket_only(aws_env, tmp_path, settings):
    settings.GUEST_API_CORS_ORIGINS = []
    assert f"uploads from http://{SITE}.s3-website-eu-west-1.amazonaws.com" in provision(tmp_path)
    uploads = boto3.client("s3").get_bucket_cors(Bucket=PHOTOS)["CORSRules"][1]
    assert uploads["AllowedOrigins"] == [f"http://{SITE}.s3-website-eu-west-1.amazonaws.com"]


def test_it_writes_a_policy_per_function_scoped_to_its_resources(aws_env, tmp_path):
    provision(tmp_path)
    guest_policy = json.loads((tmp_path / "iam" / "photoshare-guest.json").read_text())
    resources = {r for statement in guest_policy["Statement"] for r in statement["Resource"]}
    assert resources == {
        "arn:aws:dynamodb:eu-west-1:123456789012:table/PhotoUploadCounts",
        f"arn:aws:s3:::{PHOTOS}/*",
        f"arn:aws:s3:::{PHOTOS}/_incoming/*",
        f"arn:aws:s3:::{PHOTOS}",
        "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/photoshare-guest:*",
    }
    assert not any("*" in a for statement in guest_policy["Statement"] for a in statement["Action"])
    dashboard = json.loads((tmp_path / "iam" / "photoshare-dashboard.json").read_text())
    secrets = [st for st in dashboard["Statement"] if st["Sid"] == "ReadSecrets"]
    assert secrets[0]["Resource"] == [f"arn:aws:s3:::{DEPLOYS}/photoshare-dashboard.env.json"]
    assert (tmp_path / "iam" / "lambda-trust.json").exists()
    # Staged versions are listed under _incoming/ only (the condition travels in the document).
    (versions,) = [st for st in guest_policy["Statement"] if st["Sid"] == "ListStagedVersions"]
    assert versions["Condition"] == {"StringLike": {"s3:prefix": "_incoming/*"}}


def test_publishing_twice_uploads_the_page_with_the_api_url(aws_env, tmp_path):
    provision(tmp_path)
    out = StringIO()
    for _ in range(2):
        call_command(
            "publish_guest_frontend",
            "--site-bucket",
            SITE,
            "--api-url",
            "https://abc.execute-api.eu-west-1.amazonaws.com/prod/",
            "--site-url",
            "https://dash.execute-api.eu-west-1.amazonaws.com/dashboard/",
            stdout=out,
        )
    s3 = boto3.client("s3")
    config = s3.get_object(Bucket=SITE, Key="guest/config.js")
    config_js = config["Body"].read().decode()
    # config.js minified like the rest, once its addresses are in
    assert 'apiBase:"https://abc.execute-api.eu-west-1.amazonaws.com/prod"' in config_js
    assert 'siteBase:"https://dash.execute-api.eu-west-1.amazonaws.com/dashboard"' in config_js
    assert "//" not in config_js.replace("https://", "")
    # Every other file is the very bytes the local view serves (minified by the same function).
    for name in set(GUEST_FILES) - {"config.js"}:
        assert s3.get_object(Bucket=SITE, Key=f"guest/{name}")["Body"].read() == served(name), name
    page = s3.head_object(Bucket=SITE, Key="guest/index.html")
    assert (page["ContentType"], page["CacheControl"]) == ("text/html; charset=utf-8", "no-cache")
    assert s3.head_object(Bucket=SITE, Key="guest/app.js")["ContentType"].startswith("text/javascript")
    assert s3.head_object(Bucket=SITE, Key="guest/manifest.webmanifest")["ContentType"] == "application/manifest+json"
    assert s3.head_object(Bucket=SITE, Key="guest/icon-192.png")["ContentType"] == "image/png"
    # The icons' generator is no part of the site.
    assert "guest/make_icons.py" not in {o["Key"] for o in s3.list_objects_v2(Bucket=SITE)["Contents"]}
    assert f"http://{SITE}.s3-website-eu-west-1.amazonaws.com/guest/?event=<slug>&key=<upload key>" in out.getvalue()


def test_clients_honour_the_standard_endpoint_variables(aws_env, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://localhost:4566")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://s3.localhost.localstack.cloud:4566")
    clients.dynamodb.cache_clear()
    clients.s3.cache_clear()
    assert clients.dynamodb().meta.endpoint_url == "http://localhost:4566"
    assert clients.s3().meta.endpoint_url == "http://s3.localhost.localstack.cloud:4566"


def test_the_guest_api_is_throttled_once_zappa_has_deployed_it(aws_env, tmp_path, guest_api):
    assert "throttle: not deployed yet" in provision(tmp_path)
    # GIVEN the API `zappa deploy guest` creates, WHEN provisioning runs again (it is idempotent)
    guest_api.deployed = True
    for _ in range(2):
        out = provision(tmp_path)
        # THEN every method of the guest stage is throttled (the stub checked the call)
        assert "guest API photoshare-guest (stage guest) throttle: 100 requests/s, bursts of 500" in out
        guest_api.stubber.assert_no_pending_responses()


# Each alarm: (namespace, metric, dimensions, statistic, threshold).
ALARMS = {
    "photoshare-guest-errors": ("AWS/Lambda", "Errors", {"FunctionName": "photoshare-guest"}, "Sum", 1),
    "photoshare-guest-throttles": ("AWS/Lambda", "Throttles", {"FunctionName": "photoshare-guest"}, "Sum", 1),
    "photoshare-guest-api-5xx": ("AWS/ApiGateway", "5XXError", {"ApiName": "photoshare-guest"}, "Average", 0.05),
    "photoshare-table-read-throttles": (
        "AWS/DynamoDB",
        "ReadThrottleEvents",
        {"TableName": "PhotoUploadCounts"},
        "Sum",
        1,
    ),
    "photoshare-table-write-throttles": (
        "AWS/DynamoDB",
        "WriteThrottleEvents",
        {"TableName": "PhotoUploadCounts"},
        "Sum",
        1,
    ),
    "photoshare-dashboard-errors": ("AWS/Lambda", "Errors", {"FunctionName": "photoshare-dashboard"}, "Sum", 1),
}


def test_every_alarm_tells_the_operators_address_once_however_often_it_runs(aws_env, tmp_path, settings):
    # GIVEN the operator's address in PHOTOSHARE_ALARM_EMAIL, WHEN provisioning runs twice
    settings.ALARM_EMAIL = "ops@example.org"
    first, second = provision(tmp_path), provision(tmp_path)
    # THEN there is one topic, which the address subscribes to once
    sns = boto3.client("sns")
    [topic] = [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    assert topic.endswith(":photoshare-alarms")
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in subscriptions] == [("email", "ops@example.org")]
    # AND each alarm watches its metric over five minutes and tells the topic when it fires and clears
    found = boto3.client("cloudwatch").describe_alarms()["MetricAlarms"]
    assert len(found) == len(ALARMS)
    for alarm in found:
        namespace, metric, dimensions, statistic, threshold = ALARMS[alarm["AlarmName"]]
        assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"]) == (namespace, metric, statistic)
        assert {d["Name"]: d["Value"] for d in alarm["Dimensions"]} == dimensions
        assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (threshold, "GreaterThanOrEqualToThreshold")
        assert (alarm["Period"], alarm["EvaluationPeriods"], alarm["TreatMissingData"]) == (300, 1, "notBreaching")
        assert alarm["AlarmActions"] == alarm["OKActions"] == [topic]
        assert alarm["AlarmDescription"]
    assert "alarm topic photoshare-alarms: ops@example.org subscribed" in second
    assert "alarm photoshare-guest-api-5xx -> photoshare-alarms" in first


def test_without_an_address_the_alarms_are_raised_and_it_says_nobody_hears_them(aws_env, tmp_path, settings):
    settings.ALARM_EMAIL = ""
    out = provision(tmp_path)
    assert "alarm topic photoshare-alarms: no e-mail subscribed (set PHOTOSHARE_ALARM_EMAIL" in out
    [topic] = boto3.client("sns").list_topics()["Topics"]
    assert boto3.client("sns").list_subscriptions_by_topic(TopicArn=topic["TopicArn"])["Subscriptions"] == []
    assert len(boto3.client("cloudwatch").describe_alarms()["MetricAlarms"]) == len(ALARMS)


def test_the_address_may_be_given_on_the_command_line(aws_env, tmp_path, settings):
    settings.ALARM_EMAIL = "ops@example.org"
    provision(tmp_path, "--alarm-email", "night-shift@example.org")
    [topic] = boto3.client("sns").list_topics()["Topics"]
    [subscription] = boto3.client("sns").list_subscriptions_by_topic(TopicArn=topic["TopicArn"])["Subscriptions"]
    assert subscription["Endpoint"] == "night-shift@example.org"


def test_an_address_not_yet_confirmed_is_told_to_follow_the_link(aws_env):
    # Real SNS answers an unconfirmed e-mail subscription so (moto confirms at once).
    sns = boto3.client("sns", region_name="eu-west-1")
    with Stubber(sns) as stubber:
        topic = "arn:aws:sns:eu-west-1:123456789012:photoshare-alarms"
        stubber.add_response("create_topic", {"TopicArn": topic}, {"Name": "photoshare-alarms"})
        expected = {"TopicArn": topic, "Protocol": "email", "Endpoint": "ops@example.org"}
        stubber.add_response("subscribe", {"SubscriptionArn": "pending confirmation"}, expected)
        names = provisioning.Names("eu-west-1", "123456789012", "PhotoUploadCounts", PHOTOS, SITE, DEPLOYS)
        assert alarms.ensure_alarm_topic(sns, names, "ops@example.org") == (
            topic,
            "ops@example.org must follow the link AWS sent it before it hears anything",
        )
