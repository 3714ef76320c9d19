from myapp.storage.models import Upload  # noqa: F401 - Django finds an app's models here
