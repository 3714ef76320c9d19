"""Run a command in docker compose's web container as the owner of the checkout.

docker-compose.yml makes this the entrypoint of `web`, started as root, so it runs before the
server of `docker compose up` and before any `docker compose run web ...`. It hands /data and
/data/media (made if missing: Docker creates a missing ./data for root) to whoever owns the
checkout mounted at /app, becomes that user and group, and runs the command. Whatever the
container writes into the checkout or ./data then belongs to that user, whatever their ids, with
no variable to set. A checkout owned by root runs as root; a container that compose does not
start as root (a `user:` override, rootless engines) runs the command unchanged.
"""

import os
import sys

if os.getuid() == 0:
    owner = os.stat("/app")
    for folder in ("/data", "/data/media"):
        os.makedirs(folder, exist_ok=True)
        os.chown(folder, owner.st_uid, owner.st_gid)
    # Groups first, then the group, then the user: once the user is dropped nothing else can be.
    os.setgroups([])
    os.setgid(owner.st_gid)
    os.setuid(owner.st_uid)
os.execvp(sys.argv[1], sys.argv[1:])  # noqa: S606 - becomes the command it was given
