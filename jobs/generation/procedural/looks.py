"""From a prompt to a *look*: the palette and motifs of a procedural video.

Words in the prompt pick themes. A theme is a mood (night, sunset, neon, fire, snow) or a
place (city, ocean, forest, mountain, desert, space) and supplies some facets: palette,
terrain, front band, sky feature, particles. Moods have the first say on palette, sky and
particles, places on terrain and front band, then prompt order decides; so "a neon city
at night" gets the neon palette and sun, the city skyline and its traffic. Facets nobody
asked for, and prompts with no known word, come from a hash of the prompt, so every
prompt gets a stable look of its own. Colour words tint the accents; pace words speed the
motion up or slow it down.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Palette:
    sky: tuple[str, str, str]  # top, middle, horizon (RGB hex)
    layers: tuple[str, ...]  # silhouettes, far to near
    haze: str  # what distant layers and low ground fade into
    glow: str  # sun, moon, windows, neon rim
    particle: str
    water: tuple[str, str] | None = None  # near the horizon, near the viewer; None: from the sky
    rim: float = 0.3  # how strongly silhouette edges catch the glow colour
    halo: float = 0.0  # glow above silhouette edges (neon, a planet's atmosphere)
    sun_stripes: bool = False  # the synthwave sun


@dataclass(frozen=True)
class Look:
    palette: Palette
    terrain: str  # mountains | hills | pines | skyline | dunes | flames | planet | islands
    front: str  # none | water | traffic
    sky: str  # none | sun | moon | clouds | nebula
    particles: str  # fireflies | embers | snow | bokeh | motes | twinkles | sparkles
    pace: float  # multiplies every speed
    tint: str | None  # accent colour named in the prompt
    hue_shift: float = 0.0  # radians; turns the palette for prompts no theme recognised


@dataclass(frozen=True)
class Theme:
    words: tuple[str, ...]
    palette: Palette | None = None
    terrain: str | None = None
    front: str | None = None
    sky: str | None = None
    particles: str | None = None
    # Facets this theme only suggests: used when no matched theme sets them outright.
    hints: tuple[tuple[str, str], ...] = ()
    # A mood (night, fire ...) rather than a place (city, ocean ...): moods choose the
    # palette, sky and particles first, places the terrain and the front band first.
    mood: bool = False


THEMES: dict[str, Theme] = {
    "night": Theme(
        mood=True,
        words=("night", "midnight", "moon", "moonlight", "moonlit", "dark", "starry", "dream", "sleep"),
        palette=Palette(("#070b1f", "#18214a", "#3b4a7e"), ("#28305e", "#1b2147", "#10142c"),
                        "#46578c", "#f4f1dc", "#f7e98e"),
        sky="moon", particles="fireflies", hints=(("terrain", "hills"),),
    ),
    "city": Theme(
        words=("city", "urban", "street", "downtown", "skyline", "building", "tower", "town",
               "metropolis", "traffic", "cyberpunk", "tokyo", "york", "london", "paris"),
        palette=Palette(("#141a44", "#553676", "#f0875a"), ("#3a2b5b", "#211938"),
                        "#8c5a7c", "#ffd27a", "#ffc27a"),
        terrain="skyline", front="traffic", particles="bokeh", hints=(("sky", "none"),),
    ),
    "ocean": Theme(
        words=("ocean", "sea", "beach", "wave", "water", "lake", "river", "coast", "island",
               "harbor", "harbour", "bay", "sail", "boat", "surf", "tropical"),
        palette=Palette(("#2867ab", "#6cb0e0", "#dcedf5"), ("#4d7f90", "#2f5b6b"),
                        "#bcd9e6", "#fff6d5", "#ffffff", ("#4b97c6", "#0b3050")),
        terrain="islands", front="water", sky="clouds", particles="sparkles",
    ),
    "forest": Theme(
        words=("forest", "tree", "wood", "woods", "jungle", "pine", "nature", "garden", "grove",
               "leaf", "leaves", "park", "moss", "fairy", "elf"),
        palette=Palette(("#5f9d94", "#a6cfb5", "#eaf0d0"), ("#6f9a86", "#3f6f57", "#21473a", "#0f2a20"),
                        "#d3e6d0", "#fff2c0", "#fff4b0"),
        terrain="pines", sky="clouds", particles="motes",
    ),
    "mountain": Theme(
        words=("mountain", "peak", "alps", "alpine", "valley", "hike", "cliff", "summit", "range"),
        palette=Palette(("#346fc0", "#8bbbe6", "#e6f1f7"), ("#8aa5c8", "#5f7ea6", "#3e5a7d", "#263c57"),
                        "#d5e3ef", "#fff8e0", "#ffffff"),
        terrain="mountains", front="none", sky="sun", particles="motes",
    ),
    "fire": Theme(
        mood=True,
        words=("fire", "flame", "lava", "volcano", "burn", "burning", "inferno", "heat", "dragon",
               "ember", "campfire", "hell", "blaze", "phoenix"),
        palette=Palette(("#0b0101", "#330904", "#8a2208"), ("#a8230b", "#dc520f", "#ff951e", "#ffd05a"),
                        "#ff7a2a", "#ffd080", "#ffb347"),
        terrain="flames", front="none", sky="none", particles="embers",
    ),
    "sunset": Theme(
        mood=True,
        words=("sunset", "sunrise", "dusk", "dawn", "golden", "evening", "warm", "summer", "romantic"),
        palette=Palette(("#2d1b4e", "#b4466a", "#ffb26b"), ("#7a3b5e", "#4e2648", "#2a1533"),
                        "#f08a6a", "#fff0b0", "#ffe3a0", ("#e0806a", "#2a1533")),
        sky="sun", particles="motes", hints=(("terrain", "hills"), ("front", "water")),
    ),
    "space": Theme(
        words=("space", "galaxy", "cosmos", "cosmic", "nebula", "planet", "universe", "astronaut",
               "rocket", "orbit", "alien", "stars", "star", "spaceship", "mars"),
        palette=Palette(("#02010a", "#0c0a2a", "#1a1242"), ("#27386b",), "#6a86c8", "#7fb2ff", "#ffffff",
                        rim=0.8, halo=0.6),
        terrain="planet", front="none", sky="nebula", particles="twinkles",
    ),
    "neon": Theme(
        mood=True,
        words=("neon", "cyber", "synthwave", "retro", "vaporwave", "laser", "club", "disco", "arcade",
               "glow", "electric", "rave", "80s", "cyberpunk"),
        palette=Palette(("#0a0520", "#2c0b4e", "#ff2e88"), ("#3d0f5e", "#240a40", "#12061f"),
                        "#7a1f8a", "#00e5ff", "#ff4fd8", ("#ff2e88", "#12061f"), rim=0.9, halo=0.45,
                        sun_stripes=True),
        sky="sun", particles="bokeh", hints=(("terrain", "mountains"), ("front", "water")),
    ),
    "snow": Theme(
        mood=True,
        words=("snow", "winter", "ice", "frozen", "cold", "arctic", "christmas", "frost", "glacier",
               "snowy", "polar"),
        palette=Palette(("#9dbde3", "#d5e4f2", "#f5f8fb"), ("#c5d3e5", "#9cb1cb", "#6f88a8"),
                        "#eef3f8", "#ffffff", "#ffffff", rim=0.7),
        terrain="mountains", front="none", sky="clouds", particles="snow",
    ),
    "desert": Theme(
        words=("desert", "sand", "dune", "sahara", "canyon", "dry", "camel", "oasis", "arid"),
        palette=Palette(("#4689cc", "#9cc7e6", "#f4e0ba"), ("#e2aa68", "#c98a4a", "#a86a35", "#80502a"),
                        "#f5d9a8", "#fff4d0", "#fff0c8"),
        terrain="dunes", front="none", sky="sun", particles="motes",
    ),
}

COLOUR_WORDS: dict[str, str] = {
    "red": "#ff4a4a", "orange": "#ff9a3c", "yellow": "#ffe14a", "gold": "#ffd24a",
    "golden": "#ffd24a", "green": "#5cff8a", "teal": "#3fe0d0", "cyan": "#3fe8ff",
    "blue": "#4a8cff", "purple": "#b05cff", "violet": "#a35cff", "pink": "#ff6fc8",
    "magenta": "#ff3fd0", "white": "#ffffff", "silver": "#dfe6ee",
}
SLOW_WORDS = frozenset({"calm", "slow", "gentle", "peaceful", "quiet", "serene", "lazy", "soft", "relaxing"})
FAST_WORDS = frozenset({"fast", "rush", "storm", "wild", "chase", "race", "speed", "racing", "busy", "frantic"})

FACETS = ("palette", "terrain", "front", "sky", "particles")
PLACE_FACETS = frozenset({"terrain", "front"})


def prompt_digest(prompt: str) -> bytes:
    """A stable hash of the prompt (``hash()`` is salted per process, so never that)."""
    return hashlib.sha256(prompt.strip().lower().encode("utf-8")).digest()


def prompt_words(prompt: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+", prompt.lower())
    # Crude singulars ("trees" -> "tree", "waves" -> "wave") without a stemmer.
    return [w[:-1] if w.endswith("s") and len(w) > 3 and w[:-1] in _ALL_WORDS else w for w in words]


_ALL_WORDS = frozenset(word for theme in THEMES.values() for word in theme.words)


def look_for(prompt: str) -> Look:
    """The look of ``prompt``: the same prompt always gets the same look."""
    words = prompt_words(prompt)
    matched = list(dict.fromkeys(name for word in words for name, theme in THEMES.items() if word in theme.words))
    moods_first = [n for n in matched if THEMES[n].mood] + [n for n in matched if not THEMES[n].mood]
    places_first = [n for n in matched if not THEMES[n].mood] + [n for n in matched if THEMES[n].mood]
    digest = prompt_digest(prompt)
    # Unknown words still count: they choose the fallback theme, so two prompts without a
    # keyword are unlikely to look alike. Fire is too loud to be anyone's default.
    names = sorted(name for name in THEMES if name != "fire")
    fallback = THEMES[names[int.from_bytes(digest[:4], "big") % len(names)]]
    chosen: dict[str, object] = {}
    for facet in FACETS:
        order = places_first if facet in PLACE_FACETS else moods_first
        strong = (getattr(THEMES[name], facet) for name in order)
        hinted = (value for name in order for hint, value in THEMES[name].hints if hint == facet)
        default = _DEFAULTS[facet][digest[4 + FACETS.index(facet)] % len(_DEFAULTS[facet])]
        fallback_value = getattr(fallback, facet) or default
        chosen[facet] = next((v for v in strong if v is not None), None) or next(hinted, fallback_value)
    pace = 1.0
    if SLOW_WORDS.intersection(words):
        pace = 0.6
    if FAST_WORDS.intersection(words):
        pace = 1.7
    tint = next((COLOUR_WORDS[w] for w in words if w in COLOUR_WORDS), None)
    palette = chosen["palette"]
    assert isinstance(palette, Palette)
    if tint is not None:
        palette = replace(palette, glow=tint, particle=tint)
    hue_shift = 0.0
    if not matched:
        # A prompt with no known word would otherwise share its look with a tenth of all
        # such prompts: turn the palette's hues, towards a colour it names if any.
        hue_shift = (digest[12] / 255 - 0.5) * 1.6
        if tint is not None and (angle := _chroma_angle(tint)) is not None:
            hue_shift = angle - (_chroma_angle(palette.sky[1]) or 0.0)
    return Look(
        palette=palette,
        terrain=str(chosen["terrain"]),
        front=str(chosen["front"]),
        sky=str(chosen["sky"]),
        particles=str(chosen["particles"]),
        pace=pace,
        tint=tint,
        hue_shift=hue_shift,
    )


def _chroma_angle(hex_colour: str) -> float | None:
    """The hue of a colour as the angle of its (Cb, Cr) vector; None for greys."""
    r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    cb = -0.1687 * r - 0.3313 * g + 0.5 * b
    cr = 0.5 * r - 0.4187 * g - 0.0813 * b
    return math.atan2(cr, cb) if math.hypot(cb, cr) > 0.05 else None


# Used when neither the matched themes nor the fallback theme have an opinion on a facet.
_DEFAULTS: dict[str, tuple[object, ...]] = {
    "palette": tuple(t.palette for t in THEMES.values() if t.palette is not None),
    "terrain": ("hills", "mountains", "pines", "dunes"),
    "front": ("none", "none", "water"),
    "sky": ("clouds", "sun", "none"),
    "particles": ("motes", "fireflies", "bokeh"),
}
