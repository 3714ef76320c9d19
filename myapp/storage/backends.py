"""The storage behind each DSN scheme, registered with django-storage-url.

django-storage-url turns DEFAULT_STORAGE_DSN into a storage; the classes here fix what it gets
wrong on current Django and django-storages, scheme by scheme, and add the schemes it lacks. The
forms and their query parameters are in myapp/storage/dsn.py and docs/storage.md.
"""

import io
import threading
from urllib.parse import quote

import furl
from azure.core.exceptions import ResourceExistsError
from azure.storage.blob import BlobServiceClient, LinearRetry
from botocore.config import Config
from django.core.files import File, storage
from django_storage_url import get_storage, register_storage_class
from django_storage_url.backends import az as dsn_az
from django_storage_url.backends import s3 as dsn_s3
from storages.backends import s3
from storages.utils import is_seekable

from myapp.storage.content_types import served_content_type
from myapp.storage.dsn import ACL_NONE, is_true, local_media
from myapp.storage.names import valid_name
from myapp.storage.reservations import ReservedNamesMixin
from myapp.storage.sessions import SharedModelsMixin
from myapp.storage.stored import StoredUploadsMixin
from myapp.storage.validation import problem

# A storage that does not answer costs a request at most 15 s before it fails with the reason: a
# few seconds to connect and for each answer to begin, and one more try of what failed in a way
# worth retrying (a timeout, a service's transient 500 or 503).
CONNECT_TIMEOUT, READ_TIMEOUT, ATTEMPTS = 3, 6, 2
# Completing a multipart upload takes as long as the store needs to join the parts: AWS answers at
# once and keeps the connection alive, moto and some stores stay silent for seconds per GiB. Asked
# again meanwhile, a store fails the second request (NoSuchUpload, or a 500): that one request
# waits this long, and is sent once.
COMPLETE_TIMEOUT = 300


def s3_limits():
    """Return botocore's settings that bound every request of an S3 storage."""
    return Config(
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        retries={"mode": "standard", "total_max_attempts": ATTEMPTS},
    )


def azure_limits():
    """Return the Azure SDK's options that bound every request of an Azure storage.

    The SDK's own retries wait 15 s and more between tries, four times over.
    """
    return {
        "connection_timeout": CONNECT_TIMEOUT,
        "read_timeout": READ_TIMEOUT,
        "retry_policy": LinearRetry(backoff=1, random_jitter_range=1, retry_total=ATTEMPTS - 1),
    }


class InvalidDSN(ValueError):
    """A storage DSN that describes no usable storage; the message says why, without the secret."""


def open_storage(dsn):
    """Return the storage that ``dsn`` describes.

    Raise InvalidDSN, saying what is wrong, if it describes none.
    """
    reason = problem(dsn)
    if reason:
        raise InvalidDSN(reason)
    return get_storage(dsn)


class ValidNamesMixin:
    """For a storage: every file field's uploads are stored under a cleaned name (names.py)."""

    def get_valid_name(self, name):
        return valid_name(name)


class FileSystemStorage(ValidNamesMixin, storage.FileSystemStorage):
    """``file://PATH/?url=URL``: a local folder, its path decoded.

    django-storage-url's own class keeps PATH percent-encoded, so a checkout in ``my project`` would
    store its media in a folder named ``my%20project``.
    """

    def __init__(self, dsn):
        location, base_url = local_media(dsn.url)
        super().__init__(location=location, base_url=base_url)


class DSNQueryMixin:
    """What every S3 scheme takes from the DSN's query, and the limits its requests keep."""

    # django-storages' default lets a second upload of the same name silently replace the first
    # (django-storages #959, #960); Django's own choice, a new suffixed name, loses nothing.
    file_overwrite = False

    def apply_query(self, dsn):
        self.client_config = self.client_config.merge(s3_limits())
        if "checksums" in dsn.args:
            # Some S3-compatible stores refuse the checksums boto3 sends by default.
            checksums = dsn.args["checksums"]
            self.client_config = self.client_config.merge(
                Config(
                    request_checksum_calculation=checksums,
                    response_checksum_validation=checksums,
                )
            )
        # Divio's buckets serve their files publicly, hence public-read; "none" sends no ACL,
        # which buckets with ACLs disabled (the AWS default since 2023) require.
        acl = dsn.args.get("acl", "public-read")
        self.object_parameters = {} if acl == ACL_NONE else {"ACL": acl}
        self.querystring_auth = is_true(dsn.args.get("qs_auth", "false"))
        if self.querystring_auth:
            # django-storages signs only URLs on the endpoint itself; on a custom domain the link
            # would lose its signature and a private bucket would refuse it.
            self.custom_domain = None
        elif "url" in dsn.args:
            # django-storage-url keeps only the host of url=, dropping a path such as /media/.
            url = furl.furl(dsn.args["url"])
            self.url_protocol = f"{url.scheme}:"
            self.custom_domain = f"{url.netloc}{str(url.path).rstrip('/')}"


