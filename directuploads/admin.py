"""The admin's side of direct uploads: the views the browser's script calls, the file input, the
drop zone above the list, and several files at once with or without the script.

``enable(site)`` gives every model admin of ``site`` that has file fields the DirectUploadsMixin;
the app does it once the admin has found every admin module (DirectUploadsConfig.ready), so that
the apps with files never name this one.
"""

import copy
import json
import logging
from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone

from directuploads import cors, origins
from directuploads.forms import DirectUploadField, DirectUploadWidget, token_for
from directuploads.models import DirectUpload
from directuploads.storages import (
    UploadAltered,
    UploadGone,
    UploadIncomplete,
    for_storage,
    is_checksum,
    part_count,
    part_size,
)
from myapp.storage import reservations
from myapp.storage.admin import STORAGE_FAILED, extend_file_admins
from myapp.storage.content_types import served_content_type
from myapp.storage.errors import STORAGE_ERRORS, describe

logger = logging.getLogger(__name__)

# The header of the script's own posts of the add form: a saved form is then answered 204 with
# where the admin would have gone (SAVED_AT), instead of a redirect the browser would follow.
SCRIPT_HEADER = "X-Direct-Upload"
SAVED_AT = "X-Direct-Upload-Location"
NOT_WHOLE = "The file did not arrive whole at the storage: send it again."
ALTERED = "The file arrived altered at the storage and was not kept: send it again."
CHANGE_LIST_TEMPLATE = "directuploads/change_list.html"


def enable(site):
    """Give each model admin of ``site`` whose model has a file field the DirectUploadsMixin."""
    extend_file_admins(site, DirectUploadsMixin)


def browser_file_name(name):
    """Return a file's name as the browser gave it, cleaned as Django's upload parser cleans it.

    (MultiPartParser.sanitize_file_name, which is a method of a parser that this request has
    not.) The storage cleans it further to store it.
    """
    name = name.replace("\\", "/").rpartition("/")[2]
    name = "".join(character for character in name if character.isprintable())
    return "" if name in {".", ".."} else name


def is_script_save(request):
    return request.headers.get(SCRIPT_HEADER) == "save"


