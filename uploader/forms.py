from django import forms
from django.template.defaultfilters import filesizeformat

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
        # stored (myapp/storage/names.py) instead of being refused.
        file.max_length = None
