"""Upload handlers: the request body goes to the storage in large pieces, to S3 while it arrives.

Django's own handlers read the body 64 KiB at a time and receive a file over 2.5 MB into a
temporary file, which saving the form then sends to the storage. docs/benchmarks.md has the
figures behind each choice made here.
"""

import os
import tempfile

from django.conf import settings
from django.core.exceptions import DisallowedHost, FieldDoesNotExist, SuspiciousFileOperation
from django.core.files import uploadhandler
from django.core.files.storage import FileSystemStorage, storages
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile, UploadedFile
from django.db import models
from django.urls import Resolver404, resolve
from storages.backends.s3 import S3Storage

from myapp.storage.multipart import MultipartUpload, StreamedFile
from myapp.storage.names import private_name

# gunicorn hands the body over up to 1 MiB at a time and keeps what a smaller read leaves over by
# copying it again: read in smaller pieces, each byte is copied many times over.
CHUNK_SIZE = 1024 * 1024
# The folder of file storage's media folder where files are received, to be renamed into place.
UPLOADING_FOLDER = private_name("uploading")


class LargeChunksMixin:
    """Reads the body a MiB at a time."""

    chunk_size = CHUNK_SIZE


class MemoryFileUploadHandler(LargeChunksMixin, uploadhandler.MemoryFileUploadHandler):
    pass


class TemporaryFileUploadHandler(LargeChunksMixin, uploadhandler.TemporaryFileUploadHandler):
    """Receives a file over 2.5 MB into a temporary file that the storage then moves into place.

    With file storage, the temporary file is in a hidden folder of the media folder: moving it is
    then a rename. From the system's temporary folder (Django's FILE_UPLOAD_TEMP_DIR) it may be a
    copy of the whole file: a container's /tmp and its /data volume are two filesystems.
    """

    def new_file(self, *args, **kwargs):
        storage = storages["default"]
        if not isinstance(storage, FileSystemStorage):
            return super().new_file(*args, **kwargs)
        uploadhandler.FileUploadHandler.new_file(self, *args, **kwargs)
        self.file = MediaTemporaryUploadedFile(
            os.path.join(storage.location, UPLOADING_FOLDER),
            self.file_name,
            self.content_type,
            self.charset,
            self.content_type_extra,
        )


class MediaTemporaryUploadedFile(TemporaryUploadedFile):
    def __init__(self, folder, name, content_type, charset, content_type_extra):
        # As Django's own, in ``folder``, which Django would only take from a setting (and its
        # check refuses a setting naming a folder that does not exist yet).
        os.makedirs(folder, exist_ok=True)
        suffix = ".upload" + os.path.splitext(name)[1]
        # Closed, and so deleted, with the uploaded file.
        file = tempfile.NamedTemporaryFile(suffix=suffix, dir=folder)  # noqa: SIM115
        UploadedFile.__init__(self, file, name, content_type, 0, charset, content_type_extra)


class S3UploadHandler(LargeChunksMixin, uploadhandler.FileUploadHandler):
    """Send each file to S3 storage in parts as the request body arrives.

    The upload then ends moments after the body does, and the worker holds a few parts in memory
    whatever the file's size. Any other file goes to the next handler.

    Only a file that an admin form of this user, posted from a page of this site, would save in
    an S3 storage is sent: the body arrives before the CSRF check and the view can refuse it,
    and nobody else's request may cost storage traffic. The parts form a multipart upload under
    the name the form's field will save it as, invisible in the bucket until the storage saves
    the file (stored.StoredUploadsMixin): only then is it completed, and only if no file has that
    name by then. A request that fails, or whose file is not saved, aborts it. If S3 fails
    meanwhile, the rest of the file is dropped and saving it raises the error, where Django raises
    any storage error.
    """

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        self.upload = None
        destination = streamed_destination(self.request, field_name, file_name)
        if destination:
            self.upload = MultipartUpload(*destination)
            # Django's parser closes a handler's `file` when an upload is stopped or skipped.
            self.file = StreamedFile(
                self.upload,
                self.file_name,
                self.content_type,
                0,
                self.charset,
                self.content_type_extra,
            )
            raise uploadhandler.StopFutureHandlers()

    def receive_data_chunk(self, raw_data, start):
        if self.upload is None:
            return raw_data
        self.upload.write(raw_data)
        return None

    def file_complete(self, file_size):
        if self.upload is None:
            return None
        if not file_size:
            # An empty file needs no upload: the storage stores it as it stores any small file.
            self.file.close()
            return SimpleUploadedFile(self.file_name, b"", self.content_type)
        self.upload.finish()
        self.file.size = file_size
        return self.file

    def upload_interrupted(self):
        if self.upload is not None:
            self.file.close()


def streamed_destination(request, field_name, file_name):
    """Return the S3 storage and the name that ``file_name`` of the form field ``field_name``
    will be saved as by the admin view ``request`` is for, if its user may save it there and the
    request comes from a page of this site; else None.

    A field whose upload_to is a function of the row is left out: its name is known only once
    the form is saved.
    """
    model_admin = getattr(admin_view(request), "model_admin", None)
    user = getattr(request, "user", None)
    if not (model_admin and user and user.is_authenticated and from_this_site(request)):
        return None
    if not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)):
        return None
    try:
        field = model_admin.model._meta.get_field(field_name)
    except FieldDoesNotExist:
        return None
    if not isinstance(field, models.FileField) or callable(field.upload_to):
        return None
    # A gzipped storage compresses a file before sending it: it must send it itself.
    if not isinstance(field.storage, S3Storage) or field.storage.gzip:
        return None
    try:
        return field.storage, field.generate_filename(None, file_name)
    except SuspiciousFileOperation:
        return None


def admin_view(request):
    """Return the view the request is for: a ModelAdmin's has its ``model_admin``."""
    try:
        return resolve(request.path_info).func
    except Resolver404:
        return None


def from_this_site(request):
    """Return whether the request's Origin is this site, as a browser says for every POST.

    The CSRF check proper, of the form's token, comes once the body has been read.
    """
    try:
        site = f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:
        return False
    return request.headers.get("Origin") in {site, *settings.CSRF_TRUSTED_ORIGINS}
