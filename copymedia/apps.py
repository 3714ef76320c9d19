from django.apps import AppConfig


class CopyMediaConfig(AppConfig):
    """``manage.py copymedia``: media copied between two storages by rclone (docs/copymedia.md).

    Nothing else in the project imports it: removing its folder, its tests and its line in
    INSTALLED_APPS removes the command.
    """

    name = "copymedia"
    verbose_name = "Copy media"
