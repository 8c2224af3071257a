"""Settings: one tree, grouped by stage, a description on every field; flat ``SIZHENG_*`` variables for users.

Users set ``SIZHENG_CHUNK_SIZE``, ``SIZHENG_LLM_MODEL`` … (environment or ``.env``); code reads
``settings.ingest.chunk_size``, ``settings.llm.model``. Each group declares the prefix its variables carry
after ``SIZHENG_`` (``llm_`` for the model endpoint, ``embed_`` for the embedding model, none for the rest),
so the variable of a field is ``SIZHENG_`` + prefix + field name. The same flat names work as keyword
arguments (``Settings(chunk_size=500)``), which tests and benchmarks use.

Settings are built once at the edge (CLI, app) and passed in; the library never reads the environment
itself. Constructing Settings does no I/O beyond reading env vars / ``.env``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

SUPPORTED_EXTENSIONS = (
    ".txt", ".md", ".markdown", ".pdf", ".docx", ".html", ".htm",
    ".doc", ".wps", ".docm", ".dotx", ".rtf", ".odt",
    ".xlsx", ".xlsm", ".xls", ".et", ".ods",
    ".pptx", ".ppt", ".dps", ".odp",
    ".ofd", ".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp",
)  # fmt: skip


class Group(BaseModel):
    """A stage's settings; ``env_prefix`` is what its variables carry after ``SIZHENG_``."""

    env_prefix: ClassVar[str] = ""


class IngestSettings(Group):
    """Reading and splitting documents."""

    chunk_size: int = Field(350, ge=80, le=2000, description="切块目标长度（字符），按句子边界切分")
    chunk_overlap_sentences: int = Field(0, ge=0, le=5, description="相邻切块重叠的句子数")
    zip_max_entries: int = Field(
        10_000, ge=10, le=1_000_000, description="zip 类文件（docx/xlsx/pptx/ofd/odt…）内条目数上限，超出即拒收"
    )
    zip_max_total_mb: int = Field(
        200, ge=1, le=4096, description="zip 类文件解压后总大小上限（MB），防止“压缩炸弹”耗尽内存"
    )
    zip_max_ratio: int = Field(
        200, ge=10, le=10_000, description="zip 内单个较大条目（≥5 MB）的压缩比上限（解压后/压缩后）"
    )
    convert_timeout: float = Field(
        120.0, gt=0, le=3600, description="LibreOffice 转换 .doc/.wps/.xls/.et/.ppt 的单文件超时（秒），超时即终止"
    )
    ocr_enabled: bool = Field(True, description="是否对扫描件 PDF、图片和纯图片演示文稿做离线 OCR 文字识别")
    ocr_seconds_per_doc: float = Field(
        300.0, gt=0, le=7200, description="单个文档 OCR 的时间上限（秒）；超出后保留已识别的页"
    )
    ocr_dpi: int = Field(200, ge=72, le=600, description="扫描件 PDF 渲染成图片做 OCR 的分辨率（dpi）")
    ocr_max_pages: int = Field(200, ge=1, le=5000, description="单个文档最多 OCR 的页数")
    max_file_mb: int = Field(
        50, ge=1, le=2048,
        description="单个文件入库大小上限（MB），网页上传与命令行入库共用；旧名 SIZHENG_MAX_UPLOAD_MB 仍可用",
    )  # fmt: skip
    max_file_chars: int = Field(
        5_000_000, ge=10_000, le=100_000_000, description="单个文件清洗前正文字数上限，超过则拒收该文件"
    )
    parse_timeout: float = Field(
        120.0, gt=0, le=3600, description="单个大文件解析（读取、清洗、切块）的时间上限（秒），超时即中止"
    )
    parse_memory_mb: int = Field(3072, ge=256, le=65536, description="单个大文件解析子进程的内存上限（MB）")
    isolate_parse_mb: float = Field(
        1.0, ge=0, le=2048, description="不小于此大小（MB）的文件在独立子进程中解析，以便限时限内存"
    )
    write_lock_timeout: float = Field(
        60.0, ge=0, le=86400, description="另一进程正在写知识库时，本次写入最多等待的秒数；超时报错并说明占用者"
    )


