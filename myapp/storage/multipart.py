"""A file streamed to S3 as an upload's request body arrives, saved by completing its upload.

``uploads.S3UploadHandler`` starts a ``MultipartUpload`` for each file of a request and hands
Django a ``StreamedFile``; the S3 storage saves that file by completing the upload, under the
name it saves it as, without sending the bytes again (stored.StoredUploadsMixin).
"""

import logging
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor

from botocore.exceptions import ClientError
from storages.utils import clean_name

from myapp.storage import reservations
from myapp.storage.stored import StoredUpload

logger = logging.getLogger(__name__)


class SentElsewhere(OSError):
    """A streamed file that its request's form saves under another name, or in another storage."""


class MultipartUpload:
    """One file on its way to S3: its parts, sent a few at a time by threads of its own.

    It knows where it stands: receiving, sent, completed, saved or discarded, failed.
    """

    def __init__(self, storage, requested_name):
        self.storage = storage
        self.client = storage.connection.meta.client
        self.config = storage.transfer_config
        # The name FieldFile.save() will ask the storage for.
        self.requested_name = requested_name
        self.name = self.key = self.upload_id = self.executor = None
        self.reservation = None
        self.part = bytearray()
        self.parts = []
        self.slots = threading.BoundedSemaphore(self.config.max_concurrency)
        self.completed = self.saved = False
        self.error = None
        # As boto3's own uploads do, unless told to send checksums only where S3 requires them.
        calculation = self.client.meta.config.request_checksum_calculation
        self.checksum = {"ChecksumAlgorithm": "CRC32"} if calculation == "when_supported" else {}

    def write(self, data):
        if self.error:
            return  # nothing more is sent; saving the file raises the error
        self.part += data
        if len(self.part) >= self.config.multipart_chunksize:
            self._send_part()

    def finish(self):
        """Send what is left and wait until every part has arrived."""
        if self.part and not self.error:
            self._send_part()
        if self.executor:
            self.executor.shutdown()
        if self.error:
            self.discard()

    def _send_part(self):
        # Waits while max_concurrency parts (AWS_S3_TRANSFER_CONFIG) are on their way: the body
        # is then read no faster than S3 takes it, and memory stays bounded.
        self.slots.acquire()
        body, self.part = self.part, bytearray()
        try:
            if self.upload_id is None:
                self._create()
        except Exception as error:  # noqa: BLE001 - raised again when the file is saved
            self.error = error
            return
        future = self.executor.submit(self._upload_part, len(self.parts) + 1, body)
        future.add_done_callback(self._part_done)
        self.parts.append(future)

    def _create(self):
        # Reserved at once, so that an upload of the same name meanwhile takes another.
        self.reservation = reservations.reserve(self.storage, self.requested_name)
        self.name = self.reservation.name
        self.key = self.storage._normalize_name(clean_name(self.name))
        # The storage gives a file its type and ACL from its name alone (backends.py).
        parameters = self.storage._get_write_parameters(self.key)
        self.upload_id = self.client.create_multipart_upload(
            Bucket=self.storage.bucket_name, Key=self.key, **parameters, **self.checksum
        )["UploadId"]
        self.executor = ThreadPoolExecutor(self.config.max_concurrency, "s3-upload")

    def _upload_part(self, number, body):
        # A bytearray goes out as it is; bytes botocore would copy once more, to send them with
        # the headers, and a file object it would read a piece at a time.
        response = self.client.upload_part(
            Bucket=self.storage.bucket_name,
            Key=self.key,
            UploadId=self.upload_id,
            PartNumber=number,
            Body=body,
            **self.checksum,
        )
        checksums = {name: value for name, value in response.items() if name == "ChecksumCRC32"}
        return {"PartNumber": number, "ETag": response["ETag"], **checksums}

    def _part_done(self, future):
        self.slots.release()
        if future.exception() and not self.error:
            self.error = future.exception()

    def can_be_saved_as(self, storage, name, max_length):
        """Return whether completing the upload stores what ``storage.save(name, ...)`` would.

        That is: in the same storage, under the same name; the storage gives a name its content
        type and ACL.
        """
        return (
            # storages["default"] is django-storage-url's lazy wrapper, equal to what it wraps.
            self.storage == storage
            and name == self.requested_name
            and not (max_length and len(self.name) > max_length)
        )

    def save(self):
        self.complete()
        self.saved = True
        reservations.release(self.reservation)
        return self.name

    def open(self):
        """Return the object's bytes, streamed from S3."""
        self.complete()
        return self.client.get_object(Bucket=self.storage.bucket_name, Key=self.key)["Body"]

    def complete(self):
        if self.error:
            raise self.error
        if self.completed:
            return
        try:
            self.storage.completing_client.complete_multipart_upload(
                Bucket=self.storage.bucket_name,
                Key=self.key,
                UploadId=self.upload_id,
                MultipartUpload={"Parts": [part.result() for part in self.parts]},
                # Where S3 supports it (AWS, MinIO...), a file saved under this name since the
                # upload began is never replaced, whoever stored it.
                IfNoneMatch="*",
            )
        except ClientError as error:
            self.discard()
            if error.response["Error"]["Code"] in {
                "PreconditionFailed",
                "ConditionalRequestConflict",
            }:
                raise FileExistsError(
                    f"{self.name} was stored by another upload while this one was in "
                    "progress; nothing was replaced, but this upload must be made again."
                ) from error
            raise
        self.completed = True

    def discard(self):
        """Leave nothing behind for a file not saved: abort the upload or delete the object."""
        if self.saved or self.upload_id is None:
            return
        # Parts still on their way would otherwise land after the abort and be kept.
        self.executor.shutdown(cancel_futures=True)
        try:
            if self.completed:
                self.storage.delete(self.name)
            else:
                self.client.abort_multipart_upload(
                    Bucket=self.storage.bucket_name, Key=self.key, UploadId=self.upload_id
                )
        except Exception:
            logger.exception("Could not remove the unsaved upload %s from S3", self.key)
        reservations.release(self.reservation)
        self.upload_id = None


class StreamedFile(StoredUpload):
    """A file that S3UploadHandler sent to S3, waiting there for the storage to save it.

    Read, it completes the upload and streams the object back, for a storage that saves it under
    another name (a field's ``upload_to``) or elsewhere. Closed at the end of the request, it
    removes whatever was not saved; garbage-collected unclosed (a request that raised), too.
    """

    def __init__(self, upload, *args):
        super().__init__(None, *args)
        self.upload = upload
        self._discard = weakref.finalize(self, upload.discard)

    @property
    def file(self):
        if self._file is None:
            self._file = self.upload.open()
        return self._file

    @file.setter
    def file(self, value):
        self._file = value

    @property
    def closed(self):
        # File's own would open the file to answer.
        return self._file is None or self._file.closed

    def close(self):
        if self._file is not None:
            self._file.close()
        self._discard()

    def save_in(self, storage, name, max_length):
        if self.upload.error:
            # What stopped the upload is why the file cannot be saved.
            self.upload.discard()
            raise self.upload.error
        if self.upload.can_be_saved_as(storage, name, max_length):
            return self.upload.save()
        # Completing it under the name it was sent as, to copy it, would let anyone read it there
        # before the form's checks gave it its name: it goes, and the file must be sent again.
        self.upload.discard()
        raise SentElsewhere(
            f"{self.name} was sent to be saved as {self.upload.requested_name}, not as {name}: "
            "send it again."
        )
