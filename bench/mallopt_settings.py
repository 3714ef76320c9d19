"""The project with glibc's allocator set up by a mallopt() call in the process, as its upload
handlers once did, instead of by the Dockerfile's GLIBC_TUNABLES, for ``python -m bench.upload
--variants mallopt`` (which leaves the variable out): the same thresholds, read from the
Dockerfile. Called when the settings are imported: in gunicorn's worker, before any request.
"""

import ctypes
import re
from pathlib import Path

from bench.moto_settings import *  # noqa: F403

# glibc's mallopt() parameters (malloc.h), by the names of their tunables.
PARAMETERS = {"glibc.malloc.trim_threshold": -1, "glibc.malloc.mmap_threshold": -3}

_dockerfile = (Path(__file__).parents[1] / "Dockerfile").read_text()
_tunables = re.search(r"(?m)^ENV GLIBC_TUNABLES=(\S+)$", _dockerfile)[1]
_mallopt = ctypes.CDLL(None).mallopt
for _name, _value in (tunable.split("=") for tunable in _tunables.split(":")):
    if _mallopt(PARAMETERS[_name], int(_value)) != 1:
        raise RuntimeError(f"mallopt refused {_name}={_value}")
