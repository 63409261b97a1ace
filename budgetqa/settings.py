"""All configuration, read once from the environment (prefix BUDGETQA_) and passed down."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from budgetqa.errors import SettingsError


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BUDGETQA_", extra="ignore")

    home: Path = Field(
        default=Path.home() / ".budgetqa",
        description="Folder holding all state: fact database, vector index, copies of the ingested PDFs, the log.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the fact database, e.g. postgresql://USER:PW@HOST:5432/DB "
        "(psycopg 3); default SQLite file under home. See docs/SERVERS.md.",
    )
    chroma_host: str | None = Field(
        default=None, description="Chroma server host (`chroma run`); embedded under home when unset."
    )
    chroma_port: int = Field(default=8000, description="Chroma server port.")
    chroma_ssl: bool = Field(default=False, description="Talk HTTPS to the Chroma server.")
    chroma_collection: str = Field(
        default="budgetqa",
        description="Chroma collection holding this library's vectors; give each library sharing a "
        "Chroma server its own.",
    )
    embed_model: str = Field(
        default="e5-small-packaged",
        description="'e5-small-packaged' (built from pip packages), 'hash' (tests), or a sentence-transformers path.",
    )
    ranker: Literal["lexical", "fitted"] = Field(
        default="lexical",
        description="How figure candidates are ranked: 'lexical' (the scored label match) or 'fitted' (the "
        "weights in assistant/data/ranker.json). 'fitted' scored lower on the independent held-out "
        "questions (docs/EVALUATION.md), so it is not the default.",
    )
    decision: Literal["off", "fitted"] = Field(
        default="off",
        description="'fitted': an answered figure the decision model of assistant/data/confidence.json is not sure "
        "of becomes 'ambiguous' or 'not_found' (docs/EVALUATION.md); 'off': answers as the tools give them.",
    )
    model_cache: Path = Field(
        default_factory=lambda: Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "budgetqa",
        description="Folder for what is built from installed packages and shared by every home on the machine "
        "(the e5 model, about 0.5 GB, built once); not library state. Default $XDG_CACHE_HOME/budgetqa or "
        "~/.cache/budgetqa.",
    )
    llm: str | None = Field(
        default=None,
        description="Optional model: 'openai:MODEL@BASE_URL' or 'ollama:MODEL'. Unset = deterministic answers.",
    )
    admin_token: str | None = Field(default=None, description="Token required to upload or remove documents.")
    max_upload_mb: int = Field(default=50, description="Largest PDF accepted by upload.")
    max_question_chars: int = Field(default=2000, description="Longer questions are refused.")
    page_timeout_s: float = Field(default=60.0, description="Per-file ingest time limit in seconds.")
    max_pages: int = Field(default=1000, description="Files with more pages are refused.")
    aliases_file: Path | None = Field(
        default=None,
        description="Optional TOML file of extra department abbreviations ([[department]] name, aliases); "
        "the names people use are otherwise derived by rule (ingest/names.py).",
    )
    log_level: str = Field(default="INFO", description="Least level written to HOME/budgetqa.log (DEBUG, INFO, WARNING, ERROR).")

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'facts.sqlite3'}"

    @property
    def files_dir(self) -> Path:
        return self.home / "files"

    @property
    def log_file(self) -> Path:
        return self.home / "budgetqa.log"

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def models_dir(self) -> Path:
        return self.model_cache / "models"

    def ensure_home(self) -> None:
        for d in (self.home, self.files_dir):
            d.mkdir(parents=True, exist_ok=True)


def load_settings() -> Settings:
    """Settings from the environment; a bad value is a SettingsError naming the variable."""
    try:
        return Settings()
    except ValidationError as exc:
        e = exc.errors()[0]
        name = "BUDGETQA_" + "_".join(str(x) for x in e.get("loc", ())).upper()
        raise SettingsError(f"{name}={e.get('input')!r} is not valid ({e.get('msg', 'invalid')}); fix or unset it") from exc
