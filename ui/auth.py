"""Login for the web app: a password check with back-off, and every route behind the login.

- ``RateLimitedAuth``: gradio calls it with (username, password). After ``FREE_TRIES`` failures for a
  user name, that name is locked for 2, 4, 8 … seconds (at most ``MAX_LOCK``), even for the right
  password; ``LoginLimiter`` does the same per client address for the /login route.
- ``guard_middleware``: gradio leaves some routes (e.g. /gradio_api/cancel) open; with login on, any
  request without a valid session cookie to anything but the login page and its assets gets 401.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

FREE_TRIES = 3
MAX_LOCK = 300.0
OPEN_PATHS = ("/login", "/gradio_api/login", "/assets/", "/static/", "/favicon.ico", "/config", "/gradio_api/config",
              "/theme.css", "/gradio_api/theme.css", "/svelte/", "/manifest.json", "/gradio_api/startup-events", "/gradio_api/app_id")  # fmt: skip


class BackOff:
    """Failures per key with exponential lock-out."""

    def __init__(self, free: int = FREE_TRIES, max_lock: float = MAX_LOCK) -> None:
        self.free, self.max_lock = free, max_lock
        self._fails: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def locked(self, key: str) -> float:
        """Seconds ``key`` is still locked for (0 when it may try)."""
        with self._lock:
            n, until = self._fails.get(key, (0, 0.0))
        return max(0.0, until - time.monotonic())

    def fail(self, key: str) -> None:
        with self._lock:
            n, _ = self._fails.get(key, (0, 0.0))
            n += 1
            wait = min(self.max_lock, 2.0 ** (n - self.free)) if n >= self.free else 0.0
            self._fails[key] = (n, time.monotonic() + wait)

    def success(self, key: str) -> None:
        with self._lock:
            self._fails.pop(key, None)


class RateLimitedAuth:
    def __init__(self, user: str, password: str, backoff: BackOff | None = None) -> None:
        self.user, self.password = user, password
        self.backoff = backoff or BackOff()

    def __call__(self, username: str, password: str) -> bool:
        key = username.strip().lower()
        if self.backoff.locked(key) > 0:
            return False
        ok = hmac.compare_digest(username.encode(), self.user.encode()) and hmac.compare_digest(
            password.encode(), self.password.encode()
        )
        if ok:
            self.backoff.success(key)
        else:
            self.backoff.fail(key)
        return ok


def guard_middleware(backoff: BackOff) -> Callable[..., Awaitable[Any]]:
    """An HTTP middleware for gradio's FastAPI app (login on): session required, /login limited per IP."""
    from starlette.responses import JSONResponse

    async def guard(request: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
        path = request.url.path
        ip = request.client.host if request.client else "?"
        if path.rstrip("/").endswith("/login") and request.method == "POST":
            wait = backoff.locked(ip)
            if wait > 0:
                return JSONResponse(
                    {"detail": f"登录失败次数过多，请 {int(wait) + 1} 秒后再试"}, status_code=429
                )
            response = await call_next(request)
            if response.status_code >= 400:
                backoff.fail(ip)
            else:
                backoff.success(ip)
            return response
        if path in ("/", "") or any(path.startswith(p) for p in OPEN_PATHS) or _signed_in(request):
            return await call_next(request)
        return JSONResponse({"detail": "请先登录"}, status_code=401)

    return guard


def _signed_in(request: Any) -> bool:
    app = request.app
    tokens = getattr(app, "tokens", {}) or {}
    for name, value in request.cookies.items():
        if name.startswith("access-token") and value in tokens:
            return True
    return False
