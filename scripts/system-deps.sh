#!/usr/bin/env bash
# System packages the test suite and the book need, from Debian's archive:
#   pspp      - reads back the generated .sav templates (tests)
#   chromium  - the browser check of the built book (tests/evaluation/build/test_browser.py).
#               It is large (~300 MB), so it is installed only in CI (CI set) or with
#               BROWSER_CHECK=1; without it the browser test is skipped locally, and FAILS
#               when CI is set (so CI can never pass without the check).
#   chromium-driver, postgresql - the portal's browser test and its PostgreSQL run
#               (tests/evaluation/portal): same rule as chromium (CI or BROWSER_CHECK=1).
#   nodejs, npm - `npm ci` installs axe-core (package-lock.json) for the portal's accessibility test.
# R (r-base-core, r-cran-survival, r-cran-lme4, r-cran-lmertest, r-cran-psych, r-cran-cmprsk,
# r-cran-mass, r-cran-ordinal) is
# only needed to regenerate tests/reference/*; the committed outputs are used
# otherwise. Run with INSTALL_R=1 to install it too.
set -euo pipefail
need=()
command -v pspp >/dev/null 2>&1 || need+=(pspp)
if [ -n "${CI:-}" ] || [ "${BROWSER_CHECK:-0}" = 1 ]; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
  [ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
  { command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } || need+=(postgresql)
fi
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
if [ "${INSTALL_R:-0}" = 1 ]; then
  command -v Rscript >/dev/null 2>&1 || need+=(r-base-core)
  need+=(r-cran-survival r-cran-lme4 r-cran-lmertest r-cran-psych r-cran-cmprsk r-cran-mass r-cran-ordinal)
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
echo "Installing system packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
