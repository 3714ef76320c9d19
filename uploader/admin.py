from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html

from myapp.storage.admin import DirectUploadsMixin, StorageErrorMessageMixin
from uploader.forms import UploadedFileForm
from uploader.lifecycle import delete_stored_files_on_error
from uploader.models import UploadedFile
from uploader.names import storage_name


@admin.register(UploadedFile)
class UploadedFileAdmin(DirectUploadsMixin, StorageErrorMessageMixin, admin.ModelAdmin):
    form = UploadedFileForm
    # Every column comes from the row itself (the link's URL is computed, never fetched), so a
    # page costs the same few queries and no storage call however many rows it shows.
    list_display = ["name", "size_display", "content_type", "uploaded_at", "uploaded_by", "link"]
    # Django joins only non-null foreign keys by itself: without this, one query per row.
    list_select_related = ["uploaded_by"]
    search_fields = ["name"]
    list_per_page = 100
    # A search counts its matches only, not the whole table a second time.
    show_full_result_count = False
    details = ["name", "size_display", "content_type", "uploaded_at", "uploaded_by"]

    def get_readonly_fields(self, request, obj=None):
        return self.details if obj else []

    @admin.display(description="size", ordering="size")
    def size_display(self, obj):
        return None if obj.size is None else filesizeformat(obj.size)

    @admin.display(description="file")
    def link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.file.url, obj.file.name)

    def save_model(self, request, obj, form, change):
        if "file" in form.changed_data:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)

    def direct_upload_name(self, db_field, filename):
        return storage_name(filename)

    def changeform_view(self, request, *args, **kwargs):
        # The admin saves inside a transaction of its own: if a later step or the commit fails,
        # the new file must go as its row does.
        with delete_stored_files_on_error():
            return super().changeform_view(request, *args, **kwargs)
