"""How previews plug in (previews/apps.py): once the admin has found every admin module, each model
admin whose model has a file field shows previews, and each such model has them made and deleted
with its files; the others are left as they were. No app with files names this one."""

import re

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from previews.admin import PreviewsMixin
from previews.signals import file_fields
from tests.helpers.project import ROOT
from uploader.models import UploadedFile


def test_every_model_admin_with_files_and_only_those_shows_previews():
    with_files = {model for model in admin.site._registry if file_fields(model)}
    with_previews = {
        model
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, PreviewsMixin)
    }

    assert UploadedFile in with_files
    assert with_previews == with_files
    assert type(admin.site._registry[User]) is UserAdmin


def test_the_tutorial_s_app_never_names_this_one():
    for path in (ROOT / "uploader").rglob("*.py"):
        assert not re.search(r"\b(from|import) previews\b", path.read_text()), path