class DirectUploadsMixin:
    """For a ModelAdmin with file fields: the browser may send each file straight to the storage,
    several at once, from the add page or a drop zone above the list.

    It adds the views the browser's script calls (check, start, sign parts, complete, abort) under
    the model's admin URLs, each for a logged-in user who may add or change the model, with CSRF
    protection, and the file input that calls them. The form's own validators judge each file
    when it is chosen and before a byte is sent, by its name and announced size, and again once it
    is stored, when the form is saved. An add form posted with several files of one field (a
    browser without the script) is saved once per file.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.change_list_template is None:
            self.change_list_template = CHANGE_LIST_TEMPLATE

    def get_urls(self):
        view, info = self.admin_site.admin_view, (self.opts.app_label, self.opts.model_name)
        return [
            path(
                "direct-uploads/<str:field>/",
                view(self.start_direct_upload),
                name="{}_{}_direct_upload".format(*info),
            ),
            path(
                "direct-uploads/<str:field>/check/",
                view(self.check_direct_uploads),
                name="{}_{}_direct_upload_check".format(*info),
            ),
            path(
                "direct-uploads/<str:field>/<int:pk>/<str:step>/",
                view(self.direct_upload_step),
                name="{}_{}_direct_upload_step".format(*info),
            ),
            *super().get_urls(),
        ]

    def url_name(self, view):
        return f"admin:{self.opts.app_label}_{self.opts.model_name}_{view}"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if not isinstance(db_field, models.FileField):
            return super().formfield_for_dbfield(db_field, request, **kwargs)
        start_url = for_storage(db_field.storage) and reverse(
            self.url_name("direct_upload"), args=[db_field.name]
        )
        check_url = reverse(self.url_name("direct_upload_check"), args=[db_field.name])
        return db_field.formfield(
            form_class=DirectUploadField,
            widget=DirectUploadWidget(start_url, check_url=check_url),
            user=request.user,
            storage=db_field.storage,
            **kwargs,
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # The add page takes several files, each saved as a row of its own; the change page
        # replaces one.
        for field in form.base_fields.values():
            if isinstance(field.widget, DirectUploadWidget):
                field.widget.several = obj is None
        return form

    # The add form, and several files in it

    def add_view(self, request, form_url="", extra_context=None):
        field = self._field_with_several_files(request)
        if field:
            return self._add_each_file(request, field, form_url, extra_context)
        return super().add_view(request, form_url, extra_context)

    def changeform_view(self, request, *args, **kwargs):
        try:
            response = super().changeform_view(request, *args, **kwargs)
        except STORAGE_ERRORS as error:
            if request.method != "POST":
                raise
            # The admin's transaction has rolled back: nothing was saved.
            logger.warning(
                "Nothing saved, the storage failed: %s (manage.py checkstorage tells more)",
                describe(error),
            )
            if is_script_save(request):
                return JsonResponse({"error": STORAGE_FAILED}, status=503)
            self.message_user(request, f"Nothing was saved. {STORAGE_FAILED}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        if is_script_save(request) and response.status_code in (301, 302):
            # Saved, on the add page or the change page: said to the script, not followed.
            saved = HttpResponse(status=204)
            saved[SAVED_AT] = response["Location"]
            return saved
        # The page's script sends the parts to the storage's endpoint, another origin.
        origins.allow_uploads(response, self.model)
        return response

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        captured = getattr(request, "_direct_upload_messages", None)
        if captured is not None:  # one file of several: said once for all (_add_each_file)
            captured.append((level, str(message)))
            return
        super().message_user(request, message, level, *args, **kwargs)

    def _field_with_several_files(self, request):
        if request.method != "POST":
            return None
        for field in self.model._meta.fields:
            if isinstance(field, models.FileField) and len(request.FILES.getlist(field.name)) > 1:
                return field.name
        return None

    def _add_each_file(self, request, field, form_url, extra_context):
        """Save the add form once per file of ``field``, each in its own transaction, as the form
        with that one file would be; then go to the list, saying what failed and why."""
        saved, failed = [], []
        for file in request.FILES.getlist(field):
            single = copy.copy(request)
            single._files = request.FILES.copy()
            single._files.setlist(field, [file])
            single._direct_upload_messages = said = []
            response = super().add_view(single, form_url, extra_context)
            errors = [text for level, text in said if level >= messages.ERROR]
            if response.status_code in (301, 302) and not errors:
                saved.append(file.name)
            else:
                failed.append((file.name, errors or form_errors(response, field)))
        for name, reasons in failed:
            self.message_user(request, f"{name}: {' '.join(reasons)}", messages.ERROR)
        if saved:
            count = len(saved)
            self.message_user(
                request,
                f"{count} file{'s' if count > 1 else ''} added: {', '.join(saved)}.",
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse(self.url_name("changelist")))

    # The list, with a drop zone above it

    def changelist_view(self, request, extra_context=None):
        context = {**(extra_context or {}), "direct_upload": self._list_upload(request)}
        response = super().changelist_view(request, context)
        origins.allow_uploads(response, self.model)
        return response

    def _list_upload(self, request):
        """The add form's file input, for the list's drop zone; None without one to offer."""
        if not self.has_add_permission(request):
            return None
        form = self.get_form(request)()
        for name, field in form.fields.items():
            if isinstance(field, DirectUploadField):
                return SimpleNamespace(
                    field=form[name],
                    name=name,
                    action=reverse(self.url_name("add")),
                    media=field.widget.media,
                )
        return None

    # The views the script calls

    def check_direct_uploads(self, request, field):
        """Say, for each file the browser names (``{"files": [{"name", "size"}]}``), why the form
        would refuse it, or null: as soon as a file is chosen, whatever the storage."""
        _, body = self._script_request(request, field)
        files = body.get("files")
        if not isinstance(files, list) or len(files) > 1000:
            return JsonResponse({"error": "Give the files' names and sizes."}, status=400)
        form_field = self.get_form(request)().fields.get(field)
        errors = []
        for file in files:
            file = file if isinstance(file, dict) else {}
            name, size = browser_file_name(str(file.get("name", ""))), file.get("size")
            if not is_number(size) or not name:
                errors.append("Give the file's name and size.")
            elif size == 0:
                errors.append(f"{name} is empty.")
            else:
                errors.append(refusal(form_field, name, size))
        return JsonResponse({"errors": errors})

    def start_direct_upload(self, request, field):
        db_field, body = self._script_request(request, field)
        uploads = for_storage(db_field.storage)
        if not uploads:
            raise Http404("no direct uploads for this field")
        name, size = browser_file_name(str(body.get("name", ""))), body.get("size")
        if not is_number(size) or not name:
            return JsonResponse({"error": "Give the file's name and size."}, status=400)
        reason = refusal(self.get_form(request)().fields.get(field), name, size)
        if reason:
            return JsonResponse({"error": reason}, status=400)
        # The storage's CORS rules, asked by the server: where they refuse this page's origin,
        # the script sends the file through the server.
        origin = request.headers.get("Origin") or f"{request.scheme}://{request.get_host()}"
        if not cors.allowed(db_field.storage, origin):
            return JsonResponse({"direct": False})
        last_modified, fingerprint = body.get("last_modified"), body.get("fingerprint")
        if not is_number(last_modified) or not is_checksum(fingerprint, "sha256"):
            last_modified, fingerprint = None, ""
        target = f"{self.opts.app_label}.{self.opts.model_name}.{field}"
        try:
            upload, received = self._resumable(
                request, db_field, uploads, target, name, size, last_modified, fingerprint
            )
            if upload is None:
                upload = self._start(request, db_field, uploads, target, name, size)
                upload.last_modified, upload.fingerprint = last_modified, fingerprint
                upload.save(update_fields=["last_modified", "fingerprint"])
        except STORAGE_ERRORS as error:
            return storage_error(error)
        step = self.url_name("direct_upload_step")
        return JsonResponse(
            {
                "direct": True,
                "parts": part_count(size),
                "part_size": part_size(size),
                "checksum": upload.checksum or None,
                "received": received,
                "urls": {s: reverse(step, args=[field, upload.pk, s]) for s in STEPS},
            }
        )

    def _resumable(self, request, db_field, uploads, target, name, size, modified, fingerprint):
        """Return the unfinished upload of this user of the same file for the same field, and the
        parts the storage holds of it; (None, []) without one. Only a file the browser named by
        its date and fingerprint is resumed."""
        if not fingerprint:
            return None, []
        found = (
            DirectUpload.objects.select_related("reservation")
            .filter(
                user=request.user,
                field=target,
                original_name=name[:255],
                size=size,
                last_modified=modified,
                fingerprint=fingerprint,
                completed_at=None,
                reservation__storage=reservations.storage_key(db_field.storage),
            )
            .exclude(upload_id="")
            .order_by("-pk")
            .first()
        )
        if found is None:
            return None, []
        try:
            return found, uploads.received(found)
        except UploadGone:  # aborted or swept meanwhile: a new upload
            found.release()
            return None, []

    def _start(self, request, db_field, uploads, target, name, size):
        stored_name = db_field.generate_filename(None, name)
        # Finding a free name asks the storage.
        upload = DirectUpload.objects.create(
            reservation=reservations.reserve(
                db_field.storage, stored_name, max_length=db_field.max_length
            ),
            user=request.user,
            field=target,
            original_name=name[:255],
            size=size,
            content_type=served_content_type(stored_name),
        )
        try:
            uploads.start(upload)
        except STORAGE_ERRORS:
            upload.release()
            raise
        upload.save(update_fields=["upload_id", "checksum"])
        return upload

    def direct_upload_step(self, request, field, pk, step):
        db_field, body = self._script_request(request, field)
        uploads = for_storage(db_field.storage)
        if not uploads or step not in STEPS:
            raise Http404(step)
        found = DirectUpload.objects.select_related("reservation").filter(
            pk=pk,
            user=request.user,
            reservation__storage=reservations.storage_key(db_field.storage),
        )
        if step == "parts":
            found = found.filter(completed_at=None)
        # Completing or aborting again, as after a network failure, answers as the first did.
        upload = get_object_or_404(found)
        try:
            return STEPS[step](uploads, upload, body)
        except STORAGE_ERRORS as error:
            return storage_error(error)

    def _script_request(self, request, field):
        if request.method != "POST":
            raise PermissionDenied("POST only")
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        try:
            db_field = self.opts.get_field(field)
        except FieldDoesNotExist:
            raise Http404(field) from None
        if not isinstance(db_field, models.FileField):
            raise Http404("not a file field")
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise PermissionDenied("a JSON object is expected")
        return db_field, body


def refusal(form_field, name, size):
    """Return why the form's field refuses a file of ``name`` and ``size``, or None."""
    if form_field is None:
        return None
    try:
        # The form's own validators, on what the browser says the file is.
        form_field.run_validators(SimpleNamespace(name=name, size=size))
    except ValidationError as error:
        return " ".join(error.messages)
    return None


