#!/usr/bin/env bash
# Idempotent: Debian packages the document loaders use.
#   LibreOffice (headless, no GUI) converts .doc/.wps/.xls/.et/.ppt/.dps/.rtf/.odt to OOXML;
#   fonts-noto-cjk renders Chinese (LibreOffice layout, OCR benchmark scans);
#   poppler-utils gives pdftotext/pdftoppm (cross-checks; PDF pages are rendered by pypdfium2);
#   libgl1/libglib2.0-0 are the shared libraries opencv (used by the offline OCR) links against.
# About 420 MB installed, ~20 s from a nearby Debian mirror.
set -euo pipefail
need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui)
[ -x /usr/lib/libreoffice/program/soffice ] && ! dpkg -s libreoffice-calc-nogui >/dev/null 2>&1 && need+=(libreoffice-calc-nogui)
[ -x /usr/lib/libreoffice/program/soffice ] && ! dpkg -s libreoffice-impress-nogui >/dev/null 2>&1 && need+=(libreoffice-impress-nogui)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
ldconfig -p 2>/dev/null | grep -q 'libGL.so.1 ' || need+=(libgl1)
ldconfig -p 2>/dev/null | grep -q 'libglib-2.0.so.0 ' || need+=(libglib2.0-0)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "需要 root 权限安装文档转换器（或手动执行：apt-get install ${need[*]}）" >&2
    exit 1
  fi
fi
echo "安装文档转换器与中文字体（Debian 软件包：${need[*]}）…" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
command -v soffice >/dev/null && soffice --version 2>/dev/null | head -1 >&2 || true
