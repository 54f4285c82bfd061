import pytest

from tests.aws import PHOTO_BUCKET
from tests.uploads.contract_photos import PhotoStoreContract, stored_photo
from uploads.aws import clients
from uploads.aws.s3 import S3PhotoStore, guest_name_from_metadata


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
