"""`lingkaran seed-demo`: a realistic, fictional GN Lingkaran programme.

Everything goes through the front door: the generator writes the contract's CSV files and
imports them with the ordinary importer, runs the ordinary allocator, then writes claims for
the coverage that allocation produced. Names are invented; any likeness is coincidence.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, exists, func, insert, select

from dashboard.core.months import first_day, month_index, month_label, month_of
from dashboard.core.progress import progress_bar
from dashboard.core.vocabulary import BASE_JHT_MONTHLY_IDR, provinces
from dashboard.ledger.allocator import allocate
from dashboard.ledger.importer import contract_columns, import_file
from dashboard.ledger.schema import (
    AuditEntry,
    Coverage,
    CoveredWorker,
    Donation,
    Donor,
    Worker,
    sum_int,
)

FIRST_REGISTRATION = dt.date(2016, 1, 4)
FIRST_DONATION_MONTH = month_index(2017, 1)
REGISTRATION_CURVE = 1.3
WORKER_MONTHS_PER_WORKER = 15  # ~30,000,000 worker-months at 2,000,000 workers
BASE_RATE = 16_800
BASE_JHT_RATE = BASE_JHT_MONTHLY_IDR  # the contract schedule's first JHT rate
# v2: the share of each donor type's donations that add JHT (about a third of all donations).
JHT_SHARE = {"corporate": 0.35, "soe": 0.5, "personal": 0.15, "community": 0.25}
# v2: chance that a worker whose stimulus ended pays on alone, by the stimulus's months:
# longer stimuli build the habit (about a quarter to a third overall).
CONTINUE_AFTER = ((1, 3, 6, 12, 24), (0.16, 0.22, 0.29, 0.38, 0.42))
NEVER_CONFIRMED = 0.004  # rows whose contribution never reached BPJS-TK
JKM_DEATH_BENEFIT = 42_000_000  # 20,000,000 + 24 x 500,000 + 10,000,000 (PP 82/2019)
JKK_DEATH_BENEFIT = 48 * 1_000_000  # 48 x the Rp 1,000,000 reported income
JKK_PER_WORKER_MONTH = 0.010 / 12
JKM_PER_WORKER_MONTH = 0.0012 / 12

CORPORATE = [
    "PT Samudra Niaga Lestari",
    "PT Bumi Agro Sejahtera",
    "PT Cahaya Logistik Nusantara",
    "PT Harapan Pangan Makmur",
    "PT Gemilang Tekstil Abadi",
    "PT Pelita Digital Kreasi",
    "PT Sentosa Semen Perkasa",
    "PT Karya Energi Mandiri",
    "PT Lestari Sawit Jaya",
    "PT Makmur Ritel Bersama",
    "PT Abadi Farmasi Sehat",
    "PT Nusa Kopi Harum",
    "PT Jaya Baja Konstruksi",
    "PT Tirta Minuman Segar",
    "PT Mitra Telekomunikasi Rakyat",
    "PT Kencana Otomotif Prima",
    "PT Anugerah Kertas Lestari",
    "PT Sinar Perikanan Timur",
    "PT Cipta Properti Hijau",
    "PT Ruang Belanja Daring",
    "PT Permata Tambang Sentosa",
    "PT Surya Garmen Indah",
    "PT Galang Ekspedisi Cepat",
    "PT Rimba Kayu Lestari",
]
SOE = [
    "PT Listrik Kepulauan (Persero)",
    "PT Pupuk Khatulistiwa (Persero)",
    "PT Kereta Nusantara Raya (Persero)",
    "PT Pelabuhan Teluk Harapan (Persero)",
    "PT Pos Kilat Nusantara (Persero)",
    "PT Perkebunan Tanah Makmur (Persero)",
    "PT Perikanan Samudra Raya (Persero)",
    "PT Asuransi Pelita Negeri (Persero)",
    "PT Bank Tabungan Desa (Persero) Tbk",
    "PT Energi Bumi Pertiwi (Persero)",
]
PERSONAL = [
    "Budi Santoso",
    "Siti Rahmawati",
    "Agus Setiawan",
    "Dewi Lestari Putri",
    "Rudi Hartono",
    "Ni Made Ayu Sari",
    "Yohanes Manurung",
    "Fitri Handayani",
    "Andi Pratama",
    "Lina Marlina",
    "Hendra Wijaya",
    "Maria Magdalena Lobo",
    "Teuku Rizal",
    "Wahyu Nugroho",
    "Sri Wahyuni",
    "Joko Susilo",
    "Ratna Sari Dewi",
    "Imam Fauzi",
]
COMMUNITY = [
    "Komunitas Ojek Peduli Bandung",
    "Paguyuban Nelayan Pantura",
    "Yayasan Tangan Terbuka",
    "Masjid Al-Ikhlas Peduli Pekerja",
    "Jemaat Kasih Sejati Berbagi",
    "Alumni SMA Harapan 1995",
    "Arisan Ibu-Ibu RT 05 Sukamaju",
    "Forum Pedagang Pasar Bersatu",
]
OCCUPATION_WEIGHTS = {
    "farmer": 25,
    "fisher": 12,
    "street_vendor": 15,
    "motorcycle_taxi": 12,
    "domestic_worker": 8,
    "construction_laborer": 9,
    "market_porter": 5,
    "waste_picker": 4,
    "home_industry": 6,
    "other": 4,
}
# Approximate Ramadan months, when giving peaks (zakat, CSR campaigns before Lebaran).
RAMADAN = {
    (2017, 6),
    (2018, 5),
    (2019, 5),
    (2020, 4),
    (2021, 4),
    (2022, 4),
    (2023, 3),
    (2024, 3),
    (2025, 3),
    (2026, 2),
}


def has_programme(engine: Engine) -> bool:
    with engine.connect() as conn:
        return bool(conn.execute(select(exists().where(Donor.id.is_not(None)))).scalar())


# The audit log's mark of a ledger that `seed_programme` built: `lingkaran demo` serves every
# donor's pages without a login, so it serves only a ledger it seeded itself.
SEEDED_ACTION = "seed_demo"
SEEDED_BY = "lingkaran seed-demo"


def is_seeded_demo(engine: Engine) -> bool:
    """True for a ledger that `seed_programme` built (the fictional programme)."""
    with engine.connect() as conn:
        return bool(
            conn.execute(select(exists().where(AuditEntry.action == SEEDED_ACTION))).scalar()
        )


def mark_as_demo(engine: Engine, detail: str) -> None:
    """Record in the audit log that this ledger holds the fictional programme (seeded here,
    or copied by `lingkaran migrate` from a ledger seeded here)."""
    with engine.begin() as conn:
        conn.execute(
            insert(AuditEntry).values(
                at=dt.datetime.now(dt.UTC),
                actor=SEEDED_BY,
                action=SEEDED_ACTION,
                detail=detail,
                sha256=None,
            )
        )


def _write_csv(path: Path, header: Sequence[str], rows) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _donors(rng: np.random.Generator) -> list[dict]:
    donors = []
    for prefix, kind, names in (
        ("CSR", "corporate", CORPORATE),
        ("BUMN", "soe", SOE),
        ("P", "personal", PERSONAL),
        ("KOM", "community", COMMUNITY),
    ):
        for number, name in enumerate(names, start=1):
            opted_in = kind != "personal" or rng.random() < 0.3
            donors.append(
                {
                    "donor_id": f"{prefix}-{number:03d}",
                    "name": name,
                    "type": kind,
                    "show_name": "yes" if opted_in else "no",
                }
            )
    return donors


def _province_weights(rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """The 38 provinces (from pycountry), denser on Java and Sumatra, as the workforce is."""
    codes = sorted(provinces())
    names = provinces()
    weights = rng.gamma(2.0, 1.0, len(codes))
    for i, code in enumerate(codes):
        if names[code].startswith("Jawa") or code in {"ID-BT", "ID-JK", "ID-YO"}:
            weights[i] *= 6
        elif names[code].startswith(("Sumatera", "Sulawesi")):
            weights[i] *= 2.5
    return codes, weights / weights.sum()


def _workers(rng: np.random.Generator, count: int, today: dt.date) -> list[tuple]:
    codes, weights = _province_weights(rng)
    span = (today - dt.timedelta(days=20) - FIRST_REGISTRATION).days
    # The programme grows: the registered share after t days is (t / span) ** curve.
    offsets = np.sort((rng.random(count) ** (1 / REGISTRATION_CURVE) * span).astype(int))
    province = rng.choice(len(codes), count, p=weights)
    occupations = list(OCCUPATION_WEIGHTS)
    p_occupation = np.array(list(OCCUPATION_WEIGHTS.values()), dtype=float)
    occupation = rng.choice(len(occupations), count, p=p_occupation / p_occupation.sum())
    domestic = occupations.index("domestic_worker")
    female = np.where(occupation == domestic, rng.random(count) < 0.9, rng.random(count) < 0.38)
    birth_year = np.clip(rng.normal(1983, 11, count).astype(int), 1950, today.year - 18)
    order = rng.permutation(count)  # pseudonymous ids carry no information about the worker
    base = FIRST_REGISTRATION.toordinal()
    return [
        (
            f"W{order[i]:08d}",
            dt.date.fromordinal(base + int(offsets[i])).isoformat(),
            codes[province[i]],
            occupations[occupation[i]],
            "F" if female[i] else "M",
            int(birth_year[i]),
        )
        for i in range(count)
    ]


def _registered_share(month: int, today: dt.date) -> float:
    """The share of all workers registered by the first day of ``month`` (see ``_workers``)."""
    span = (today - dt.timedelta(days=20) - FIRST_REGISTRATION).days
    elapsed = min(max((first_day(month) - FIRST_REGISTRATION).days, 0), span)
    return (elapsed / span) ** REGISTRATION_CURVE


def _donations(rng: np.random.Generator, donors: list[dict], workers: int, today: dt.date):
    """Donations that track the registered pool, so money finds eligible workers as it would."""
    budget = workers * WORKER_MONTHS_PER_WORKER * BASE_RATE * 1.03
    last_month = month_of(today)
    months = np.arange(FIRST_DONATION_MONTH, last_month + 1)
    season = np.array(
        [1.0 + 0.9 * ((m % 12) == 11) + 0.7 * ((m // 12, m % 12 + 1) in RAMADAN) for m in months]
    )
    pool = np.array([_registered_share(int(m), today) for m in months])
    size = {"corporate": 1.0, "soe": 2.0, "personal": 0.01, "community": 0.05}
    plans = {  # (donations per donor, months per worker choices, earmark chance)
        "corporate": ((6, 30), (6, 12), 0.3),
        "soe": ((8, 24), (12, 6), 0.25),
        "personal": ((1, 10), (1, 3, 6), 0.05),
        "community": ((2, 14), (3, 6), 0.2),
    }
    codes, province_p = _province_weights(rng)
    drafts = []
    for donor in donors:
        (low, high), months_choices, earmark_chance = plans[donor["type"]]
        count = int(rng.integers(low, high + 1))
        start = int(rng.integers(0, max(1, len(months) - 24)))
        weight = season[start:] * (0.2 + pool[start:])
        chosen = np.sort(
            rng.choice(len(months), count, p=np.r_[np.zeros(start), weight] / weight.sum())
        )
        loyalty = size[donor["type"]] * (1 + rng.pareto(2.0))
        for number, index in enumerate(chosen, start=1):
            province = occupation = ""
            scale = 1.0
            if rng.random() < earmark_chance:
                pick = rng.choice(len(codes), p=province_p)
                province, scale = codes[pick], min(1.0, 4 * province_p[pick])
            if rng.random() < earmark_chance / 2:
                occupation = str(rng.choice(["fisher", "farmer", "motorcycle_taxi"]))
                scale *= 0.4
            raw = loyalty * pool[index] * season[index] * scale * rng.lognormal(0, 0.4)
            drafts.append(
                (donor, number, int(months[index]), raw, months_choices, province, occupation)
            )
    total = sum(draft[3] for draft in drafts)
    rows = []
    for donor, number, month, raw, months_choices, province, occupation in drafts:
        rounding = 1_000_000 if donor["type"] in ("corporate", "soe") else 50_000
        amount = max(rounding, round(raw / total * budget / rounding) * rounding)
        last_day = (first_day(month + 1) - dt.timedelta(days=1)).day
        day = int(rng.integers(1, (today.day if month == last_month else last_day) + 1))
        rows.append(
            (
                f"{donor['donor_id']}-{number:03d}",
                donor["donor_id"],
                first_day(month).replace(day=day).isoformat(),
                amount,
                int(rng.choice(months_choices)),
                province,
                occupation,
            )
        )
    return rows


def _packages(rng: np.random.Generator, donors: list[dict], donations: list[tuple]) -> list:
    """Each donation with its package (v2): about a third add JHT, and those donors give
    enough more to pay the JHT rate too, so they protect about as many worker-months."""
    types = {d["donor_id"]: d["type"] for d in donors}
    factor = (BASE_RATE + BASE_JHT_RATE) / BASE_RATE
    rows = []
    for row in donations:
        kind = types[row[1]]
        if rng.random() >= JHT_SHARE[kind]:
            rows.append((*row, "jkk_jkm"))
            continue
        rounding = 1_000_000 if kind in ("corporate", "soe") else 50_000
        amount = max(rounding, round(row[3] * factor / rounding) * rounding)
        rows.append((*row[:3], amount, *row[4:], "jkk_jkm_jht"))
    return rows


def _coverage_spans(engine: Engine) -> dict[str, np.ndarray]:
    """Every coverage row as arrays, ordered by worker then start, with the row's next start
    for the same worker (NEVER when it is the worker's last)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Coverage.id,
                Worker.worker_id,
                Coverage.worker_key,
                Coverage.start_month,
                Coverage.months,
                Coverage.amount_idr,
                Donation.donation_id,
                Donation.received_on,
            )
            .join(Worker, Worker.id == Coverage.worker_key)
            .join(Donation, Donation.id == Coverage.donation_key)
            .order_by(Coverage.worker_key, Coverage.start_month)
        ).all()
    count = len(rows)
    columns = list(zip(*rows, strict=True)) if rows else [()] * 8
    worker = np.fromiter(columns[2], np.int64, count)
    start = np.fromiter(columns[3], np.int64, count)
    same_next = np.append(worker[1:] == worker[:-1], False) if count else worker.astype(bool)
    following = np.where(same_next, np.append(start[1:], 0), np.iinfo(np.int64).max)
    return {
        "id": np.fromiter(columns[0], np.int64, count),
        "worker_id": np.array(columns[1], dtype=object),
        "start": start,
        "months": np.fromiter(columns[4], np.int64, count),
        "amount": np.fromiter(columns[5], np.int64, count),
        "donation_id": np.array(columns[6], dtype=object),
        "received": np.fromiter((d.toordinal() for d in columns[7]), np.int64, count),
        "following": following,
    }


