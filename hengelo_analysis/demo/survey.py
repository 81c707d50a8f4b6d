"""Synthetic survey data: the municipality's own survey (microdata) and the Veiligheidsmonitor 85146NED.

Own survey: waves 2017, 2019, 2021 and 2023, about 900 respondents each over Hengelo's 10 wijken,
written as an analyst's Excel export (``;``, decimal comma; the 2023 file with a UTF-8 BOM and
buurt codes). Waves 2019-2023 carry the survey bureau's weights; 2017 has none, so ``clean``
post-stratifies it (or, without ``population_structure``, estimates it unweighted and says so).

Built so that the chapter-2 picture holds: feeling unsafe rises a little and satisfaction with the
municipality's approach drops a little (neither significant), while drug use, drug dealing, drunk
people and loitering youths are seen often significantly more than in 2019. Item answers are
allocated per wijk in exact proportions (shuffled over respondents), so the picture does not hang on
the luck of a draw.

Veiligheidsmonitor: 2021 and 2023 for NL01, Overijssel, Oost-Nederland, Twente, Enschede and Almelo.
Hengelo (GM0164) is deliberately **not** a RegioS member, so the fallback to Twente (VR05) runs.
"""

from __future__ import annotations

import random
from collections import Counter

from hengelo_analysis.demo.geography import DEMO_SEED, hengelo_buurten
from hengelo_analysis.domain import VEILIGHEIDSMONITOR_TABLE
from hengelo_analysis.sources.survey_template import TEMPLATE_COLUMNS

WAVES = (2017, 2019, 2021, 2023)
WEIGHTED_WAVES = (2019, 2021, 2023)
BOM_WAVES = (2023,)
BUURT_CODE_WAVES = (2023,)
SIZES = {2017: 870, 2019: 910, 2021: 940, 2023: 880}
MIN_PER_WIJK = 70
SMALL_WIJK = "WK016409"  # Buitengebied: sampled in proportion only, so its cells are suppressed

# Sample age shares (older people answer more) and the population shares the weights restore.
SAMPLE_AGE = {"15-24": 0.07, "25-44": 0.22, "45-64": 0.36, "65+": 0.35}
POPULATION_AGE = {"15-24": 0.14, "25-44": 0.30, "45-64": 0.32, "65+": 0.24}
SAMPLE_MAN = 0.46

# Gemeente-level share per wave of the answer coded 1 (invented).
TARGETS: dict[str, dict[int, float]] = {
    "onveilig_buurt": {2017: 0.29, 2019: 0.30, 2021: 0.31, 2023: 0.32},
    "overlast_drugsgebruik": {2017: 0.07, 2019: 0.07, 2021: 0.10, 2023: 0.13},
    "overlast_drugshandel": {2017: 0.05, 2019: 0.05, 2021: 0.08, 2023: 0.10},
    "overlast_dronken_mensen": {2017: 0.05, 2019: 0.05, 2021: 0.07, 2023: 0.10},
    "overlast_rondhangende_jongeren": {2017: 0.12, 2019: 0.11, 2021: 0.14, 2023: 0.18},
    "overlast_verwarde_personen": {2017: 0.05, 2019: 0.06, 2021: 0.07, 2023: 0.08},
    "tevreden_aanpak_gemeente": {2017: 0.41, 2019: 0.40, 2021: 0.385, 2023: 0.375},
    "slachtoffer_totaal": {2017: 0.19, 2019: 0.18, 2021: 0.16, 2023: 0.16},
    "slachtoffer_online": {2017: 0.10, 2019: 0.11, 2021: 0.13, 2023: 0.14},
}
MARK_MEAN = {2017: 7.3, 2019: 7.3, 2021: 7.3, 2023: 7.32}
NON_RESPONSE = 0.02

ANSWERS = {
    "onveilig_buurt": ({"vaak": 0.3, "soms": 0.7}, {"zelden": 0.45, "nooit": 0.55}),
    "tevreden_aanpak_gemeente": (
        {"tevreden": 0.8, "zeer tevreden": 0.2},
        {"neutraal": 0.5, "ontevreden": 0.35, "zeer ontevreden": 0.15},
    ),
    "slachtoffer_totaal": ({"ja": 1.0}, {"nee": 1.0}),
    "slachtoffer_online": ({"ja": 1.0}, {"nee": 1.0}),
}
FREQUENCY_ANSWERS = ({"vaak": 1.0}, {"soms": 0.3, "(bijna) nooit": 0.7})

