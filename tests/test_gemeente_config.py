"""The per-gemeente configuration: claim file, colofon, peers and rate unit, checked at start."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from hengelo_analysis import cli, options
from hengelo_analysis.errors import DataError, ParameterError
from hengelo_analysis.gemeente_config import KEYWORDS, SCHEMA_FILE, config_for, load_config
from hengelo_analysis.paths import CLAIM_FILES_DIR, GEMEENTEN_DIR, GENERIC_CLAIM_FILE


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_hengelo_configuration_names_its_own_claims_colofon_peers_and_rate_unit():
    config = config_for("GM0164")
    assert config.path == GEMEENTEN_DIR / "GM0164.toml"
    assert config.claims_file == CLAIM_FILES_DIR / "GM0164.toml"
    assert config.rate_unit == 10_000  # Hengelo's own documents give rates per 10,000
    assert config.colofon["organisation"] == "Gemeente Hengelo"
    assert config.peers == {"rule": "stedelijkheid_en_inwonertal", "band": 0.35}


def test_a_gemeente_without_configuration_gets_defaults_and_the_generic_claims():
    config = config_for("GM0153")
    assert config.path is None
    assert config.claims_file == GENERIC_CLAIM_FILE
    assert (config.rate_unit, config.colofon, config.peers) == (1000, {}, {})


def test_claims_by_shipped_name_or_path_relative_to_the_configuration(tmp_path):
    shipped = load_config(
        write(tmp_path / "a.toml", 'gemeente = "GM0153"\nclaims = "generic.toml"')
    )
    assert shipped.claims_file == GENERIC_CLAIM_FILE
    write(tmp_path / "mijn_claims.toml", "# claims\n")
    own = load_config(
        write(tmp_path / "b.toml", 'gemeente = "GM0153"\nclaims = "./mijn_claims.toml"')
    )
    assert own.claims_file == tmp_path / "mijn_claims.toml"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('gemeente = "GM0153"\nrate_unit = 500', r"key rate_unit: 500 is not one of"),
        ('gemeente = "Enschede"', r"key gemeente: 'Enschede' does not match"),
        (
            'gemeente = "GM0153"\n[colofon]\nemail = "geen adres"',
            r"key colofon\.email: 'geen adres' does not match",
        ),
        ('gemeente = "GM0153"\n[peers]\nband = 2', r"key peers\.band: 2 is greater than"),
        ('gemeente = "GM0153"\nkleur = "rood"', r"key top level: .*'kleur' was unexpected"),
        ('gemeente = "GM0153"\nclaims = "./weg.toml"', r"key claims: no claim file './weg\.toml'"),
        ('gemeente = "GM0153"\nrate_unit = ', r"not a readable gemeente configuration"),
        ('gemeente = "GM0153"\ncolofon = "x"', r"key colofon: 'x' is not of type 'object'"),
        ('gemeente = "GM0153"\nclaims = ""', r"key claims: '' is too short"),
        ("rate_unit = 1000", r"key top level: 'gemeente' is a required property"),
    ],
)
def test_a_fault_is_one_line_naming_file_and_key(tmp_path, body, message):
    path = write(tmp_path / "GM0153.toml", body)
    with pytest.raises(DataError, match=message) as info:
        load_config(path)
    assert str(info.value).startswith(str(path)) and "\n" not in str(info.value)


def test_the_schema_uses_only_keywords_the_check_understands():
    def keywords(schema: dict) -> set[str]:
        inner = schema.get("properties", {}).values()
        return set(schema) | {k for sub in inner for k in keywords(sub)}

    assert keywords(json.loads(SCHEMA_FILE.read_text())) <= KEYWORDS


def test_a_configuration_for_another_gemeente_is_refused(tmp_path):
    path = write(tmp_path / "x.toml", 'gemeente = "GM0164"')
    with pytest.raises(DataError, match="key gemeente: the file is for GM0164, not GM0153"):
        config_for("GM0153", path)


def test_cli_checks_the_configuration_at_start_in_one_line(tmp_path, capsys):
    bad = write(tmp_path / "GM0153.toml", 'gemeente = "GM0153"\nrate_unit = 7')
    code = cli.main(["findings", "--gemeente", "GM0153", "--config", str(bad), "--data-dir", "x"])
    err = capsys.readouterr().err.strip()
    assert code == cli.EXIT_FAILURE
    assert err.count("\n") == 0 and str(bad) in err and "key rate_unit" in err


def _args(*argv: str) -> argparse.Namespace:
    args = options.build_parser().parse_args(["findings", *argv])
    args.gemeenten = [c for v in (args.gemeenten or [["GM0164"]]) for c in v]
    args.configs = cli.gemeente_configs(args)
    return args


def test_rate_unit_comes_from_the_configuration_unless_given():
    assert cli.edition_rate_unit(_args(), "GM0164") == 10_000
    assert cli.edition_rate_unit(_args("--rate-unit", "1000"), "GM0164") == 1000
    assert cli.edition_rate_unit(_args("--gemeente", "GM0153"), "GM0153") == 1000


def test_claims_option_overrides_the_configuration(tmp_path):
    claims = write(tmp_path / "claims.toml", "# claims\n")
    args = _args("--claims", str(claims))
    assert args.configs["GM0164"].claims_file == claims
    assert args.configs["GM0164"].colofon["organisation"] == "Gemeente Hengelo"  # the rest stays
    with pytest.raises(ParameterError, match="--claims .*no such file"):
        _args("--claims", str(tmp_path / "weg.toml"))


def test_one_configuration_is_for_one_gemeente(tmp_path):
    with pytest.raises(ParameterError, match="give one --gemeente"):
        _args("--gemeente", "GM0164,GM0153", "--config", str(GEMEENTEN_DIR / "GM0164.toml"))