def _self_paid(rng: np.random.Generator, spans: dict[str, np.ndarray], today: dt.date) -> list:
    """After a stimulus ends, some workers pay on alone (v2 self_paid): from the month after
    it, or a month or two later, for 1 to 12 months, never into later coverage or the future."""
    current = month_of(today)
    end = spans["start"] + spans["months"] - 1
    gap = spans["following"] - end - 1  # free months before the worker's next coverage
    ended = (gap > 0) & (end < current)
    chance = np.interp(spans["months"], *CONTINUE_AFTER)
    goes_on = ended & (rng.random(len(end)) < chance)
    delay = rng.choice(3, len(end), p=[0.75, 0.18, 0.07])
    length = rng.integers(1, 13, len(end))
    first = end + 1 + delay
    last = np.minimum.reduce(
        [first + length - 1, spans["following"] - 1, np.full(len(end), current)]
    )
    chosen = np.flatnonzero(goes_on & (last >= first))
    return [
        (spans["worker_id"][i], month_label(int(first[i])), int(last[i] - first[i] + 1))
        for i in chosen
    ]


def _confirmations(rng: np.random.Generator, spans: dict[str, np.ndarray], today: dt.date):
    """BPJS-TK confirms a row's contribution a few days to three weeks after its donation was
    received or its first month began; a row that started within the last month may still be
    pending, and a few never reached BPJS-TK (v2 confirmations)."""
    count = len(spans["id"])
    begins = np.fromiter((first_day(int(m)).toordinal() for m in spans["start"]), np.int64, count)
    confirmed = np.maximum(spans["received"], begins - 10) + rng.integers(3, 22, count)
    reached = rng.random(count) >= NEVER_CONFIRMED
    chosen = np.flatnonzero(reached & (confirmed <= today.toordinal()))
    return [
        (
            spans["donation_id"][i],
            spans["worker_id"][i],
            month_label(int(spans["start"][i])),
            dt.date.fromordinal(int(confirmed[i])).isoformat(),
            int(spans["amount"][i]),
            f"TK-{dt.date.fromordinal(int(confirmed[i])):%Y%m}-{int(spans['id'][i]):08d}",
        )
        for i in chosen
    ]


