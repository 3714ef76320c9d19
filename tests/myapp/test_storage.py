"""The DSN in DEFAULT_STORAGE_DSN picks the storage behind default_storage."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from storages.backends.s3 import S3Storage

from myapp.storage import FileSystemStorage
from tests.support import use_storage_dsn


def test_a_file_dsn_stores_in_its_folder_and_serves_at_its_url(settings, tmp_path):
    use_storage_dsn(settings, f"file://{tmp_path}/uploads/?url=%2Ffiles%2F")
    assert isinstance(default_storage, FileSystemStorage)
    name = default_storage.save("hello.txt", ContentFile(b"hello"))
    assert (tmp_path / "uploads" / name).read_bytes() == b"hello"
    assert default_storage.url(name) == f"/files/{name}"


def test_a_file_dsn_path_is_decoded(settings, tmp_path):
    use_storage_dsn(settings, f"file://{tmp_path}/my%20project/media/?url=%2Fmedia%2F")
    name = default_storage.save("a.txt", ContentFile(b"a"))
    assert (tmp_path / "my project" / "media" / name).read_bytes() == b"a"
    assert settings.MEDIA_ROOT == f"{tmp_path}/my project/media/"


def test_an_s3_dsn_gives_an_s3_storage_for_its_bucket(settings):
    use_storage_dsn(settings, "s3://KEY:SECRET@media.s3-eu-central-1.amazonaws.com/?auth=s3v4")
    storage = default_storage
    assert isinstance(storage, S3Storage)
    assert storage.bucket_name == "media"
    assert storage.region_name == "eu-central-1"
    assert settings.MEDIA_ROOT == ""
