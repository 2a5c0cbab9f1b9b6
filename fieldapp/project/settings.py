"""Luchang settings: one file, read from the environment.

Every default is safe for `make run` on a laptop (SQLite, in-memory channel
layer, DEBUG on). Production sets DATABASE_URL, REDIS_URL, SECRET_KEY,
ALLOWED_HOSTS and DEBUG=false; see README.md.
"""
from __future__ import annotations

import importlib.util
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw not in ("true", "false", "1", "0"):
        raise ImproperlyConfigured(f"{name} must be true/false, got {raw!r}")
    return raw in ("true", "1")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG=false Luchang refuses to start on the "
            "development key: set SECRET_KEY to a long random string."
        )
    SECRET_KEY = "django-insecure-luchang-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "common.axes_app.LoginProtectionConfig",  # django-axes, named for staff
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "fieldapp",
    "stations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "common.csp.ContentSecurityPolicyMiddleware",
    "common.middleware.TextGZipMiddleware",
    # A database error raised in a view is a 503, not a 500.
    "common.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "common.middleware.ChineseFirstLocaleMiddleware",
    # After the locale, so the 413's message is in the user's language.
    "common.middleware.RequestBodyLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lock-out answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fieldapp.project.urls"
ASGI_APPLICATION = "fieldapp.project.asgi.application"
WSGI_APPLICATION = None

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
                "common.context_processors.luchang",
            ],
        },
    },
]

# Database. CONN_MAX_AGE stays 0: under ASGI every request may run on a
# different thread and persistent connections leak.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside one writer; IMMEDIATE makes concurrent
    # writers queue on the lock (up to the timeout) instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
# PostgreSQL connection pool (psycopg_pool, Django 5.1+), on unless DATABASE_POOL
# is false: every ASGI request and socket handler borrows a connection instead of
# opening one (a few ms each on loopback, more across a network; an authenticated
# socket handshake was 4x faster with it, bench/bench_ingest.py). A process holds
# at most DATABASE_POOL_MAX connections: size PostgreSQL's max_connections for
# every process's pool. /healthz shows the pool's state.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DATABASE_POOL", True):
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        # A request waits at most DATABASE_POOL_TIMEOUT_S for a connection, then gets a 503.
        "pool": {"min_size": env_int("DATABASE_POOL_MIN", 2), "max_size": env_int("DATABASE_POOL_MAX", 10),
                 "timeout": env_int("DATABASE_POOL_TIMEOUT_S", 10)},
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Channel layer: in memory for one process, Redis when several share the work.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    from redis.asyncio.retry import Retry as RedisRetry
    from redis.backoff import ExponentialBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError

    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py caps an async pool at 100 connections by default;
                # hundreds of sockets need more, so the cap is explicit.
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "max_connections": env_int("REDIS_MAX_CONNECTIONS", 1000),
                        # redis-py 8 reads with a 5 s socket timeout by default, the same
                        # 5 s that channels_redis blocks in BZPOPMIN: under load the empty
                        # reply comes a little late and the timeout kills the consumer.
                        "socket_timeout": env_int("REDIS_SOCKET_TIMEOUT", 30),
                        # After a Redis restart every pooled connection is dead, and the
                        # first command on one fails ("Connection closed by server"): a
                        # handshake's group_add answered 500. Reconnect and retry instead.
                        "retry_on_error": [RedisConnectionError],
                        "retry": RedisRetry(ExponentialBackoff(cap=1.0, base=0.05), env_int("REDIS_RETRIES", 3)),
                    }
                ],
                "capacity": 500,
                "expiry": 60,
                # A socket's group membership lasts this long unless it is renewed;
                # each socket renews it every WS_GROUP_RENEW_S.
                "group_expiry": env_int("REDIS_GROUP_EXPIRY_S", 86400),
                "prefix": os.environ.get("REDIS_PREFIX", "luchang"),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# WebSocket limits, per connection (common/websocket.py). A frame over the size