class EmbedSettings(Group):
    """The optional dense embedding model."""

    env_prefix: ClassVar[str] = "embed_"
    model: str = Field(
        "",
        description="向量模型：模型名（如 BAAI/bge-small-zh-v1.5，需已缓存）或本地路径；"
        "'minilm' 表示随包附带的英文 all-MiniLM-L6-v2；留空则仅用词法检索",
    )
    query_instruction: str | None = Field(
        None,
        description="查询前缀指令；留空时对 bge-zh 模型自动使用 '为这个句子生成表示以用于检索相关文章：'",
    )
    batch_size: int = Field(32, ge=1, le=512, description="向量化批大小")
    weight: float = Field(
        0.0, ge=0.0, le=2.0, description="稠密检索在融合中的权重；0 表示按模型自动选择（中文模型 1.0，英文模型 0）"
    )


class RetrievalSettings(Group):
    """Ranking passages for a question."""

    max_question_chars: int = Field(
        2000, ge=50, le=100000, description="问题（提问框输入）的最大字数，超出时不作答并提示精简"
    )
    top_k: int = Field(5, ge=1, le=50, description="返回的检索结果数")
    candidates: int = Field(50, ge=5, le=500, description="稠密检索（配置向量模型时）召回的候选数，融合前")
    use_synonyms: bool = Field(True, description="是否用同义词表扩展查询")
    domain_dict: Path | None = Field(
        None, description="领域词典（jieba 用户词典格式，每行一词）；留空使用随包附带的词典"
    )
    synonyms: Path | None = Field(None, description="同义词表（每行一组，以空格分隔）；留空使用随包附带的同义词表")


class LLMSettings(Group):
    """The optional OpenAI-compatible model endpoint."""

    env_prefix: ClassVar[str] = "llm_"
    base_url: str = Field("", description="OpenAI 兼容接口地址，如 https://api.deepseek.com/v1；留空为离线摘编模式")
    model: str = Field("", description="大模型名称，如 deepseek-chat、qwen-plus")
    api_key: SecretStr = Field(SecretStr(""), description="大模型接口密钥（不会写入日志或界面）")
    timeout: float = Field(60.0, gt=0, le=600, description="大模型请求超时（秒）")
    temperature: float = Field(0.3, ge=0, le=2, description="大模型采样温度")

    @property
    def enabled(self) -> bool:
        return bool(self.base_url and self.model)


class WebSettings(Group):
    """The web page."""

    host: str = Field("127.0.0.1", description="Web 界面监听地址，默认仅本机")
    port: int = Field(7860, ge=1, le=65535, description="Web 界面端口")
    auth: SecretStr = Field(SecretStr(""), description="可选登录，格式 user:pass；留空不启用")
    concurrency: int = Field(8, ge=1, le=64, description="Web 界面同时处理的请求数")
    upload_process: bool = Field(
        True, description="网页上传的文件在独立子进程中入库，入库期间问答不变慢（每批多约 2 秒启动时间）"
    )

    @field_validator("auth")
    @classmethod
    def _auth_shape(cls, v: SecretStr) -> SecretStr:
        s = v.get_secret_value()
        if s and (":" not in s or s.startswith(":") or s.endswith(":")):
            raise ValueError("登录设置的格式应为 用户名:密码")
        return v

    def credentials(self) -> tuple[str, str] | None:
        s = self.auth.get_secret_value()
        if not s:
            return None
        user, password = s.split(":", 1)
        return user, password


GROUPS: dict[str, type[Group]] = {
    "ingest": IngestSettings,
    "embed": EmbedSettings,
    "retrieval": RetrievalSettings,
    "llm": LLMSettings,
    "web": WebSettings,
}
# flat variable name (after SIZHENG_, lower case) -> (group, field); old names kept working
ALIASES: dict[str, tuple[str, str]] = {"max_upload_mb": ("ingest", "max_file_mb")}
FLAT: dict[str, tuple[str, str]] = {
    f"{model.env_prefix}{name}": (group, name) for group, model in GROUPS.items() for name in model.model_fields
} | ALIASES


