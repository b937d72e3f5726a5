"""Bulk records for `salesforce.generate`: reproducible from the seed, realistic enough to read.

Names come from pools drawn once from a seeded Faker, so 50,000 records take about a second;
emails are unique by construction.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from faker import Faker

_POOL = 400


def records(sobject: str, count: int, opted_out: float, seed: int) -> Iterator[dict[str, Any]]:
    """`count` field maps for `sobject`; a share `opted_out` have Email Opt Out checked."""
    faker = Faker("en_US")
    faker.seed_instance(seed)
    first = [faker.first_name() for _ in range(_POOL)]
    last = [faker.last_name() for _ in range(_POOL)]
    domains = [faker.domain_name() for _ in range(_POOL // 4)]
    companies = [faker.company() for _ in range(_POOL // 4)]
    rng = random.Random(seed)
    for index in range(count):
        given, family = rng.choice(first), rng.choice(last)
        fields: dict[str, Any] = {
            "FirstName": given,
            "LastName": family,
            "Email": f"{given}.{family}.{seed}.{index}@{rng.choice(domains)}".lower(),
            "HasOptedOutOfEmail": rng.random() < opted_out,
        }
        if sobject == "Lead":
            fields["Company"] = rng.choice(companies)
        yield fields