# is closed with 1009; Daphne's own --websocket_max_message_size (1 MiB by
# default) sits above it. The phone acks every frame it is sent without cost;
# anything else takes a token: WS_FRAME_BURST at once, WS_FRAME_RATE_PER_S after.
WS_MAX_FRAME_BYTES = env_int("WS_MAX_FRAME_BYTES", 1024 * 1024)
WS_FRAME_BURST = env_int("WS_FRAME_BURST", 60)
WS_FRAME_RATE_PER_S = env_int("WS_FRAME_RATE_PER_S", 10)
# How often a socket joins its groups again (Redis may have lost them in a
# restart, or to group_expiry), and an officer's socket reads what it missed: seconds.
WS_GROUP_RENEW_S = env_int("WS_GROUP_RENEW_S", 30)
# Allocations between the garbage collector's young passes in a server process (Python's
# default is 700); fewer passes, so fewer of the full ones that stall every socket (asgi.py).
GC_THRESHOLD_0 = env_int("GC_THRESHOLD_0", 50_000)
# Position ingest (fieldapp/ingest.py): fixes wait in memory and are written
# together, with their track rows, once per tick; the phone is told a fix was
# accepted only after its tick committed. Milliseconds.
POSITION_TICK_MS = env_int("POSITION_TICK_MS", 250)
# The position track (every accepted on-duty fix) is kept this many days;
# `manage.py prune_dispatch` deletes older fixes.
POSITION_TRACK_RETENTION_DAYS = env_int("POSITION_TRACK_RETENTION_DAYS", 30)
# Road work (fieldapp/roadwork.py): one officer's minutes inside a point's radius
# that cover a post window (10–15 min gives most of a hot-spot patrol's effect,
# Koper 1995); fixes closer than the gap join one visit; fixes reporting a worse
# accuracy are skipped; the desk flags an uncovered window starting this soon;
# the desk's points and the post card ask again this often (s).
ROADWORK_COVERED_MINUTES = env_int("ROADWORK_COVERED_MINUTES", 10)
ROADWORK_VISIT_GAP_MINUTES = env_int("ROADWORK_VISIT_GAP_MINUTES", 3)
ROADWORK_MAX_ACCURACY_M = env_int("ROADWORK_MAX_ACCURACY_M", 100)
ROADWORK_FLAG_AHEAD_MINUTES = env_int("ROADWORK_FLAG_AHEAD_MINUTES", 15)
ROADWORK_DESK_REFRESH_S = env_int("ROADWORK_DESK_REFRESH_S", 20)
# Each process running the escalation worker (NOTIFY_WORKER_IN_PROCESS, `manage.py notify_worker`)
# stores the presence of the post windows ended since its last pass this often (s), so the rates
# read stored windows without a cron job (fieldapp/housekeeping.py); 0 turns it off.
ROADWORK_FILL_EVERY_S = float(os.environ.get("ROADWORK_FILL_EVERY_S") or 600)
# AMap's traffic-status web API (fieldapp/roadwork_amap.py, manage.py sample_traffic):
# off without a key. The base URL is a setting so tests point it at a local server.
AMAP_KEY = os.environ.get("AMAP_KEY", "")
AMAP_BASE_URL = os.environ.get("AMAP_BASE_URL", "https://restapi.amap.com")
AMAP_TIMEOUT_S = env_int("AMAP_TIMEOUT_S", 5)

# The test suite and the servers it starts set a fast hasher here: one PBKDF2
# hash costs about half a second on a small machine. Unset, Django's default.
_hashers = env_list("PASSWORD_HASHERS", [])
if _hashers:
    PASSWORD_HASHERS = _hashers

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes, database handler: every process shares the
# count). After LOGIN_FAILURE_LIMIT failures an account, and separately an
# address, is locked out of /login/, the admin login and the token endpoint for
# LOGIN_LOCKOUT_MINUTES. Admins unlock under Axes > Access attempts.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("LOGIN_THROTTLING", True)
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "common.lockout.lockout_response"
# Every login attempt is in the log already; axes keeps only failures.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# Lifetime of an API token (`Authorization: Token …`), in days.
API_TOKEN_LIFETIME_DAYS = env_int("API_TOKEN_LIFETIME_DAYS", 30)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "role-home"

