# openIMIS web/worker/beat image. Built and run by docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint's native libraries and fonts, gettext for compilemessages, curl for the healthcheck.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core gettext curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# The production settings refuse to load without a long SECRET_KEY and ALLOWED_HOSTS;
# these build-time values exist only for this step and are not kept in the image.
RUN export DJANGO_SETTINGS_MODULE=openimis.settings.production \
        SECRET_KEY=build-time-only-not-a-real-secret-0123456789abcdefghijklmnopqrstuvwxyz \
        ALLOWED_HOSTS=build.invalid \
    && if [ -d locale ]; then python manage.py compilemessages -v0; fi \
    && python manage.py collectstatic --noinput -v0

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p /app/var/media /app/var/run \
    && chown -R app:app /app/var
USER app

ENV DJANGO_SETTINGS_MODULE=openimis.settings.production \
    MEDIA_ROOT=/app/var/media
EXPOSE 8000
CMD ["gunicorn", "openimis.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
