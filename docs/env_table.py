"""Print the README's settings table from .env.example (the single source):
`python docs/env_table.py`."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def rows() -> list[tuple[str, str, str, str]]:
    section, comment, found = "", [], []
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.startswith("# ---"):
            section = line.strip("# -").strip()
            comment = []
        elif line.startswith("#"):
            comment.append(line.lstrip("# ").strip())
        elif "=" in line:
            name, _, default = line.partition("=")
            found.append((section, name.strip(), default.strip(), " ".join(comment)))
            comment = []
        else:
            comment = []
    return found


def table() -> str:
    lines = ["| setting | default | what it does |", "|---|---|---|"]
    section = None
    for group, name, default, text in rows():
        if group != section:
            lines.append(f"| **{group}** | | |")
            section = group
        lines.append(f"| `{name}` | {f'`{default}`' if default else '(see text)'} | {text.replace('|', '/')} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
