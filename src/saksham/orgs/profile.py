"""Deployment profile: everything country-specific, as data.

A profile is a JSON file. Bundled profiles live beside this module (``india.json``,
``nepal.json``); ``SAKSHAM_PROFILE`` names one of them or gives a path to another file.
A profile may point at CSV files (``regions_csv``, ``languages_csv``) relative to itself, and at a map of its
regions (``map``: a JSON file of SVG paths keyed by region code, read by the dashboards; no map, no map shown).

This module is imported by settings, so it must not touch Django models.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROFILES_DIR = Path(__file__).resolve().parent / "profiles"
REQUIRED_KEYS = ("code", "country", "time_zone", "languages", "regions", "hierarchy_levels")


class ProfileError(ValueError):
    """The deployment profile file is missing something or holds a wrong value."""


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def profile_path(name_or_path: str) -> Path:
    candidate = Path(name_or_path)
    if candidate.suffix == ".json" and candidate.exists():
        return candidate.resolve()
    bundled = PROFILES_DIR / f"{name_or_path}.json"
    if bundled.exists():
        return bundled
    raise ProfileError(f"deployment profile {name_or_path!r} not found (bundled: {', '.join(bundled_profiles())})")


def bundled_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILES_DIR.glob("*.json"))


def load_profile(name_or_path: str) -> dict:
    path = profile_path(name_or_path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ProfileError(f"{path}: not valid JSON: {exc}") from exc
    for key, csv_key in (("regions", "regions_csv"), ("languages", "languages_csv")):
        if csv_key in data:
            data[key] = _read_csv(path.parent / data.pop(csv_key))
    if data.get("map"):
        map_file = path.parent / data["map"]
        if not map_file.is_file():
            raise ProfileError(f"{path}: map file {data['map']!r} not found")
        data["map_file"] = str(map_file)
    validate_profile(data, source=str(path))
    data["source"] = str(path)
    return data


def validate_profile(data: dict, *, source: str = "profile") -> None:
    missing = [k for k in REQUIRED_KEYS if not data.get(k)]
    if missing:
        raise ProfileError(f"{source}: missing {', '.join(missing)}")
    try:
        ZoneInfo(data["time_zone"])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ProfileError(f"{source}: unknown time_zone {data['time_zone']!r}") from exc
    days = data.get("audit_retention_days", 365)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 36_500:
        raise ProfileError(f"{source}: audit_retention_days must be a whole number of days from 1 to 36500")
    lang_codes = {lang["code"] for lang in data["languages"]}
    for i, lang in enumerate(data["languages"], start=1):
        if not lang.get("code") or lang.get("direction", "ltr") not in ("ltr", "rtl"):
            raise ProfileError(f"{source}: language #{i} needs a code and direction ltr/rtl")
    seen = set()
    for i, region in enumerate(data["regions"], start=1):
        code = region.get("code")
        if not code or not region.get("name_en"):
            raise ProfileError(f"{source}: region #{i} needs code and name_en")
        if code in seen:
            raise ProfileError(f"{source}: region code {code} appears twice")
        seen.add(code)
        if region.get("primary_language") and region["primary_language"] not in lang_codes:
            raise ProfileError(f"{source}: region {code} names unknown language {region['primary_language']}")
    for pattern_key in ("mobile_pattern", "postal_code_pattern"):
        if pattern_key in data:
            re.compile(data[pattern_key])
    for dom in data.get("email_domains", []):
        if not re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", dom):
            raise ProfileError(f"{source}: email domain {dom!r} is not a domain name")
