"""A folder as either side of a copy: its listing, and files written beside their name first."""

import pytest
from django.core.exceptions import SuspiciousFileOperation

from myapp.storage.folders import TEMPORARY_PREFIX, is_temporary
from myapp.storage.transfer import Listed
from tests.helpers.copies import fill_folder, folder_dsn, in_folder, listed_side

# Saving to a cloud storage looks up the names that uploads in progress hold.
pytestmark = pytest.mark.django_db


def test_a_listing_has_every_file_with_its_size(tmp_path):
    fill_folder(tmp_path, {"a.txt": b"hello", "x/y/b.txt": b"hi"})
    assert listed_side(folder_dsn(tmp_path)).files == {
        "a.txt": Listed(5),
        "x/y/b.txt": Listed(2),
    }


def test_a_temporary_name_is_told_apart_from_an_upload(tmp_path):
    assert is_temporary(f"photos/{TEMPORARY_PREFIX}0123")
    assert not is_temporary("photos/copymedia-0123")


def copy_between_folders(tmp_path, files, name):
    fill_folder(tmp_path / "source", files)
    (tmp_path / "copy").mkdir()
    source = listed_side(folder_dsn(tmp_path / "source"))
    destination = listed_side(folder_dsn(tmp_path / "copy"))
    counted = []
    destination.write(name, source, counted.append)
    return sum(counted)


def test_a_file_is_written_into_folders_made_for_it_with_the_storages_permissions(tmp_path):
    counted = copy_between_folders(tmp_path, {"x/y/a.txt": b"hello"}, "x/y/a.txt")
    assert in_folder(tmp_path / "copy") == {"x/y/a.txt": b"hello"}
    assert (tmp_path / "copy" / "x/y/a.txt").stat().st_mode & 0o777 == 0o644
    assert counted == 5


def test_a_name_outside_the_folder_is_refused(tmp_path):
    with pytest.raises(SuspiciousFileOperation):
        copy_between_folders(tmp_path, {"a.txt": b"a"}, "../a.txt")
    assert in_folder(tmp_path / "copy") == {}
