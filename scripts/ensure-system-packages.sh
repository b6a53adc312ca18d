#!/usr/bin/env bash
# Installs the system packages Resguarda needs when they are missing: nmap (network evidence),
# poppler-utils (the tests read PDFs back), libharfbuzz-subset0 (byte-identical, faster PDFs),
# redis-server and openssl (services the network tests start on 127.0.0.1), libreoffice-writer (the
# drafts tests open the DOCX drafts in LibreOffice; they skip when it cannot be installed).
# Uses apt-get when it can (Debian/Ubuntu, as root or with sudo); otherwise says what to install.
set -eu
need=()
command -v nmap >/dev/null 2>&1 || need+=(nmap)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer)
# LibreOffice Calc: the procurement tests re-save a filled questionnaire with it (skipped without it).
if command -v dpkg >/dev/null 2>&1 && ! dpkg -s libreoffice-calc >/dev/null 2>&1; then
  need+=(libreoffice-calc)
fi
if command -v ldconfig >/dev/null 2>&1 && ! ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset; then
  need+=(libharfbuzz-subset0)
fi
[ ${#need[@]} -eq 0 ] && exit 0
echo "resguarda: installing system packages: ${need[*]}" >&2
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; else SUDO="none"; fi
  if [ "$SUDO" != none ]; then
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq >/dev/null
    $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    exit 0
  fi
  echo "resguarda: not root and no sudo: run 'sudo apt-get install ${need[*]}' and try again" >&2
  exit 1
fi
echo "resguarda: this is not a Debian system: install ${need[*]} (nmap, poppler-utils, openssl, redis, harfbuzz subset) with your package manager and try again" >&2
exit 1
