"""The uploader's app (uploader/apps.py): once Django has loaded it, its check runs with every
start-up, so that a wrong UPLOAD_MAX_SIZE stops runserver, migrate and gunicorn."""

from tests.helpers.project import manage


def test_manage_py_check_names_a_wrong_upload_max_size():
    """A fresh process, as a start-up is: nothing but the app, once loaded, registers the check."""
    result = manage("check", DJANGO_DEBUG="True", UPLOAD_MAX_SIZE="lots")

    assert result.returncode == 1
    assert "(uploader.E001) UPLOAD_MAX_SIZE is not usable: 'lots' is not a size" in result.stderr


def test_manage_py_check_passes_a_good_one():
    result = manage("check", DJANGO_DEBUG="True", UPLOAD_MAX_SIZE="2G")

    assert result.returncode == 0, result.stderr
