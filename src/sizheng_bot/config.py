"""Settings: one pydantic-settings class, env prefix ``SIZHENG_``, a description on every field.

Settings are built once at the edge (CLI, app) and passed in; the library never reads the
environment itself. Constructing Settings does no I/O beyond reading env vars / ``.env``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SUPPORTED_EXTENSIONS = (".txt", ".md", ".markdown", ".pdf", ".docx", ".html", ".htm")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SIZHENG_", env_file=".env", extra="ignore")

    # --- paths -------------------------------------------------------------------------------
    data_dir: Path = Field(Path("data"), description="知识库数据目录（Chroma 与 BM25 索引），默认 ./data")
    knowledge_dir: Path = Field(Path("knowledge"), description="默认入库的文档目录，另含领域词典与同义词表")
    prompts_dir: Path = Field(Path("prompts"), description="大模型提示词模板目录（中文，每个任务一个文件）")

    # --- splitting ---------------------------------------------------------------------------
    chunk_size: int = Field(350, ge=80, le=2000, description="切块目标长度（字符），按句子边界切分")
    chunk_overlap_sentences: int = Field(0, ge=0, le=5, description="相邻切块重叠的句子数")

    # --- embedding ---------------------------------------------------------------------------
    embed_model: str = Field(
        "",
        description="向量模型：模型名（如 BAAI/bge-small-zh-v1.5，需已缓存）或本地路径；"
        "'minilm' 表示随包附带的英文 all-MiniLM-L6-v2；留空则仅用词法检索",
    )
    embed_query_instruction: str | None = Field(
        None,
        description="查询前缀指令；留空时对 bge-zh 模型自动使用 '为这个句子生成表示以用于检索相关文章：'",
    )
    embed_batch_size: int = Field(32, ge=1, le=512, description="向量化批大小")
    embed_weight: float = Field(
        0.0,
        ge=0.0,
        le=2.0,
        description="稠密检索在融合中的权重；0 表示按模型自动选择（中文模型 1.0，英文模型 0）",
    )

    # --- retrieval ---------------------------------------------------------------------------
    max_question_chars: int = Field(
        2000, ge=50, le=100000, description="问题（提问框输入）的最大字数，超出时不作答并提示精简"
    )
    top_k: int = Field(5, ge=1, le=50, description="返回的检索结果数")
    candidates: int = Field(50, ge=5, le=500, description="稠密检索（配置向量模型时）召回的候选数，融合前")
    use_synonyms: bool = Field(True, description="是否用同义词表扩展查询")

    # --- llm ---------------------------------------------------------------------------------
    llm_base_url: str = Field(
        "", description="OpenAI 兼容接口地址，如 https://api.deepseek.com/v1；留空为离线摘编模式"
    )
    llm_model: str = Field("", description="大模型名称，如 deepseek-chat、qwen-plus")
    llm_api_key: SecretStr = Field(SecretStr(""), description="大模型接口密钥（不会写入日志或界面）")
    llm_timeout: float = Field(60.0, gt=0, le=600, description="大模型请求超时（秒）")
    llm_temperature: float = Field(0.3, ge=0, le=2, description="大模型采样温度")

    # --- server ------------------------------------------------------------------------------
    host: str = Field("127.0.0.1", description="Web 界面监听地址，默认仅本机")
    port: int = Field(7860, ge=1, le=65535, description="Web 界面端口")
    auth: str = Field("", description="可选登录，格式 user:pass；留空不启用")
    concurrency: int = Field(8, ge=1, le=64, description="Web 界面同时处理的请求数")
    max_upload_mb: int = Field(50, ge=1, le=2048, description="单个上传文件大小上限（MB）")

    @field_validator("auth")
    @classmethod
    def _auth_shape(cls, v: str) -> str:
        if v and (":" not in v or v.startswith(":") or v.endswith(":")):
            raise ValueError("SIZHENG_AUTH 格式应为 user:pass")
        return v

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def bm25_dir(self) -> Path:
        return self.data_dir / "bm25"
