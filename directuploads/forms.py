"""The file input of a form whose file the browser may send straight to the storage.

Rendered with a hidden field beside the file input: when the browser's script has sent the file
to the storage itself (directuploads/static/directuploads/direct-upload.js), it puts there the
token of the upload and sends the form without the file. Without the script, or where the
storage refuses the browser, the file comes with the form as in any Django form.
"""

from django import forms
from django.contrib.admin.widgets import AdminFileWidget
from django.core import signing

from directuploads.models import DirectUpload
from directuploads.storages import for_storage
from myapp.storage.reservations import storage_key
from myapp.storage.stored import StoredUpload

SALT = "directuploads.token"
# A token names a finished upload for as long as manage.py sweepuploads leaves it by default.
TOKEN_MAX_AGE = 24 * 60 * 60


def token_for(upload):
    """Return the token that names a finished upload in a form, signed."""
    return signing.dumps({"upload": upload.pk, "user": upload.user_id}, salt=SALT)


class DirectUploadedFile(StoredUpload):
    """A file the browser sent to the storage itself, as the form's validators and model see it.

    Its name is the one the browser gave, its size the stored object's; saved to the storage it
    went to, it keeps the name it was sent under (chosen by the same field when it started).
    """

    def __init__(self, upload, storage, size):
        super().__init__(None, upload.original_name, upload.content_type, size, None)
        self.upload, self.storage = upload, storage

    @property
    def file(self):
        # Read only by whoever reads the content (a validator of images, say): from the storage.
        if self._file is None:
            self._file = self.storage.open(self.upload.name)
        return self._file

    @file.setter
    def file(self, value):
        self._file = value

    def save_in(self, storage, name, max_length):
        if storage_key(storage) != self.upload.reservation.storage:
            return None
        self.upload.release()
        return self.upload.name


class DirectUploadWidget(AdminFileWidget):
    """The admin's file input, and what direct uploads need beside it: a drop zone, the rows of
    the files chosen with their progress, and the token of a file sent ahead.

    With ``several`` (the add page), the input takes several files, each saved as a row of its
    own: the script saves one form per file, and the admin splits a form posted with several
    (DirectUploadsMixin.add_view). The field still takes one file per form.
    """

    template_name = "directuploads/widget.html"
    # A file input named by its label, as on Django 5.2: Django 6.1's admin puts it in a fieldset
    # whose legend names the group and leaves the input itself without a name.
    use_fieldset = False
    # Django refuses ``multiple`` otherwise (CVE-2023-31047: a field validating one file of
    # several); value_from_datadict still gives the field one file.
    allow_multiple_selected = True

    class Media:
        js = ["directuploads/direct-upload.js"]
        css = {"all": ["directuploads/direct-upload.css"]}

    def __init__(self, start_url=None, attrs=None, check_url=None):
        super().__init__(attrs)
        self.attrs.pop("multiple", None)
        self.start_url, self.check_url = start_url, check_url
        self.several = False
        self.token = ""

    def token_name(self, name):
        return f"{name}-direct"

    def get_context(self, name, value, attrs):
        if self.several:
            attrs = {**(attrs or {}), "multiple": True}
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            start_url=self.start_url,
            check_url=self.check_url,
            token_name=self.token_name(name),
            token=self.token,
            several=self.several,
        )
        return context

    def value_from_datadict(self, data, files, name):
        self.token = data.get(self.token_name(name), "")
        if self.token and not files.get(name):
            return self.token
        # One file: the last, as a single file input gives it.
        one = {name: files.get(name)} if name in files else {}
        return super().value_from_datadict(data, one, name)

    def value_omitted_from_data(self, data, files, name):
        return not data.get(self.token_name(name)) and super().value_omitted_from_data(
            data, files, name
        )


class DirectUploadField(forms.FileField):
    """A file field that also takes the token of a direct upload this user finished.

    The file it then gives is measured in the storage, so that the size the validators check is
    the stored one, not the one announced.
    """

    widget = DirectUploadWidget
    default_error_messages = {
        "unknown_upload": "This upload was not found or not finished: choose the file again.",
    }

    def __init__(self, *, user=None, storage=None, **kwargs):
        super().__init__(**kwargs)
        self.user, self.storage = user, storage

    def to_python(self, data):
        if isinstance(data, str) and data:
            return self.stored_upload(data)
        return super().to_python(data)

    def stored_upload(self, token):
        way = for_storage(self.storage) if self.storage else None
        try:
            if way is None:  # the storage takes no direct uploads
                raise DirectUpload.DoesNotExist
            named = signing.loads(token, salt=SALT, max_age=TOKEN_MAX_AGE)
            upload = DirectUpload.objects.select_related("reservation").get(
                pk=named["upload"],
                user=self.user,
                user_id=named["user"],
                completed_at__isnull=False,
            )
        except (signing.BadSignature, KeyError, TypeError, DirectUpload.DoesNotExist):
            raise forms.ValidationError(
                self.error_messages["unknown_upload"], code="unknown_upload"
            ) from None
        return DirectUploadedFile(upload, self.storage, way.stored_size(upload))
