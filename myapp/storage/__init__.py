"""Media storage from one DSN, for every scheme: backends, errors, transfers and uploads.

Settings import ``myapp.storage.dsn``, which stays light; the storage SDKs are imported by the
modules that use them, never by this package itself.
"""
