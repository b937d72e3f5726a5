"""Records for an org: the scenario file's `salesforce:` section, and bulk data from a seed.

Generation draws from name pools a seeded Faker fills once, so the same seed on the same org
state gives the same names, emails and Ids, and 100,000 records take about a second.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from fake_salesforce.errors import ApiError
from fake_salesforce.org import Org

GENERATED_TYPES = ("Contact", "Lead", "Account")
SECTION_KEYS = frozenset({"packages", "api_limit", "read_only", "records", "generate"})
BATCH_KEYS = frozenset({"type", "count", "opted_out", "seed"})
POOL_SIZES = {"first": 300, "last": 600, "company": 200, "domain": 40, "title": 60}
_NOT_EMAIL = re.compile(r"[^a-z0-9]")


class LoadError(ValueError):
    """A `salesforce:` section that cannot be loaded; the message names the entry."""


@dataclass(frozen=True)
class NamePools:
    """Names drawn once from a seeded Faker; records pick from them with their own RNG."""

    first: tuple[str, ...]
    last: tuple[str, ...]
    company: tuple[str, ...]
    domain: tuple[str, ...]
    title: tuple[str, ...]


@lru_cache(maxsize=16)
def name_pools(seed: int) -> NamePools:
    from faker import Faker  # imported on first use: it takes a while to load

    faker = Faker("en_US")
    faker.seed_instance(seed)
    sizes = POOL_SIZES
    return NamePools(
        first=tuple(faker.first_name() for _ in range(sizes["first"])),
        last=tuple(faker.last_name() for _ in range(sizes["last"])),
        company=tuple(faker.company() for _ in range(sizes["company"])),
        domain=tuple(faker.domain_name() for _ in range(sizes["domain"])),
        title=tuple(faker.job() for _ in range(sizes["title"])),
    )


def _email_part(name: str) -> str:
    return _NOT_EMAIL.sub("", name.lower())


def _values(sobject: str, pools: NamePools, rng: random.Random, count: int, opted_out: float
            ) -> list[dict[str, Any]]:  # fmt: skip
    """Field values for `count` records, drawn in bulk (one RNG call per column, not per cell)."""
    companies = rng.choices(pools.company, k=count)
    if sobject == "Account":
        return [{"Name": company[:255]} for company in companies]
    firsts, lasts = rng.choices(pools.first, k=count), rng.choices(pools.last, k=count)
    domains, titles = rng.choices(pools.domain, k=count), rng.choices(pools.title, k=count)
    opted = [rng.random() < opted_out for _ in range(count)]
    out = []
    for n, (first, last) in enumerate(zip(firsts, lasts, strict=True)):
        values = {
            "FirstName": first,
            "LastName": last,
            "Name": f"{first} {last}",
            "Email": f"{_email_part(first)}.{_email_part(last)}{n + 1}@{domains[n]}",
            "Title": titles[n][:128],
            "HasOptedOutOfEmail": opted[n],
        }
        if sobject == "Lead":
            values["Company"] = companies[n]
        out.append(values)
    return out


def generate(
    org: Org, sobject: str, count: int, opted_out: float = 0.0, seed: int = 0
) -> list[str]:
    """Create `count` records of `sobject`; a share `opted_out` has HasOptedOutOfEmail set."""
    spec = org.require_spec(sobject)
    if spec.name not in GENERATED_TYPES:
        raise LoadError(f"generate: type must be one of {', '.join(GENERATED_TYPES)}")
    if count < 0 or not 0 <= opted_out <= 1:
        raise LoadError("generate: count must be >= 0 and opted_out between 0 and 1")
    rows = _values(spec.name, name_pools(seed), random.Random(seed), count, opted_out)
    table = org.tables[spec.name]
    made: list[str] = []
    with org.lock:
        now = org.clock.now()
        audit = _audit(now.replace(microsecond=now.microsecond // 1000 * 1000), org.user_id)
        for values in rows:
            record_id = org.minter.mint(spec.key_prefix)
            table.insert(record_id, {**audit, **values})
            made.append(record_id)
    return made


def _audit(now: datetime, user_id: str) -> dict[str, Any]:
    return {
        "CreatedDate": now,
        "LastModifiedDate": now,
        "SystemModstamp": now,
        "CreatedById": user_id,
        "LastModifiedById": user_id,
        "OwnerId": user_id,
    }


@dataclass
class Loaded:
    """What a `salesforce:` section made: Ids by ref, and each generated batch's Ids."""

    refs: dict[str, str] = field(default_factory=dict)
    generated: list[tuple[str, list[str]]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "refs": self.refs,
            "generated": [{"type": t, "ids": made} for t, made in self.generated],
        }


def load_section(org: Org, section: Mapping[str, Any]) -> Loaded:
    """Apply a scenario file's `salesforce:` section (packages, records, generate...) to `org`."""
    unknown = sorted(set(section) - SECTION_KEYS)
    if unknown:
        raise LoadError(f"salesforce: unknown key(s) {', '.join(unknown)}")
    with org.lock:
        for package in section.get("packages") or ():
            org.install_package(str(package))
        if section.get("api_limit") is not None:
            org.usage.limit = int(section["api_limit"])
        for qualified in section.get("read_only") or ():
            sobject, _, name = str(qualified).partition(".")
            org.set_field_read_only(sobject, name, True)
        loaded = Loaded()
        _create_records(org, section.get("records") or (), loaded)
        for batch in section.get("generate") or ():
            _generate_batch(org, batch, loaded)
        return loaded


def _create_records(org: Org, records: Iterable[Any], loaded: Loaded) -> None:
    for index, record in enumerate(records):
        if not isinstance(record, Mapping) or "type" not in record:
            raise LoadError(f"records[{index}]: a mapping with type: is required")
        fields = {k: v for k, v in record.items() if k not in ("ref", "type")}
        spec = org.require_spec(str(record["type"]))
        for name, value in fields.items():  # a reference field may name an earlier ref
            target = spec.field(name)
            if target is not None and target.type == "reference" and value in loaded.refs:
                fields[name] = loaded.refs[value]
        try:
            record_id = org.create(spec.name, fields)
        except ApiError as exc:
            raise LoadError(f"records[{index}]: {exc.error_code}: {exc.message}") from None
        ref = record.get("ref")
        if ref is not None:
            if ref in loaded.refs:
                raise LoadError(f"records[{index}]: ref {ref} is used twice")
            loaded.refs[str(ref)] = record_id


def _generate_batch(org: Org, batch: Any, loaded: Loaded) -> None:
    if not isinstance(batch, Mapping) or not {"type", "count"} <= set(batch):
        raise LoadError("generate: each entry needs type: and count:")
    unknown = sorted(set(batch) - BATCH_KEYS)
    if unknown:
        raise LoadError(f"generate: unknown key(s) {', '.join(unknown)}")
    made = generate(
        org,
        str(batch["type"]),
        int(batch["count"]),
        opted_out=float(batch.get("opted_out", 0.0)),
        seed=int(batch.get("seed", 0)),
    )
    loaded.generated.append((org.require_spec(str(batch["type"])).name, made))


def parse_document(text: str | bytes, content_type: str = "") -> Mapping[str, Any]:
    """A JSON or YAML document: the `salesforce:` section itself, or a whole scenario file."""
    import json

    import yaml

    data = json.loads(text) if "json" in content_type else yaml.safe_load(text)
    if not isinstance(data, Mapping):
        raise LoadError("expected a mapping (the salesforce: section, or a scenario file)")
    section = data.get("salesforce", data) if "salesforce" in data else data
    if not isinstance(section, Mapping):
        raise LoadError("salesforce: must be a mapping")
    return section
