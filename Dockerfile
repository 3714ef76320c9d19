# The image that docker compose runs locally and Divio builds and deploys. Divio builds it with no
# environment variables and no services, then starts it with its own variables and sends traffic
# to port 80 (README, "Divio deployment checklist").
FROM python:3.13-slim

# Log lines reach `docker compose logs` and Divio's log view as they are written.
ENV PYTHONUNBUFFERED=1

# glibc keeps the memory that reading an upload a MiB at a time frees, instead of handing it back
# and clearing it afresh for the next MiB (docs/benchmarks.md, "How uploads are tuned").
ENV GLIBC_TUNABLES=glibc.malloc.mmap_threshold=16777216:glibc.malloc.trim_threshold=67108864

# The unprivileged user the server runs as (see USER below).
RUN useradd --uid 1000 --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin app

WORKDIR /app

# Requirements first, so that a code change does not reinstall them on a local rebuild.
COPY requirements.txt /app/
# Every package pinned with its hashes: pip installs exactly these, or refuses.
RUN pip install --no-cache-dir --require-hashes -r requirements.txt

COPY . /app

# Settings import with no variable at all (DEBUG off, no database), which is how Divio builds.
RUN python manage.py collectstatic --noinput

# The server runs unprivileged and cannot change its own code or static files (both stay owned by
# root). Numeric, so that a platform can verify it is not root (Kubernetes' runAsNonRoot). UID 1000
# is the usual first user on Linux; docker-compose.yml runs the local container as your own user
# instead, so that uploads in ./data are yours.
USER 1000:1000

# Port 80 as Divio requires; Docker 20.10 and later let an unprivileged process bind it.
EXPOSE 80

# CMD, not ENTRYPOINT: docker compose and Divio's release command replace it with their own
# command. Everything else gunicorn needs is in gunicorn.conf.py, which it reads from /app.
CMD ["gunicorn", "--bind=0.0.0.0:80", "--forwarded-allow-ips=*", "myapp.wsgi"]
