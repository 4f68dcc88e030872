"""Device profiles: the shipped examples load, bad profiles name the file and the YAML path."""

from __future__ import annotations

from pathlib import Path

import pytest

from soupwatch.errors import RiskError
from soupwatch.model import ComponentRef
from soupwatch.model.component import Component
from soupwatch.risk.policy import Policy, load_policy
from soupwatch.risk.profile import Category, Exposure, Harm, load_profile

PUMP = """
device: {name: Pump, fda_class: II, iec62304_class: C, intended_use: infusion}
interfaces:
  - {type: wifi, exposure: hospital-network, components: [openssl]}
assets:
  therapy_delivery: {integrity: {severity: catastrophic}}
"""


def _write(tmp_path: Path, text: str, name: str = "device.profile.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["infusion-pump", "glucose-monitor", "imaging-workstation"])
def test_examples_load(examples: Path, name: str) -> None:
    profile = load_profile(examples / f"{name}.profile.yaml")
    assert profile.interfaces and profile.assets
    assert profile.source and profile.source.endswith(f"{name}.profile.yaml")


def test_pump_profile_content(examples: Path) -> None:
    pump = load_profile(examples / "infusion-pump.profile.yaml")
    assert pump.iec62304_class == "C"
    bluez = Component(ref=ComponentRef("b"), name="BlueZ", version="5.60")
    assert [i.exposure for i in pump.interfaces_of(bluez)] == [Exposure.ADJACENT_RADIO]
    kernel = Component(ref=ComponentRef("k"), name="linux-kernel", version="5.10.1")
    exposures = [i.exposure for i in pump.interfaces_of(kernel)]
    assert exposures[0] is Exposure.HOSPITAL_NETWORK and Exposure.PHYSICAL_ONLY in exposures
    assert pump.worst_harm("integrity") == (Harm.CATASTROPHIC, Category.THERAPY_DELIVERY)


def test_version_selector(tmp_path: Path) -> None:
    text = PUMP.replace("components: [openssl]", "components: [{name: OpenSSL, version: 1.1.1k}]")
    profile = load_profile(_write(tmp_path, text))
    old = Component(ref=ComponentRef("o"), name="openssl", version="1.1.1k")
    new = Component(ref=ComponentRef("n"), name="openssl", version="3.0.7")
    assert profile.interfaces_of(old) and not profile.interfaces_of(new)


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        (
            PUMP.replace("exposure: hospital-network", "exposure: intranet"),
            "interfaces[0].exposure",
            "'intranet' is not one of",
        ),
        (PUMP.replace("fda_class: II", "fda_class: IV"), "device.fda_class", "'IV' is not one of"),
        (
            PUMP.replace("severity: catastrophic", "severity: fatal"),
            "assets.therapy_delivery.integrity.severity",
            "'fatal'",
        ),
        (PUMP.replace("type: wifi", "type: zigbee"), "interfaces[0].type", "'zigbee'"),
        (PUMP.replace("interfaces:", "interfacez:"), "$", "interfacez"),
        (
            PUMP + "controls:\n  - {name: x, protects: [wifi], effect: 'MAV:Q'}\n",
            "controls[0].effect",
            "does not match",
        ),
        (
            PUMP + "controls:\n  - {name: x, protects: [bluetooth], effect: 'MAV:A'}\n",
            "controls[0].protects[0]",
            "'bluetooth'",
        ),
    ],
)
def test_bad_profile_names_path(tmp_path: Path, text: str, where: str, words: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(RiskError) as info:
        load_profile(path)
    message = str(info.value)
    assert message.startswith(f"{path} ({where}): invalid device profile")
    assert words in message
    assert "\n" not in message


def test_bad_yaml_names_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "device: {name: [unclosed\n")
    with pytest.raises(RiskError, match=r"\(line \d+, column \d+\): not valid YAML"):
        load_profile(path)


def test_missing_profile_file(tmp_path: Path) -> None:
    with pytest.raises(RiskError, match="cannot read the device profile"):
        load_profile(tmp_path / "absent.yaml")


def test_policy_defaults_and_file(tmp_path: Path) -> None:
    assert load_policy(None) == Policy()
    assert Policy().uncontrolled_communicate_days == 30 and Policy().uncontrolled_fix_days == 60
    path = _write(
        tmp_path, "uncontrolled_fix_days: 45\ncontrolled_fix_days: {low: 400}\n", "policy.yaml"
    )
    policy = load_policy(path)
    assert policy.uncontrolled_fix_days == 45
    assert dict(policy.controlled_fix_days)["low"] == 400
    assert dict(policy.controlled_fix_days)["high"] == 90


def test_bad_policy_names_key(tmp_path: Path) -> None:
    path = _write(tmp_path, "uncontrolled_fix_days: -3\n", "policy.yaml")
    with pytest.raises(RiskError, match=r"\(uncontrolled_fix_days\): invalid policy"):
        load_policy(path)


def test_names_match_loosely(examples: Path) -> None:
    cgm = load_profile(examples / "glucose-monitor.profile.yaml")
    spaced = Component(ref=ComponentRef("m"), name="Mbed TLS", version="2.16.10")
    by_purl = Component(
        ref=ComponentRef("p"),
        name="ARM mbed",
        version="2.16.10",
        purl="pkg:github/Mbed-TLS/mbedtls@2.16.10",
    )
    other = Component(ref=ComponentRef("o"), name="mbedtls-extras", version="1.0")
    assert cgm.interfaces_of(spaced) and cgm.interfaces_of(by_purl)
    assert not cgm.interfaces_of(other)


def test_bad_answer_value_names_path(tmp_path: Path) -> None:
    text = PUMP + (
        "answers:\n  - {vulnerability: CVE-2020-1, metric: MAV, value: H, reason: r, author: a}\n"
    )
    path = _write(tmp_path, text)
    with pytest.raises(RiskError) as info:
        load_profile(path)
    assert str(info.value) == (
        f"{path} (answers[0].value): invalid device profile: MAV takes one of N, A, L, P, not 'H'"
    )