class S3ContentTypeMixin:
    """Store every file with the content type its name is served with (content_types.py).

    django-storages would send the type the browser claimed first (text/html for a page stored as
    page.html.txt), and a compressed file with the Content-Encoding its name implies, unless the
    parameters name a type.
    """

    def get_object_parameters(self, name):
        parameters = super().get_object_parameters(name)
        parameters.setdefault("ContentType", served_content_type(name))
        return parameters


class PatientClientMixin:
    """For S3 storages: a client, one per thread as the storage's own, for completing uploads."""

    @property
    def completing_client(self):
        """Return a client whose requests wait COMPLETE_TIMEOUT for their answer, and are sent
        once."""
        local = self.__dict__.setdefault("_completing_clients", threading.local())
        if not hasattr(local, "client"):
            patient = Config(
                read_timeout=COMPLETE_TIMEOUT, retries={"mode": "standard", "total_max_attempts": 1}
            )
            local.client = self._create_session().client(
                "s3",
                region_name=self.region_name,
                use_ssl=self.use_ssl,
                endpoint_url=self.endpoint_url,
                config=self.client_config.merge(patient),
                verify=self.verify,
            )
        return local.client


class ProjectS3Mixin(
    SharedModelsMixin,
    StoredUploadsMixin,
    ReservedNamesMixin,
    ValidNamesMixin,
    S3ContentTypeMixin,
    DSNQueryMixin,
    PatientClientMixin,
):
    """What every S3 scheme of the project adds to django-storages' S3 storage."""


class S3Storage(ProjectS3Mixin, dsn_s3.S3Storage):
    """``s3://KEY:SECRET@BUCKET.ENDPOINT/PREFIX?...``: Divio's form, read by django-storage-url.

    Its endpoint is always ``https://ENDPOINT/``: use ``s3+http(s)://`` for any other.
    """

    def __init__(self, dsn):
        super().__init__(dsn)
        self.apply_query(dsn)


class EndpointS3Storage(ProjectS3Mixin, s3.S3Storage):
    """``s3+https://KEY:SECRET@HOST[:PORT]/BUCKET[/PREFIX]?region=...``, and ``s3+http://``.

    Any S3-compatible service (MinIO, Cloudflare R2, DigitalOcean Spaces, a local server) at an
    endpoint of its own, which ``s3://`` cannot express (no port, no plain HTTP).
    """

    def __init__(self, dsn):
        bucket, _, location = str(dsn.path).strip("/").partition("/")
        protocol = dsn.scheme.removeprefix("s3+")
        super().__init__(
            access_key=dsn.username,
            secret_key=dsn.password,
            bucket_name=bucket,
            location=location,
            endpoint_url=f"{protocol}://{dsn.host}" + (f":{dsn.port}" if dsn.port else ""),
            use_ssl=protocol == "https",
            region_name=dsn.args.get("region"),
            # Bucket names in host names need wildcard DNS that local and self-hosted servers
            # rarely have; every S3-compatible service understands paths.
            addressing_style="path",
            signature_version="s3v4",
        )
        self.apply_query(dsn)


