from django import forms
from django.template.defaultfilters import filesizeformat

from myapp.storage.forms import StoredUpload
from uploader.models import UploadedFile
from uploader.validators import max_upload_size, validate_upload_size


class UploadedFileForm(forms.ModelForm):
    class Meta:
        model = UploadedFile
        fields = ["file"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        file = self.fields["file"]
        file.validators.append(validate_upload_size)
        file.help_text = f"At most {filesizeformat(max_upload_size())}."
        # The column holds 100 characters, but a longer name is shortened when the file is
        # stored (uploader/names.py) instead of being refused.
        file.max_length = None

    def clean(self):
        cleaned_data = super().clean()
        stored = cleaned_data.get("file")
        if isinstance(stored, StoredUpload):  # sent by the browser to the storage directly
            self.instance.describe(stored.original_name, stored.size, stored.content_type)
        return cleaned_data
