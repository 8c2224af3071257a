#!/usr/bin/env bash
# Idempotent: install Debian's Chromium (and a CJK font for readable screenshots) for the browser test.
# Playwright drives /usr/bin/chromium directly; never run `playwright install` (it downloads its own browser).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "需要 root 权限安装 chromium（或手动执行：apt-get install chromium fonts-wqy-microhei）" >&2
    exit 1
  fi
fi
echo "安装浏览器测试所需的 Chromium（Debian 软件包）…" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-wqy-microhei >/dev/null
/usr/bin/chromium --version >&2
