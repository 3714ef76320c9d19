"""The file input of a form whose file the browser may send straight to the storage.

Rendered with a hidden field beside the file input: when the browser's script has sent the file
to the storage itself (myapp/static/myapp/direct-upload.js), it puts there the token of the
upload and sends the form without the file. Without the script, or where the storage refuses
the browser, the file comes with the form as in any Django form.
"""

from django import forms
from django.contrib.admin.widgets import AdminFileWidget
from django.core import signing

from myapp.storage.models import Upload

SALT = "myapp.storage.direct-upload"
# A token names a finished upload for as long as manage.py sweepuploads leaves it by default.
TOKEN_MAX_AGE = 24 * 60 * 60


def token_for(upload):
    """Return the token that names a finished upload in a form, signed."""
    return signing.dumps({"upload": upload.pk, "user": upload.user_id}, salt=SALT)


class StoredUpload(str):
    """A file a browser sent to the storage directly: its name in the storage.

    FileField takes a name for a file already stored; what was recorded of the upload comes
    with it: ``original_name``, ``size``, ``content_type`` and the ``upload`` that holds the name.
    """

    def __new__(cls, upload, size):
        stored = super().__new__(cls, upload.name)
        stored.upload, stored.size = upload, size
        stored.original_name, stored.content_type = upload.original_name, upload.content_type
        return stored

    @property
    def name(self):
        # As an UploadedFile's: what validators show of it is the name it was uploaded as.
        return self.original_name


class DirectUploadWidget(AdminFileWidget):
    """The admin's file input, and what direct uploads need beside it."""

    template_name = "myapp/direct_upload_widget.html"

    class Media:
        js = ["myapp/direct-upload.js"]
        css = {"all": ["myapp/direct-upload.css"]}

    def __init__(self, start_url=None, attrs=None):
        super().__init__(attrs)
        self.start_url = start_url
        self.token = ""

    def token_name(self, name):
        return f"{name}-direct"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            start_url=self.start_url, token_name=self.token_name(name), token=self.token
        )
        return context

    def value_from_datadict(self, data, files, name):
        self.token = data.get(self.token_name(name), "")
        if self.token and not files.get(name):
            return self.token
        return super().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data, files, name):
        return not data.get(self.token_name(name)) and super().value_omitted_from_data(
            data, files, name
        )


class DirectUploadField(forms.FileField):
    """A file field that also takes the token of a direct upload this user finished.

    ``stored_size(upload)`` measures the stored file, so that the size checked is the stored
    one, not the one announced.
    """

    widget = DirectUploadWidget
    default_error_messages = {
        "unknown_upload": "This upload was not found or not finished: choose the file again.",
    }

    def __init__(self, *, user=None, stored_size=None, **kwargs):
        super().__init__(**kwargs)
        self.user, self.stored_size = user, stored_size

    def to_python(self, data):
        if isinstance(data, str) and data:
            return self.stored_upload(data)
        return super().to_python(data)

    def stored_upload(self, token):
        if self.stored_size is None:  # the storage takes no direct uploads
            raise forms.ValidationError(
                self.error_messages["unknown_upload"], code="unknown_upload"
            )
        try:
            named = signing.loads(token, salt=SALT, max_age=TOKEN_MAX_AGE)
            upload = Upload.objects.get(
                pk=named["upload"],
                user=self.user,
                user_id=named["user"],
                completed_at__isnull=False,
            )
        except (signing.BadSignature, KeyError, TypeError, Upload.DoesNotExist):
            raise forms.ValidationError(
                self.error_messages["unknown_upload"], code="unknown_upload"
            ) from None
        return StoredUpload(upload, self.stored_size(upload))
