"""The image's environment sets glibc's allocator up for reading uploads a MiB at a time.

By default glibc gives memory back to the system as soon as twice the largest block it has mapped
lies free at the top of a thread's heap: a worker's thread that allocates and frees a few blocks
of a MiB for each MiB of a request body then has every page of them handed back and cleared again
(a page fault each). The Dockerfile's GLIBC_TUNABLES keeps them.
"""

import platform
import re
import subprocess
import sys

import pytest

from tests.helpers.project import ROOT

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or platform.libc_ver()[0] != "glibc",
    reason="GLIBC_TUNABLES is glibc's, as in the image (Debian)",
)

# In a thread, as a gunicorn worker reads a body: a few blocks of a MiB at once, freed, again.
READ_LIKE_A_WORKER = """
import resource, threading

MiB = 1024 * 1024
ROUNDS = 64

def read():
    bytearray(MiB)  # the first block of a MiB, mapped apart and freed, as any process has
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(ROUNDS):
        blocks = [bytearray(MiB) for _ in range(4)]
        del blocks
    print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / (4 * ROUNDS))

thread = threading.Thread(target=read)
thread.start()
thread.join()
"""


def image_environment():
    """The variables the Dockerfile's ``ENV NAME=value`` lines give the image."""
    return dict(re.findall(r"(?m)^ENV (\w+)=(\S+)$", (ROOT / "Dockerfile").read_text()))


def page_faults_per_mib(environment):
    """Page faults per MiB allocated by READ_LIKE_A_WORKER, run with ``environment`` alone."""
    result = subprocess.run(
        [sys.executable, "-c", READ_LIKE_A_WORKER],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout)


def test_glibc_keeps_the_memory_a_worker_frees_in_the_image():
    assert page_faults_per_mib(image_environment()) < 8  # 256 pages in a MiB


def test_without_it_every_page_is_handed_back_and_cleared_again():
    """What the variable is for: the same code, with glibc's defaults."""
    environment = {
        name: value for name, value in image_environment().items() if name != "GLIBC_TUNABLES"
    }
    assert page_faults_per_mib(environment) > 128
