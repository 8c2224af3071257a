"""Shared fixtures: the shipped reports indexed once per session; the tests dir importable."""

import os
import pathlib
import shutil
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

ROOT = pathlib.Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge"
SHARED_EVAL = ROOT.parent / "shared" / "eval"


def make_settings(data_dir: pathlib.Path, **kw):  # type: ignore[no-untyped-def]
    from sizheng_bot.config import Settings

    return Settings(
        data_dir=data_dir, knowledge_dir=KNOWLEDGE, _env_file=None, **kw
    )


@pytest.fixture(scope="session")
def built_data_dir(tmp_path_factory):  # type: ignore[no-untyped-def]
    """A data directory with knowledge/ indexed once per test session (copy it before writing)."""
    from sizheng_bot.assistant import Assistant

    d = tmp_path_factory.mktemp("kb") / "data"
    report = Assistant.from_settings(make_settings(d)).ingest()
    assert not report.failed, report.failed
    return d


@pytest.fixture(scope="session")
def assistant(built_data_dir):  # type: ignore[no-untyped-def]
    """A read-only Assistant over the shipped reports."""
    from sizheng_bot.assistant import Assistant

    return Assistant.from_settings(make_settings(built_data_dir))


@pytest.fixture
def fresh_assistant(tmp_path, built_data_dir):  # type: ignore[no-untyped-def]
    """A writable Assistant: its own copy of the built index."""
    from sizheng_bot.assistant import Assistant

    d = tmp_path / "data"
    shutil.copytree(built_data_dir, d)
    return Assistant.from_settings(make_settings(d))
