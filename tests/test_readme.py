"""README stays true: every setting documented, the two quickstart commands present."""

import re

from sizheng_bot.config import GROUPS, Settings, variables

from conftest import ROOT


def test_every_setting_is_in_the_readme_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`(SIZHENG_[A-Z_]+)`", readme))
    fields = {name for name, _, _ in variables()}
    assert fields <= documented, f"missing in README: {sorted(fields - documented)}"
    assert documented <= fields | {"SIZHENG_"}, (
        f"README documents unknown settings: {sorted(documented - fields)}"
    )


def test_every_setting_has_a_description() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, name
    for group in GROUPS.values():
        for name, field in group.model_fields.items():
            assert field.description, f"{group.__name__}.{name}"


def test_flat_variables_reach_their_group(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SIZHENG_CHUNK_SIZE", "512")
    monkeypatch.setenv("SIZHENG_LLM_MODEL", "qwen-plus")
    monkeypatch.setenv("SIZHENG_EMBED_WEIGHT", "0.5")
    monkeypatch.setenv("SIZHENG_AUTH", "书记:mima")
    s = Settings(_env_file=None)
    assert (s.ingest.chunk_size, s.llm.model, s.embed.weight) == (512, "qwen-plus", 0.5)
    assert s.web.credentials() == ("书记", "mima") and "mima" not in repr(s)
    assert Settings(_env_file=None, chunk_size=200).ingest.chunk_size == 200  # keyword beats environment


def test_quickstart_commands_present() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