COLUMNS = list(TEMPLATE_COLUMNS)  # the documented template, in its order


def _choice(rng: random.Random, shares: dict[str, float]) -> str:
    x, acc = rng.random(), 0.0
    for key, share in shares.items():
        acc += share
        if x < acc:
            return key
    return key


def _wijken() -> tuple[dict[str, int], dict[str, list[str]]]:
    population: Counter = Counter()
    buurten: dict[str, list[str]] = {}
    for b in hengelo_buurten():
        population[b.wijk_code] += b.inhabitants_2024
        buurten.setdefault(b.wijk_code, []).append(b.code)
    return dict(sorted(population.items())), buurten


def _allocation(total: int, population: dict[str, int]) -> dict[str, int]:
    pop = sum(population.values())
    return {
        w: round(total * p / pop) if w == SMALL_WIJK else max(MIN_PER_WIJK, round(total * p / pop))
        for w, p in population.items()
    }


def _wijk_factors(rng: random.Random, wijken: list[str]) -> dict[str, dict[str, float]]:
    """Fixed per-wijk multipliers (the binnenstad sees more nuisance, the buitengebied less)."""
    factors = {}
    for w in wijken:
        nuisance = 1.6 if w.endswith("00") else (0.5 if w == SMALL_WIJK else rng.uniform(0.75, 1.2))
        unsafe = 1.2 if w.endswith("00") else (0.7 if w == SMALL_WIJK else rng.uniform(0.85, 1.15))
        factors[w] = {"nuisance": nuisance, "unsafe": unsafe, "other": rng.uniform(0.9, 1.1)}
    return factors


def respondents(year: int) -> list[dict[str, str]]:
    """One wave of respondent rows in the template (strings as an Excel export holds them)."""
    rng = random.Random(DEMO_SEED * 1000 + year)
    population, buurten = _wijken()
    factors = _wijk_factors(random.Random(DEMO_SEED * 1000 + 4), list(population))
    allocation = _allocation(SIZES[year], population)
    total_pop = sum(population.values())
    total_n = sum(allocation.values())
    rows: list[dict[str, str]] = []
    number = 0
    for wijk, n in allocation.items():
        people = []
        for _ in range(n):
            number += 1
            age = _choice(rng, SAMPLE_AGE)
            sex = "man" if rng.random() < SAMPLE_MAN else "vrouw"
            # The bureau's weight: wijk design weight times the age correction, mean about 1.
            weight = (population[wijk] / total_pop) / (n / total_n)
            weight *= POPULATION_AGE[age] / SAMPLE_AGE[age]
            weight *= (0.49 / SAMPLE_MAN) if sex == "man" else (0.51 / (1 - SAMPLE_MAN))
            people.append(
                {
                    "respondent": f"HP{year % 100:02d}{number:04d}",
                    "jaar": str(year),
                    "wijkcode": "" if year in BUURT_CODE_WAVES else wijk,
                    "buurtcode": rng.choice(buurten[wijk]) if year in BUURT_CODE_WAVES else "",
                    "leeftijd": age,
                    "geslacht": sex,
                    "gewicht": f"{weight:.4f}".replace(".", ",") if year in WEIGHTED_WAVES else "",
                }
            )
        f = factors[wijk]
        for item, by_year in TARGETS.items():
            kind = (
                "nuisance"
                if item.startswith("overlast")
                else ("unsafe" if item == "onveilig_buurt" else "other")
            )
            share = min(0.95, by_year[year] * f[kind])
            ones = set(rng.sample(range(n), round(share * n)))
            yes, no = ANSWERS.get(item, FREQUENCY_ANSWERS)
            for i, person in enumerate(people):
                if rng.random() < NON_RESPONSE:
                    person[item] = "weet niet" if item == "tevreden_aanpak_gemeente" else ""
                else:
                    person[item] = _choice(rng, yes if i in ones else no)
        for person in people:
            mean = MARK_MEAN[year] - 0.4 * (f["unsafe"] - 1)
            mark = min(10, max(1, round(rng.gauss(mean, 1.1))))
            person["rapportcijfer_veiligheid"] = "" if rng.random() < NON_RESPONSE else str(mark)
        rows.extend(people)
    return rows


