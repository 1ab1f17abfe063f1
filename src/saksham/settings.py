"""Settings, read from the environment.

DATABASE_URL     default: SQLite file var/saksham.sqlite3 under the working directory (WAL mode)
REDIS_URL        optional: cache (and so rate limits) shared by every process
SECRET_KEY       required when SAKSHAM_ENV=production; generated and kept in var/ otherwise
SAKSHAM_PROFILE  deployment profile: a bundled name ("india", "lumeria") or a path to a JSON file
SAKSHAM_ENV      "development" (default) or "production"
SAKSHAM_DATA_DIR where the SQLite file, uploads, generated secrets and the mail folder live (default ./var)
"""

import atexit
import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from saksham.orgs.profile import load_profile

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("SAKSHAM_DATA_DIR", Path.cwd() / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

ENV = os.environ.get("SAKSHAM_ENV", "development")
PRODUCTION = ENV == "production"
DEBUG = os.environ.get("SAKSHAM_DEBUG", "0" if PRODUCTION else "1") == "1"


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when SAKSHAM_ENV=production")
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
# Development answers any host; production names its own (checked in the security block below).
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "" if PRODUCTION else "*").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

SAKSHAM_PROFILE_NAME = os.environ.get("SAKSHAM_PROFILE", "india")
PROFILE = load_profile(SAKSHAM_PROFILE_NAME)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "saksham.core",
    "saksham.orgs",
    "saksham.people",
    "saksham.catalog",
    "saksham.learning",
    "saksham.credentials",
    "saksham.competencies",
    "saksham.insights",
    "saksham.campaigns",
    "saksham.feedback",
    "saksham.web",
]

MIDDLEWARE = [
    # first: every answer and every log line of a request carry its id (core/requests.py)
    "saksham.core.requests.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # static files, compressed (brotli, gzip) once by collectstatic and chosen by the browser's Accept-Encoding
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "saksham.core.middleware.UserLanguageMiddleware",
    "saksham.core.middleware.DomainErrorPageMiddleware",
    "saksham.core.middleware.ApiBodyLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "saksham.urls"
WSGI_APPLICATION = "saksham.wsgi.application"

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
                "saksham.web.context.deployment",
            ],
            # Dates, times, numbers and durations in the UI language (|ldate, |lnumber, |lminutes ...) on every page.
            "builtins": ["saksham.core.templatetags.l10n_extras"],
        },
    },
]

# --- database -------------------------------------------------------------
SQLITE_PATH = DATA_DIR / "saksham.sqlite3"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL") or f"sqlite:///{SQLITE_PATH}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=30000; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # Keep connections across requests: opening one (pragmas, schema, a cold page cache) costs more than a
    # catalogue search (measured by bench/search.py).
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("SAKSHAM_SQLITE_CONN_MAX_AGE", 600))
    # The test database is a file (one per test process), not shared-cache memory, so that tests with parallel
    # writers (threads with their own connections) meet SQLite's real locking, as in production.
    _TEST_DB = Path(tempfile.gettempdir()) / f"saksham-test-{os.getpid()}.sqlite3"
    DATABASES["default"]["TEST"] = {"NAME": str(_TEST_DB)}
    # Django removes the file itself; SQLite's -wal and -shm files may outlive it.
    atexit.register(lambda: [p.unlink(missing_ok=True) for p in _TEST_DB.parent.glob(_TEST_DB.name + "*")])
else:
    # dj_database_url sets CONN_MAX_AGE to 0, a new server connection per request (a process started by the
    # server: several ms, more than a catalogue search); keep connections instead (bench/search.py).
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("SAKSHAM_DB_CONN_MAX_AGE", 60))
    # A health check is one more round trip ("SELECT 1") at the start of every request, as costly as a search
    # statement; without it, a connection the server dropped fails one request and is then replaced.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = os.environ.get("SAKSHAM_DB_HEALTH_CHECKS", "0") == "1"
    # One test database per test process, so that test runs side by side on one server don't share one.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache ------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- background tasks -------------------------------------------------------
