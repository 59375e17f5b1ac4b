"""Layerlab's settings: one file, every value read from the environment with a default that just runs.

Sandbox settings (SANDBOX_*) are read by engine.limits; see the README's "Configuration" table for all variables.
"""
import datetime
import os
import secrets
from pathlib import Path

from csp.constants import NONE, SELF
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured

from layerlab.env import env_bool, env_int, env_list, env_mapping, env_postgres_url, env_redis_url, env_str

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
    "axes",
    "csp",
    "teaching",
    "insight",
    "course",
    "attempts",
    "registry",
    "grading",
    "engine",
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
    "layerlab.security.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: it turns a refused login into the wait page
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

# Scaled out, every process shares one PostgreSQL database (LAYERLAB_DATABASE_URL) and one Redis
# (LAYERLAB_REDIS_URL, for the channel layer and the cache); unset, one process runs on SQLite and in memory.
POSTGRES = env_postgres_url("LAYERLAB_DATABASE_URL")
REDIS_URL = env_redis_url("LAYERLAB_REDIS_URL")

SQLITE = {
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
DATABASES = SQLITE if POSTGRES is None else {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        **POSTGRES,
        # Connections are kept between requests and checked before reuse, so a restarted database costs one
        # failed query per connection, not a restart of every process.
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {"connect_timeout": 5},
        "TEST": {"NAME": env_str("LAYERLAB_TEST_DB_NAME", f"test_{POSTGRES['NAME']}")},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# channels-redis waits for news with a 5 s blocking pop, and redis-py gives up reading after 5 s by default: reads
# must wait longer, or a page that hears nothing for 5 s may lose its socket to the race (a 1011 close).
CHANNEL_LAYER_READ_TIMEOUT = 30
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"} if REDIS_URL is None else {
    "BACKEND": "channels_redis.core.RedisChannelLayer",
    "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": CHANNEL_LAYER_READ_TIMEOUT}],
               "prefix": env_str("LAYERLAB_REDIS_PREFIX", "layerlab")},
}}
# The sign-up limit and anything else counted in Django's cache hold across processes only in a shared cache.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"} if REDIS_URL is None else {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": REDIS_URL,
    "KEY_PREFIX": env_str("LAYERLAB_REDIS_PREFIX", "layerlab"),
}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
# Each language named in itself, as Django's own table names it.
LANGUAGES = [(code, LANG_INFO[code]["name_local"]) for code in ("en", "zh-hans")]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Daphne serves /static/ itself unless a web server in front does it (set LAYERLAB_SERVE_STATIC=false then).
SERVE_STATIC = env_bool("LAYERLAB_SERVE_STATIC", True)

# Security headers (layerlab.security has the Content-Security-Policy). LAYERLAB_HTTPS=true where the site is served
# over HTTPS, directly or by a proxy that sets X-Forwarded-Proto (and overwrites one a client sent).
HTTPS = env_bool("LAYERLAB_HTTPS", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = env_int("LAYERLAB_HSTS_SECONDS", 31_536_000, minimum=0) if HTTPS else 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Nothing inline may run, nothing may frame the site; the exercise page alone adds inline styles (see course.views).
CONTENT_SECURITY_POLICY = {"DIRECTIVES": {
    "default-src": [SELF], "script-src": [SELF], "style-src": [SELF], "img-src": [SELF, "data:"],
    "connect-src": [SELF], "object-src": [NONE], "base-uri": [NONE], "form-action": [SELF],
    "frame-ancestors": [NONE],
}}

# Logins: the site's, the admin's and the registry token realm's are throttled by django-axes, with
# registry.throttle deciding who waits and how long. Failed logins are kept in the database (shared by every
# web server) and forgotten LOGIN_MEMORY_HOURS after the last one.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_FAILURES_PER_USER_AND_ADDRESS = env_int("LAYERLAB_LOGIN_FAILURES_PER_USER_AND_ADDRESS", 5, minimum=1)
LOGIN_FAILURES_PER_ADDRESS = env_int("LAYERLAB_LOGIN_FAILURES_PER_ADDRESS", 30, minimum=1)
LOGIN_FAILURES_PER_USER = env_int("LAYERLAB_LOGIN_FAILURES_PER_USER", 100, minimum=1)
LOGIN_BACKOFF_SECONDS = env_int("LAYERLAB_LOGIN_BACKOFF_SECONDS", 60, minimum=1)
LOGIN_BACKOFF_MAX_SECONDS = env_int("LAYERLAB_LOGIN_BACKOFF_MAX_SECONDS", 3600, minimum=1)
LOGIN_MEMORY_HOURS = env_int("LAYERLAB_LOGIN_MEMORY_HOURS", 24, minimum=1)
if LOGIN_FAILURES_PER_USER <= LOGIN_FAILURES_PER_ADDRESS:  # else one address could make a learner wait everywhere
    raise ImproperlyConfigured("LAYERLAB_LOGIN_FAILURES_PER_USER must be more than "
                               "LAYERLAB_LOGIN_FAILURES_PER_ADDRESS.")
AXES_HANDLER = "registry.throttle.LoginThrottle"
AXES_LOCK_OUT_AT_FAILURE = False  # axes counts; registry.throttle decides, with a limit per counter
AXES_FAILURE_LIMIT = LOGIN_FAILURES_PER_USER_AND_ADDRESS  # what axes' own log lines compare with
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # what a successful login resets: that pair only
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a refused attempt is not checked, so it is not counted
AXES_COOLOFF_TIME = datetime.timedelta(hours=LOGIN_MEMORY_HOURS)
AXES_LOCKOUT_CALLABLE = "registry.throttle.lockout_response"
AXES_VERBOSE = False  # its start-up line would name only the pair a success resets
AXES_DISABLE_ACCESS_LOG = True  # a row per successful login, kept forever, that nothing reads
# Accounts one address may create per hour (a classroom behind one address may need more).
SIGN_UPS_PER_ADDRESS_PER_HOUR = env_int("LAYERLAB_SIGN_UPS_PER_HOUR", 20, minimum=1)

# The sandbox engine. Defaults match scripts/sandbox-engine; engine.limits turns these into typed limits.
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
# A worker holds a lease on each attempt it runs and renews it every third of this; an attempt whose lease ran out
# (its worker died, or lost its engine or the database) is queued again once by any worker, then failed.
SANDBOX_LEASE_SECONDS = env_int("SANDBOX_LEASE_SECONDS", 60, minimum=3)

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
