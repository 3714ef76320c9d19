#!/usr/bin/env bash
# Builds local stand-ins for the two official images that Dockerfile and docker-compose.yml name,
# for machines that cannot pull from a registry (CI):
#   python:3.13-slim  from Debian trixie's python3.13 (python.Containerfile)
#   postgres:17       from Debian trixie's postgresql-17 (postgres.Containerfile)
# on a Debian trixie base made with debootstrap. Nothing is pulled from a registry.
#
#   containers/standins/build.sh docker   into the Docker engine that DOCKER_HOST names
#   containers/standins/build.sh podman   into podman's own store
#
# Each engine builds into its own store, so that neither needs the other. Images already built
# from the same files and CA certificates are kept (seconds instead of minutes). Needs root and
# debootstrap.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cli=${1:?usage: $0 docker|podman}
# Docker's BuildKit would look for the base image in a registry; the classic builder takes the
# local one. podman ignores the variable.
export DOCKER_BUILDKIT=0

BASE=localhost/standin/debian:trixie-slim
# The names Docker gives python:3.13-slim and postgres:17; tests/containers check that the
# Dockerfile and docker-compose.yml still ask for these.
PYTHON=docker.io/library/python:3.13-slim
POSTGRES=docker.io/library/postgres:17
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
CA_BUNDLE=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}

fingerprint=$(cat "$here"/* "$CA_BUNDLE" | sha256sum | cut -c1-16)
label() {
  "$cli" image inspect --format '{{index .Config.Labels "standin.fingerprint"}}' "$1" 2>/dev/null \
    || true
}
if [ "$(label "$PYTHON")" = "$fingerprint" ] && [ "$(label "$POSTGRES")" = "$fingerprint" ]; then
  echo "Stand-in images are up to date in $cli ($PYTHON, $POSTGRES)."
  exit 0
fi

replaced=$("$cli" image inspect --format '{{.Id}}' "$BASE" "$PYTHON" "$POSTGRES" 2>/dev/null \
  || true)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "debootstrap trixie -> $BASE ($cli)"
debootstrap --variant=minbase trixie "$work/rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 30 "$work/debootstrap.log"; exit 1; }
tar -C "$work/rootfs" -c . | "$cli" import --change 'CMD ["bash"]' - "$BASE" >/dev/null
rm -rf "$work/rootfs"

mkdir "$work/context"
cp "$here"/* "$work/context/"
cp "$CA_BUNDLE" "$work/context/ca-certificates.crt"
for image in "python:$PYTHON" "postgres:$POSTGRES"; do
  name=${image%%:*} tag=${image#*:}
  echo "$cli build $tag"
  "$cli" build --quiet --label "standin.fingerprint=$fingerprint" --tag "$tag" \
    --file "$work/context/$name.Containerfile" "$work/context" >/dev/null
done

# The images these replace are of no more use (unless a container still runs on one).
# shellcheck disable=SC2086
[ -z "$replaced" ] || "$cli" rmi $replaced >/dev/null 2>&1 || true