def _claims(engine: Engine, rng: np.random.Generator, today: dt.date) -> list[tuple]:
    """JKK and JKM claims at plausible rates inside the coverage that was allocated."""
    with engine.connect() as conn:
        rows, worker_months, last_id = conn.execute(
            select(func.count(), sum_int(Coverage.months), func.max(Coverage.id))
        ).one()
        if not rows:
            return []
        wanted = {
            "JKK": rng.poisson(worker_months * JKK_PER_WORKER_MONTH),
            "JKM": rng.poisson(worker_months * JKM_PER_WORKER_MONTH),
        }
        later = Coverage.__table__.alias("later")
        candidates = int(sum(wanted.values()) * 12) + 10
        sample = np.unique(rng.integers(1, last_id + 1, candidates)).tolist()
        found = []
        for start in range(0, len(sample), 5_000):
            found += conn.execute(
                select(
                    Worker.worker_id,
                    Worker.id,
                    Coverage.start_month,
                    Coverage.months,
                    ~exists().where(
                        later.c.worker_key == Coverage.worker_key,
                        later.c.start_month > Coverage.start_month,
                    ),
                )
                .join(Worker, Worker.id == Coverage.worker_key)
                .where(Coverage.id.in_(sample[start : start + 5_000]))
            ).all()
    order = rng.permutation(len(found))
    claims, dead = [], set()
    current = month_of(today)
    for i in order:
        worker_id, worker_key, start, months, is_last = found[i]
        if worker_key in dead or rng.random() > months / 12:  # weight rows by their months
            continue
        month = int(rng.integers(start, start + months))
        if month > current:
            continue
        program = "JKM" if (is_last and wanted["JKM"] > 0) else "JKK"
        if wanted[program] <= 0:
            continue
        wanted[program] -= 1
        last_day = (first_day(month + 1) - dt.timedelta(days=1)).day
        day = int(rng.integers(1, (today.day if month == current else last_day) + 1))
        incident = first_day(month).replace(day=day)
        if program == "JKM":
            dead.add(worker_key)
            amount = JKM_DEATH_BENEFIT
        elif rng.random() < 0.03:
            dead.add(worker_key)
            amount = JKK_DEATH_BENEFIT
        else:  # medical care as needed plus cash for temporary incapacity
            amount = int(np.clip(rng.lognormal(np.log(4_500_000), 0.9), 300_000, 150_000_000))
            amount = amount // 1_000 * 1_000
        claims.append(
            _claim_row(rng, f"K{len(claims) + 1:07d}", worker_id, program, incident, amount, today)
        )
        if wanted["JKK"] <= 0 and wanted["JKM"] <= 0:
            break
    return claims + _old_age_claims(engine, rng, today, len(claims))


