"""Several knowledge bases: registry, CLI verbs, isolation, the old single-KB layout as ``default``."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from test_safety_common import cli

from conftest import make_settings

CHROMA_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,510}[a-zA-Z0-9]$")


def _write(d, name, text):  # type: ignore[no-untyped-def]
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_text(text, "utf-8")
    return d / name


def test_slugs_are_valid_chroma_names_and_distinct() -> None:
    from sizheng_bot.retrieval.kbs import collection_prefix, slugify

    names = ["党建资料", "党建资料2", "Party Docs", "ab", "x", "2024年 学习-材料", "default-like"]
    slugs = [slugify(n) for n in names]
    assert len(set(slugs)) == len(slugs)
    for s in slugs:
        assert CHROMA_NAME.match(collection_prefix(s) + "sizheng_chunks"), s
        assert CHROMA_NAME.match(s), s
    assert slugify("party-docs") == "party-docs"  # an ASCII name keeps itself


def test_registry_create_rename_delete(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sizheng_bot.errors import SizhengError
    from sizheng_bot.retrieval.kbs import Registry

    reg = Registry(tmp_path)
    assert reg.load() == {"default": "default"}
    slug = reg.create("党建资料")
    with pytest.raises(SizhengError, match="已存在"):
        reg.create("党建资料")
    assert reg.rename("党建资料", "党建") == slug
    assert Registry(tmp_path).load() == {"default": "default", "党建": slug}
    with pytest.raises(SizhengError, match="不存在"):
        reg.slug("党建资料")
    with pytest.raises(SizhengError, match="不能删除"):
        reg.forget("default")
    with pytest.raises(SizhengError, match="不能改名"):
        reg.rename("default", "x")
    assert reg.forget("党建") == slug
    assert reg.load() == {"default": "default"}


def test_two_kbs_never_see_each_others_documents(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sizheng_bot.assistant import Assistant, registry

    data = tmp_path / "data"
    registry(make_settings(data)).create("青年理论学习")
    a = Assistant.from_settings(make_settings(data))
    b = Assistant.from_settings(make_settings(data, kb="青年理论学习"))
    a.ingest([_write(tmp_path / "a", "谈心.txt", "谈心谈话制度要求支部书记每年同每名党员至少谈心一次。\n")])
    b.ingest([_write(tmp_path / "b", "党日.txt", "主题党日活动每月固定一天开展，内容包括集中学习和志愿服务。\n")])
    assert [d.source for d in a.documents()] == ["谈心.txt"]
    assert [d.source for d in b.documents()] == ["党日.txt"]
    assert {h.source for h in a.search("主题党日 志愿服务")} <= {"谈心.txt"}
    assert {h.source for h in b.search("谈心谈话 支部书记")} <= {"党日.txt"}
    assert a.search("谈心谈话")[0].source == "谈心.txt"
    assert b.search("主题党日")[0].source == "党日.txt"
    # fresh processes' view (rebuilt from Chroma, lexical caches gone) keeps them apart as well
    shutil.rmtree(data / "lexical")
    shutil.rmtree(b.kb.data_dir / "lexical")
    again = Assistant.from_settings(make_settings(data, kb="青年理论学习"))
    assert [d.source for d in again.documents()] == ["党日.txt"]
    assert [d.source for d in Assistant.from_settings(make_settings(data)).documents()] == ["谈心.txt"]
    # the API's per-request choice
    assert a.for_kb("青年理论学习").search("主题党日")[0].source == "党日.txt"
    assert a.for_kb("") is a


def test_old_single_kb_layout_is_default(tmp_path, built_data_dir) -> None:  # type: ignore[no-untyped-def]
    """A data directory written before knowledge bases existed (no kbs.json) is ``default``, unchanged."""
    from sizheng_bot.assistant import Assistant

    data = tmp_path / "data"
    shutil.copytree(built_data_dir, data)
    assert not (data / "kbs.json").exists() and (data / "chroma").is_dir() and (data / "state.json").exists()
    before = sorted(p.relative_to(data) for p in data.rglob("*") if p.is_file())
    old = Assistant.from_settings(make_settings(data))
    n = len(old.documents())
    assert n >= 5
    r = cli(data, "kb", "create", "新库")
    assert r.returncode == 0, r.stderr
    r = cli(data, "kb", "list", "--json")
    kbs = {k["name"]: k for k in json.loads(r.stdout)["kbs"]}
    assert kbs["default"]["current"] and "新库" in kbs
    r = cli(data, "list", "--json", "--kb", "新库")
    assert r.returncode == 0 and json.loads(r.stdout)["documents"] == []
    r = cli(data, "list", "--json")
    assert len(json.loads(r.stdout)["documents"]) == n
    after = {p.relative_to(data) for p in data.rglob("*") if p.is_file()}
    assert set(before) - after <= {p for p in before if p.name == "write.lock"}  # nothing of it moved
    r = cli(data, "search", "谈心谈话", "--json", SIZHENG_KB="default")
    assert json.loads(r.stdout)["hits"]


def test_cli_kb_verbs_and_delete_confirmation(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    doc = _write(tmp_path / "in", "材料.txt", "党支部标准化规范化建设要求做到组织设置规范、组织生活规范。\n")
    assert cli(data, "kb", "create", "党建资料").returncode == 0
    r = cli(data, "ingest", str(doc), SIZHENG_KB="党建资料")
    assert r.returncode == 0, r.stderr
    r = cli(data, "search", "标准化规范化", "--json", "--kb", "党建资料")
    assert json.loads(r.stdout)["hits"][0]["source"] == "材料.txt"
    r = cli(data, "search", "标准化规范化", "--json")  # default does not hold it
    assert json.loads(r.stdout)["hits"] == []
    r = cli(data, "list", SIZHENG_KB="没有这个库")
    assert r.returncode == 2 and "不存在" in r.stderr and "kb create" in r.stderr
    assert cli(data, "kb", "rename", "党建资料", "支部资料").returncode == 0
    r = cli(data, "--kb", "支部资料", "list", "--json")
    assert [d["source"] for d in json.loads(r.stdout)["documents"]] == ["材料.txt"]
    r = cli(data, "kb", "delete", "支部资料")  # no terminal to confirm on: refused, nothing deleted
    assert r.returncode == 2 and "--yes" in r.stderr
    assert "支部资料" in cli(data, "kb", "list").stdout
    r = cli(data, "kb", "delete", "default", "--yes")
    assert r.returncode == 2 and "不能删除" in r.stderr
    slug = json.loads((data / "kbs.json").read_text("utf-8"))["kbs"]["支部资料"]
    assert (data / "kbs" / slug / "chroma").is_dir()
    r = cli(data, "kb", "delete", "支部资料", "--yes")
    assert r.returncode == 0, r.stderr
    assert not (data / "kbs" / slug).exists()
    assert "支部资料" not in cli(data, "kb", "list").stdout
    # the same name can be created again, empty
    assert cli(data, "kb", "create", "支部资料").returncode == 0
    assert json.loads(cli(data, "list", "--json", "--kb", "支部资料").stdout)["documents"] == []
