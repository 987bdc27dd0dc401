# Production image of the Terminvergabesystem: gunicorn serving Django, the same image runs the
# Celery worker and beat (see docker-compose.yml). Build: docker build -t wiesbaden-abh .
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Shared libraries and a font for WeasyPrint (PDF confirmations); no compiler is needed, every
# locked dependency ships a wheel.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, in their own layer, so that a code change does not reinstall them all:
# the runtime dependencies declared in pyproject.toml, pinned by the constraints file.
COPY pyproject.toml requirements.lock ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -c requirements.lock -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The project itself (dependencies are already satisfied, so this only installs the package).
COPY . .
RUN pip install -c requirements.lock . \
    && rm -rf build *.egg-info

# Static files are collected into the image (served by whitenoise). The settings accept this
# throw-away key only together with DJANGO_COLLECTSTATIC=1; nothing secret is baked in.
RUN DJANGO_COLLECTSTATIC=1 SECRET_KEY=build-only-not-secret DEBUG=off \
        python manage.py collectstatic --noinput \
    && mkdir -p /app/var \
    && chown app:app /app/var

USER app

EXPOSE 8000

# gunicorn.conf.py (read from /app) sets the access log: paths only, no query strings.
CMD ["gunicorn", "--config", "gunicorn.conf.py", "wiesbaden_abh.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