def _old_age_claims(engine: Engine, rng: np.random.Generator, today: dt.date, numbered: int):
    """JHT (old-age savings) payouts of registered workers aged 56 or more who are not covered
    by the programme: JHT is not part of the JKK+JKM package donors fund, so these claims fall
    outside any coverage and are shown apart from donors' figures."""
    with engine.connect() as conn:
        elders = list(
            conn.execute(
                select(Worker.worker_id)
                .where(
                    Worker.birth_year <= today.year - 56,
                    ~exists().where(CoveredWorker.worker_key == Worker.id),
                )
                .order_by(Worker.worker_id)
            ).scalars()
        )
    chosen = rng.choice(len(elders), size=min(len(elders), len(elders) // 40), replace=False)
    claims = []
    for i in sorted(chosen):
        incident = today - dt.timedelta(days=int(rng.integers(30, 3 * 365)))
        amount = int(np.clip(rng.lognormal(np.log(9_000_000), 0.6), 1_000_000, 80_000_000))
        claim_id = f"K{numbered + len(claims) + 1:07d}"
        claims.append(
            _claim_row(rng, claim_id, elders[i], "JHT", incident, amount // 1_000 * 1_000, today)
        )
    return claims


def _claim_row(rng, claim_id, worker_id, program, incident, amount, today) -> tuple:
    paid_on = incident + dt.timedelta(days=int(rng.integers(14, 76)))
    roll = rng.random()
    if (today - incident).days < 90 and roll < 0.5:
        status = "submitted" if roll < 0.25 else "approved"
    elif roll > 0.95:
        status = "rejected"
    else:
        status = "paid" if paid_on <= today else "approved"
    if status != "paid":
        return (claim_id, worker_id, program, incident.isoformat(), status, "", "")
    return (claim_id, worker_id, program, incident.isoformat(), status, paid_on.isoformat(), amount)


def seed_programme(
    engine: Engine,
    *,
    workers: int = 50_000,
    seed: int = 2016,
    progress: bool = False,
    echo: Callable[[str], None] = lambda _message: None,
    today: dt.date | None = None,
) -> dict[str, float]:
    """Generate, import and allocate a fictional programme of ``workers`` workers.

    Returns the seconds each step took (for ``bench/``).
    """
    today = today or dt.date.today()
    rng = np.random.default_rng(seed)
    v2 = np.random.default_rng([seed, 2])  # contract v2's draws: the v1 programme stays as it was
    began = last = time.perf_counter()
    timings: dict[str, float] = {}

    def step(name: str, message: str) -> None:
        nonlocal last
        now = time.perf_counter()
        timings[name] = now - last
        last = now
        echo(f"[{now - began:6.1f}s] {message}")

    # First: a ledger half seeded is fictional too.
    mark_as_demo(engine, f"the fictional demo programme: {workers} workers, seed {seed}")
    with tempfile.TemporaryDirectory(prefix="lingkaran-demo-") as folder:
        files = Path(folder)
        donors = _donors(rng)
        _write_csv(
            files / "donors.csv",
            contract_columns("donors"),
            ([d["donor_id"], d["name"], d["type"], d["show_name"]] for d in donors),
        )
        _write_csv(
            files / "rates.csv",
            contract_columns("rates"),
            [[month_label(month_index(2015, 7)), BASE_RATE, BASE_JHT_RATE]],
        )
        echo(f"generating {workers:,} workers ...")
        _write_csv(
            files / "workers.csv",
            contract_columns("workers"),
            _workers(rng, workers, today),
        )
        _write_csv(
            files / "donations.csv",
            contract_columns("donations"),
            _packages(v2, donors, _donations(rng, donors, workers, today)),
        )
        step("generate", "generated the contract files")
        for kind in ("donors", "rates", "workers", "donations"):
            result = import_file(
                engine, kind, files / f"{kind}.csv", today=today, progress=progress
            )
            step(f"import {kind}", f"imported {result.summary()}")
        allocation = allocate(engine, progress=progress)
        step(
            "allocate",
            f"allocated {allocation.coverage_rows:,} coverage rows, "
            f"{allocation.protected_months:,} worker-months",
        )
        claims = _claims(engine, rng, today)
        _write_csv(
            files / "claims.csv",
            contract_columns("claims"),
            progress_bar(progress, claims, desc="claims"),
        )
        result = import_file(engine, "claims", files / "claims.csv", today=today, progress=progress)
        step("claims", f"imported {result.summary()}")
        spans = _coverage_spans(engine)
        _write_csv(
            files / "self_paid.csv", contract_columns("self_paid"), _self_paid(v2, spans, today)
        )
        _write_csv(
            files / "confirmations.csv",
            contract_columns("confirmations"),
            _confirmations(v2, spans, today),
        )
        del spans
        for kind in ("self_paid", "confirmations"):
            result = import_file(
                engine, kind, files / f"{kind}.csv", today=today, progress=progress
            )
            step(kind, f"imported {result.summary()}")
    return timings