# Internationalisation: Chinese first, English on request.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
# The main catalogue, then one catalogue per area of the app (locale/areas/<area>/).
LOCALE_PATHS = [BASE_DIR / "locale", *sorted((BASE_DIR / "locale" / "areas").glob("*"))]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Static and media files. WhiteNoise serves static files from Daphne itself,
# so one process is a complete server.
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
# Leaflet's JS and CSS come from the django-leaflet package. Its Django app is
# not installed because its admin module needs GDAL; only its files are served.
_LEAFLET_STATIC = Path(importlib.util.find_spec("leaflet").origin).parent / "static"
STATICFILES_DIRS = [BASE_DIR / "static", _LEAFLET_STATIC]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "common.staticfiles.StaticStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
if STATIC_MANIFEST:
    # Collected, hashed files never change under a running server: serve them
    # from STATIC_ROOT with a year's cache (WhiteNoise marks hashed names
    # immutable), and unhashed names with a minute's.
    WHITENOISE_AUTOREFRESH = False
    WHITENOISE_MAX_AGE = 60
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Largest safety video a station screen may be given (bytes).
SAFETY_VIDEO_MAX_BYTES = env_int("SAFETY_VIDEO_MAX_BYTES", 200 * 1024 * 1024)
# Timers of the station kiosk screen, in seconds. They reach screen.js through
# the page config, so tests can shorten what they wait for.
STATION_SCREEN_TIMERS_S = {
    # How long a slogan stays on screen between videos.
    "slogan": env_int("STATION_SCREEN_SLOGAN_S", 8),
    # Polling for changes while the WebSocket is down, and (rarely, as a safety net) while it is up.
    "poll": env_int("STATION_SCREEN_POLL_S", 10),
    "pollLive": env_int("STATION_SCREEN_POLL_LIVE_S", 120),
}
# Largest request body that is not a multipart upload (JSON, forms), in bytes:
# the API's largest JSON input is a few KiB. Refused with 413 before it is read.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_BYTES", 1024 * 1024)
# Field record photos (citizens, plates, injuries) are kept outside MEDIA_ROOT and
# served only through views that check who asks (common.storage.PrivateStorage).
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT") or BASE_DIR / "private")
# Largest record photo accepted (bytes), and most pixels: a bigger image is refused as a decompression bomb.
RECORD_PHOTO_MAX_BYTES = env_int("RECORD_PHOTO_MAX_BYTES", 15 * 1024 * 1024)
RECORD_PHOTO_MAX_PIXELS = env_int("RECORD_PHOTO_MAX_PIXELS", 50_000_000)
# Largest multipart body: the largest single upload, with room for the form around it.
REQUEST_UPLOAD_MAX_BYTES = max(SAFETY_VIDEO_MAX_BYTES, RECORD_PHOTO_MAX_BYTES) + 1024 * 1024

