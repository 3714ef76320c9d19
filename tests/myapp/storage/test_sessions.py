"""The S3 storages' boto3 sessions share botocore's models: a gunicorn worker's 32 threads each make
a session (django-storages' clients are per thread), and each would read and keep its own."""

import threading

import botocore.loaders
from django_storage_url import get_storage

from myapp.storage.sessions import botocore_data_loader

S3_MODEL = "s3/2006-03-01/service-2"


def test_threads_read_botocores_s3_model_once_and_share_it(s3_server, monkeypatch):
    storage = get_storage(s3_server.new_bucket().dsn)
    read = []
    load_file = botocore.loaders.JSONFileLoader.load_file

    def recorded(loader, path):
        read.append(path)
        return load_file(loader, path)

    monkeypatch.setattr(botocore.loaders.JSONFileLoader, "load_file", recorded)
    models = []

    def first_s3_call():
        # What django-storages does in each thread: its own session, resource and client.
        models.append(storage.connection.meta.client.meta.service_model._service_description)

    threads = [threading.Thread(target=first_s3_call) for _ in range(3)]
    for thread in threads:
        thread.start()
        thread.join()

    assert len(models) == 3
    # Read at most once (not at all if another test of this process read it first), and kept once.
    assert len([path for path in read if path.endswith(S3_MODEL)]) <= 1
    assert all(model is models[0] for model in models)


def test_the_shared_loader_does_not_grow_with_each_session(s3_server):
    storage = get_storage(s3_server.new_bucket().dsn)
    storage.connection  # noqa: B018 - makes this thread's session
    paths = list(botocore_data_loader().search_paths)

    for _ in range(5):
        thread = threading.Thread(target=lambda: storage.connection)
        thread.start()
        thread.join()

    assert botocore_data_loader().search_paths == paths
