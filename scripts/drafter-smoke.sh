#!/usr/bin/env bash
# Manual checks of the drafter's tools that unit tests cannot make (run by hand; not part of CI):
#  1. the package as a user gets it: build a wheel, install it into a fresh venv outside the
#     repository (dependencies from the package index / pip cache), then init -> edit -> check ->
#     test -> render -> compare in an empty folder;
#  2. the Word naskah as a reader sees it: convert to PDF with LibreOffice and rasterise the pages
#     (look at /tmp/perbup-smoke/pdf/*.png).
# Needs: python3.11 with venv, network to the package index (or a warm pip cache), and for (2)
# `apt-get install -y libreoffice-writer-nogui poppler-utils`.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
WORK=/tmp/perbup-smoke
PY="${PY:-python3.11}"
rm -rf "$WORK" && mkdir -p "$WORK/wheel" "$WORK/use"
(cd "$REPO" && "$PY" -m pip wheel -q --no-deps . -w "$WORK/wheel" && rm -rf build)
"$PY" -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q "$WORK"/wheel/*.whl
cd "$WORK/use"
export PATH="$WORK/venv/bin:$PATH"
unset PYTHONPATH
python -c "import perbup_rules, sys; assert 'site-packages' in perbup_rules.__file__, perbup_rules.__file__"
perbup init draf
sed -i 's/      value: 0.40$/      value: 45%/' draf/params.yaml
sed -i 's/Setiap Pejabat Pembuat Komitmen wajib/Setiap Pejabat Pembuat Komitmen pada Perangkat Daerah wajib/' draf/pasal-03.yaml
perbup check draf
perbup test draf | tail -1 || true   # the 45% edit fails the scenarios written at the 40% boundary, as it should
perbup render draf --format docx -o draf.docx
perbup render draf --format html --view annotated -o draf.html
perbup compare "$(python -c 'import perbup_rules as p; print(p.BUNDLED_RULES)')" draf \
  --data "$(python -c 'import perbup_rules as p; print(p.EXAMPLE_DATA)')" --format docx -o perbandingan.docx
if command -v soffice >/dev/null && command -v pdftoppm >/dev/null; then
  mkdir -p "$WORK/pdf"
  soffice --headless --convert-to pdf --outdir "$WORK/pdf" draf.docx perbandingan.docx >/dev/null
  pdftoppm -png -r 60 "$WORK/pdf/draf.pdf" "$WORK/pdf/draf"
  pdftoppm -png -r 60 "$WORK/pdf/perbandingan.pdf" "$WORK/pdf/perbandingan"
  ls "$WORK/pdf"
fi
echo "ok: wheel-installed perbup init/check/test/render/compare work outside the repository"
