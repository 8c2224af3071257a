"""Launcher for the web app: ``python app.py`` is the same as ``sizheng-bot serve``."""

from ui.app import build_app, launch_kwargs, main

__all__ = ["build_app", "launch_kwargs", "main"]

if __name__ == "__main__":
    main()
