#!/usr/bin/env bash
# Installs the Debian packages CreditPress needs, only those that are missing.
#   scripts/setup.sh          what building and running need
#   scripts/setup.sh --test   also the PDF tools the tests read output back with
set -euo pipefail

# msmtp: the SMTP client the service sends its mail with; libxml2: Foundation's XML
# module (FoundationXML), which the PARS learner-report document is written through.
packages=(pkg-config libcairo2-dev libpango1.0-dev libfontconfig-dev librsvg2-2 libqrencode-dev zlib1g-dev libsqlite3-dev libcurl4-openssl-dev libxml2 msmtp)
if [[ "${1:-}" == "--test" ]]; then
    # Independent readers of what we write: PDF tools, a QR decoder, openssl as a
    # time-stamp authority, NSS tools for pdfsig's trust store.
    # A real browser for the service's pages (WebDriver), and wrk for its load figures.
    packages+=(poppler-utils qpdf zbar-tools openssl libnss3-tools python3-pip
               chromium chromium-driver fonts-dejavu-core fonts-liberation wrk)
fi

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]})); then
    echo "Installing: ${missing[*]}"
    sudo=""
    if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null; then
    echo "error: the Swift toolchain (6.0 or later) is not on PATH; install it from swift.org first" >&2
    exit 1
fi

pip_install() {
    python3 -m pip install --quiet --disable-pip-version-check "$@" 2>/dev/null \
        || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "$@"
}
# pyHanko, the independent PAdES validator the signature tests use.
if [[ "${1:-}" == "--test" ]] && ! command -v pyhanko >/dev/null; then
    echo "Installing pyHanko (PyPI)"
    pip_install pyhanko pyhanko-cli
fi
# axe-core (inside axe-playwright-python's wheel; nothing else of it is used), the
# accessibility checker the browser test runs in each page.
if [[ "${1:-}" == "--test" ]] && ! python3 -c "import axe_playwright_python" 2>/dev/null; then
    echo "Installing axe-core (PyPI: axe-playwright-python, without its dependencies)"
    pip_install --no-deps axe-playwright-python==0.1.8
fi
# aiosmtpd, the real SMTP server the mail tests send to on loopback.
if [[ "${1:-}" == "--test" ]] && ! python3 -c "import aiosmtpd" 2>/dev/null; then
    echo "Installing aiosmtpd (PyPI)"
    pip_install aiosmtpd
fi
# PyJWT (with cryptography), the independent reader of the badge and status-list VC-JWTs.
if [[ "${1:-}" == "--test" ]] && ! python3 -c "import jwt, cryptography" 2>/dev/null; then
    echo "Installing PyJWT and cryptography (PyPI)"
    pip_install "PyJWT[crypto]"
fi
# openpyxl, an independent writer of the Excel workbooks the roster tests read.
if [[ "${1:-}" == "--test" ]] && ! python3 -c "import openpyxl" 2>/dev/null; then
    echo "Installing openpyxl (PyPI)"
    pip_install openpyxl
fi
# Pillow, which turns and blurs a rendered certificate the way a skewed, soft scan would
# for the QR code tests.
if [[ "${1:-}" == "--test" ]] && ! python3 -c "import PIL" 2>/dev/null; then
    echo "Installing Pillow (PyPI)"
    pip_install pillow
fi
