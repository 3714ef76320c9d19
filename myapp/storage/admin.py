import logging

from django.contrib import messages
from django.http import HttpResponseRedirect

from myapp.storage.errors import STORAGE_ERRORS, describe

logger = logging.getLogger(__name__)


class StorageErrorMessageMixin:
    """For a ModelAdmin with files: a storage failure on save comes back as a message on the form.

    When the storage fails while a form is saved (its server is down, a folder is not writable), the
    form page comes back with an error message saying why, instead of a server error.

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
            reason = describe(error)
            logger.warning("Nothing saved, the storage failed: %s", reason)
            self.message_user(
                request,
                f"Nothing was saved: the file could not be stored ({reason}). Try again later; "
                "if this persists, `python manage.py checkstorage` tells what is wrong.",
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())
