#!/usr/bin/env bash
# Builds, with podman, local stand-ins for the two official images that Dockerfile and
# docker-compose.yml name, for machines that have no Docker engine and cannot pull (CI):
#   python:3.13-slim  from Debian trixie's python3.13 (python.Containerfile)
#   postgres:17       from Debian trixie's postgresql-17 (postgres.Containerfile)
# on a Debian trixie base made with debootstrap. Nothing is pulled from a registry.
# Images already built from the same files and CA certificates are kept (a few seconds instead
# of about two minutes). Needs root, podman and debootstrap (containers/test.py says how).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

BASE=localhost/standin/debian:trixie-slim
# The names Docker gives python:3.13-slim and postgres:17; containers/test.py checks that the
# Dockerfile and docker-compose.yml still ask for these.
PYTHON=docker.io/library/python:3.13-slim
POSTGRES=docker.io/library/postgres:17
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
CA_BUNDLE=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}

fingerprint=$(cat "$here"/* "$CA_BUNDLE" | sha256sum | cut -c1-16)
label() { podman image inspect --format '{{index .Labels "standin.fingerprint"}}' "$1" 2>/dev/null || true; }
if [ "$(label "$PYTHON")" = "$fingerprint" ] && [ "$(label "$POSTGRES")" = "$fingerprint" ]; then
  echo "Stand-in images are up to date ($PYTHON, $POSTGRES)."
  exit 0
fi

replaced=$(podman image inspect --format '{{.Id}}' "$BASE" "$PYTHON" "$POSTGRES" 2>/dev/null || true)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "debootstrap trixie -> $BASE"
debootstrap --variant=minbase trixie "$work/rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 30 "$work/debootstrap.log"; exit 1; }
tar -C "$work/rootfs" -c . | podman import --quiet --change 'CMD ["bash"]' - "$BASE" >/dev/null
rm -rf "$work/rootfs"

mkdir "$work/context"
cp "$here"/* "$work/context/"
cp "$CA_BUNDLE" "$work/context/ca-certificates.crt"
for image in "python:$PYTHON" "postgres:$POSTGRES"; do
  name=${image%%:*} tag=${image#*:}
  echo "podman build $tag"
  podman build --quiet --label "standin.fingerprint=$fingerprint" --tag "$tag" \
    --file "$work/context/$name.Containerfile" "$work/context" >/dev/null
done

# The images these replace are of no more use (unless a container still runs on one).
# shellcheck disable=SC2086
[ -z "$replaced" ] || podman rmi $replaced >/dev/null 2>&1 || true
