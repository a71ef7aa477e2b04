"""One settings module, configured from the environment (see docs/operations.md).

OSSERVATORIO_ENV=production switches on the hardened defaults that `check --deploy` expects;
anything else is a development/demo run on the embedded SQLite database.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "si", "sì"}


PRODUCTION = env("OSSERVATORIO_ENV", "development") == "production"
DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)

# Writable state (SQLite database, warehouse, uploads, generated reports) lives outside the package.
VAR_DIR = Path(env("OSSERVATORIO_VAR_DIR", str(PROJECT_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)
# Read-only real open-data extracts used by loaders, tests and benchmarks.
DATA_DIR = Path(env("OSSERVATORIO_DATA_DIR", str(PROJECT_DIR.parent / "shared" / "data"))).resolve()

if PRODUCTION:
    SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
else:
    SECRET_KEY = env("DJANGO_SECRET_KEY", "dev-only-not-secret-" + "x" * 40)

ALLOWED_HOSTS = [h for h in (env("DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "*") or "").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in (env("DJANGO_CSRF_TRUSTED_ORIGINS", "") or "").split(",") if o]

# The ente running this instance: nothing in the code assumes a particular comune or ambito.
OSSERVATORIO = {
    "ENTE_NAME": env("OSSERVATORIO_ENTE_NAME", "Osservatorio welfare"),
    "ENTE_DEPARTMENT": env("OSSERVATORIO_ENTE_DEPARTMENT", "Politiche sociali"),
    "ENTE_URL": env("OSSERVATORIO_ENTE_URL", ""),
    # Code of the ente in the IPA index (indicepa.gov.it): the publisher's dct:identifier in DCAT-AP_IT.
    "ENTE_IPA_CODE": env("OSSERVATORIO_ENTE_IPA_CODE", ""),
    # ISTAT code of the comune of the ente and code of its ambito (both optional).
    "HOME_COMUNE": env("OSSERVATORIO_HOME_COMUNE", ""),
    "HOME_AMBITO": env("OSSERVATORIO_HOME_AMBITO", ""),
    "CONTACT_EMAIL": env("OSSERVATORIO_CONTACT_EMAIL", "urp@example.invalid"),
    "DPO_EMAIL": env("OSSERVATORIO_DPO_EMAIL", "dpo@example.invalid"),
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "auditlog",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "osservatorio.core",
    "osservatorio.accounts",
    "osservatorio.territory",
    "osservatorio.sources",
    "osservatorio.records",
    "osservatorio.indicators",
    "osservatorio.measures",
    "osservatorio.atlas",
    "osservatorio.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous GETs of public pages answered from the shared page cache, before any session/auth work.
    "osservatorio.core.middleware.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "osservatorio.core.middleware.ItalianFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "osservatorio.accounts.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "osservatorio.core.middleware.UserFacing404Middleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Last, so that it sees the outcome of authentication attempts.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "osservatorio.urls"
WSGI_APPLICATION = "osservatorio.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "osservatorio.core.context_processors.ente",
                "osservatorio.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'osservatorio.sqlite3'}",
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60") or 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server and background tasks read while an import writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "osservatorio.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "osservatorio.accounts.passwords.CharacterClassValidator"},
]

# Lock-out after repeated failures (django-axes): per user name and address.
AXES_FAILURE_LIMIT = int(env("OSSERVATORIO_LOGIN_FAILURE_LIMIT", "5") or 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_VERBOSE = False
# Behind a reverse proxy, how many X-Forwarded-For hops to trust for the client address (0: none).
OSSERVATORIO_PROXY_COUNT = int(env("OSSERVATORIO_PROXY_COUNT", "0") or 0)
AXES_IPWARE_PROXY_COUNT = OSSERVATORIO_PROXY_COUNT or None
# axes would log the user name of every failed login: log a keyed digest instead.
AXES_CLIENT_STR_CALLABLE = "osservatorio.accounts.logsafe.axes_client_str"

SESSION_COOKIE_AGE = int(env("OSSERVATORIO_SESSION_SECONDS", str(8 * 3600)) or 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
OSSERVATORIO_IDLE_TIMEOUT = int(env("OSSERVATORIO_IDLE_TIMEOUT", str(30 * 60)) or 0)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", "31536000") or 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italiano")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploads are kept outside the web root and never served directly.
MEDIA_ROOT = VAR_DIR / "uploads"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
OSSERVATORIO_UPLOAD_MAX_BYTES = int(env("OSSERVATORIO_UPLOAD_MAX_BYTES", str(250 * 1024 * 1024)) or 0)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env("OSSERVATORIO_API_RATE", "600/minute")},
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
}
# Page downloads (CSV/Excel/JSON tables, bulk ZIP of a release) per client address (atlas.ratelimit).
OSSERVATORIO_DOWNLOAD_RATE = env("OSSERVATORIO_DOWNLOAD_RATE", "120/minute")
OSSERVATORIO_BULK_RATE = env("OSSERVATORIO_BULK_RATE", "20/hour")
SPECTACULAR_SETTINGS = {
    "TITLE": "Osservatorio API",
    "DESCRIPTION": "Dati aggregati e pubblicabili dell'Osservatorio (sola lettura).",
    "VERSION": "0.1.0",
}

TASKS = {"default": {"BACKEND": env("OSSERVATORIO_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rendered public pages for anonymous visitors, shared by every server worker (core.pagecache). On by default
# in production; off elsewhere (tests and the demo rebuild data under the same release ids).
OSSERVATORIO_PAGE_CACHE = env_bool("OSSERVATORIO_PAGE_CACHE", PRODUCTION)
if OSSERVATORIO_PAGE_CACHE:
    CACHES["pages"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env("OSSERVATORIO_PAGE_CACHE_DIR", str(VAR_DIR / "cache" / "pages")),
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
OSSERVATORIO_PAGE_CACHE_SECONDS = int(env("OSSERVATORIO_PAGE_CACHE_SECONDS", "300") or 300)
OSSERVATORIO_PAGE_CACHE_VERSION_SECONDS = float(env("OSSERVATORIO_PAGE_CACHE_VERSION_SECONDS", "1") or 0)
OSSERVATORIO_PAGE_CACHE_LOCAL_ENTRIES = int(env("OSSERVATORIO_PAGE_CACHE_LOCAL_ENTRIES", "256") or 0)
OSSERVATORIO_PAGE_CACHE_VERSION = "osservatorio.atlas.selectors.release_key"

# Logs name objects by id and code, never by personal data (see accounts.audit).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("OSSERVATORIO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