def survey_files() -> dict[str, bytes]:
    """File name → bytes of each wave, as Excel's 'CSV (puntkomma)' export would write them."""
    files = {}
    for year in WAVES:
        lines = [";".join(COLUMNS)]
        lines += [";".join(r[c] for c in COLUMNS) for r in respondents(year)]
        text = "\r\n".join(lines) + "\r\n"
        data = text.encode("utf-8")
        if year in BOM_WAVES:
            data = b"\xef\xbb\xbf" + data
        files[f"eigen_enquete_{year}.csv"] = data
    return files


# --- Veiligheidsmonitor 85146NED -----------------------------------------------------------------

VM_TABLE_ID = VEILIGHEIDSMONITOR_TABLE
VM_FEED = f"https://opendata.cbs.nl/ODataFeed/odata/{VM_TABLE_ID}"
VM_PAGE_SIZE = 10_000
VM_MODIFIED = "2024-03-01T02:00:00"
VM_YEARS = (2021, 2023)
# RegioS members (Hengelo is not one) and their half-width scale (bigger sample, smaller margin).
VM_REGIONS = (
    ("NL01      ", "Nederland", 0.15),
    ("PV23      ", "Overijssel", 0.5),
    ("RE02      ", "Oost-Nederland", 0.4),
    ("VR05      ", "Twente", 0.7),
    ("GM0141    ", "Almelo", 1.4),
    ("GM0153    ", "Enschede", 1.2),
)
# key, title, topic-group id, base value 2021, change to 2023, kind ("pct" or "mark")
VM_TOPICS = (
    ("DronkenMensenOpStraat_27", "Dronken mensen op straat", 3, 6.0, 1.8, "pct"),
    ("VerwardePersonen_28", "Verwarde personen", 3, 7.0, 0.8, "pct"),
    ("Drugsgebruik_29", "Drugsgebruik", 3, 9.5, 2.0, "pct"),
    ("Drugshandel_30", "Drugshandel", 3, 7.5, 1.6, "pct"),
    ("RondhangendeJongeren_33", "Rondhangende jongeren", 3, 13.0, 2.5, "pct"),
    (
        "OordeelFunctionerenGemeenteAlgemeen_19",
        "Tevreden functioneren gemeente",
        4,
        38.0,
        -1.0,
        "pct",
    ),
    ("VoeltZichWeleensOnveilig_43", "Voelt zich weleens onveilig", 5, 33.0, 0.6, "pct"),
    (
        "VoeltZichWeleensOnveiligInBuurt_50",
        "Voelt zich weleens onveilig in de buurt",
        5,
        17.0,
        0.8,
        "pct",
    ),
    ("VoeltZichVaakOnveiligInBuurt_51", "Voelt zich vaak onveilig in de buurt", 5, 1.6, 0.1, "pct"),
    (
        "RapportcijferVeiligheidInBuurt_60",
        "Rapportcijfer veiligheid in de buurt",
        5,
        7.4,
        -0.05,
        "mark",
    ),
    ("Slachtoffers_61", "Slachtoffers", 7, 14.0, -0.5, "pct"),
    ("Slachtoffers_72", "Slachtoffers", 8, 1.3, -0.1, "pct"),
    ("Slachtoffers_132", "Slachtoffers", 9, 16.5, 0.6, "pct"),
)
VM_GROUPS = (
    (3, None, "Sociale overlast"),
    (4, None, "Oordeel functioneren gemeente"),
    (5, None, "Veiligheidsbeleving"),
    (6, None, "Slachtofferschap"),
    (7, 6, "Criminaliteit totaal"),
    (8, 6, "Woninginbraak"),
    (9, 6, "Online criminaliteit totaal"),
)


