#!/usr/bin/env bash
# Regenerates the screenshots in docs/images: runs the board's browser tests (Debian's Chromium driving the demo office
# and a fresh one; see tests/Board.Tests), which write every view to artifacts/screenshots, then copies the ones the
# documents show. Needs /usr/bin/chromium and fonts-wqy-microhei (./test.sh installs them under CI).
#   docs/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build Supervision.sln -c Release -nologo -v quiet
rm -rf artifacts/screenshots
dotnet test tests/Board.Tests -c Release --no-build -nologo --filter "Browser=Chromium" >/dev/null
# artifacts/screenshots/NAME.png -> docs/images/NAME.png (or the name after the colon): desk, phone and wall views.
for pair in board.png my-work.png phone-board.png wall-1920.png:wall.png item-diagram.png import.png first-run-setup.png \
            displays.png admin-departments.png admin-people.png admin-channels.png admin-calendar-preview.png admin-definitions-en.png admin-health.png; do
  from=${pair%%:*}; to=${pair#*:}
  cp "artifacts/screenshots/$from" "docs/images/$to"
  echo "docs/images/$to"
done
