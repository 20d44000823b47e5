"""Figures: "membership cards with photo and QR: >= 50 cards/s per process" and "a 10,000-card batch with two
worker processes: <= 4 minutes".

Cards are rendered by the real rendering function of the batch task (`insuree.cards.render_cards`, one
WeasyPrint document per chunk of `card_services.CHUNK` cards, chunks merged into one PDF as the task does),
each card with its own JPEG photo (distinct files, so WeasyPrint cannot reuse one decoded image) and its signed
QR code, on A4 sheets of ten. The database part of the task (one SELECT, one bulk INSERT of CardPrints, one
UPDATE) is left out: it is a few hundred milliseconds for 10,000 rows next to minutes of rendering.

1. One process renders 500 cards: the figure is milliseconds per card (target 20 ms = 50 cards/s).
2. Two processes (as two Celery workers would each take half of a split batch) render 5,000 cards each at the
   same time; the figure is the wall time of the pair.

Run alone: `.venv/bin/python -m bench.bench_cards`.
"""

import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

from bench import common

SINGLE_RUN = 500
BATCH = 10_000
WORKERS = 2
PHOTOS = 600  # distinct photo files, more than one chunk holds
TARGET_MS_PER_CARD = 1000 / 50
TARGET_BATCH_S = 4 * 60


def _photos(folder: Path) -> list[str]:
    from PIL import Image, ImageDraw

    paths = []
    for index in range(PHOTOS):
        picture = Image.new("RGB", (300, 400), (40 + index % 200, 90, 160 - index % 120))
        ImageDraw.Draw(picture).ellipse((75, 60, 225, 240), fill=(230, 200, 170))
        path = folder / f"photo{index:04d}.jpg"
        picture.save(path, quality=85)
        paths.append(str(path))
    return paths


def _cards(count: int, photos: list[str], offset: int = 0) -> list["object"]:
    from insuree.cards import CardData
    from insuree.numbers import NumberScheme

    scheme = NumberScheme.from_settings()
    return [
        CardData(
            number=scheme.generate(),
            name=f"Rehema Achieng Mwangaza {offset + i}",
            dob=date(1950 + i % 60, 1 + i % 12, 1 + i % 28),
            gender="Female" if i % 2 else "Male",
            photo_path=photos[(offset + i) % len(photos)],
        )
        for i in range(count)
    ]


def _render(count: int, photo_dir: str, offset: int) -> tuple[float, int]:
    """Renders `count` cards in chunks as the batch task does; (seconds, PDF bytes). Runs in a worker process."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openimis.settings.test")
    import django

    django.setup()
    from insuree import card_services, cards

    photos = sorted(str(p) for p in Path(photo_dir).glob("*.jpg"))
    items = _cards(count, photos, offset)
    started = time.perf_counter()
    parts = [
        cards.render_cards(items[i : i + card_services.CHUNK], cards.SHEET)  # type: ignore[arg-type]
        for i in range(0, len(items), card_services.CHUNK)
    ]
    pdf = cards.merge_pdfs(parts)
    return time.perf_counter() - started, len(pdf)


def run() -> list[common.Figure]:
    common.prepare()
    photo_dir = tempfile.mkdtemp(prefix="openimis-bench-photos-")
    _photos(Path(photo_dir))
    _render(20, photo_dir, 0)  # warm-up: fonts, WeasyPrint's caches
    seconds, size = _render(SINGLE_RUN, photo_dir, 0)
    per_card_ms = seconds * 1000 / SINGLE_RUN
    rate = SINGLE_RUN / seconds
    print(f"cards: {SINGLE_RUN} in {seconds:.1f} s ({rate:.0f} cards/s, PDF {size / 1e6:.1f} MB)")
    figures = [
        common.Figure(
            f"membership cards with photo and QR, one process: ms per card ({rate:.0f} cards/s; >= 50/s)",
            per_card_ms,
            TARGET_MS_PER_CARD,
            "ms",
            notes=(f"{SINGLE_RUN} cards, A4 sheets, chunks of 500, distinct JPEG photos",),
        )
    ]
    per_worker = BATCH // WORKERS
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=WORKERS) as pool:
        results = list(pool.map(_render, [per_worker] * WORKERS, [photo_dir] * WORKERS, [0, per_worker]))
    wall = time.perf_counter() - started
    print(f"cards: {BATCH:,} in two processes in {wall:.1f} s (each: {', '.join(f'{s:.1f} s' for s, _ in results)})")
    figures.append(
        common.Figure(
            f"{BATCH:,}-card batch, two worker processes of {os.cpu_count()} CPUs: wall time",
            wall,
            TARGET_BATCH_S,
            "s",
            notes=(f"{per_worker:,} cards per process, real rendering function, without process start-up",),
        )
    )
    return figures


if __name__ == "__main__":
    for figure in run():
        print(figure.line())
