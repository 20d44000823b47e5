"""Settings shared by every environment; everything that differs per machine comes from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
import pghistory
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "pgtrigger",
    "pghistory",
    "openimis.accounts",
    "openimis.common",
    "location",
    "django.contrib.postgres",
    "medical",
    "payer",
    "insuree",
    "policy",
    "claim",
    "batch",
    "reports",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "openimis.accounts.middleware.UserLanguageMiddleware",
    "openimis.accounts.middleware.SessionActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "openimis.urls"
WSGI_APPLICATION = "openimis.wsgi.application"

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
                "openimis.common.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://openimis:openimis@127.0.0.1:5432/openimis"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if env("REPORTS_DATABASE_URL", default=""):
    DATABASES["reports"] = env.db("REPORTS_DATABASE_URL")
DATABASE_ROUTERS = ["reports.routers.ReportsRouter"]  # report runs read from the "reports" replica when it is set
# The history triggers (pghistory, through pgtrigger) read the setting `pgtrigger.ignore` on every row; when a
# session has never set it, reading it raises and is caught, a subtransaction per written row that makes bulk
# writes slow down as a transaction grows. Every session starts with it set (to "ignore nothing").
for _db in DATABASES.values():
    _options = _db.setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c pgtrigger.ignore={{}}".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_PREFIX", default="openimis"),
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "openimis.accounts.backends.OneQueryModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions end after 30 minutes without a request (openimis.accounts.middleware.SessionActivityMiddleware moves
# the expiry ahead at most once a minute).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the page, not the cookie

# Login lockout: 5 failures for one username from one address lock that pair for 15 minutes.
AXES_ENABLED = True
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "openimis.accounts.tokens.CachedTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["openimis.common.api.ScopedModelPermissions"],
    "DEFAULT_PAGINATION_CLASS": "openimis.common.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "openimis.common.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "openIMIS monolith API",
    "DESCRIPTION": "Health-insurance management: locations, health facilities, jobs and more.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "FacilityStatusEnum": "location.models.FacilityStatus",
        "JobStatusEnum": "openimis.common.models.JobStatus",
        "LocationTypeEnum": "location.models.LocationType",
        "PayerTypeEnum": "payer.models.PayerType",
        "ItemTypeEnum": "medical.models.ItemType",
        "ServiceTypeEnum": "medical.models.ServiceType",
        "ServiceLevelEnum": "medical.models.ServiceLevel",
        "ServiceCategoryEnum": "medical.models.ServiceCategory",
        "FacilityLevelEnum": "location.models.FacilityLevel",
        "FacilitySubLevelEnum": "location.models.FacilitySubLevel",
        "LimitationTypeEnum": "policy.models.LimitationType",
        "CeilingExclusionEnum": "policy.models.CeilingExclusion",
        "RelativePeriodEnum": "policy.models.RelativePeriod",
        "PolicyStatusEnum": "policy.models.PolicyStatus",
        "PolicyStageEnum": "policy.models.PolicyStage",
        "PayTypeEnum": "policy.models.PayType",
        "ReminderStatusEnum": "policy.models.ReminderStatus",
        "ClaimStatusEnum": "claim.models.ClaimStatus",
        "ReviewStatusEnum": "claim.models.ReviewStatus",
        "VisitTypeEnum": "claim.models.VisitType",
        "LineStatusEnum": "claim.models.LineStatus",
        "FlagCodeEnum": "claim.models.FlagCode",
    },
}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="openimis")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "cleanup-stale-jobs": {"task": "openimis.common.tasks.jobs_fail_stale", "schedule": 15 * 60},
    "policy-nightly": {"task": "policy.nightly", "schedule": crontab(hour=1, minute=30)},
    "claim-norms": {"task": "claim.norms_refresh", "schedule": crontab(hour=2, minute=15)},
    "claim-process-passed": {"task": "claim.process_passed", "schedule": 5 * 60},
    "dashboard-refresh": {"task": "dashboard.refresh", "schedule": crontab(minute=5)},
}

PGHISTORY_DEFAULT_TRACKERS = None
# History rows are read by the object they track (pgh_obj, indexed) and their context: the foreign keys copied
# from the tracked model need no index of their own, and each one would cost every write of that model.
PGHISTORY_FOREIGN_KEY_FIELD = pghistory.ForeignKey(db_index=False)
PGHISTORY_MIDDLEWARE_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# Insurance numbers: digits, check digit included; check digit by Luhn (10) or the legacy modulo-N variant.
INSUREE_NUMBER_LENGTH = env.int("INSUREE_NUMBER_LENGTH", default=10)
INSUREE_NUMBER_MODULO = env.int("INSUREE_NUMBER_MODULO", default=10)
# Membership cards: the scheme's name on the card and the key that signs the QR code (HMAC).
SCHEME_NAME = env("SCHEME_NAME", default="Community Health Insurance Scheme")
CARD_SIGNING_KEY = env("CARD_SIGNING_KEY", default=SECRET_KEY)
PHOTO_MAX_BYTES = 5 * 1024 * 1024

# Policies: "contribution" activates a policy once paid; "ready" leaves it Ready until someone activates it.
POLICY_ACTIVATION = env("POLICY_ACTIVATION", default="contribution")
# Renewal reminders for policies expiring within this many days; the backend that sends them (SMS later).
POLICY_RENEWAL_REMINDER_DAYS = env.int("POLICY_RENEWAL_REMINDER_DAYS", default=14)
POLICY_RENEWAL_NOTIFIER = env("POLICY_RENEWAL_NOTIFIER", default="policy.notifications.LoggingNotifier")
# claims valued per transaction by a batch run (batch/services.py)
BATCH_CHUNK = env.int("BATCH_CHUNK", default=5000)
# database connections one batch run values claims on at once (threads of the worker running it)
BATCH_CONNECTIONS = env.int("BATCH_CONNECTIONS", default=2)

# Automatic adjudication of submitted claims (`claim.flags`): each rule can be switched off or tuned. A flagged
# claim waits for a medical officer; the others are processed at once.
CLAIM_FLAGS: dict[str, dict[str, object]] = {
    # a line's quantity or amount at least `factor` times the average for that item or service at facilities of
    # the same level over the last year, once that average rests on `min_samples` lines
    "above_norm": {"enabled": True, "factor": 3, "min_samples": 20},
    # the same service for the same person at another facility within `days` days
    "two_facilities": {"enabled": True, "days": 3},
    # the person's `claims`-th claim (or more) within `days` days
    "frequent": {"enabled": True, "claims": 6, "days": 30},
    # services of a category given with a main diagnosis outside the ICD-10 codes listed for it
    "implausible": {"enabled": True, "categories": {"D": ["O", "Z3"], "A": ["O", "Z3"]}},
    # entered more than `days` days after the end of the visit
    "late_entry": {"enabled": True, "days": 30},
}
# Beyond the flags, claims picked for review: a random share (percent) and those claiming at least an amount.
CLAIM_REVIEW_RANDOM_PERCENT = env.float("CLAIM_REVIEW_RANDOM_PERCENT", default=2.0)
CLAIM_REVIEW_AMOUNT_AT_LEAST = env.int("CLAIM_REVIEW_AMOUNT_AT_LEAST", default=0) or None
# Claim attachments: the largest file accepted and the types accepted (checked on the file's content).
CLAIM_ATTACHMENT_MAX_BYTES = env.int("CLAIM_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)

# Data files larger than this are refused before they are read.
IMPORT_MAX_BYTES = 20 * 1024 * 1024