def form_errors(response, field):
    """Return the errors of the add form a response shows, in words."""
    context = getattr(response, "context_data", None) or {}
    adminform = context.get("adminform")
    if adminform is None:
        return ["It could not be saved."]
    form, said = adminform.form, []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        prefix = "" if name in (field, "__all__") or not label else f"{label}: "
        said += [f"{prefix}{error}" for error in errors]
    return said or [str(error) for errors in context.get("errors", []) for error in errors]


def is_number(value):
    """Return whether a JSON value is a whole number from 0 (JSON's true is none)."""
    return type(value) is int and value >= 0


def sign_parts(uploads, upload, body):
    """Sign ``{"parts": [{"number": N, "sha256": "<base64>"}, ...]}`` (``md5`` for Azure; bare
    numbers where the parts carry no checksum): each part's URL, valid with that checksum."""
    entries, count, algorithm = body.get("parts"), part_count(upload.size), upload.checksum
    numbers_wrong = JsonResponse(
        {"error": f"Parts are numbered from 1 to {count}, each once."}, status=400
    )
    if not isinstance(entries, list) or len(entries) > count:
        return numbers_wrong
    parts = {}
    for entry in entries:
        number = entry.get("number") if isinstance(entry, dict) else entry
        if not is_number(number) or not 1 <= number <= count or number in parts:
            return numbers_wrong
        checksum = entry.get(algorithm) if isinstance(entry, dict) and algorithm else None
        if algorithm and not is_checksum(checksum, algorithm):
            return JsonResponse(
                {"error": f"Each part needs its {algorithm} checksum, in base64."}, status=400
            )
        parts[number] = checksum
    if algorithm:
        # What the store will verify each part against, for completing and resuming.
        with transaction.atomic():
            locked = DirectUpload.objects.select_for_update().get(pk=upload.pk)
            locked.checksums.update({str(number): value for number, value in parts.items()})
            locked.save(update_fields=["checksums"])
        upload.checksums = locked.checksums
    signed = uploads.sign(upload, parts)
    return JsonResponse(
        {
            "urls": {number: url for number, (url, _) in signed.items()},
            "headers": {number: headers for number, (_, headers) in signed.items()},
        }
    )


def complete(uploads, upload, body):
    if upload.completed_at:
        return JsonResponse({"token": token_for(upload)})
    try:
        uploads.complete(upload)
    except UploadAltered as error:
        logger.error("A direct upload of %s was refused: %s", upload.name, error)
        upload.release()
        return JsonResponse({"error": ALTERED}, status=400)
    except UploadIncomplete as error:
        logger.warning("A direct upload of %s is not complete: %s", upload.name, error)
        return JsonResponse({"error": NOT_WHOLE}, status=400)
    except UploadGone:
        upload.release()
        return JsonResponse({"error": NOT_WHOLE}, status=400)
    upload.completed_at = timezone.now()
    upload.save(update_fields=["upload_id", "completed_at"])
    return JsonResponse({"token": token_for(upload)})


def abort(uploads, upload, body):
    uploads.discard(upload)
    upload.release()
    return JsonResponse({})


STEPS = {"parts": sign_parts, "complete": complete, "abort": abort}


def storage_error(error):
    logger.warning("A direct upload failed, the storage failed: %s", describe(error))
    return JsonResponse({"error": STORAGE_FAILED}, status=502)
