"""What an admin of a model with files needs: storage errors said, direct uploads."""

import json
import logging
from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone

from myapp.storage import direct, reservations
from myapp.storage.content_types import served_content_type
from myapp.storage.errors import STORAGE_ERRORS, describe
from myapp.storage.forms import DirectUploadField, DirectUploadWidget, StoredUpload, token_for
from myapp.storage.models import Upload

logger = logging.getLogger(__name__)


class StorageErrorMessageMixin:
    """For a ModelAdmin with files: a storage failure on save comes back as a message on the form.

    When the storage fails while a form is saved (its server is down, a folder is not writable), the
    form page comes back with an error message saying why, instead of a server error.

    The admin saves inside a transaction, which the error has rolled back by the time it is caught
    here, so no half-made row remains. add_view and change_view are the outermost steps of a save:
    the model admin's own changeform_view runs inside them and sees the error first.
    """

    def add_view(self, request, *args, **kwargs):
        return self._storage_errors_as_message(super().add_view, request, *args, **kwargs)

    def change_view(self, request, *args, **kwargs):
        return self._storage_errors_as_message(super().change_view, request, *args, **kwargs)

    def _storage_errors_as_message(self, view, request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except STORAGE_ERRORS as error:
            if request.method != "POST":
                raise  # a form page that cannot be shown: coming back to it would fail again
            reason = describe(error)
            logger.warning("Nothing saved, the storage failed: %s", reason)
            self.message_user(
                request,
                f"Nothing was saved: the file could not be stored ({reason}). Try again later; "
                "if this persists, `python manage.py checkstorage` tells what is wrong.",
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())


class DirectUploadsMixin:
    """For a ModelAdmin with file fields: the browser may send each file straight to the storage.

    It adds the views the browser's script calls (start, sign parts, complete, abort) under the
    model's admin URLs, each for a logged-in user who may add or change the model, with CSRF
    protection, and the file input that calls them. The form's own validators judge each file
    before a byte is sent, by its name and announced size, and again once it is stored, when the
    form is saved. ``direct_upload_name`` chooses the name and the content type.
    """

    def direct_upload_name(self, db_field, filename):
        """Return the name a file the browser calls ``filename`` is stored as, and its type."""
        name = db_field.generate_filename(None, filename)
        return name, served_content_type(name)

    def get_urls(self):
        view, info = self.admin_site.admin_view, (self.opts.app_label, self.opts.model_name)
        return [
            path(
                "direct-uploads/<str:field>/",
                view(self.start_direct_upload),
                name="{}_{}_direct_upload".format(*info),
            ),
            path(
                "direct-uploads/<str:field>/<int:pk>/<str:step>/",
                view(self.direct_upload_step),
                name="{}_{}_direct_upload_step".format(*info),
            ),
            *super().get_urls(),
        ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if not isinstance(db_field, models.FileField):
            return super().formfield_for_dbfield(db_field, request, **kwargs)
        uploads = direct.for_storage(db_field.storage)
        start_url = uploads and reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_direct_upload",
            args=[db_field.name],
        )
        return db_field.formfield(
            form_class=DirectUploadField,
            widget=DirectUploadWidget(start_url),
            user=request.user,
            stored_size=uploads and uploads.stored_size,
            **kwargs,
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Saved: the names those uploads held are the row's now (rolled back with the row).
        for value in form.cleaned_data.values():
            if isinstance(value, StoredUpload):
                reservations.release(value.upload)

    def start_direct_upload(self, request, field):
        db_field, uploads, body = self._direct_upload_request(request, field)
        name, size = str(body.get("name", "")), body.get("size")
        if not isinstance(size, int) or size < 0 or not name:
            return JsonResponse({"error": "Give the file's name and size."}, status=400)
        try:
            # The form's own validators, on what the browser says the file is.
            self.get_form(request)().fields[field].run_validators(
                SimpleNamespace(name=name, size=size)
            )
        except ValidationError as error:
            return JsonResponse({"error": " ".join(error.messages)}, status=400)
        stored_name, content_type = self.direct_upload_name(db_field, name)
        upload = reservations.reserve(
            db_field.storage,
            stored_name,
            max_length=db_field.max_length,
            user=request.user,
            original_name=name[:255],
            size=size,
            content_type=content_type,
        )
        try:
            uploads.start(upload)
        except STORAGE_ERRORS as error:
            reservations.release(upload)
            return storage_error(error)
        upload.save(update_fields=["upload_id"])
        step = f"admin:{self.opts.app_label}_{self.opts.model_name}_direct_upload_step"
        return JsonResponse(
            {
                "parts": direct.part_count(size),
                "part_size": direct.part_size(size),
                "urls": {s: reverse(step, args=[field, upload.pk, s]) for s in STEPS},
            }
        )

    def direct_upload_step(self, request, field, pk, step):
        db_field, uploads, body = self._direct_upload_request(request, field)
        if step not in STEPS:
            raise Http404(step)
        upload = get_object_or_404(
            Upload,
            pk=pk,
            user=request.user,
            storage=reservations.storage_key(db_field.storage),
            completed_at=None,
        )
        try:
            return STEPS[step](uploads, upload, body)
        except STORAGE_ERRORS as error:
            return storage_error(error)

    def _direct_upload_request(self, request, field):
        if request.method != "POST":
            raise PermissionDenied("POST only")
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        try:
            db_field = self.opts.get_field(field)
        except FieldDoesNotExist:
            raise Http404(field) from None
        uploads = isinstance(db_field, models.FileField) and direct.for_storage(db_field.storage)
        if not uploads:
            raise Http404("no direct uploads for this field")
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise PermissionDenied("a JSON object is expected")
        return db_field, uploads, body


def sign_parts(uploads, upload, body):
    numbers = body.get("parts")
    count = direct.part_count(upload.size)
    # Each number once: a list repeating one would cost a signature per entry.
    if (
        not isinstance(numbers, list)
        or not all(isinstance(n, int) and 1 <= n <= count for n in numbers)
        or len(set(numbers)) < len(numbers)
    ):
        return JsonResponse(
            {"error": f"Parts are numbered from 1 to {count}, each once."}, status=400
        )
    return JsonResponse({"urls": uploads.sign(upload, numbers)})


def complete(uploads, upload, body):
    try:
        uploads.complete(upload)
    except direct.UploadIncomplete as error:
        return JsonResponse({"error": f"The upload is not complete: {error}."}, status=400)
    upload.completed_at = timezone.now()
    upload.save(update_fields=["upload_id", "completed_at"])
    return JsonResponse({"token": token_for(upload)})


def abort(uploads, upload, body):
    uploads.discard(upload)
    reservations.release(upload)
    return JsonResponse({})


STEPS = {"parts": sign_parts, "complete": complete, "abort": abort}


def storage_error(error):
    reason = describe(error)
    logger.warning("A direct upload failed, the storage failed: %s", reason)
    return JsonResponse({"error": f"The storage failed ({reason})."}, status=502)
