#!/usr/bin/env bash
# Make sure the system libraries WeasyPrint and Chinese text need are present on Debian:
# Pango (layout), HarfBuzz's subset library (fast font subsetting: without it WeasyPrint silently
# falls back to fontTools, ~40x slower) and the Noto CJK fonts. Installs with apt-get when missing
# and running as root; otherwise prints the exact command and fails.
# `system-deps.sh test` adds what the test suite needs: Debian's Chromium for the browser tests
# (Playwright drives it; no browser is downloaded), poppler-utils (pdftotext, pdftoppm) for the
# PDF tests, git for the tests of formgen diff (which reads revisions with git) and, where the machine has
# no npm, Debian's npm (with Node.js) to install axe-core for the layout tests.
set -euo pipefail
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk)
if [ "${1:-}" = "test" ]; then
  packages+=(chromium poppler-utils git)
  command -v npm >/dev/null 2>&1 || packages+=(npm)
fi
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "formgen needs these system packages (Debian names): ${missing[*]}; install them with your package manager." >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "formgen needs system packages that are missing. Run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
