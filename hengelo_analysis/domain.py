"""Domain facts shared by every stage: CBS table ids, area codes, crime-code sets, method breaks,
corona years and the survey indicator vocabulary.

This is the bottom layer (see docs/architecture.md): it imports nothing from the package, so a
reader, a statistic and a page can all name the same fact without importing each other. The claim
files (what a policy says) and the CBS table catalogue (what exists online) are other things.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI imports this module: no pandas at import time
    import pandas as pd

# --- CBS / police tables ------------------------------------------------------------------------
POLICE_TABLE = "47018NED"  # geregistreerde misdrijven per wijk en buurt, per jaar (dataderden)
VEILIGHEIDSMONITOR_TABLE = "85146NED"
# data-sources.md §2.1: one KWB table per year; 70904NED covers 2009-2012 via Perioden.
KWB_TABLES: dict[int, str] = {
    2012: "70904NED",
    2013: "82339NED",
    2014: "82931NED",
    2015: "83220NED",
    2016: "83487NED",
    2017: "83765NED",
    2018: "84286NED",
    2019: "84583NED",
    2020: "84799NED",
    2021: "85039NED",
    2022: "85318NED",
    2023: "85618NED",
    2024: "85984NED",
    2025: "86165NED",
}
# Where fetch records which KWB table it chose for each year (under raw/<source>/): the tables of
# years newer than KWB_TABLES are known from it.
KWB_LISTING_FILE = "catalogue/kwb_tables.json"
# DataProperties types that hold the region dimension (GeoDetail in 47018NED, GeoDimension in KWB).
REGION_TYPES = ("GeoDimension", "GeoDetail")
YEAR_PERIOD_RE = re.compile(r"^(\d{4})JJ00$")

# --- areas --------------------------------------------------------------------------------------
NL_CODE = "NL00"  # Nederland in 47018NED and the KWB tables
NL_SURVEY_CODE = "NL01"  # Nederland in the Veiligheidsmonitor (RegioS)
GEMEENTE_RE = re.compile(r"^GM\d{4}$")
LEVEL_BY_PREFIX = {"NL": "land", "GM": "gemeente", "WK": "wijk", "BU": "buurt"}
LEVEL_ORDER = ("land", "gemeente", "wijk", "buurt")
# Codes: NL00, GM0164, WK016400, BU01640000. Some gemeenten use letters in buurt codes (BU0363AD07).
AREA_CODE_RE = re.compile(r"^(NL0[01]|GM\d{4}|WK\d{4}[0-9A-Z]{2}|BU\d{4}[0-9A-Z]{4})$")

# --- crime codes (47018NED SoortMisdrijf, trimmed) ----------------------------------------------
TOTAL_CRIME = "0.0.0"  # Totaal misdrijven
BICYCLE_THEFT = "1.2.3"  # diefstal van brom-, snor- en fietsen (e-bikes cannot be isolated)
# "Veelvoorkomende criminaliteit" (claim C2): the high-volume offences against property, public
# order and persons that residents meet in daily life, as in the WODC/CBS "Criminaliteit en
# rechtshandhaving" usage (vermogens-, vernielings- en geweldsdelicten) and in Hengelo's own budget
# indicator "minder vermogens-, vandalisme- en geweldsdelicten ... zoals inbraken, diefstal,
# vernielingen en mishandeling" (jaarstukken 2022, doel 1.1.1). Left out: the rare and grave
# crimes (1.4.1 zeden, 1.4.2 moord/doodslag, 1.4.7 overval), traffic (1.3.x), drugs and weapons
# (3.x, registered by police activity) and fraud/cybercrime (3.7.x, 3.9.x): not "veelvoorkomend"
# in this sense, and not the 0.0.0 total either.
COMMON_CRIME = (
    "1.1.1",  # diefstal/inbraak woning
    "1.1.2",  # diefstal/inbraak box/garage/schuur
    "1.2.1",  # diefstal uit/vanaf motorvoertuigen
    "1.2.2",  # diefstal van motorvoertuigen
    "1.2.3",  # diefstal van brom-, snor-, fietsen
    "1.2.4",  # zakkenrollerij
    "1.2.5",  # diefstal af/uit/van overige voertuigen
    "1.4.4",  # bedreiging
    "1.4.5",  # mishandeling
    "1.4.6",  # straatroof
    "2.2.1",  # vernieling cq. zaakbeschadiging
    "2.5.1",  # diefstal/inbraak bedrijven en instellingen
    "2.5.2",  # winkeldiefstal
)
# Codes whose registration changed in a given year: a trend starts in that year.
REGISTRATION_BREAKS = {"3.9.1": 2016}

# --- method breaks and special years ------------------------------------------------------------
CORONA_YEARS = (2020, 2021)
# Veiligheidsmonitor 2021: online-only, not comparable with 2019 and earlier waves.
VM_METHOD_BREAK_YEAR = 2021
VM_METHOD_BREAK_NOTE = (
    "methodebreuk 2021: alleen online afgenomen, niet vergelijkbaar met 2019 en eerder"
)
# The police registered far fewer accidents in 2009-2012 (a registration break, SWOV/RWS): a BRON
# trend starts after it, in the report pages and in the claims alike.
BRON_BREAK_LAST_YEAR = 2012

# --- labels --------------------------------------------------------------------------------------
MONTHS_NL = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip

# --- survey indicator vocabulary ----------------------------------------------------------------
SURVEY_INDICATORS = (
    "onveilig_buurt",
    "overlast_drugsgebruik",
    "overlast_drugshandel",
    "overlast_dronken_mensen",
    "overlast_rondhangende_jongeren",
    "overlast_verwarde_personen",
    "tevreden_aanpak_gemeente",
    "slachtoffer_totaal",
    "slachtoffer_online",
    "rapportcijfer_veiligheid",
)
SURVEY_LABELS = {
    "onveilig_buurt": "het aandeel dat zich wel eens onveilig voelt in de eigen buurt",
    "tevreden_aanpak_gemeente": "de tevredenheid over de aanpak door de gemeente",
}


def area_level(code: str) -> str:
    """``land``, ``gemeente``, ``wijk`` or ``buurt`` for a trimmed CBS area code."""
    if not AREA_CODE_RE.match(code):
        raise ValueError(f"unknown area code {code!r}")
    return LEVEL_BY_PREFIX[code[:2]]


def gemeente_of(code: str) -> str | None:
    """The gemeente a WK/BU/GM code belongs to (``None`` for NL)."""
    if code.startswith("NL"):
        return None
    return "GM" + code[2:6]


def parent_code(code: str) -> str | None:
    """The next level up: buurt → wijk, wijk → gemeente, gemeente → ``NL00``."""
    level = area_level(code)
    if level == "buurt":
        return "WK" + code[2:8]
    if level == "wijk":
        return "GM" + code[2:6]
    if level == "gemeente":
        return NL_CODE
    return None


def levels(codes: pd.Series) -> pd.Series:
    return codes.map(LEVEL_BY_PREFIX.get, na_action="ignore").where(
        codes.str.match(AREA_CODE_RE.pattern), None
    )


# --- police overlast and monthly crime tables (issue 13) ------------------------------------------
NUISANCE_GEMEENTE_TABLE = "47021NED"  # geregistreerde overlast per gemeente (RegioS), jaar en maand
NUISANCE_WIJK_TABLE = "47024NED"  # geregistreerde overlast per wijk en buurt, per maand
POLICE_MONTHLY_TABLE = "47022NED"  # geregistreerde misdrijven per wijk en buurt, per maand
TOTAL_NUISANCE = "0.0.0"  # Totaal registraties overlast (same key as the crime total, other table)
CONFUSED_BEHAVIOUR = "E33"  # Overlast door verward persoon
ALCOHOL_DRUGS_NUISANCE = "E38"  # Overlast alcohol/drugs (claim C6, police part)
# Codes of the real Overlast dimension (47021NED and 47024NED, January 2024), trimmed.
NUISANCE_CODES = ("0.0.0", "E33", "E35", "E38", "E41", "F010", "M061", "M062", "M22")
MONTH_PERIOD_RE = re.compile(r"^(\d{4})MM(0[1-9]|1[0-2])$")
# Rows that belong to no real area: "onbekend" in the wijk/buurt tables, "buitenland" and
# "niet in te delen" in RegioS. They are counted in NL but must never be added to a gemeente.
UNPLACED_AREA_CODES = frozenset({"GM0000", "WK000000", "BU00000000", "GM0998", "GM0999"})
# RegioS groupings above the gemeente (landsdeel, provincie, politie-eenheid; LDG4 = West-NL
# zonder G4, LD99/PV99/RE99 = niet in te delen): not areas of this tool's area vocabulary.
REGION_GROUP_PREFIXES = ("LD", "PV", "RE")

# --- names of the police codes the pages show (47018NED SoortMisdrijf, 47021NED Meldingen) ----
# A code never appears without its name (issue 15); the Verantwoording page lists them all.
POLICE_CODE_NAMES = {
    "0.0.0": "totaal misdrijven (of totaal overlastmeldingen)",
    "1.1.1": "diefstal of inbraak in een woning",
    "1.1.2": "diefstal of inbraak in een box, garage of schuur",
    "1.2.1": "diefstal uit of vanaf auto's en andere motorvoertuigen",
    "1.2.2": "diefstal van auto's en andere motorvoertuigen",
    "1.2.3": "diefstal van brommers, snorfietsen en fietsen",
    "1.2.4": "zakkenrollerij",
    "1.2.5": "diefstal van of uit overige voertuigen",
    "1.3.1": "ongevallen op de weg",
    "1.4.3": "openlijk geweld tegen personen",
    "1.4.4": "bedreiging",
    "1.4.5": "mishandeling",
    "1.4.6": "straatroof",
    "2.1.1": "drugs- en drankoverlast",
    "2.2.1": "vernieling en zaakbeschadiging",
    "2.5.1": "diefstal en inbraak bij bedrijven en instellingen",
    "2.5.2": "winkeldiefstal",
    "3.1.1": "drugshandel",
    "3.5.2": "rijden onder invloed",
    "3.7.4": "cybercrime",
    "3.9.1": "horizontale fraude (tussen burgers of bedrijven)",
    "3.9.2": "verticale fraude (tegenover de overheid)",
    "3.9.3": "overige fraude",
    "E33": "overlast door een persoon met verward gedrag",
    "E35": "overlast door jongeren",
    "E38": "overlast door alcohol of drugs",
}
SAFETY_REGION_NAMES = {"VR05": "Veiligheidsregio Twente"}
