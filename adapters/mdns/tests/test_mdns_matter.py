"""Matter records: an operational node names its fabric and node; a commissionable one is not yet commissioned."""

from __future__ import annotations

import pytest
from mdns_records import MATTER, MATTER_NEW, MATTER_NODE, MATTERC


def test_an_operational_node_names_its_fabric_and_node() -> None:
    found = MATTER_NODE.identify()
    assert found is not None and found.problem is None
    assert (found.adapter, found.brand, found.name, found.port, found.via, found.operations) == (
        None, "Matter device", "2906C908D115D362-8FC7772401CD0696", 5540, MATTER, [])
    assert found.model == "commissioned, fabric 2906C908D115D362, node 8FC7772401CD0696"
    assert found.identifiers == {"matter_node": "2906c908d115d362-8fc7772401cd0696"}


def test_an_operational_name_in_lower_case_is_the_same_node() -> None:
    found = MATTER_NODE.identify(instance="2906c908d115d362-8fc7772401cd0696")
    assert found is not None and found.problem is None
    assert found.identifiers == {"matter_node": "2906c908d115d362-8fc7772401cd0696"}


@pytest.mark.parametrize("instance", ["Living Room Plug", "2906C908D115D362", "2906C908D115D362-8FC77724",
                                      "2906C908D115D36G-8FC7772401CD0696", "2906C908D115D362_8FC7772401CD0696"])
def test_an_operational_record_whose_name_is_no_fabric_and_node_is_not_trusted(instance: str) -> None:
    found = MATTER_NODE.identify(instance=instance)
    assert found is not None and found.name == instance
    assert found.problem is not None and "<compressed fabric id>-<node id>" in found.problem
    assert found.problem.endswith("not trusted") and found.identifiers == {}


def test_a_commissionable_device_is_not_yet_commissioned() -> None:
    found = MATTER_NEW.identify()
    assert found is not None and found.problem is None
    assert (found.brand, found.name, found.via, found.operations) == ("Matter device", "Eve Energy", MATTERC, [])
    assert found.model == ("not yet commissioned, open for commissioning, vendor 4874, product 77, plug-in unit, "
                           "discriminator 3840")
    assert found.identifiers == {"matter_instance": "b2c7a1d09e4f3365"}


@pytest.mark.parametrize(("mode", "said"), [
    ("1", "not yet commissioned, open for commissioning"),
    ("2", "already commissioned, open to another ecosystem"),
    ("0", "not yet commissioned, commissioning window closed"),
    (None, "not yet commissioned, commissioning window closed"),
])
def test_the_commissioning_mode_is_said(mode: str | None, said: str) -> None:
    found = MATTER_NEW.identify({"CM": mode})
    assert found is not None and (found.model or "").startswith(said + ", vendor 4874")


def test_without_a_name_or_product_it_is_named_by_its_instance() -> None:
    found = MATTER_NEW.identify({"DN": None, "VP": "4874", "DT": "4660"})
    assert found is not None and found.problem is None and found.name == "B2C7A1D09E4F3365"
    assert found.model == "not yet commissioned, open for commissioning, vendor 4874, device type 4660, " \
                          "discriminator 3840"


@pytest.mark.parametrize("discriminator", [None, "", "4096", "0x0F00", "-1"])
def test_a_commissionable_record_without_a_valid_discriminator_is_not_trusted(discriminator: str | None) -> None:
    found = MATTER_NEW.identify({"D": discriminator})
    assert found is not None and found.problem is not None and found.problem.endswith("not trusted")
    assert "discriminator" in found.problem
    assert "discriminator" not in (found.model or "")  # an untrusted number is not repeated as a fact


def test_a_commissionable_instance_must_be_sixteen_hex_digits() -> None:
    found = MATTER_NEW.identify(instance="Eve Energy")
    assert found is not None and "16 hex digits" in (found.problem or "")


def test_what_the_records_say_is_also_given_as_fields() -> None:
    node, new = MATTER_NODE.identify(), MATTER_NEW.identify()
    assert node is not None and new is not None
    assert node.details == {"commissioned": True, "compressed_fabric_id": "2906C908D115D362",
                            "node_id": "8FC7772401CD0696"}
    assert new.details == {"commissioned": False, "commissioning_open": True, "vendor_id": 4874, "product_id": 77,
                           "device_type": new.details["device_type"], "discriminator": 3840}
    assert isinstance(new.details["device_type"], str)
    closed = MATTER_NEW.identify({"CM": "0", "D": "9999"})
    assert closed is not None and closed.problem is not None
    assert closed.details["commissioning_open"] is False and "discriminator" not in closed.details
