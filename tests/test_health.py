"""/healthz answers whether the dashboard can serve: the database and, on AWS, the table and the photo
bucket; never what failed, to anyone, logged in or not."""

import boto3
import pytest
from django.db import OperationalError, connection

from tests.aws import PHOTO_BUCKET, TABLE

OK = {"status": "ok"}
UNAVAILABLE = {"status": "unavailable"}
SECRET = "password authentication failed for user photoshare at db.internal"


def refuse(execute, sql, params, many, context):
    raise OperationalError(SECRET)


def assert_fresh_and_bare(response, expected: dict) -> None:
    assert response.json() == expected
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    # No session was started for it: nothing to cache, nothing to log in.
    assert not response.cookies


@pytest.mark.django_db
def test_it_answers_ok_without_a_login_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert_fresh_and_bare(response, OK)


@pytest.mark.django_db
def test_it_answers_unavailable_without_saying_why_when_the_database_does_not(client):
    with connection.execute_wrapper(refuse):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert_fresh_and_bare(response, UNAVAILABLE)
    assert b"photoshare" not in response.content and b"password" not in response.content


@pytest.mark.django_db
def test_a_probe_by_address_over_plain_http_is_answered_not_redirected_or_refused(client, settings):
    # GIVEN a deployment on its own domain, behind HTTPS
    settings.ALLOWED_HOSTS = ["photos.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    # WHEN a probe inside the network asks by address over HTTP, THEN it gets its answer
    response = client.get("/healthz", HTTP_HOST="10.0.3.7:8000")
    assert response.status_code == 200
    assert_fresh_and_bare(response, OK)
    # AND every other page still is held to the host check
    assert client.get("/", HTTP_HOST="10.0.3.7:8000").status_code == 400


@pytest.mark.django_db
def test_it_takes_only_reads(client):
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200


@pytest.mark.one_database
@pytest.mark.django_db
def test_on_aws_it_answers_ok_when_the_table_and_the_bucket_are_reachable(client, aws_backend):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert_fresh_and_bare(response, OK)


@pytest.mark.one_database
@pytest.mark.django_db
def test_on_aws_a_missing_table_makes_it_unavailable_without_naming_it(client, aws_backend):
    boto3.client("dynamodb").delete_table(TableName=TABLE)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert_fresh_and_bare(response, UNAVAILABLE)


@pytest.mark.one_database
@pytest.mark.django_db
def test_on_aws_a_missing_bucket_makes_it_unavailable_without_naming_it(client, aws_backend):
    boto3.client("s3").delete_bucket(Bucket=PHOTO_BUCKET)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert_fresh_and_bare(response, UNAVAILABLE)


@pytest.mark.one_database
@pytest.mark.django_db
def test_on_aws_the_database_is_asked_too(client, aws_backend):
    with connection.execute_wrapper(refuse):
        assert client.get("/healthz").status_code == 503
