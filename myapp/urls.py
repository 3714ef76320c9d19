from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import path

from myapp import views

urlpatterns = [
    path("admin/", admin.site.urls),
]

# Local file storage only: cloud storage serves its own files, and MEDIA_ROOT is empty then.
if settings.DEBUG and settings.MEDIA_ROOT:
    urlpatterns.extend(static(settings.MEDIA_URL, view=views.serve_media))
