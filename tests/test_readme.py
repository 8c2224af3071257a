"""README stays true: every setting documented, the two quickstart commands present."""

import re

from sizheng_bot.config import Settings

from conftest import ROOT


def test_every_setting_is_in_the_readme_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`(SIZHENG_[A-Z_]+)`", readme))
    fields = {f"SIZHENG_{name.upper()}" for name in Settings.model_fields}
    assert fields <= documented, f"missing in README: {sorted(fields - documented)}"
    assert documented <= fields | {"SIZHENG_"}, (
        f"README documents unknown settings: {sorted(documented - fields)}"
    )


def test_every_setting_has_a_description() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, name


def test_quickstart_commands_present() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
