"""Lay out and paint a look's scenery: sky, silhouette layers and the front band.

The result is a ``Canvases``: doubled periodic canvases plus the strips that scroll them
(see ``canvas`` for the rules that make pre-painted parallax correct).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import numpy as np

from jobs.generation.procedural.canvas import (
    F32,
    FRONT_TOP,
    LAND_TOP,
    LAYER_SPEEDS,
    SKY_SPEED,
    TERRAIN_LAYERS,
    Canvases,
    Strip,
    StripPainter,
    envelope,
    even,
    gradient,
    half,
    mix,
    speed_ratio,
    terrain_profile,
    yuv,
)
from jobs.generation.procedural.looks import Look

WHITE = yuv("#ffffff")
PAINT_THREADS = 2  # the box has two cores, and nothing else runs before the first frame
LARGE_FRAME_PIXELS = 1920 * 1080  # above this, paint on one thread: half the peak memory
ROWS_PER_CHUNK = 128  # rows per step where every pixel is computed (even, for chroma)


def _upsample(a: np.ndarray) -> np.ndarray:
    return np.repeat(np.repeat(a, 2, axis=0), 2, axis=1)


def _layer_colours(look: Look, count: int) -> list[np.ndarray]:
    colours = [yuv(c, look.hue_shift) for c in look.palette.layers]
    if len(colours) == count:
        return colours
    picks = np.linspace(0, len(colours) - 1, count)
    return [mix(colours[int(np.floor(p))], colours[int(np.ceil(p))], p - np.floor(p)) for p in picks]


class ScenePainter:
    """Paints one look at one frame size; ``paint()`` returns the canvases."""

    def __init__(self, look: Look, width: int, height: int, seeds: np.random.SeedSequence) -> None:
        self.look, self.width, self.height, self.seeds = look, width, height, seeds
        self.period = width
        self.scale = height / 1080
        self.pace = look.pace * self.scale
        palette = look.palette
        self.glow = self.colour(palette.glow)
        self.haze = self.colour(palette.haze)
        self.y = np.empty((height, 2 * width), np.uint8)
        self.u = np.empty((height // 2, width), np.uint8)
        self.v = np.empty((height // 2, width), np.uint8)
        self.strips: list[Strip] = []

        band = TERRAIN_LAYERS[look.terrain]
        self.front_top = even(FRONT_TOP[look.front] * height) if look.front != "none" else height
        land_top = even(LAND_TOP[look.terrain] * height)
        land_bottom = min(self.front_top, even(FRONT_TOP["none"] * height))
        self.rim = max(2, even(0.009 * height))
        # Room above each edge for its halo, so the glow never ends on a strip boundary.
        self.halo = even(3 * self.rim) if palette.halo else 0
        self.zones: list[tuple[int, int]] = []
        for a, b in band:
            top = even(land_top + a * (land_bottom - land_top))
            if self.zones:
                top = max(top, self.zones[-1][1] + self.rim + 2)
            bottom = max(top + self.halo + 4, even(land_top + b * (land_bottom - land_top)))
            if self.zones and bottom + self.rim + 2 > self.front_top:
                break  # a small frame has no room for every layer
            self.zones.append((top, bottom))
        sky_top, sky_mid, sky_low = (self.colour(c) for c in palette.sky)
        rows = np.arange(height, dtype=F32)
        horizon = self.zones[0][0] + 0.6 * (self.zones[0][1] - self.zones[0][0])
        self.sky_rows = gradient([(0, sky_top), (0.6 * land_top, sky_mid), (horizon, sky_low)], rows)
        self.sky_low = sky_low
        self.sky_mid = sky_mid

    def colour(self, hex_colour: str) -> np.ndarray:
        return yuv(hex_colour, self.look.hue_shift)

    # The whole scene ---------------------------------------------------------------------

    def paint(self) -> Canvases:
        """Plan the strips, then paint them, on two threads up to 1080p (numpy releases the GIL).

        Tasks write disjoint rows and each draws from its own random stream, so the
        canvases are the same whatever order the threads run them in.
        """
        tasks: list[Callable[[np.random.Generator], None]] = [partial(self.paint_sky, 0, self.zones[0][0])]
        behind = self.sky_rows
        colours = _layer_colours(self.look, len(self.zones))
        speeds = LAYER_SPEEDS if len(self.zones) == 3 else LAYER_SPEEDS[-len(self.zones) :]
        if self.look.terrain == "flames":
            speeds = (1.0, -1.6, 2.4)  # tongues crossing each other read as flicker
        elif self.look.terrain == "planet":
            speeds = (0.0,)  # planets do not scroll; the stars drift past
        for depth, (zone, colour) in enumerate(zip(self.zones, colours)):
            bottom = self.zones[depth + 1][0] if depth + 1 < len(self.zones) else self.front_top
            fog = 0.5 - 0.12 * depth
            body = mix(colour, self.haze, fog * np.clip((np.arange(self.height, dtype=F32) - zone[0])
                                                       / (self.height - zone[0]), 0, 1)[:, None] ** 1.2)
            tasks.append(partial(self.paint_layer, depth, zone, bottom, behind, body, colour, speeds[depth]))
            behind = body
        if self.look.front == "water":
            tasks.append(partial(self.paint_water, self.front_top))
        elif self.look.front == "traffic":
            tasks.append(partial(self.paint_traffic, self.front_top))
        streams = [np.random.default_rng(seed) for seed in self.seeds.spawn(len(tasks))]
        threads = PAINT_THREADS if self.width * self.height <= LARGE_FRAME_PIXELS else 1
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="paint") as pool:
            for done in [pool.submit(task, rng) for task, rng in zip(tasks, streams)]:
                done.result()
        self.strips.sort(key=lambda strip: strip.top)
        rows = [(s.top, s.bottom) for s in self.strips]
        # Frames are drawn into reused buffers: every row must belong to exactly one strip.
        if rows[0][0] != 0 or rows[-1][1] != self.height or any(a[1] != b[0] for a, b in zip(rows, rows[1:])):
            raise AssertionError(f"strips do not tile the frame: {rows}")
        return Canvases(self.y, self.u, self.v, self.period, tuple(self.strips), self.front_top)

    def _strip(self, top: int, bottom: int, speed: float, row_colours: np.ndarray) -> StripPainter:
        num, den = speed_ratio(speed * self.pace)
        self.strips.append(Strip(top, bottom, num, den))
        return StripPainter(top, bottom, self.period, row_colours[top:bottom])

    # Sky -----------------------------------------------------------------------------------

    def paint_sky(self, top: int, bottom: int, rng: np.random.Generator) -> None:
        painter = self._strip(top, bottom, SKY_SPEED, self.sky_rows)
        sky = self.look.sky
        if sky == "nebula":
            self.paint_nebula(painter, rng)
        if self.sky_rows[0, 0] < 60 and self.look.terrain != "flames":
            self.paint_stars(painter, 0.0011 if sky == "nebula" else 0.0006, rng)
        if sky in ("sun", "moon"):
            self.paint_orb(painter, sky == "moon", rng)
        elif sky == "clouds":
            self.paint_clouds(painter, rng)
        painter.store(self.y, self.u, self.v)

    def paint_stars(self, painter: StripPainter, density: float, rng: np.random.Generator) -> None:
        h, w = painter.y.shape
        count = int(density * h * w / max(self.scale, 1) ** 2)
        if h < 8 or count == 0:
            return
        ys = rng.integers(0, h - 2, count)
        xs = rng.integers(0, w - 2, count)
        fade = np.clip(1.15 - ys / h, 0, 1) ** 1.5  # fewer, dimmer stars near the horizon
        light = (40 + 190 * rng.random(count) ** 3) * fade
        np.maximum.at(painter.y, (ys, xs), light.astype(F32) + 16)
        big = light > 150  # the brightest get a soft cross
        for dy, dx in ((0, 1), (1, 0), (-1, 0), (0, -1)):
            np.maximum.at(painter.y, (ys[big] + dy, xs[big] + dx), (0.45 * light[big]).astype(F32) + 16)
        if self.scale > 1.5:  # at 4k one pixel is too small to see
            for dy, dx in ((1, 1),):
                np.maximum.at(painter.y, (ys + dy, xs + dx), (0.9 * light).astype(F32) + 16)

    def paint_orb(self, painter: StripPainter, moon: bool, rng: np.random.Generator) -> None:
        h, w = painter.y.shape
        radius = (0.042 if moon else 0.055) * self.height
        reach = min(radius * (3.0 if moon else 2.6), 0.48 * h)
        size = 4 * max(1, round(reach / 2))  # half of it stays even, like every offset
        if size + 4 > min(h, w):
            return
        cy = even(min(max(rng.uniform(0.15, 0.35) * h, size // 2), h - size // 2 - 2))
        cx = even(rng.uniform(0.15, 0.85) * (w - size) + size / 2)
        row, col = cy - size // 2, cx - size // 2
        yy, xx = np.mgrid[0:size, 0:size].astype(F32) - F32(size / 2 - 0.5)
        d = np.hypot(yy, xx)
        halo = (1 - np.clip(d / (size / 2), 0, 1)) ** 2.4 * (0.35 if moon else 0.6)
        painter.blend_solid(halo, self.glow, row, col)
        disc = np.clip(radius - d + 0.5, 0, 1)
        if moon:
            face = np.ones_like(d)
            for _ in range(4):  # soft craters
                cxr, cyr = rng.uniform(-0.5, 0.5, 2) * radius
                rr = rng.uniform(0.12, 0.3) * radius
                face -= 0.1 * np.exp(-(((xx - cxr) ** 2 + (yy - cyr) ** 2) / rr**2))
            colour = self.glow[:, None, None] * np.stack([face, np.ones_like(d), np.ones_like(d)])
            painter.blend(disc, colour[0], self.glow[1], self.glow[2], row, col)
            return
        if self.look.palette.sun_stripes:
            top, low = self.colour("#ffe14a"), self.colour("#ff2e88")
            t = np.clip((yy / radius + 1) / 2, 0, 1)
            # Synthwave sun: slits that widen towards the bottom of the disc.
            below = yy / radius + 0.15
            slit = (below * 5.5) % 1 < np.clip(below, 0, 1) * 0.55
            disc *= np.where((below > 0) & slit, F32(0), F32(1))
        else:
            top, low = mix(WHITE, self.glow, 0.6), mix(self.glow, self.sky_low, 0.25)
            t = np.clip((yy / radius + 1) / 2, 0, 1)
        colour_y = mix(top[0], low[0], t)
        t2 = half(t)
        painter.blend(disc, colour_y, mix(top[1], low[1], t2), mix(top[2], low[2], t2), row, col)

    def paint_clouds(self, painter: StripPainter, rng: np.random.Generator) -> None:
        h, w = painter.y.shape
        light = mix(self.sky_low, WHITE, 0.75)
        shade = mix(self.sky_mid, WHITE, 0.35)
        for _ in range(rng.integers(4, 8)):
            pw = even(w * rng.uniform(0.14, 0.3))
            ph = even(min(h * 0.3, self.height * rng.uniform(0.05, 0.09)))
            if ph < 4 or pw < 4:
                return
            row = even(rng.uniform(0.04, 0.7) * max(h - ph - 4, 2))
            col = even(rng.uniform(0, w - pw - 2))
            # Smooth shapes: compute at half resolution and upsample.
            yy, xx = np.mgrid[0 : ph // 2, 0 : pw // 2].astype(F32)
            density = np.zeros((ph // 2, pw // 2), F32)
            for _ in range(7):
                px, py = rng.uniform(0.15, 0.85) * pw / 2, rng.uniform(0.45, 0.7) * ph / 2
                rx, ry = rng.uniform(0.08, 0.18) * pw / 2, rng.uniform(0.2, 0.32) * ph / 2
                density += np.exp(-(((xx - px) / rx) ** 2 + ((yy - py) / ry) ** 2))
            alpha_half = (1 - np.exp(-2.2 * density)) * envelope(ph // 2, pw // 2, 0.2)
            alpha_half *= F32(rng.uniform(0.55, 0.85))
            t_half = yy / max(ph / 2 - 1, 1)
            t = _upsample(t_half)
            painter.blend(_upsample(alpha_half), mix(light[0], shade[0], t), mix(light[1], shade[1], t_half),
                          mix(light[2], shade[2], t_half), row, col, alpha_half=alpha_half)

    def paint_nebula(self, painter: StripPainter, rng: np.random.Generator) -> None:
        h, w = painter.y.shape
        colours = [self.colour(c) for c in ("#6a2c91", "#2b5fa8", "#b03a6e", "#1f7f8f")]
        for i in range(5):
            pw, ph = even(w * rng.uniform(0.3, 0.55)), even(h * rng.uniform(0.35, 0.7))
            if ph < 4 or pw < 4:
                return
            row, col = even(rng.uniform(0, h - ph - 2)), even(rng.uniform(0, w - pw - 2))
            yy, xx = np.mgrid[0 : ph // 2, 0 : pw // 2].astype(F32)
            a = np.zeros((ph // 2, pw // 2), F32)
            for _ in range(4):  # a cluster of soft lobes reads as gas, one ellipse as a blob
                cy, cx = rng.uniform(0.3, 0.7) * ph / 2, rng.uniform(0.3, 0.7) * pw / 2
                ry, rx = rng.uniform(0.1, 0.2) * ph, rng.uniform(0.06, 0.16) * pw
                a += F32(rng.uniform(0.4, 1.0)) * np.exp(-(((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2))
            alpha_half = np.clip(a, 0, 1) * envelope(ph // 2, pw // 2, 0.35) * F32(0.45)
            painter.blend(_upsample(alpha_half), *colours[i % len(colours)], row, col, alpha_half=alpha_half)

    # Layers ------------------------------------------------------------------------------

    def paint_layer(self, depth: int, zone: tuple[int, int], bottom: int, behind: np.ndarray,
                    body: np.ndarray, colour: np.ndarray, speed: float, rng: np.random.Generator) -> None:
        top, edge_bottom = zone
        painter = self._strip(top, bottom, speed, behind)
        band = edge_bottom - top - self.halo
        edge = top + self.halo + band * terrain_profile(self.look.terrain, self.period, rng, depth, band)
        sharp = self.look.terrain in ("skyline",)
        slope = 1.0 if sharp else np.sqrt(1 + (np.roll(edge, -1) - np.roll(edge, 1)) ** 2 / 4)
        last = min(bottom, edge_bottom + self.rim + 2)
        rim_colour = mix(colour, self.glow, self.look.palette.rim)
        halo_colour = mix(rim_colour, self.glow, 0.5)
        for start in range(top, last, ROWS_PER_CHUNK):  # bounded temporaries, even at 4k
            rows = np.arange(start, min(start + ROWS_PER_CHUNK, last), dtype=F32)[:, None]
            below = rows - edge[None, :]
            alpha = np.clip(below / slope + 0.5, 0, 1)
            if self.halo:  # glow in the air just above the edge
                above = np.clip(-below, 0, None)
                halo = np.exp(-above / F32(0.9 * self.rim)) * (above < self.halo - 1) * F32(self.look.palette.halo)
                painter.blend_solid(halo.astype(F32), halo_colour, start - top)
            rim = np.clip(1 - below / self.rim, 0, 1) ** 3
            local = body[start : start + len(rows)]
            colour_y = local[:, 0:1] + rim * (rim_colour[0] - local[:, 0:1])
            rim_half = half(rim)
            pairs = local.reshape(-1, 2, 3).mean(axis=1)
            colour_u = pairs[:, 1:2] + rim_half * (rim_colour[1] - pairs[:, 1:2])
            colour_v = pairs[:, 2:3] + rim_half * (rim_colour[2] - pairs[:, 2:3])
            painter.blend(alpha, colour_y, colour_u, colour_v, start - top)
        if last < bottom:  # under the rim the layer is a plain vertical gradient
            fill = StripPainter(last, bottom, self.period, body[last:bottom])
            painter.y[last - top :] = fill.y
            painter.u[(last - top) // 2 :] = fill.u
            painter.v[(last - top) // 2 :] = fill.v
        if self.look.terrain == "skyline":
            self.paint_windows(painter, edge, bottom, depth, rng)
        painter.store(self.y, self.u, self.v)

    def paint_windows(self, painter: StripPainter, edge: np.ndarray, bottom: int, depth: int,
                      rng: np.random.Generator) -> None:
        top = painter.top
        cell_w = max(4, even(0.011 * self.height * (1 + 0.3 * depth)))
        cell_h = max(4, even(0.016 * self.height * (1 + 0.3 * depth)))
        cols = np.arange(self.period)
        lit = rng.random(((bottom - top) // cell_h + 2, self.period // cell_w + 2)) < (0.22 + 0.1 * depth)
        light = mix(self.glow, WHITE, 0.15)
        for start in range(top, bottom, ROWS_PER_CHUNK):
            rows = np.arange(start, min(start + ROWS_PER_CHUNK, bottom))
            glass = (((rows - top) % cell_h) < cell_h // 2)[:, None] & ((cols % cell_w) < cell_w // 2)[None, :]
            inside = rows[:, None] > edge[None, :] + cell_h
            mask = glass & inside & lit[((rows - top) // cell_h)[:, None], (cols // cell_w)[None, :]]
            # Windows fade out before the strip ends, so none is cut by the next layer's strip.
            fade = np.clip((bottom - rows) / (0.25 * (bottom - top) + 1), 0, 1).astype(F32)[:, None]
            alpha = mask.astype(F32) * fade * F32(0.55 + 0.25 * depth)
            painter.blend_solid(alpha, light, start - top)

    # Front bands ---------------------------------------------------------------------------

    def paint_water(self, top: int, rng: np.random.Generator) -> None:
        if self.look.palette.water:
            near, far = (self.colour(c) for c in self.look.palette.water)
        else:  # water mirrors the sky, darker and towards the land's colour
            near = mix(self.sky_low, _layer_colours(self.look, 1)[0], 0.45)
            far = mix(self.sky_rows[0], yuv("#000000"), 0.35)
        rows = np.arange(self.height, dtype=F32)
        t = np.clip((rows - top) / max(self.height - top, 1), 0, 1)[:, None]
        water = mix(near, far, t**0.8)
        water = mix(water, self.sky_low, 0.45 * (1 - t) ** 6)  # the sky mirrored at the horizon
        count = max(1, min(int(10 * self.scale**0.5), (self.height - top) // 8))
        heights = 1.22 ** np.arange(count)
        edges = top + np.concatenate([[0], np.cumsum(heights) / heights.sum()]) * (self.height - top)
        edges = [even(e) for e in edges]
        edges[-1] = self.height
        glint = mix(self.glow, WHITE, 0.5)
        for j in range(count):
            s_top, s_bottom = edges[j], edges[j + 1]
            depth = (j + 0.5) / count
            painter = self._strip(s_top, s_bottom, 0.5 + 3.5 * depth**1.4, water)
            thick = max(2, even(self.scale * (1 + 3 * depth)))
            for _ in range(int(22 * (1 + depth))):
                length = even(self.width * rng.uniform(0.01, 0.03 + 0.05 * depth))
                if s_bottom - s_top < thick + 4:
                    break
                row = even(rng.uniform(1, s_bottom - s_top - thick - 2))
                col = even(rng.uniform(0, self.period - length - 2))
                u = np.linspace(0, np.pi, length, dtype=F32)
                alpha = np.broadcast_to(np.sin(u) ** 2 * F32(rng.uniform(0.15, 0.55)), (thick, length))
                painter.blend_solid(np.ascontiguousarray(alpha), glint, row, col)
            painter.store(self.y, self.u, self.v)

    def paint_traffic(self, top: int, rng: np.random.Generator) -> None:
        road_top, road_low = self.colour("#1a1626"), self.colour("#07060c")
        rows = np.arange(self.height, dtype=F32)
        t = np.clip((rows - top) / max(self.height - top, 1), 0, 1)[:, None]
        road = mix(road_top, road_low, t)
        curb = even(0.012 * self.height)
        road[top : top + curb] = mix(self.glow, road_top, 0.55)
        lane = even(0.045 * self.height)
        lanes = [(top + curb, 3.2, self.colour("#ff3b30"), 1), (top + curb + lane, -4.8, self.colour("#fff2c8"), -1)]
        self._strip(top, top + curb, 0, road).store(self.y, self.u, self.v)  # the kerb light
        for lane_top, speed, light, heading in lanes:
            painter = self._strip(lane_top, lane_top + lane, speed, road)
            thick = max(2, even(0.008 * self.height))
            for _ in range(14 if lane - thick > 6 else 0):
                length = even(self.width * rng.uniform(0.03, 0.09))
                row = even(rng.uniform(2, lane - thick - 2))
                col = even(rng.uniform(0, self.period - length - 2))
                u = np.linspace(0, 1, length, dtype=F32)
                trail = np.exp(-4 * (u if heading > 0 else 1 - u)) * F32(0.9)
                alpha = np.ascontiguousarray(np.broadcast_to(trail, (thick, length)))
                painter.blend_solid(alpha, light, row, col)
            painter.store(self.y, self.u, self.v)
        dash_top = top + curb + 2 * lane
        painter = self._strip(dash_top, self.height, 2.4, road)
        dash_h = max(2, even(0.004 * self.height))
        span = even(self.width / 12)
        alpha = np.zeros((dash_h, self.period), F32)
        for x in range(0, self.period - span // 2, span):
            alpha[:, x : x + span // 2] = 0.35
        painter.blend_solid(alpha, mix(self.glow, WHITE, 0.6), 2)
        painter.store(self.y, self.u, self.v)


def paint_canvases(look: Look, width: int, height: int, seeds: np.random.SeedSequence) -> Canvases:
    """Paint every static canvas of ``look`` at ``width`` x ``height`` (both even).

    Every random choice derives from ``seeds``: the same seeds give the same canvases.
    """
    return ScenePainter(look, width, height, seeds).paint()
