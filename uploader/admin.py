from django.contrib import admin

from uploader.models import UploadedFile

admin.site.register(UploadedFile)