# Map tiles are a setting so a city can point at its own tile server.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors")
# AMap-style tile servers draw China in GCJ-02; markers are then shifted to match.
MAP_TILES_GCJ02 = env_bool("MAP_TILES_GCJ02", False)
# The city the care stations serve. Without a position the finder measures from
# the centre; the areas are approximate centres a citizen can pick instead of
# sharing a position, good enough to rank stations by distance.
LUCHANG_CITY = {
    "locality": "聊城市",
    "region": "山东省",
    "country": "CN",
    "centre": (36.4560, 115.9850),
    "areas": (
        (_("City centre (Dongchangfu)"), 36.4560, 115.9850),
        (_("Old town / Dongchang Lake"), 36.4420, 115.9780),
        (_("Economic development zone"), 36.4300, 116.0400),
        (_("High-tech zone"), 36.4760, 116.0350),
        (_("Jiangbei Shuicheng resort"), 36.4050, 115.9400),
        (_("Railway station"), 36.4690, 115.9320),
        (_("North (Beishun)"), 36.4950, 115.9850),
        (_("Chiping district"), 36.5800, 116.2550),
    ),
}
# Timers of the field and dispatch pages, in milliseconds. They reach the JS
# through the page config, so tests can shorten what they wait for.
FIELD_UI_TIMERS_MS = {
    # After a step, the next step's button (where the finger just was) ignores taps.
    "stepCoolDown": env_int("FIELD_STEP_COOL_DOWN_MS", 1200),
    # The phone gives up on one geolocation request after this long.
    "geolocationTimeout": env_int("FIELD_GEOLOCATION_TIMEOUT_MS", 30000),
    # The desk asks for new figures at most this often.
    "figureThrottle": env_int("DISPATCH_FIGURE_THROTTLE_MS", 5000),
    # The phone's outbox waits a random time up to base * 2^n, capped, before sending again.
    "outboxRetryBase": env_int("FIELD_OUTBOX_RETRY_BASE_MS", 1000),
    "outboxRetryCap": env_int("FIELD_OUTBOX_RETRY_CAP_MS", 30000),
    # It also looks this often, for a signal that came back without an "online" event.
    "outboxPoll": env_int("FIELD_OUTBOX_POLL_MS", 15000),
}
# The finder gives up on the citizen's position after this long and offers the areas.
STATION_FINDER_GEOLOCATION_TIMEOUT_S = env_int("STATION_FINDER_GEOLOCATION_TIMEOUT_S", 10)
STATION_FINDER_FAR_KM = env_int("STATION_FINDER_FAR_KM", 10)  # no open station nearer: the finder says so
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (36.45, 115.98),
    "DEFAULT_ZOOM": 13,
    "TILES": [("OSM", MAP_TILE_URL, {"attribution": MAP_TILE_ATTRIBUTION, "maxZoom": 19})],
    "RESET_VIEW": False,
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so a bad token gets 401 with a WWW-Authenticate header.
        "common.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "common.api_errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Luchang (路畅) API",
    "DESCRIPTION": "Field operations for traffic police and care stations.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Request bodies get components of their own: required text is minLength 1 and
    # an upload is binary, as the server checks them (schemathesis holds us to it).
    "COMPONENT_SPLIT_REQUEST": True,
    # drf-spectacular's own hook, then every operation's error envelope (common.api_schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "common.api_schema.add_error_envelope",
    ],
    # Choice sets that share a field name get names of their own.
    "ENUM_NAME_OVERRIDES": {
        "JobStatusEnum": "fieldapp.models.Job.Status",
        "JobKindEnum": "fieldapp.models.Job.Kind",
        "JobEventKindEnum": "fieldapp.models.JobEvent.Kind",
        "AssignmentStatusEnum": "fieldapp.models.Assignment.Status",
        "AssignmentStepEnum": "fieldapp.models.OFFICER_STEPS",
        "OfficerStateEnum": "fieldapp.models.OFFICER_STATES",
        "RecordStatusEnum": "fieldapp.models.RecordStatus",
        "RecordPhotoSlotEnum": "fieldapp.models.RecordPhoto.Slot",
        "QuickClearanceOutcomeEnum": "fieldapp.models.QuickClearance.Outcome",
        "QuickClearanceAgreementEnum": "fieldapp.models.QuickClearance.Agreement",
        "PartyResponsibilityEnum": "fieldapp.models.Party.Responsibility",
        "RescueKindEnum": "fieldapp.models.Rescue.Kind",
        "RescueHandedToEnum": "fieldapp.models.Rescue.HandedTo",
        "ChecklistItemEnum": "fieldapp.records.CHECKLIST",
        "RequiredSlotEnum": "fieldapp.records.REQUIRED_SLOTS",
        "TimelineStepEnum": "fieldapp.records.TIMELINE_STEPS",
        "RecordNameEnum": "fieldapp.records.RECORD_NAMES",
    },
}

# Production hardening. Behind a TLS-terminating proxy these are all on;
# each can be turned off by its variable for a plain-HTTP lab set-up.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", not DEBUG) else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy (common/csp.py): scripts, styles and connections from
# this origin only, images also from MAP_TILE_URL's server.
CONTENT_SECURITY_POLICY = env_bool("CONTENT_SECURITY_POLICY", True)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = 14 * 24 * 3600

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes logs every failed login at INFO; the lock-outs are in its admin.
    "loggers": {"django.request": {"level": "ERROR"}, "axes": {"level": "WARNING"}},
}