TASKS = {"default": {"BACKEND": os.environ.get("SAKSHAM_TASK_BACKEND", "django_tasks_db.DatabaseBackend")}}

# --- hook points --------------------------------------------------------------
# The lists below are the listeners of the hook points, in order. Each point is declared (payload, phase) in the
# hooks.py of the app that calls it and dispatched by saksham.core.hooks; `saksham check` proves every path
# resolves to a callable taking its payload (saksham.E001); `saksham hooks` prints the map (docs/architecture.md).

# What moves from one org to another when orgs merge: one dotted path per app, step(OrgsMerged) -> count
# (saksham.orgs.hooks), inside the merge's transaction; a failure undoes the merge.
ORG_MERGE_STEPS = [
    "saksham.people.services.people_move_org",
    "saksham.catalog.services.collections_move_org",     # collections made for its people
    "saksham.insights.services.on_orgs_merged",          # its people's figures (after people_move_org)
]

# What follows an org moved to another parent (its subtree with it), inside the move's transaction after the
# paths are updated: step(OrgMoved) (saksham.orgs.hooks: org id, old and new ancestor ids, root first, the org
# excluded); a failure undoes the move.
ORG_MOVE_STEPS: list[str] = [
    "saksham.insights.services.on_org_moved",      # the subtree's figures leave its old ancestors, join its new
]

