"""Every way to load a schema: `fake-salesforce serve --schema` (repeatable), the control API,
FakeSalesforce(schema=...) and the pytest plugin (marker and ini option); errors in one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from simple_salesforce import Salesforce

from fake_salesforce.control_client import ControlClient, ControlError
from fake_salesforce.fixture import DEFAULT_INSTANCE, FakeSalesforce
from fake_salesforce.registry import Registry
from fake_salesforce.server import FakeServer
from fake_salesforce.snapshot import export_org, import_org
from fake_salesforce.transport import rewriting_session
from tests.fake_salesforce.schema.project import DESCRIBE, MDAPI, SFDX
from tests.fake_salesforce.test_plugin import plugin_args
from tests.fake_salesforce.test_server import ROOT, Served

pytest_plugins = ["pytester"]


def test_serve_loads_every_schema_given_and_names_the_custom_objects() -> None:
    served = Served("--schema", str(SFDX), "--schema", str(MDAPI))
    try:
        assert "Widget__c (" in served.banner["custom objects"]
        sf = Salesforce(
            username="admin@example.com",
            password="password",
            security_token="TOKEN",
            session=rewriting_session(served.url),
        )
        names = {e["name"] for e in sf.describe()["sobjects"]}
        assert {"Widget__c", "Widget_Part__c", "Gadget__c"} <= names
        assert sf.Gadget__c.create({"Name": "G"})["success"] is True
    finally:
        code, _, err = served.stop()
    assert code == 0 and err == ""


def test_serve_with_bad_metadata_prints_the_file_and_element_in_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "objects" / "Thing__c"
    (folder / "fields").mkdir(parents=True)
    (folder / "Thing__c.object-meta.xml").write_text(
        "<CustomObject><label>T</label></CustomObject>"
    )
    (folder / "fields" / "Odd__c.field-meta.xml").write_text(
        "<CustomField><type>Hologram</type></CustomField>"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "fake_salesforce.cli",
            "serve",
            "--port",
            "0",
            "--schema",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("fake-salesforce: error: --schema: ")
    assert "Odd__c.field-meta.xml: field Odd__c <type>: unsupported type 'Hologram'" in line


def test_the_control_api_loads_a_schema_into_a_running_org() -> None:
    fake = FakeSalesforce(instance_url=None)
    with FakeServer(fake.app, threads=2) as server:
        control = ControlClient(server.url)
        answer = control.load_schema(str(DESCRIBE))
        objects = {o["name"]: o for o in answer["objects"]}
        assert objects["Invoice__c"] == {"name": "Invoice__c", "keyPrefix": "a05", "custom": True}
        assert answer["paths"] == [str(DESCRIBE)]
        assert control.schema()["paths"] == [str(DESCRIBE)]
        with pytest.raises(ControlError) as raised:
            control.load_schema(str(DESCRIBE / "missing.json"))
        assert raised.value.status == 400
        assert "missing.json: no such file or folder" in str(raised.value)


def test_a_new_org_from_the_control_api_gets_its_own_schema_and_keeps_it_on_reset() -> None:
    fake = FakeSalesforce()
    control = ControlClient(DEFAULT_INSTANCE, session=fake.session())
    made = control.create_org("second@example.com", schema=[str(SFDX)])
    second = control.for_org(made["id"])
    assert {o["name"] for o in second.schema()["objects"]} >= {"Widget__c"}
    assert fake.org.object_spec("Widget__c") is None  # the first org is untouched
    second.reset()
    assert "Widget__c" in {o["name"] for o in second.schema()["objects"]}


def test_the_fixture_takes_schema_paths() -> None:
    fake = FakeSalesforce(schema=[SFDX, MDAPI])
    assert fake.org.object_spec("widget__c") is not None
    assert fake.org.object_spec("Gadget__c") is not None


def test_the_plugin_marker_and_ini_option_load_schemas(pytester: pytest.Pytester) -> None:
    pytester.makeini(f"[pytest]\nfake_salesforce_schema =\n    {SFDX}\n")
    pytester.makepyfile(
        f"""
        import pytest

        def test_from_ini(salesforce):
            assert salesforce.Widget__c.create({{"Name": "W", "Size__c": "S"}})["success"]

        @pytest.mark.fake_salesforce(schema=[{str(MDAPI)!r}])
        def test_marker_replaces_ini(salesforce, fake_salesforce):
            assert fake_salesforce.org.object_spec("Gadget__c") is not None
            assert fake_salesforce.org.object_spec("Widget__c") is None
        """
    )
    result = pytester.runpytest_subprocess(*plugin_args())
    result.assert_outcomes(passed=2)


def test_a_snapshot_restores_custom_records_and_auto_numbers_into_a_new_org() -> None:
    fake = FakeSalesforce(schema=[SFDX])
    made = fake.org.create("Widget__c", {"Name": "W", "Size__c": "S", "Features__c": "GPS"})
    data = json.loads(json.dumps(export_org(fake.org)))
    restored = import_org(Registry(), data)
    assert restored.get("Widget__c", made)["Features__c"] == "GPS"  # type: ignore[index]
    again = restored.create("Widget__c", {"Name": "W2", "Size__c": "S"})
    assert restored.get("Widget__c", again)["Serial__c"] == "W-0002"  # type: ignore[index]
