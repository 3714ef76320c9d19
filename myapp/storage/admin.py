"""What an admin of a model with files needs: a storage failure said on the form, not a 500; and
how an app adds to every such admin."""

import logging

from django.contrib import messages
from django.db import models
from django.http import HttpResponseRedirect

from myapp.storage.errors import STORAGE_ERRORS, describe

logger = logging.getLogger(__name__)
# What an editor is told when the storage fails: in plain words, no endpoint, no command.
STORAGE_FAILED = (
    "The storage could not take the file just now. Try again in a few minutes; if it goes on, "
    "tell whoever runs this site."
)


class StorageErrorMessageMixin:
    """For a ModelAdmin with files: a storage failure on save comes back as a message on the form.

    When the storage fails while a form is saved (its server is down, a folder is not writable), the
    form page comes back with an error message in plain words, instead of a server error, and the
    reason goes to the log.

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
            # The reason, with its endpoint, is for whoever runs the site: in the log.
            logger.warning(
                "Nothing saved, the storage failed: %s (manage.py checkstorage tells more)",
                describe(error),
            )
            self.message_user(request, f"Nothing was saved. {STORAGE_FAILED}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def extend_file_admins(site, mixin):
    """Give each model admin of ``site`` whose model has a file field ``mixin``, once.

    How an app adds to the admins of models it never names: from its AppConfig.ready(), once
    django.contrib.admin, listed first in INSTALLED_APPS, has found every admin module.
    """
    for model, model_admin in list(site._registry.items()):
        has_files = any(isinstance(field, models.FileField) for field in model._meta.fields)
        if has_files and not isinstance(model_admin, mixin):
            admin_class = type(model_admin)
            site.unregister(model)
            site.register(model, type(admin_class.__name__, (mixin, admin_class), {}))