# What follows a course completion, in order: one dotted path per step, step(Completion) (saksham.learning.hooks:
# the enrolment's ids and completion time; a step loads what it needs), each idempotent. Run by one task
# (saksham.learning.pipeline.post_completion) enqueued after the completing transaction commits.
# Learning never imports the apps that react; they add their step here.
POST_COMPLETION_STEPS: list[str] = [
    "saksham.learning.karma.on_completion",          # karma points for the completion
    "saksham.credentials.services.on_completion",    # the signed certificate (idempotent per enrolment)
    "saksham.competencies.services.on_completion",   # competency passport evidence for the course's tags
    "saksham.insights.services.on_completion",       # dashboards' rollups (idempotent by a marker)
    "saksham.campaigns.services.on_completion",      # learning weeks (idempotent per week and enrolment)
    # Last, so the course's own rewards come first: her programs that link the course count it, and one whose
    # last course this was completes (its own pipeline then runs as a completion of its own).
    "saksham.learning.services.on_completion_programs",
]
# Stalled work: an import whose heartbeat (written when it starts, when it has read the file and at every chunk
# it commits: a chunk of IMPORT_CHUNK_ROWS takes a few seconds, well below the bound) is older than this many
# seconds is re-queued by any worker's sweep, which runs every STALL_SWEEP_S seconds and when a worker starts.
STALL_AFTER_S = max(2, int(os.environ.get("SAKSHAM_STALL_AFTER_S", 60)))
STALL_SWEEP_S = max(1, STALL_AFTER_S // 2)
# A completion's pipeline (the certificate first) unfinished this many seconds after the completion is re-queued;
# the sweep runs once per this period across workers (and when a worker starts), so a long queue of completions
# is not queued again and again while it drains.
PIPELINE_STALL_AFTER_S = max(1, int(os.environ.get("SAKSHAM_PIPELINE_STALL_AFTER_S", 300)))
# Periodic background tasks: (dotted path of a django-tasks task, every N seconds), enqueued by the workers'
# scheduler (saksham.core.periodic); each task idempotent.
PERIODIC_TASKS: list[tuple[str, int]] = [
    ("saksham.learning.pipeline.post_completion_sweep", PIPELINE_STALL_AFTER_S),  # pipelines left unfinished
    ("saksham.people.tasks.stalled_imports_sweep", STALL_SWEEP_S),        # imports a dead worker left running
    ("saksham.learning.tasks.enrolment_counts_refresh", 600),   # the catalogue's "popular" order
    ("saksham.learning.tasks.plan_reminders", 3600),            # learning plans: due-soon and overdue reminders
    ("saksham.people.tasks.notification_emails_send", 120),     # notification emails a dead worker left unsent
    ("saksham.competencies.tasks.cohort_counts_fold", 600),     # co-enrolment counts behind recommendations
    ("saksham.competencies.tasks.coverage_rollups_refresh", 3600),   # coverage: people per designation and org
    ("saksham.competencies.tasks.coverage_rollups_rebuild", 86400),  # coverage: recount from holdings (moves)
    ("saksham.insights.tasks.time_deltas_fold", 2),             # dashboards: learning time, active learners
    ("saksham.campaigns.tasks.weeks_fold", 2),                  # learning weeks: org rollups, score buckets
    ("saksham.campaigns.tasks.weeks_finalise", 300),            # learning weeks over: results, badges
    ("saksham.campaigns.tasks.weeks_registered_refresh", 3600), # learning weeks: per-capita denominators
    ("saksham.learning.tasks.progress_events_prune_task", 3600),  # progress event ids older than the retention
    ("saksham.core.tasks.audit_purge", 86400),                  # audit entries older than the profile's retention
]
# Reactions to a course version going live, run after commit: dotted paths of fn(VersionPublished)
# (saksham.catalog.hooks: course_id, version_id, previous_version_id).
VERSION_PUBLISHED_STEPS: list[str] = [
    "saksham.learning.enqueue.on_version_published",    # unfinished enrolments move to the new version
    "saksham.competencies.services.on_version_published",   # recommendations see the new tags
]
# Reactions to a course being retired, run after commit: dotted paths of fn(CourseRetired) (course_id).
COURSE_RETIRED_STEPS: list[str] = [
    "saksham.learning.enqueue.on_course_retired",       # programs listing it recount without it
]
# Panels of the catalogue's course page from the apps that build on it: dotted paths of
# fn(request, course) -> HTML (or "" for nothing), shown in order under the course's figures.
COURSE_PAGE_PANELS: list[str] = [
    "saksham.learning.views.course_panel",              # enrol / continue, her progress
    "saksham.feedback.views.course_panel",              # ratings, reviews, her rating, the survey
    "saksham.competencies.views.course_panel",          # the competencies it builds, her gaps it closes
]
# The course studio's panels beside each content item, from the apps that build on the catalogue: dotted paths of
# fn(request, version, item, editable) -> HTML (or "" for nothing), shown in order under the item (a quiz's
# settings, questions with their answers and the link to its editor come from learning).
STUDIO_ITEM_PANELS: list[str] = [
    "saksham.learning.studio_views.item_panel",
]
# More problems that stop a draft from going to review, from the apps that build on the catalogue: dotted paths of
# fn(version) -> {field: sentence in the active language} ("items.<key>" for a content item).
VERSION_PROBLEM_CHECKS: list[str] = [
    "saksham.learning.queries.quiz_problems",
]
# The competencies a creator picks from in the studio: dotted path of fn(language) -> [{"code", "name", "levels":
# {1: name, ...}, "competencies": [{"code", "name"}, ...]}] (one entry per framework); empty: codes typed in.
COMPETENCY_CHOICES = "saksham.competencies.queries.competency_choices"
# Panels of a signed-in person's home page from the apps that build on the catalogue, by slot: "continue" (her
# courses in progress, with where she stopped), "main" (under the recommendations), "side" (beside them, under the
# learning week): dotted paths of fn(request) -> HTML (or "" for nothing).
HOME_PANELS: dict[str, list[str]] = {"continue": [], "main": [], "side": []}
# The pages that show the banner of the live learning weeks (url names); the others leave it out.
WEEK_BANNER_PAGES: list[str] = ["web:home", "learning:mine", "campaigns:list", "campaigns:week"]
# Reactions to seconds of learning newly credited by a progress batch: dotted paths of fn(credits), run inside the
# batch's transaction (each in a savepoint; a failure is logged, the progress kept) with a list of
# saksham.learning.hooks.TimeCredit (learner, org, course version, day, seconds). Cheap appends only.
LEARNING_TIME_STEPS: list[str] = [
    "saksham.insights.services.on_learning_time",    # dashboards: hours and active learners
    "saksham.campaigns.services.on_learning_time",   # learning weeks: hours of learners in scope
]
# Reactions to enrolments active for the first time (one, or a bulk assignment), run after commit: dotted paths
# of fn(facts), facts a list of saksham.learning.hooks.EnrolmentsStarted.
ENROLMENT_STEPS: list[str] = [
    "saksham.insights.services.on_enrolments_started",
]
# Where the bulk import learns the designations known in an org: dotted paths of fn(org) -> iterable of designation
# texts (those of its subtree's people count as known too). A file's designation that none of them knows is refused
# or flagged, as the upload asks, with the closest known ones.
KNOWN_DESIGNATION_SOURCES: list[str] = [
    "saksham.competencies.queries.designations_known_in",   # the role map's designations
]
# Reactions to people newly registered (one, or a bulk-import chunk), run after commit: dotted paths of
# fn(facts), facts a list of saksham.people.hooks.PeopleAdded.
REGISTRATION_STEPS: list[str] = [
    "saksham.insights.services.on_people_added",
]
# Reactions to certificates issued, run after commit by the credentials app: dotted paths of fn(facts), facts a
# list of saksham.credentials.hooks.CertificateIssued (learner_id, org_id, course_id, issued_at ...).
CERTIFICATE_ISSUED_STEPS: list[str] = [
    "saksham.insights.services.on_certificates_issued",
]
# Credentials: a second proof (eddsa-rdfc-2022, RDF canonicalisation) beside eddsa-jcs-2022, as a proof set.
CREDENTIALS_RDFC_PROOF = os.environ.get("SAKSHAM_CREDENTIALS_RDFC", "0") == "1"
# How long a verifier process trusts its decoded copy of one of its status lists (a revocation clears its own
# process's copy at once; other processes see it within this many seconds).
CREDENTIALS_STATUS_CACHE_S = int(os.environ.get("SAKSHAM_CREDENTIALS_STATUS_CACHE_S", 10))
# How many status lists of one issuer take new indexes at once. Each issuing transaction holds the list it draws
# from until it commits; with several open, concurrent issuers take different ones (FOR UPDATE SKIP LOCKED).
# Unset: decided at run time from the database, 8 on PostgreSQL, 1 on SQLite (its writes are serialised anyway
# and it has no row locks to skip; there the setting is ignored).
CREDENTIALS_OPEN_LISTS = (int(os.environ["SAKSHAM_CREDENTIALS_OPEN_LISTS"])
                          if os.environ.get("SAKSHAM_CREDENTIALS_OPEN_LISTS") else None)
# Links beside a completed course on "My learning", from the apps that build on learning: dotted paths of
# fn(learner, enrolments) -> {enrolment id: [{"label", "href", "class"}]}.
MY_LEARNING_LINKS: list[str] = ["saksham.credentials.queries.my_learning_links"]
# Learning: the most seconds one progress event may credit (heartbeats come every 15-30 s).
LEARNING_MAX_HEARTBEAT_S = int(os.environ.get("SAKSHAM_MAX_HEARTBEAT_S", 60))
# How long the ids of progress events are kept to recognise a resent batch (older ones are pruned hourly; a
# resent event whose id was pruned credits no time anyway, see saksham.learning.tasks.progress_events_prune).
# Days the audit log is kept (the deployment profile's "audit_retention_days"); older entries are purged daily.
AUDIT_RETENTION_DAYS = int(PROFILE.get("audit_retention_days", 365))
LEARNING_EVENT_RETENTION_DAYS = int(os.environ.get("SAKSHAM_EVENT_RETENTION_DAYS", 30))
# Competency passport: dotted path of fn(enrolment) -> (certificate id, url) | None, to link the certificate of a
# completed course as the evidence of its competencies (the credentials app provides one); empty: no link.
PASSPORT_CERTIFICATE_LOOKUP = os.environ.get("SAKSHAM_PASSPORT_CERTIFICATE_LOOKUP",
                                             "saksham.credentials.queries.passport_link")
# Karma points per reason and the most a learner earns for each reason in a month.
KARMA_POINTS = {"first_login": 5, "first_enrolment": 5, "course_completed": 20, "assessment_passed": 10,
                "course_rated": 2}
KARMA_MONTHLY_CAPS = {"first_login": 5, "first_enrolment": 5, "course_completed": 200, "assessment_passed": 100,
                      "course_rated": 20}

# --- auth -------------------------------------------------------------------
AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = ["saksham.people.auth.EmailBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "people:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"
# Login throttling: attempts per window, per account and per client address.
# Wrong passwords: the first per_account (of one account) and per_ip (from one address) cost nothing, then each
# doubles the wait before the next attempt, from first_wait_s up to max_wait_s; forgotten window_s after the last.
LOGIN_RATE_LIMIT = {"per_account": 5, "per_ip": 30, "first_wait_s": 30, "max_wait_s": 900, "window_s": 900}

# Emails: outside production, unless EMAIL_BACKEND says otherwise, every process (serve, worker, demo, commands)
# writes them as files to the mail folder of the data dir (one file per batch of messages), so a deployment's
# sign-up codes, activation links and reminders can be read there; production defaults to the console.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend" if PRODUCTION
                               else "django.core.mail.backends.filebased.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", PROFILE.get("email_from", "noreply@localhost"))
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# --- i18n -------------------------------------------------------------------
USE_I18N = True
USE_TZ = True
TIME_ZONE = PROFILE["time_zone"]
LANGUAGE_CODE = PROFILE.get("default_language", "en")
# UI languages: those the interface has catalogues for, intersected with the profile's offer.
_UI_LANGUAGE_NAMES = {"en": "English", "hi": "हिन्दी", "gu": "ગુજરાતી"}
LANGUAGES = [(c, _UI_LANGUAGE_NAMES[c]) for c in PROFILE.get("ui_languages", ["en"]) if c in _UI_LANGUAGE_NAMES]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "saksham_language"

# --- static and media -------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# WhiteNoise serves what collectstatic gathered (with its .br and .gz copies), never the apps' source folders.
WHITENOISE_USE_FINDERS = False

# --- uploads ------------------------------------------------------------------
# Bulk import files stream to disk; anything larger than this is refused before it is read.
IMPORT_MAX_BYTES = int(os.environ.get("SAKSHAM_IMPORT_MAX_BYTES", 512 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
API_MAX_BODY_BYTES = 1024 * 1024


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # every line names the request it was written in (a server error's traceback and the id its page shows)
    "filters": {"request_id": {"()": "saksham.core.requests.RequestIdFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [request %(request_id)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SAKSHAM_LOG_LEVEL", "WARNING")},
}

# Rows per bulk-import transaction (a crash loses at most the chunk in flight) and the most rows one file may hold.
IMPORT_CHUNK_ROWS = int(os.environ.get("SAKSHAM_IMPORT_CHUNK_ROWS", 20_000))
IMPORT_MAX_ROWS = int(os.environ.get("SAKSHAM_IMPORT_MAX_ROWS", 1_000_000))

# Catalogue uploads: the largest file each kind accepts, in bytes.
CATALOG_MAX_UPLOAD_BYTES = {
    "video": int(os.environ.get("SAKSHAM_VIDEO_MAX_BYTES", 500 * 1024 * 1024)),
    "document": 50 * 1024 * 1024,
    "thumbnail": 2 * 1024 * 1024,
}

# --- security: headers on every response, production defaults -----------------------------------------------------
# Content-Security-Policy (django-csp): scripts only from the site's own files (no inline script anywhere), styles
# from its files plus the one theme <style> carrying the request's nonce (no style attributes either), nothing
# embedded as an object, no other site may frame a page. Course videos, documents and images may also come from
# the hosts in SAKSHAM_CSP_MEDIA_HOSTS (space-separated sources; default any https: host, "" for this site only).
CSP_MEDIA_HOSTS = os.environ.get("SAKSHAM_CSP_MEDIA_HOSTS", "https:").split()
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", *CSP_MEDIA_HOSTS],
        "media-src": [SELF, *CSP_MEDIA_HOSTS],
        "frame-src": [SELF, *CSP_MEDIA_HOSTS],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        **({"upgrade-insecure-requests": True} if PRODUCTION else {}),
    },
}
INSTALLED_APPS.append("csp")   # its system checks
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("csp.middleware.CSPMiddleware") + 1, "saksham.core.headers.PermissionsPolicyMiddleware")
# Permissions-Policy: the browser features no page uses are off for the page and anything it frames; a page that
# needs one names it by url name (the verify page reads QR codes with the camera).
PERMISSIONS_POLICY = {
    "accelerometer": [], "autoplay": ["self"], "camera": [], "display-capture": [],
    "fullscreen": ["self"], "geolocation": [], "gyroscope": [], "hid": [], "magnetometer": [], "microphone": [],
    "midi": [], "payment": [], "screen-wake-lock": [], "serial": [], "usb": [], "xr-spatial-tracking": [],
}
PERMISSIONS_POLICY_PAGES = {"credentials:verify": {"camera": ["self"]}}
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"

