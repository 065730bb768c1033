"""Render a video from the terminal through the same engine path as the workers."""

from __future__ import annotations

import os
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jobs import parameters
from jobs.catalog import default_model_id, model_named
from jobs.generation.base import RESOLUTIONS, RenderSpec
from jobs.generation.registry import declaration_for, engine_for
from videogen.errors import InvalidInput


class ProgressBar:
    """A one-line progress bar on stderr; the engine's stop signal never fires."""

    def __init__(self, stream, width: int = 40):
        self.stream = stream
        self.width = width
        self.shown = -1

    def report_progress(self, fraction: float) -> None:
        percent = int(max(0.0, min(1.0, fraction)) * 100)
        if percent == self.shown:
            return
        self.shown = percent
        filled = self.width * percent // 100
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {percent:3d}%")
        self.stream.flush()

    def should_stop(self) -> bool:
        return False


class Command(BaseCommand):
    help = 'Render a video to a file: generate "a prompt" --resolution 720p --duration 5 --out clip.mp4'

    def add_arguments(self, parser):
        parser.add_argument("prompt")
        parser.add_argument("--model", default=None, help="Catalog model id (default: the platform default).")
        # The render parameters, with their names, types, choices and defaults, from the contract.
        for param in parameters.MODEL_PARAMETERS:
            param.add_argument(parser)
        parser.add_argument("--seed", type=int, default=None, help="Seed (default: derived from the prompt).")
        parser.add_argument("--out", default="clip.mp4", help="Output MP4 path.")
        parser.add_argument("--poster", default=None, help="Poster JPEG path (default: next to --out).")

    def handle(self, *args, prompt, model, seed, out, poster, **options):
        from jobs.generation.render import render_video

        values = {"prompt": prompt, "model": model}
        values.update({param.name: options[param.attr] for param in parameters.MODEL_PARAMETERS})
        try:
            entry = model_named(model or default_model_id())
            parameters.check_request(values, entry)
        except InvalidInput as exc:
            raise CommandError(exc.message) from None
        width, height = RESOLUTIONS[values["resolution"]]
        declaration = declaration_for(entry.engine)
        spec = RenderSpec(
            prompt=prompt, width=width, height=height, fps=entry.fps, duration=values["duration"],
            quality=values["quality"], seed=seed if seed is not None else declaration.derive_seed(prompt),
            params={p.name: values[p.name] for p in parameters.MODEL_PARAMETERS if not p.column},
        )
        poster = poster or os.path.splitext(out)[0] + ".jpg"
        engine = engine_for(model_id=entry.id, engine=entry.engine, options=entry.options, device=settings.DIFFUSION_DEVICE)
        started = time.monotonic()
        outcome = render_video(engine=engine, spec=spec, video_path=out, thumbnail_path=poster, control=ProgressBar(sys.stderr))
        elapsed = time.monotonic() - started
        facts = outcome.facts
        sys.stderr.write("\n")
        self.stdout.write(
            f"wrote {out}: {facts.width}x{facts.height} {facts.codec}, {facts.frames} frames at {facts.fps} fps, "
            f"{facts.size_bytes / 1e6:.1f} MB in {elapsed:.1f}s (poster {poster})"
        )
