"""思政助手 (sizheng-bot): retrieval-augmented assistant for 机关思想政治工作."""

__version__ = "0.1.0"