if PRODUCTION:
    def _flag(name: str, default: bool) -> bool:
        return os.environ.get(name, "1" if default else "0") == "1"

    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS must list this site's host names, comma-separated (e.g. ALLOWED_HOSTS=learn.example.gov.in), "
            "not empty and not '*', when SAKSHAM_ENV=production")
    if not CSRF_TRUSTED_ORIGINS or any(o.rstrip("/") in ("*", "https://*", "http://*") for o in CSRF_TRUSTED_ORIGINS):
        raise ImproperlyConfigured(
            "CSRF_TRUSTED_ORIGINS must list this site's origins, comma-separated with their scheme (e.g. "
            "CSRF_TRUSTED_ORIGINS=https://learn.example.gov.in), not empty and not '*', when SAKSHAM_ENV=production")
    # HTTPS only: browsers remember it for SAKSHAM_HSTS_SECONDS (a year), subdomains included unless
    # SAKSHAM_HSTS_SUBDOMAINS=0, with the preload flag unless SAKSHAM_HSTS_PRELOAD=0.
    SECURE_HSTS_SECONDS = int(os.environ.get("SAKSHAM_HSTS_SECONDS", 31_536_000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("SAKSHAM_HSTS_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = _flag("SAKSHAM_HSTS_PRELOAD", True)
    # Plain HTTP is redirected to HTTPS here unless SAKSHAM_SSL_REDIRECT=0 (the proxy in front redirects instead).
    SECURE_SSL_REDIRECT = _flag("SAKSHAM_SSL_REDIRECT", True)
    # Behind a proxy that ends TLS, the header it sets to "https" on secure requests (e.g. X-Forwarded-Proto): the
    # proxy must set or strip it on every request, or a client could claim HTTPS.
    if os.environ.get("SAKSHAM_PROXY_SSL_HEADER"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_" + os.environ["SAKSHAM_PROXY_SSL_HEADER"].upper().replace("-", "_"), "https")
    # A setting turned off on purpose is not reported again by `saksham check --deploy`.
    SILENCED_SYSTEM_CHECKS = [check for check, on in (("security.W008", SECURE_SSL_REDIRECT),
                                                      ("security.W005", SECURE_HSTS_INCLUDE_SUBDOMAINS),
                                                      ("security.W021", SECURE_HSTS_PRELOAD)) if not on]