class AzureStorage(StoredUploadsMixin, ReservedNamesMixin, ValidNamesMixin, dsn_az.AzureStorage):
    """``az://ACCOUNT:KEY_OR_BASE64_SAS@blob.core.windows.net/CONTAINER?domain=HOST``: Divio's form.

    Read by django-storage-url. Its service is always ``https://ACCOUNT.blob.SUFFIX``: use
    ``az+http(s)://`` for any other endpoint.
    """

    def __init__(self, dsn):
        super().__init__(dsn)
        # django-storage-url turns django-storages' default around (AZURE_OVERWRITE_FILES=True):
        # a second upload of the same name would replace the first.
        self.overwrite_files = False
        # It would talk to ACCOUNT.blob.core.windows.net whatever the host says (a national
        # cloud's blob.core.chinacloudapi.cn), and over plain HTTP when url= is an http:// URL.
        self.endpoint_suffix = dsn.host.removeprefix("blob.")
        self.azure_ssl = True
        public_host = dsn.args.get("domain") or f"{self.account_name}.{dsn.host}"
        self.base_url = container_url(dsn, f"https://{public_host}/{self.azure_container}")
        self.client_options = azure_limits()

    def _get_service_client(self):
        # django-storages gives a connection string's client none of client_options.
        if self.connection_string is not None:
            return BlobServiceClient.from_connection_string(
                self.connection_string, **self.client_options
            )
        return super()._get_service_client()

    def get_object_parameters(self, name):
        # As for S3 (S3ContentTypeMixin): these override what django-storages guesses.
        parameters = super().get_object_parameters(name)
        return parameters | {"content_type": served_content_type(name), "content_encoding": None}

    def url(self, name):
        # Never signed, so a SAS token never shows in a page; quoted as the Azure SDK quotes.
        return self.base_url + quote(self._get_valid_path(name), safe="~/")

    def _save(self, name, content):
        # django-storages' Azure backend rewinds whatever it uploads (its S3 backend only what can
        # be rewound): a stream, such as a file read from another storage, would fail.
        if not is_seekable(content):
            return super()._save(name, File(ForwardStream(content), content.name))
        while True:
            try:
                return super()._save(name, content)
            except ResourceExistsError:
                # Stored by another upload since get_available_name looked: take another name,
                # as Django's own file storage does, rather than refuse this upload.
                name = self.get_available_name(name)


class ForwardStream:
    """A file that can only be read forward, as the Azure SDK uploads it.

    Rewinding it before the first read changes nothing, so that is allowed.
    """

    def __init__(self, file):
        self.file = file
        self.started = False

    def __len__(self):
        # The SDK asks len() for the size. Known, a small file goes up in one request; unknown,
        # in blocks, and an empty file would hang that block upload forever (SDK 12.31).
        size = getattr(self.file, "size", None)
        if size is None:
            raise TypeError("size unknown")
        return size

    def read(self, size=-1):
        self.started = True
        return self.file.read(size)

    def seekable(self):
        return False

    def seek(self, offset, whence=io.SEEK_SET):
        if offset or whence != io.SEEK_SET or self.started:
            raise io.UnsupportedOperation("seek")
        return 0


class EndpointAzureStorage(AzureStorage):
    """``az+https://ACCOUNT:KEY_OR_BASE64_SAS@HOST[:PORT]/[ACCOUNT/]CONTAINER``, and ``az+http://``.

    The container's own URL with credentials, for endpoints ``az://`` cannot express: Azurite and
    other emulators, which put the account in the path (``http://127.0.0.1:10000/ACCOUNT/CONTAINER``
    is Azurite's), private endpoints, Azure Stack.
    """

    def __init__(self, dsn):
        super().__init__(dsn)
        protocol = dsn.scheme.removeprefix("az+")
        account_path, _, self.azure_container = str(dsn.path).strip("/").rpartition("/")
        port = f":{dsn.port}" if dsn.port else ""
        service = f"{protocol}://{dsn.host}{port}/{account_path}".rstrip("/")
        self.azure_ssl = protocol == "https"
        credential = (
            f"AccountKey={self.account_key}"
            if self.account_key
            else f"SharedAccessSignature={self.sas_token}"
        )
        # django-storages' only way to an endpoint of any shape (its other settings always build
        # https://ACCOUNT.blob.SUFFIX).
        self.connection_string = (
            f"BlobEndpoint={service};AccountName={self.account_name};{credential}"
        )
        self.base_url = container_url(dsn, f"{service}/{self.azure_container}")


def container_url(dsn, default):
    """Return the base URL of a container's files: ``url=`` with its path, or ``default``.

    django-storage-url keeps only the host of ``url=`` and adds the container.
    """
    return dsn.args.get("url", default).rstrip("/") + "/"


SCHEMES = {
    "file": "myapp.storage.backends.FileSystemStorage",
    "s3": "myapp.storage.backends.S3Storage",
    "s3+http": "myapp.storage.backends.EndpointS3Storage",
    "s3+https": "myapp.storage.backends.EndpointS3Storage",
    "az": "myapp.storage.backends.AzureStorage",
    "az+http": "myapp.storage.backends.EndpointAzureStorage",
    "az+https": "myapp.storage.backends.EndpointAzureStorage",
}


def register_schemes():
    """Make django-storage-url build this module's storages for the project's schemes."""
    for scheme, backend in SCHEMES.items():
        register_storage_class(scheme, backend)