def _grouped(flat: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for key, value in flat.items():
        target = FLAT.get(key.lower())
        if target is not None:
            out.setdefault(target[0], {})[target[1]] = value
    return out


def _merge(top: dict[str, Any], grouped: dict[str, dict[str, Any]]) -> dict[str, Any]:
    merged = dict(top)
    for group, values in grouped.items():
        base = merged.get(group)
        merged[group] = {**(base if isinstance(base, dict) else {}), **values}
    return merged


class _FlatEnv(EnvSettingsSource):
    def __call__(self) -> dict[str, Any]:
        prefix = "sizheng_"
        flat = {k[len(prefix) :]: v for k, v in self.env_vars.items() if k.lower().startswith(prefix)}
        return _merge(super().__call__(), _grouped(flat))


class _FlatDotEnv(DotEnvSettingsSource):
    def __call__(self) -> dict[str, Any]:
        prefix = "sizheng_"
        flat = {k[len(prefix) :]: v for k, v in self.env_vars.items() if k.lower().startswith(prefix)}
        return _merge(super().__call__(), _grouped(flat))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SIZHENG_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="知识库数据目录（Chroma 与 BM25 索引），默认 ./data")
    knowledge_dir: Path = Field(Path("knowledge"), description="默认入库的文档目录（首次启动与“重建索引”时扫描）")
    prompts_dir: Path | None = Field(
        None, description="大模型提示词模板目录（中文，每个任务一个文件）；留空使用随包附带的模板"
    )
    kb: str = Field(
        "default", description="使用的知识库名称（可用 sizheng-bot kb list 查看；命令行 --kb 可临时指定）"
    )
    chroma_url: str = Field(
        "",
        description="Chroma 服务器地址（如 http://127.0.0.1:8000，由 chroma run 启动）；"
        "留空则使用数据目录内的本地 Chroma。多个应用进程共用一个服务器时设置",
    )
    chroma_lease: float = Field(
        30.0, ge=2, le=3600,
        description="使用 Chroma 服务器时写锁的租期（秒）：写入进程持续续租；进程意外退出后，其他进程至多等待这么久即可接手",
    )  # fmt: skip
    chroma_poll: float = Field(
        2.0, gt=0, le=60, description="使用 Chroma 服务器时，检查其他进程新提交内容的间隔（秒）"
    )
    ingest: IngestSettings = Field(default_factory=IngestSettings, description="入库与切块")
    embed: EmbedSettings = Field(default_factory=EmbedSettings, description="向量模型（可选）")
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings, description="检索")
    llm: LLMSettings = Field(default_factory=LLMSettings, description="大模型接口（可选）")
    web: WebSettings = Field(default_factory=WebSettings, description="网页界面")

    @model_validator(mode="before")
    @classmethod
    def _flat_keywords(cls, data: Any) -> Any:
        """``Settings(chunk_size=500, llm_model="x")``: flat keyword names go to their group."""
        if not isinstance(data, dict):
            return data
        top = {k: v for k, v in data.items() if k.lower() not in FLAT or k in cls.model_fields}
        flat = {k: v for k, v in data.items() if k not in top}
        grouped = {
            g: (v.model_dump() if isinstance(v, BaseModel) else v) for g, v in top.items() if g in GROUPS
        }
        return {**top, **_merge(grouped, _grouped(flat))}

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        env_file = getattr(dotenv_settings, "env_file", ".env")
        return (
            init_settings,
            _FlatEnv(settings_cls),
            _FlatDotEnv(settings_cls, env_file=env_file),
            file_secret_settings,
        )


def variables() -> list[tuple[str, str, str]]:
    """(variable, default, description) for every setting: the README's table."""
    rows: list[tuple[str, str, str]] = []
    for name, field in Settings.model_fields.items():
        if name not in GROUPS:
            rows.append((f"SIZHENG_{name.upper()}", str(field.default), field.description or ""))
    for model in GROUPS.values():
        for name, field in model.model_fields.items():
            default = field.default
            shown = "" if isinstance(default, SecretStr) or default in ("", None) else str(default)
            rows.append((f"SIZHENG_{(model.env_prefix + name).upper()}", shown, field.description or ""))
    return rows