def _vm_properties() -> list[dict]:
    props = [
        {
            "odata.type": "Cbs.OData.Dimension",
            "ID": 0,
            "Position": 0,
            "ParentID": None,
            "Type": "Dimension",
            "Key": "Marges",
            "Title": "Marges",
            "Description": None,
        },
        {
            "odata.type": "Cbs.OData.GeoDimension",
            "ID": 1,
            "Position": 1,
            "ParentID": None,
            "Type": "GeoDimension",
            "Key": "RegioS",
            "Title": "Regio's",
            "Description": None,
        },
        {
            "odata.type": "Cbs.OData.TimeDimension",
            "ID": 2,
            "Position": 2,
            "ParentID": None,
            "Type": "TimeDimension",
            "Key": "Perioden",
            "Title": "Perioden",
            "Description": None,
        },
    ]
    for gid, parent, title in VM_GROUPS:
        props.append(
            {
                "odata.type": "Cbs.OData.TopicGroup",
                "ID": gid,
                "Position": None,
                "ParentID": parent,
                "Type": "TopicGroup",
                "Key": "",
                "Title": title,
                "Description": None,
            }
        )
    for i, (key, title, group, _, _, kind) in enumerate(VM_TOPICS, start=10):
        props.append(
            {
                "odata.type": "Cbs.OData.Topic",
                "ID": i,
                "Position": i,
                "ParentID": group,
                "Type": "Topic",
                "Key": key,
                "Title": title,
                "Description": None,
                "Datatype": "Double",
                "Unit": "rapportcijfer" if kind == "mark" else "%",
                "Decimals": 1,
                "Default": "Missing",
            }
        )
    return props


def vm_entity_sets() -> dict[str, list[dict]]:
    """Every entity set of the demo 85146NED, as the ODataFeed endpoint would return it."""
    rng = random.Random(DEMO_SEED * 1000 + 85146)
    data = []
    for key, _title, scale in VM_REGIONS:
        offsets = {t[0]: rng.uniform(-0.12, 0.12) for t in VM_TOPICS}
        for year in VM_YEARS:
            values = {}
            for tkey, _t, _g, base, change, kind in VM_TOPICS:
                v = base + (change if year == 2023 else 0.0)
                v *= 1 + (offsets[tkey] * (0.1 if kind == "mark" else 1.0))
                half = scale * (0.12 if kind == "mark" else 1.1 + 0.05 * v)
                values[tkey] = (round(v, 1 if kind == "pct" else 2), half)
            for marge in ("MW00000", "MOG0095", "MBG0095"):
                row = {"ID": len(data), "Marges": marge, "RegioS": key, "Perioden": f"{year}JJ00"}
                for tkey, (v, half) in values.items():
                    digits = 2 if tkey.startswith("Rapportcijfer") else 1
                    row[tkey] = {
                        "MW00000": v,
                        "MOG0095": round(v - half, digits),
                        "MBG0095": round(v + half, digits),
                    }[marge]
                data.append(row)
    return {
        "TableInfos": [
            {
                "ID": 0,
                "Title": "Veiligheidsmonitor; kerncijfers, regio",
                "ShortTitle": "Veiligheidsmonitor; regio",
                "Identifier": VM_TABLE_ID,
                "Summary": "SYNTHETISCHE DEMODATA in het formaat van CBS-tabel 85146NED.",
                "Modified": VM_MODIFIED,
                "MetaDataModified": VM_MODIFIED,
                "ReasonDelivery": "Actualisering",
                "Frequency": "Pertweejaar",
                "Period": "2021, 2023",
                "Status": "Regulier",
                "Catalog": "CBS",
                "Language": "nl",
            }
        ],
        "DataProperties": _vm_properties(),
        "Marges": [
            {"Key": "MW00000", "Title": "Waarde", "Description": None},
            {
                "Key": "MOG0095",
                "Title": "Ondergrens 95%-betrouwbaarheidsinterval",
                "Description": None,
            },
            {
                "Key": "MBG0095",
                "Title": "Bovengrens 95%-betrouwbaarheidsinterval",
                "Description": None,
            },
        ],
        "RegioS": [
            {"Key": key, "Title": title, "Description": None} for key, title, _ in VM_REGIONS
        ],
        "Perioden": [
            {"Key": f"{y}JJ00", "Title": str(y), "Description": None, "Status": "Definitief"}
            for y in VM_YEARS
        ],
        "TypedDataSet": data,
    }
