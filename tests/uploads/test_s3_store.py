import boto3
import pytest
from botocore.exceptions import ParamValidationError

from tests.aws import PHOTO_BUCKET
from tests.uploads.contract_photos import PhotoStoreContract, stored_photo
from uploads.aws import clients
from uploads.aws.s3 import S3PhotoStore, guest_name_from_metadata
from uploads.ports import KeyExists

# S3 (moto) only: the PostgreSQL pass leaves it out.
pytestmark = pytest.mark.one_database


@pytest.fixture
def store(photo_bucket):
    return S3PhotoStore(clients.s3(), photo_bucket)


class TestS3PhotoStore(PhotoStoreContract):
    @pytest.fixture
    def read(self, photo_bucket):
        def read(key):
            try:
                return clients.s3().get_object(Bucket=PHOTO_BUCKET, Key=key)["Body"].read()
            except clients.s3().exceptions.NoSuchKey:
                return None

        return read


def test_it_stores_the_content_type_encryption_and_the_facts_the_indexer_needs(store):
    store.put(stored_photo(content_type="image/heic"), b"photo")
    head = clients.s3().head_object(Bucket=PHOTO_BUCKET, Key=stored_photo().key)
    assert head["ContentType"] == "image/heic"
    assert head["ServerSideEncryption"] == "AES256"
    assert guest_name_from_metadata(head["Metadata"]) == "Carla Ruiz 🎉"
    assert head["Metadata"]["device"] == stored_photo().device


@pytest.fixture
def old_sdk_client(aws_env):
    """An S3 client whose PutObject knows no IfNoneMatch, as on botocore before 1.35 (a Lambda
    runtime's bundled SDK may be that old), recording the headers each put sends."""
    client = boto3.client("s3")
    del client.meta.service_model.operation_model("PutObject").input_shape.members["IfNoneMatch"]
    client.sent_headers = []
    client.meta.events.register(
        "before-send.s3.PutObject", lambda request, **kwargs: client.sent_headers.append(dict(request.headers))
    )
    return client


def test_the_simulated_old_sdk_refuses_the_parameter_on_its_own(old_sdk_client, photo_bucket):
    with pytest.raises(ParamValidationError, match="IfNoneMatch"):
        old_sdk_client.put_object(Bucket=photo_bucket, Key="k", Body=b"x", IfNoneMatch="*")


def test_on_an_old_sdk_the_store_still_never_overwrites(old_sdk_client, photo_bucket):
    store = S3PhotoStore(old_sdk_client, photo_bucket)
    store.put(stored_photo(), b"first")
    with pytest.raises(KeyExists):
        store.put(stored_photo(), b"second")
    assert [headers.get("If-None-Match") for headers in old_sdk_client.sent_headers] == [b"*", b"*"]
    assert store.read(stored_photo().key) == b"first"


def test_on_an_old_sdk_only_the_puts_that_ask_for_it_carry_the_header(old_sdk_client, photo_bucket):
    # GIVEN the store and a plain put (publish_guest_frontend's kind, which overwrites) share a client
    S3PhotoStore(old_sdk_client, photo_bucket)
    S3PhotoStore(old_sdk_client, photo_bucket)  # registering twice changes nothing
    # WHEN a file is put twice without asking for the condition
    old_sdk_client.put_object(Bucket=photo_bucket, Key="index.html", Body=b"v1")
    old_sdk_client.put_object(Bucket=photo_bucket, Key="index.html", Body=b"v2")
    # THEN neither put carried the header, and the second one replaced the file
    assert [headers.get("If-None-Match") for headers in old_sdk_client.sent_headers] == [None, None]
    assert old_sdk_client.get_object(Bucket=photo_bucket, Key="index.html")["Body"].read() == b"v2"


def test_a_current_sdk_sends_its_own_parameter_untouched(photo_bucket):
    client = boto3.client("s3")
    sent = []
    client.meta.events.register("before-send.s3.PutObject", lambda request, **kwargs: sent.append(request.headers))
    S3PhotoStore(client, photo_bucket).put(stored_photo(), b"photo")
    assert "IfNoneMatch" in client.meta.service_model.operation_model("PutObject").input_shape.members
    assert sent[0]["If-None-Match"] == b"*"
