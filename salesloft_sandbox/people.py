"""The generator's hot loop: accounts, their people, memberships and email activities.

This is where 1,000,000 people must be written in well under 90 s, so values come from
one 64-bit random draw per record sliced into fields, not one RNG call per field.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from . import records, timestamps, vocab
from .activity import ActivityWriter

if TYPE_CHECKING:
    from .config import DataShape
    from .generate import Batches

DAY = 86_400_000_000
IMPORT_SIZE = 400  # people per bulk import: they share one created_at/updated_at


class Timeline:
    """Maps a record's position to a creation time inside the generated history."""

    def __init__(self, start: str, end: str) -> None:
        self.start = timestamps.parse(start)
        self.end = timestamps.parse(end)

    def created(self, position: int, total: int) -> int:
        # Records are created over the first 85% of the history, updated until its end.
        return self.start + (self.end - self.start) * 85 // 100 * position // max(total, 1)


def _account_name(n: int) -> tuple[str, str, str]:
    """A unique (name, domain, short name) for the n-th account: a permuted mixed-radix
    combination of three word lists, with a number appended once they run out."""
    p, c, s = vocab.COMPANY_PREFIX, vocab.COMPANY_CORE, vocab.COMPANY_SUFFIX
    combos = len(p) * len(c) * len(s)
    k = n * 7919 % combos  # 7919 is prime and coprime to combos: a permutation
    prefix, core, suffix = p[k % len(p)], c[k // len(p) % len(c)], s[k // (len(p) * len(c))]
    round_ = n // combos
    name = f"{prefix} {core} {suffix}" + (f" {round_ + 1}" if round_ else "")
    slug = f"{prefix}{core}{suffix}".lower() + (str(round_ + 1) if round_ else "")
    return name, f"{slug}.{vocab.TLDS[n % len(vocab.TLDS)]}", prefix


def _imported(i: int) -> bool:
    """Bulk imports: the first IMPORT_SIZE people of every third block of 1000."""
    return (i // 1000) % 3 == 1 and i % 1000 < IMPORT_SIZE


def account_bounds(rng: random.Random, people: int, accounts: int) -> list[int]:
    """Person positions where each account starts (plus the end). Cuts at random
    positions give realistic, uneven account sizes; some accounts have no people."""
    accounts = max(accounts, 1)
    cuts = sorted(rng.sample(range(1, people), min(accounts - 1, max(people - 1, 0))))
    return [0, *cuts, people] + [people] * (accounts - 1 - len(cuts))


class PeopleWriter:
    """Writes the accounts [first_account, stop_account) with everything hanging off
    them. Ids and random streams depend only on positions and the seed, so chunks can
    be generated in any order, in parallel, with identical results."""

    def __init__(
        self,
        out: Batches,
        shape: DataShape,
        tl: Timeline,
        users: list[int],
        cadences: dict[int, tuple[bool, list[int]]],
        first_id: dict[str, int],
        bounds: list[int],
        first_account: int,
        stop_account: int,
    ) -> None:
        self.out, self.shape, self.tl = out, shape, tl
        self.rng = random.Random(shape.seed * 1_000_003 + first_account)
        self.users = users
        self.first_id = first_id
        self.activity = ActivityWriter(out, shape, tl, users, cadences, first_id, self.rng)
        self.bounds, self.first_account, self.stop_account = bounds, first_account, stop_account

    def run(self) -> None:
        for n in range(self.first_account, self.stop_account):
            self._account(n, self.bounds[n], self.bounds[n + 1])

    def _account(self, n: int, first: int, stop: int) -> None:
        bits = self.rng.getrandbits(64)
        account_id = self.first_id["accounts"] + n
        name, domain, short = _account_name(n)
        # Created a little before its first person (whose time may be an import's).
        anchor = first - first % 1000 if _imported(first) else first
        created = self.tl.created(anchor, self.shape.people) - bits % DAY
        updated = created + (bits >> 20) % (self.tl.end - created) if bits & 1 else created
        city, state, locale, offset = vocab.PLACES[(bits >> 8) % len(vocab.PLACES)]
        owner = self.users[(bits >> 12) % len(self.users)]
        industry = vocab.INDUSTRIES[(bits >> 16) % len(vocab.INDUSTRIES)]
        record = records.account_record(
            id=account_id,
            created=created,
            updated=updated,
            owner_id=owner,
            creator_id=owner,
            people_count=stop - first,
            name=name,
            domain=domain,
            conversational_name=short,
            description=f"{name} is a {industry.lower()} company.",
            phone=f"+1555{(bits >> 24) % 10_000_000:07d}",
            website=f"https://www.{domain}",
            linkedin_url=f"https://www.linkedin.com/company/{domain.split('.')[0]}",
            twitter_handle=None,
            street=f"{(bits >> 30) % 900 + 100} Market Street",
            city=city,
            state=state,
            postal_code=str((bits >> 34) % 90000 + 10000),
            country="US",
            locale=locale,
            industry=industry,
            company_type=vocab.COMPANY_TYPES[(bits >> 40) % len(vocab.COMPANY_TYPES)],
            founded=str(1950 + (bits >> 44) % 74),
            revenue_range=vocab.REVENUE_RANGES[(bits >> 50) % len(vocab.REVENUE_RANGES)],
            size=vocab.SIZES[(bits >> 53) % len(vocab.SIZES)],
            custom_fields={"Segment": vocab.SEGMENTS[(bits >> 56) % 3]},
            tags=[vocab.TAGS[(bits >> 58) % len(vocab.TAGS)]] if bits >> 61 == 0 else [],
            stage_id=10 + (bits >> 59) % 5,
            tier_id=20 + (bits >> 62) if bits >> 62 else None,
        )
        self.out.add_record(
            "accounts", record, account_id, created, updated, name, domain, 0, owner
        )
        taken: set[str] = set()
        for i in range(first, stop):
            self._person(i, account_id, name, domain, industry, taken)

    def _person(
        self,
        i: int,
        account_id: int,
        company: str,
        domain: str,
        industry: str,
        taken: set[str],
    ) -> None:
        shape, tl = self.shape, self.tl
        bits = self.rng.getrandbits(64)
        person_id = self.first_id["people"] + i
        first = vocab.FIRST_NAMES[bits % len(vocab.FIRST_NAMES)]
        last = vocab.LAST_NAMES[(bits >> 8) % len(vocab.LAST_NAMES)]
        local = f"{first}.{last}".lower()
        if local in taken:  # unique within the domain, hence unique team-wide
            local += str(len(taken))
        taken.add(local)
        email = f"{local}@{domain}"
        if _imported(i):
            created = updated = tl.created(i - i % 1000, shape.people)
            import_id = 5000 + i // 1000
        else:
            created = tl.created(i, shape.people) + (bits >> 16) % 3_600_000_000
            updated = created + (bits >> 20) % (tl.end - created) if bits & 1 << 62 else created
            import_id = None
        title, seniority = vocab.TITLES[(bits >> 28) % len(vocab.TITLES)]
        city, state, locale, offset = vocab.PLACES[(bits >> 32) % len(vocab.PLACES)]
        # Imported people stay untouched so the whole import keeps one updated_at.
        act = None if _imported(i) else self.activity.person(i, person_id, email, created)
        last_contacted = act.last_contacted if act else None
        updated = max(updated, last_contacted or 0)  # a contact bumps the person
        record = records.person_record(
            id=person_id,
            created=created,
            updated=updated,
            account_id=account_id,
            owner_id=self.users[(bits >> 36) % len(self.users)],
            utc_offset=offset,
            counts=act.counts if act else None,
            cadence_ids=act.active_cadences if act else None,
            recent_cadence_id=act.cadence_id if act else None,
            import_id=import_id,
            stage_id=800 + (bits >> 40) % 5 if bits >> 63 else None,
            last_contacted=last_contacted,
            last_step_id=act.last_step_id if act else None,
            custom_fields={"Lead Source": vocab.LEAD_SOURCES[(bits >> 44) % 6]}
            if bits >> 47 & 1
            else None,
            tags=[vocab.TAGS[(bits >> 48) % len(vocab.TAGS)]] if (bits >> 51) % 8 == 0 else None,
            first_name=first,
            last_name=last,
            email_address=email,
            phone=f"+1555{(bits >> 20) % 10_000_000:07d}",
            mobile_phone=f"+1555{(bits >> 24) % 10_000_000:07d}" if bits >> 54 & 1 else None,
            linkedin_url=f"https://www.linkedin.com/in/{local.replace('.', '-')}",
            title=title,
            job_seniority=seniority,
            city=city,
            state=state,
            country="US",
            person_company_name=company,
            person_company_website=f"https://www.{domain}",
            person_company_industry=industry,
            locale=locale,
        )
        self.out.add_record(
            "people",
            record,
            person_id,
            created,
            updated,
            email,
            account_id,
            record["owner"]["id"],
            record["display_name"],
        )