# Dispatch notifications (fieldapp/notify, README "Notifications"). The channels
# that act, as dotted paths like EMAIL_BACKEND. The WebSocket feed and the desk
# flag always act; the log channel stands in for SMS and voice in development.
NOTIFY_CHANNELS = env_list(
    "NOTIFY_CHANNELS", ["fieldapp.notify.webpush.WebPushChannel", "fieldapp.notify.channels.LogChannel"]
)
# The escalation plan: each step after `after_s` seconds without a receipt, for
# jobs of at least `min_priority`, through the channels named (the enabled ones act).
NOTIFY_PLAN = [
    {"step": "push", "after_s": 0, "min_priority": 0, "channels": ["websocket", "webpush"]},
    {"step": "sms", "after_s": env_int("NOTIFY_SMS_AFTER_S", 20), "min_priority": 0, "channels": ["sms", "wecom", "log"]},
    {"step": "voice", "after_s": env_int("NOTIFY_VOICE_AFTER_S", 60), "min_priority": env_int("NOTIFY_VOICE_MIN_PRIORITY", 2),
     "channels": ["voice", "log"]},
    {"step": "desk", "after_s": env_int("NOTIFY_DESK_AFTER_S", 90), "min_priority": 0, "channels": ["desk"]},
]
# The escalation worker: inside each Daphne process when true (`make run` sets it),
# or as `manage.py notify_worker`. Several of either share the work safely.
NOTIFY_WORKER_IN_PROCESS = env_bool("NOTIFY_WORKER_IN_PROCESS", False)
NOTIFY_POLL_S = float(os.environ.get("NOTIFY_POLL_S") or 1.0)
# Steps due together are sent side by side, on this many threads per worker.
NOTIFY_SEND_THREADS = env_int("NOTIFY_SEND_THREADS", 4)
# A step still claimed this long after a worker took it belonged to a worker that died mid-send.
NOTIFY_CLAIM_LEASE_S = env_int("NOTIFY_CLAIM_LEASE_S", 60)
# Each provider call gives up after this long (seconds).
NOTIFY_TIMEOUT_S = float(os.environ.get("NOTIFY_TIMEOUT_S") or 5.0)
# The links in an SMS, a WeCom card or a notification point here.
NOTIFY_BASE_URL = os.environ.get("NOTIFY_BASE_URL", "http://127.0.0.1:8000")
# Web Push (VAPID): make a pair with `manage.py vapid_keys`.
NOTIFY_VAPID_PRIVATE_KEY = os.environ.get("NOTIFY_VAPID_PRIVATE_KEY", "")
NOTIFY_VAPID_PUBLIC_KEY = os.environ.get("NOTIFY_VAPID_PUBLIC_KEY", "")
NOTIFY_VAPID_SUBJECT = os.environ.get("NOTIFY_VAPID_SUBJECT", "mailto:ops@luchang.invalid")
NOTIFY_ALIYUN = {
    "access_key_id": os.environ.get("ALIYUN_ACCESS_KEY_ID", ""),
    "access_key_secret": os.environ.get("ALIYUN_ACCESS_KEY_SECRET", ""),
    "sms_endpoint": os.environ.get("ALIYUN_SMS_ENDPOINT", "dysmsapi.aliyuncs.com"),
    "sms_sign_name": os.environ.get("ALIYUN_SMS_SIGN_NAME", ""),
    "sms_template_code": os.environ.get("ALIYUN_SMS_TEMPLATE_CODE", ""),
    "voice_endpoint": os.environ.get("ALIYUN_VOICE_ENDPOINT", "dyvmsapi.aliyuncs.com"),
    "voice_tts_code": os.environ.get("ALIYUN_VOICE_TTS_CODE", ""),
    "voice_show_number": os.environ.get("ALIYUN_VOICE_SHOW_NUMBER", ""),
    # "https" in production; tests point the SDK at a local plain-HTTP server.
    "protocol": os.environ.get("ALIYUN_PROTOCOL", "https"),
}
NOTIFY_TENCENT = {
    "secret_id": os.environ.get("TENCENTCLOUD_SECRET_ID", ""),
    "secret_key": os.environ.get("TENCENTCLOUD_SECRET_KEY", ""),
    "region": os.environ.get("TENCENTCLOUD_SMS_REGION", "ap-guangzhou"),
    "endpoint": os.environ.get("TENCENTCLOUD_SMS_ENDPOINT", "sms.tencentcloudapi.com"),
    "sdk_app_id": os.environ.get("TENCENTCLOUD_SMS_SDK_APP_ID", ""),
    "sign_name": os.environ.get("TENCENTCLOUD_SMS_SIGN_NAME", ""),
    "template_id": os.environ.get("TENCENTCLOUD_SMS_TEMPLATE_ID", ""),
    "protocol": os.environ.get("TENCENTCLOUD_PROTOCOL", "https"),
}
NOTIFY_WECOM = {
    "corp_id": os.environ.get("WECOM_CORP_ID", ""),
    "secret": os.environ.get("WECOM_SECRET", ""),
    "agent_id": os.environ.get("WECOM_AGENT_ID", ""),
    "base_url": os.environ.get("WECOM_BASE_URL", "https://qyapi.weixin.qq.com"),
    # The officer's WeCom userid is this field of the officer (badge number by default).
    "userid_field": os.environ.get("WECOM_USERID_FIELD", "badge_number"),
}
# Tests point subscriptions at a local plain-HTTP push service; production takes https:// only.
NOTIFY_PUSH_ALLOW_HTTP = env_bool("NOTIFY_PUSH_ALLOW_HTTP", False)
# The figures' quick-clearance share (快处率): lanes open within this many seconds of the first officer on scene.
FIGURES_QUICK_CLEARANCE_WITHIN_S = env_int("FIGURES_QUICK_CLEARANCE_WITHIN_S", 900)
