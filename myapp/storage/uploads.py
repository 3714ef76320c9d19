"""Upload handlers: the request body goes to the storage in large pieces, to S3 while it arrives.

Django's own handlers read the body 64 KiB at a time and receive a file over 2.5 MB into a
temporary file, which saving the form then sends to the storage. docs/benchmarks.md has the
figures behind each choice made here.
"""

import os
import tempfile

from django.core.files import uploadhandler
from django.core.files.storage import FileSystemStorage, storages
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile, UploadedFile

from myapp.storage.allocator import MiB, keep_freed_memory_for_reuse
from myapp.storage.multipart import MultipartUpload, StreamedFile, StreamedUploadsMixin
from myapp.storage.names import private_name

# gunicorn hands the body over up to 1 MiB at a time and keeps what a smaller read leaves over by
# copying it again: read in smaller pieces, each byte is copied many times over.
CHUNK_SIZE = MiB
# The folder of file storage's media folder where files are received, to be renamed into place.
UPLOADING_FOLDER = private_name("uploading")


class LargeChunksMixin:
    """Reads the body a MiB at a time, with the allocator set up for it."""

    chunk_size = CHUNK_SIZE

    def __init__(self, request=None):
        super().__init__(request)
        keep_freed_memory_for_reuse()


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
    whatever the file's size. With any other storage, the next handler takes the file.

    The parts form a multipart upload, invisible in the bucket until the storage saves the file
    (StreamedUploadsMixin.save): only then is it completed, under the name saved, and only if no
    file has that name by then. A request that fails, or whose file is not saved, aborts it. If
    S3 fails meanwhile, the rest of the file is dropped and saving it raises the error, where
    Django raises any storage error.
    """

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        storage = storages["default"]
        self.upload = None
        # A gzipped storage compresses a file before sending it: it must send it itself.
        if isinstance(storage, StreamedUploadsMixin) and not storage.gzip:
            self.upload = MultipartUpload(storage, self.file_name)
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
