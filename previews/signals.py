"""When previews are made and deleted: once the transaction that stored or deleted a file commits.

For every model with a file field (connect(), when the app is ready), with no app naming this one:

- a row saved whose field names a file it has no previews of (a new row, a file replaced): its
  previews are made, and those of the file it replaced deleted, after the commit, so that a
  rollback leaves nothing made; once per file, never when a page is shown;
- a row deleted (one, in bulk, by a cascade): its previews are deleted after the commit, so that
  a rollback keeps them with the row.

A preview that cannot be made, and a storage that fails to delete one, are logged, never raised:
the file itself was stored, or its row deleted, and that is what the user asked for.
"""

import functools
import logging

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import connections, models, transaction
from django.db.models.signals import post_delete, post_save, pre_save

from previews import images
from previews.models import Preview

logger = logging.getLogger(__name__)

# Set by pre_save on a row whose file fields are being stored: the names of those fields.
UPLOADING = "_previews_uploading"


def file_fields(model):
    """Return the file fields of ``model`` (ImageField is one)."""
    return [field for field in model._meta.fields if isinstance(field, models.FileField)]


def connect():
    """Make and delete the previews of every model with a file field, and only of those.

    A receiver for all models would cost every other model Django's fast deletes.
    """
    for model in apps.get_models():
        if file_fields(model):
            pre_save.connect(file_saving, sender=model, dispatch_uid="previews.file_saving")
            post_save.connect(file_saved, sender=model, dispatch_uid="previews.file_saved")
            post_delete.connect(row_deleted, sender=model, dispatch_uid="previews.row_deleted")


def object_key(model, pk, using):
    """Return the primary key ``pk`` as its database writes it as text (Cast to a CharField)."""
    value = model._meta.pk.get_db_prep_value(pk, connections[using])
    return str(value)


def key(model, pk, using):
    """Return what finds the previews of a row of ``model``, whatever the field."""
    return {
        "model": ContentType.objects.db_manager(using).get_for_model(model),
        "object_id": object_key(model, pk, using),
    }


def file_saving(sender, instance, raw=False, **kwargs):
    # A file not yet committed is stored by this save (the form's, or one the browser sent ahead):
    # new content, even where a storage that replaces files keeps its name.
    setattr(
        instance,
        UPLOADING,
        {
            field.name
            for field in file_fields(sender)
            if getattr(instance, field.attname) and not getattr(instance, field.attname)._committed
        },
    )


def file_saved(sender, instance, raw=False, using=None, update_fields=None, **kwargs):
    if raw:  # loaddata: the previews, if any, come with the data
        return
    uploading = instance.__dict__.pop(UPLOADING, set())
    for field in file_fields(sender):
        if update_fields is not None and field.name not in update_fields:
            continue
        name = getattr(instance, field.attname).name or ""
        refresh = functools.partial(
            logged,
            update,
            sender,
            instance.pk,
            field,
            name,
            using,
            uploaded=field.name in uploading,
        )
        transaction.on_commit(refresh, using=using)


def row_deleted(sender, instance, using=None, **kwargs):
    transaction.on_commit(
        functools.partial(logged, forget, sender, instance.pk, using), using=using
    )


def logged(function, *args, **kwargs):
    """Run ``function``; log what it raises instead of raising it (the module's docstring)."""
    try:
        function(*args, **kwargs)
    except Exception:
        model = args[0]._meta.label
        logger.exception("Previews: %s failed for a row of %s", function.__name__, model)


def update(model, pk, field, name, using, uploaded=False):
    """Make the previews of the file ``name`` that the row ``pk`` names in ``field``, if new.

    Those of the file it named before are deleted.
    """
    found = {**key(model, pk, using), "field": field.name}
    old = Preview.objects.using(using).filter(**found).first()
    if old is not None and old.name == name and not uploaded:
        return  # made already: the row was saved with the same file
    made, tried = None, bool(name) and images.previewable(name)
    if old is None and not tried:
        return  # nothing made before, nothing to make
    if tried:
        made = make(field.storage, name)
    try:
        with transaction.atomic(using=using):
            # Locked until the previews are recorded: a delete of the row waits, then finds them.
            current = (
                model._base_manager.using(using)
                .select_for_update()
                .filter(pk=pk, **{field.attname: name})
                .exists()
            )
            if not current:
                # Deleted, or its file replaced again, since: that change's commit does the rest.
                delete(field.storage, made.names() if made else [])
                return
            if tried:
                Preview.objects.using(using).update_or_create(**found, defaults=record(name, made))
            else:
                Preview.objects.using(using).filter(**found).delete()
    except BaseException:
        delete(field.storage, made.names() if made else [])  # no record will name them
        raise
    if old is not None:
        kept = set(made.names()) if made else set()
        delete(field.storage, [n for n in old.stored_names() if n not in kept])


def make(storage, name):
    """Return the previews made of the image ``name``, or None: refused, or failed (logged)."""
    try:
        return images.make(storage, name)
    except images.Refused as refusal:
        logger.warning("Previews: none for %s: %s", name, refusal)
    except Exception:
        logger.exception("Previews: could not make those of %s", name)
    return None


def record(name, made):
    """Return what a Preview records of the previews ``made`` of the file ``name``."""
    if made is None:
        return {
            "name": name,
            "thumbnail": "",
            "thumbnail_width": None,
            "thumbnail_height": None,
            "large": "",
            "large_width": None,
            "large_height": None,
        }
    return {
        "name": name,
        "thumbnail": made.thumbnail.name,
        "thumbnail_width": made.thumbnail.width,
        "thumbnail_height": made.thumbnail.height,
        "large": made.large.name,
        "large_width": made.large.width,
        "large_height": made.large.height,
    }


def forget(model, pk, using):
    """Delete the previews of the deleted row ``pk`` of ``model``, and their records."""
    previews = list(Preview.objects.using(using).filter(**key(model, pk, using)))
    for preview in previews:
        try:
            storage = model._meta.get_field(preview.field).storage
        except FieldDoesNotExist:  # a field removed since: its storage is unknown
            logger.warning("Previews: %s left in storage", ", ".join(preview.stored_names()))
            continue
        delete(storage, preview.stored_names())
    Preview.objects.using(using).filter(pk__in=[preview.pk for preview in previews]).delete()


def delete(storage, names):
    """Delete the previews ``names`` from ``storage``, logging a failure instead of raising it."""
    for name in names:
        try:
            storage.delete(name)
        except Exception:
            logger.exception("Previews: could not delete %s from storage", name)
