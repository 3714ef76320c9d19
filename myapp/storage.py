"""Storage backends behind the DSN schemes, registered with django-storage-url.

django-storage-url turns DEFAULT_STORAGE_DSN into a storage; the classes here fix what it gets
wrong on current Django and django-storages, scheme by scheme, and add the schemes it lacks. The
forms and query parameters are listed in myapp/dsn.py and in the README's "Cloud storage".
"""

import furl
from django.core.files import storage
from django_storage_url import register_storage_class
from django_storage_url.backends import s3 as dsn_s3
from storages.backends import s3

from myapp.dsn import ACL_NONE, is_true, local_media


class FileSystemStorage(storage.FileSystemStorage):
    """``file://PATH/?url=URL``. django-storage-url's own class keeps PATH percent-encoded, so a
    checkout in ``my project`` would store its media in a folder named ``my%20project``."""

    def __init__(self, dsn):
        location, base_url = local_media(dsn)
        super().__init__(location=location, base_url=base_url)


class DSNQueryMixin:
    """What every S3 scheme takes from the DSN's query, done the same way for all of them."""

    # django-storages' default lets a second upload of the same name silently replace the first
    # (django-storages #959, #960); Django's own choice, a new suffixed name, loses nothing.
    file_overwrite = False

    def apply_query(self, dsn):
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


class S3Storage(DSNQueryMixin, dsn_s3.S3Storage):
    """``s3://KEY:SECRET@BUCKET.ENDPOINT/PREFIX?...``, Divio's form, read by django-storage-url.
    Its endpoint is always ``https://ENDPOINT/``: use ``s3+http(s)://`` for any other."""

    def __init__(self, dsn):
        super().__init__(dsn)
        self.apply_query(dsn)


class EndpointS3Storage(DSNQueryMixin, s3.S3Storage):
    """``s3+https://KEY:SECRET@HOST[:PORT]/BUCKET[/PREFIX]?region=...`` and ``s3+http://``: any
    S3-compatible service (MinIO, Cloudflare R2, DigitalOcean Spaces, a local server) at an
    endpoint of its own, which ``s3://`` cannot express (no port, no plain HTTP)."""

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


SCHEMES = {
    "file": "myapp.storage.FileSystemStorage",
    "s3": "myapp.storage.S3Storage",
    "s3+http": "myapp.storage.EndpointS3Storage",
    "s3+https": "myapp.storage.EndpointS3Storage",
}


def register_schemes():
    for scheme, backend in SCHEMES.items():
        register_storage_class(scheme, backend)
