"""``perbup init DIR``: an editable copy of the bundled draft, for a user who installed the package.

The installed package holds the Kutai Timur draft inside ``site-packages``, where nobody should
edit it. :func:`init_draft` copies its rule files (regulation.yaml, params.yaml, pasal-*.yaml,
categories.yaml when present) and its scenario tests into a new folder, with a short README in
Indonesian on the working loop: edit → check → test → compare → render.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .errors import UsageError

#: what is copied: the rule files and the scenario tests; caches and bytecode are not
COPY_PATTERNS = ("*.yaml", "*.yml", "tests/*.yaml", "tests/*.yml", "*.md")

README = """# Rancangan Peraturan Bupati: salinan kerja

Folder ini adalah salinan rancangan Perbup yang dapat Anda sunting: `regulation.yaml` (judul,
Menimbang, Mengingat, tanggal), `params.yaml` (angka ambang: 40%, Rp15 miliar, ...),
`pasal-NN.yaml` (teks setiap ayat dan aturan mesinnya) dan `tests/` (skenario uji).

## Siklus kerja

1. **Sunting.** Ubah teks ayat (`text:`) atau angka di `params.yaml`. Angka dapat ditulis
   `45%`, `0,45`, `Rp15.000.000.000` atau `15 miliar`. Di dalam teks ayat, tulis angka yang
   berasal dari parameter sebagai `{{{{umkk_share_min}}}}`: teksnya akan berbunyi
   "45% (empat puluh lima persen)" dan selalu sama dengan parameternya.
2. **Periksa.** `perbup check {dir}` menunjukkan setiap masalah dengan berkas, baris dan kolom.
3. **Uji.** `perbup test {dir} --coverage` menjalankan skenario di `tests/` dan menunjukkan
   cabang aturan yang belum teruji.
4. **Bandingkan.** `perbup compare {bundled} {dir} --data DATA --format docx -o perbandingan.docx`
   memperlihatkan perubahan kata per ayat, perubahan parameter, dan perubahan status
   kepatuhan atas data yang sama. Tanpa `--data` hanya perubahan aturan dan teks.
5. **Cetak naskah.** `perbup render {dir} --format docx -o rancangan.docx` menghasilkan naskah
   Perbup (judul sampai tanda tangan) dalam Word; `--view annotated` menambahkan di samping
   setiap ayat aturan mesinnya, parameternya dan ujinya.

Data contoh untuk `perbup audit` dan `--data`: `{example}`.

## English

An editable copy of the draft. Loop: edit → `perbup check` → `perbup test` → `perbup compare`
→ `perbup render`. See the project's docs/drafting.md for the full guide.
"""


def init_draft(target: str | Path, source: str | Path | None = None, force: bool = False) -> list[Path]:
    """Copy the draft at ``source`` (default: the bundled one) into ``target``; return the files written.

    ``target`` must not exist or be empty, unless ``force`` (then files of the same name are
    overwritten and others are left alone).
    """
    import perbup_rules as pr

    src = Path(source or pr.BUNDLED_RULES).resolve()
    dst = Path(target)
    if not (src / "regulation.yaml").is_file():
        raise UsageError(f"{src} is not a regulation folder (no regulation.yaml)")
    if dst.exists() and not dst.is_dir():
        raise UsageError(f"{dst} exists and is not a folder")
    if dst.is_dir() and any(dst.iterdir()) and not force:
        raise UsageError(f"{dst} is not empty; choose a new folder (or --force to overwrite files of the same name)")
    written: list[Path] = []
    for pattern in COPY_PATTERNS:
        for f in sorted(src.glob(pattern)):
            if not f.is_file():
                continue
            out = dst / f.relative_to(src)
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, out)
            written.append(out)
    readme = dst / "README.md"
    readme.write_text(README.format(dir=shown_path(dst), bundled=shown_path(src), example=shown_path(Path(pr.EXAMPLE_DATA).resolve())), encoding="utf-8")
    written.append(readme)
    return written


def shown_path(path: Path) -> str:
    """A path as UTF-8 text for the README: bytes that are not UTF-8 in a file name become escapes."""
    return str(path).encode("utf-8", "backslashreplace").decode("utf-8")
