"""Settings of the reference project: production-like (DEBUG off), its own database."""

import environ

env = environ.Env()
DEBUG = False
SECRET_KEY = env.str("REFERENCE_SECRET_KEY", default="reference-" + "x" * 50)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "testserver"])
ROOT_URLCONF = "benchmarks.reference.urls"
INSTALLED_APPS = []
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
DATABASES = {
    "default": env.db_url(
        "REFERENCE_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/wt_bench_ref"
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = 60
USE_TZ = True
TIME_ZONE = "Europe/Berlin"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
