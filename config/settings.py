"""The one settings object: every address, path and secret, from `PRAXIS_*` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, PrivateAttr, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from config.course_profile import load_profile
from config.payload_keys import parse_payload_keys, read_key_file
from domain.profile import CourseProfile
from domain.vocabulary import MailLanguage

PLACEHOLDER_SECRET = "dev-only-secret-change-me-0123456789abcdef"


class Settings(BaseSettings):
    # Errors must not echo the input: it holds the secrets and the payload keys.
    model_config = SettingsConfigDict(env_prefix="PRAXIS_", env_file=".env", extra="ignore", hide_input_in_errors=True)

    env: Literal["dev", "test", "production"] = "dev"
    var_dir: Path = Path("var")

    # Temporal
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_ui_port: int = 8233
    # How long Temporal keeps a closed workflow's history. Praxis does not depend on it: a finished project's
    # record is archived in the Praxis database before its workflow completes (store/archive.py).
    temporal_retention_days: int = Field(default=30, ge=1, le=3650)
    task_queue: str = "praxis"
    worker_workflow_task_polls: int = 16
    worker_activity_task_polls: int = 8
    worker_max_concurrent_activities: int = 64
    worker_max_cached_workflows: int = 1000
    # Run workflow code inside the SDK's sandbox (workers/main.py says what it costs and why production runs
    # without it); the test suite turns it on, so every test also checks the workflows for determinism.
    worker_sandbox: bool = False
    # Processes beside the worker that draw final exam week's passing-list PDFs (activities/drawing.py);
    # 0 draws them in the worker itself.
    pdf_processes: int = Field(default=2, ge=0, le=32)
    # `host:port` where the worker serves Prometheus metrics (the SDK's and the course's); None: none served.
    worker_metrics_address: str | None = None
    # Payload encryption (clients/codec.py): `kid:base64key[,kid:base64key...]`, oldest first, 32-byte keys;
    # the last encrypts, all decrypt. Without either, dev and test make one key under var_dir/payload.key.
    payload_keys: SecretStr | None = None
    payload_key_file: Path | None = None
    # Browser origins of the Temporal UI that may call the codec server (/codec/*), and only it.
    codec_cors_origins: list[str] = ["http://127.0.0.1:8233", "http://localhost:8233"]
    # The office's page (/office, docs/office.md): how long a sign-in lasts (never past the portal token's own
    # expiry), and the portal's origins, whose pages may post a staff member's token to /office/session.
    office_session_minutes: int = Field(default=30, ge=1, le=720)
    office_portal_origins: list[str] = []
    # How long the worker and the API retry their first connection to Temporal and to the database
    # while a cluster starts, before giving up with an error that names what is down.
    startup_wait_seconds: float = 120.0

    # Database: SQLite file by default, PostgreSQL by URL in production
    database_url: str = ""

    # HTTP API
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    # The interactive API reference (/docs, /redoc) and its schema (/openapi.json); off hides all three.
    api_docs: bool = True
    public_url: str = "http://127.0.0.1:8000"
    # Issue 12: where the university portal shows one project and one group, as URL templates with `{id}`
    # (e.g. `https://portal.example.edu/social-practice/projects/{id}`); students' and the center's mails link
    # there. Unset, they link to Praxis's own read-only pages behind a signed link (`/v/...`).
    portal_project_url: str | None = Field(default=None, pattern=r"\{id\}")
    portal_group_url: str | None = Field(default=None, pattern=r"\{id\}")
    jwt_secret: SecretStr = SecretStr(PLACEHOLDER_SECRET)
    action_link_secret: SecretStr = SecretStr(PLACEHOLDER_SECRET)
    update_timeout_seconds: float = 10.0
    # After an action's call times out, how much longer to look for its outcome before answering 503.
    update_outcome_grace_seconds: float = 5.0
    retry_after_seconds: int = 5
    # How long the API gathers read-model rows into one commit (api/rows.py); the lists follow within it.
    read_model_linger_seconds: float = Field(default=0.02, ge=0, le=1)

    # Uploads (R16): the bytes live in a blob store (blobs/), on local disk or in an S3-compatible bucket
    blob_backend: Literal["local", "s3"] = "local"
    blob_dir: Path | None = None
    s3_endpoint_url: str | None = None  # None: AWS itself; e.g. http://minio:9000 for MinIO or Ceph
    s3_bucket: str = "praxis-evidence"
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    s3_prefix: str = ""  # a folder inside the bucket, e.g. "evidence/"
    max_upload_bytes: int = 10 * 1024 * 1024
    # Pixels an upload is decoded at (4096 x 4096; a 12 MP phone photo fits, a larger JPEG is decoded reduced),
    # and how many uploads one API process decodes at once: each may take about 4 bytes a pixel, twice.
    max_image_pixels: int = 16_777_216
    max_concurrent_images: int = 2

    # Mail
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_tls: Literal["none", "starttls", "tls"] = "none"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    mail_from: str = "Praxis Social Practice <praxis@localhost>"
    center_email: str = "cge@localhost"
    osa_email: str = "osa@localhost"
    mail_dir: Path | None = None
    # Mails carry English then Traditional Chinese unless one language is chosen.
    # A teacher's or student's own `language` (domain.people, issue 4) overrides it for their mail.
    mail_language: MailLanguage = MailLanguage.BILINGUAL
    # Action links (SPEC §4) expire; an invitation link never outlives the invitation itself (R12).
    action_link_invitation_days: int = 14
    action_link_evaluation_days: int = 30
    action_link_verification_days: int = 30

    # OpenTelemetry traces (telemetry/tracing.py): a collector's OTLP/HTTP base URL; None: tracing off.
    otlp_endpoint: str | None = None

    log_format: Literal["console", "json"] | None = None
    log_level: str = "INFO"

    # The course's numbers and frames (domain/profile.py): a shipped profile by name (`ntust`, `ntnu`) or a TOML
    # file by path. New projects start under it and keep it; running projects keep the one they started with.
    course_profile: str = "ntust"
    _profile: tuple[str, CourseProfile] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _fail_fast(self) -> Settings:
        if self.env == "production":
            self.refuse_placeholder_secrets()
            if not self.database_url:
                raise ValueError("PRAXIS_DATABASE_URL must be set in production")
            if self.payload_keys is None and self.payload_key_file is None:
                raise ValueError("PRAXIS_PAYLOAD_KEYS or PRAXIS_PAYLOAD_KEY_FILE must be set in production")
            if self.blob_backend == "s3":
                self._require_s3()
        if self.payload_keys is not None and self.payload_key_file is not None:
            raise ValueError("set PRAXIS_PAYLOAD_KEYS or PRAXIS_PAYLOAD_KEY_FILE, not both")
        # A key ring that cannot be used stops the process at start, not at its first payload.
        if self.payload_keys is not None:
            parse_payload_keys(self.payload_keys.get_secret_value())
        if self.payload_key_file is not None:
            read_key_file(self.payload_key_file)
        # An unusable profile stops the process at start, naming the field, before any project starts under it.
        self._profile = (self.course_profile, load_profile(self.course_profile))
        return self

    @property
    def profile(self) -> CourseProfile:
        """The profile new projects start under: read at start, or now for a copy that names another."""
        if self._profile is None or self._profile[0] != self.course_profile:
            self._profile = (self.course_profile, load_profile(self.course_profile))
        return self._profile[1]

    def refuse_placeholder_secrets(self) -> None:
        """Outside dev and test, the signing secrets are real (32+ characters, not the placeholder); also
        called by the API on settings built or copied without validation. Never names a secret's value."""
        if self.env in ("dev", "test"):
            return
        for name in ("jwt_secret", "action_link_secret"):
            value: SecretStr = getattr(self, name)
            if value.get_secret_value() == PLACEHOLDER_SECRET or len(value.get_secret_value()) < 32:
                raise ValueError(f"PRAXIS_{name.upper()} must be set to a secret of 32+ characters outside dev")

    def _require_s3(self) -> None:
        # Names only: an error message must never carry a secret's value.
        if not self.s3_bucket:
            raise ValueError("PRAXIS_S3_BUCKET must be set when PRAXIS_BLOB_BACKEND=s3 in production")
        secret = self.s3_secret_access_key.get_secret_value() if self.s3_secret_access_key else ""
        if not self.s3_access_key_id or not secret:
            raise ValueError(
                "PRAXIS_S3_ACCESS_KEY_ID and PRAXIS_S3_SECRET_ACCESS_KEY must be set when PRAXIS_BLOB_BACKEND=s3 "
                "in production"
            )

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.var_dir / 'praxis.db').as_posix()}"

    @property
    def blobs_path(self) -> Path:
        return self.blob_dir or self.var_dir / "blobs"

    @property
    def mail_path(self) -> Path:
        return self.mail_dir or self.var_dir / "mail"

    @property
    def temporal_db_path(self) -> Path:
        return self.var_dir / "temporal.db"

    @property
    def resolved_log_format(self) -> str:
        return self.log_format or ("json" if self.env == "production" else "console")


@lru_cache
def get_settings() -> Settings:
    return Settings()
