"""Layerlab's settings: one file, every value read from the environment with a default that just runs.

Sandbox settings (SANDBOX_*) are read by sandbox.limits; see the README's "Configuration" table for all variables.
"""
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from layerlab.env import env_bool, env_int, env_list, env_mapping, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
STATE_DIR = Path(env_str("LAYERLAB_STATE_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)


def _secret_key() -> str:
    """DJANGO_SECRET_KEY, or a random key kept in the state directory (never in git) so sessions survive restarts."""
    key = env_str("DJANGO_SECRET_KEY", "")
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 32 characters long.")
        return key
    key_file = STATE_DIR / "secret_key"
    if not key_file.exists():
        STATE_DIR.mkdir(parents=True, exist_ok=True)
        key_file.touch(mode=0o600)
        key_file.write_text(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "course",
    "sandbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "layerlab.urls"
ASGI_APPLICATION = "layerlab.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": env_str("LAYERLAB_DB_PATH", str(STATE_DIR / "db.sqlite3")),
        # WAL lets readers (pages, replays) go on while a worker writes; IMMEDIATE makes writers queue politely.
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
        # A file, not memory, so that worker threads in tests share it the way they do in production.
        "TEST": {"NAME": env_str("LAYERLAB_TEST_DB_PATH", str(STATE_DIR / "test-db.sqlite3"))},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Daphne serves /static/ itself unless a web server in front does it (set LAYERLAB_SERVE_STATIC=false then).
SERVE_STATIC = env_bool("LAYERLAB_SERVE_STATIC", True)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# The sandbox engine. Defaults match scripts/sandbox-engine; sandbox.limits turns these into typed limits.
SANDBOX_DOCKER_HOST = env_str("SANDBOX_DOCKER_HOST", "unix:///run/layerlab-engine/docker.sock")
SANDBOX_CGROUP = env_str("LAYERLAB_CGROUP", "layerlab-sandbox")
SANDBOX_BUILD_TIMEOUT = env_int("SANDBOX_BUILD_TIMEOUT", 120, minimum=1)
SANDBOX_RUN_TIMEOUT = env_int("SANDBOX_RUN_TIMEOUT", 10, minimum=1)
SANDBOX_MEMORY_MB = env_int("SANDBOX_MEMORY_MB", 512, minimum=16)
SANDBOX_CPU_SHARES = env_int("SANDBOX_CPU_SHARES", 512, minimum=2)
SANDBOX_CPUS_MILLI = env_int("SANDBOX_CPUS_MILLI", 1000, minimum=10)
SANDBOX_PIDS = env_int("SANDBOX_PIDS", 128, minimum=8)
SANDBOX_OUTPUT_KB = env_int("SANDBOX_OUTPUT_KB", 256, minimum=1)
SANDBOX_OUTPUT_LINES = env_int("SANDBOX_OUTPUT_LINES", 5000, minimum=1)
SANDBOX_BUILD_DISK_MB = env_int("SANDBOX_BUILD_DISK_MB", 1024, minimum=1)
SANDBOX_FILE_SIZE_MB = env_int("SANDBOX_FILE_SIZE_MB", 512, minimum=1)
SANDBOX_TMPFS_MB = env_int("SANDBOX_TMPFS_MB", 64, minimum=1)
SANDBOX_RUN_USER = env_str("SANDBOX_RUN_USER", "1000:1000")
SANDBOX_REAP_AFTER = env_int("SANDBOX_REAP_AFTER", 3600, minimum=60)
SANDBOX_REAP_INTERVAL = env_int("SANDBOX_REAP_INTERVAL", 300, minimum=0)
SANDBOX_CACHE_BUDGET_MB = env_int("SANDBOX_CACHE_BUDGET_MB", 4096, minimum=0)
# Course image name -> an image to pull instead of building locally, for deployments that reach Docker Hub.
SANDBOX_BASE_IMAGE_SOURCES = env_mapping("SANDBOX_BASE_IMAGE_SOURCES", {})
# Worker threads that build and grade, per process; at most one attempt per learner runs at a time.
SANDBOX_WORKERS = env_int("SANDBOX_WORKERS", os.cpu_count() or 2, minimum=1)
# false on web servers when `manage.py sandbox_worker` processes do the work elsewhere
SANDBOX_EMBEDDED_WORKERS = env_bool("SANDBOX_EMBEDDED_WORKERS", True)

# The course registry (Docker's distribution, started by scripts/registry) and its token server, this site.
REGISTRY_HOST = env_str("REGISTRY_HOST", "127.0.0.1:5000")
REGISTRY_REALM = env_str("REGISTRY_REALM", "http://127.0.0.1:8000/registry/token")
REGISTRY_DATA_DIR = Path(env_str("REGISTRY_DATA_DIR", str(STATE_DIR / "registry")))
REGISTRY_QUOTA_MB = env_int("REGISTRY_QUOTA_MB", 200, minimum=1)
# Garbage-collect the registry's unreferenced blobs every this many sandbox sweeps (the sweep runs every
# SANDBOX_REAP_INTERVAL seconds). The collector is meant for quiet moments: a push racing it may have to be redone.
REGISTRY_GC_EVERY = env_int("REGISTRY_GC_EVERY", 12, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LAYERLAB_LOG_LEVEL", "INFO")},
}

LOGIN_REDIRECT_URL = "course"
LOGOUT_REDIRECT_URL = "course"

# Lessons and exercises, as files: see docs/lessons.md. sync_course loads them into the database.
COURSE_CONTENT_DIR = Path(env_str("LAYERLAB_COURSE_DIR", str(BASE_DIR / "course" / "content")))
LOCALE_PATHS = [BASE_DIR / "locale"]
