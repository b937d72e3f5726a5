"""What each step kind does to the two systems, and the engine's push and nightly runs.

Every method returns the timeline's line of text for what happened.
"""

from __future__ import annotations

from dataclasses import replace
from functools import singledispatchmethod
from typing import TYPE_CHECKING, Any

from simulator.gateway import open_gateway
from simulator.model import (
    Action,
    ChangeSettings,
    ClearFaults,
    ConvertLead,
    Fault,
    FieldAccess,
    InstallPackage,
    Link,
    RestartService,
    Resubscribe,
    RunNightly,
    SalesforceCreate,
    SalesforceDelete,
    SalesforceUndelete,
    SalesforceUpdate,
    SettingsChange,
    Step,
    UninstallPackage,
    Unsubscribe,
)
from simulator.results import Window, shown
from sync_core.errors import SyncError
from sync_core.model import NightlyReport, PushReport, Source, SyncField

if TYPE_CHECKING:
    from simulator.run import Simulation


def engine_settings(change: SettingsChange) -> dict[str, Any]:
    """A settings change in the engine's terms."""
    given: dict[str, Any] = {}
    if change.nightly_sync is not None:
        given["nightly_sync"] = change.nightly_sync
    if change.sync_fields is not None:
        given["sync_fields"] = frozenset(SyncField(f.value) for f in change.sync_fields)
    if change.nightly_at is not None:
        given["nightly_at"] = change.nightly_at.strftime("%H:%M")
    if change.timezone is not None:
        given["timezone"] = change.timezone
    return given


class Actions:
    def __init__(self, sim: Simulation) -> None:
        self.sim = sim

    def perform(self, step: Step) -> str:
        """Do the step; the performer is the method registered for its action's dataclass."""
        return self.act(step.action)

    @singledispatchmethod
    def act(self, action: Action) -> str:
        raise TypeError(f"no performer for the step action {type(action).__name__}")

    def _record(self, ref: str) -> tuple[str, str]:
        return self.sim.refs.records[ref]

    def _person(self, ref: str) -> int:
        return self.sim.refs.people[ref]

    # Marketo Sales ---------------------------------------------------------------------------

    @act.register
    def _unsubscribe(self, action: Unsubscribe) -> str:
        done = self.sim.service.unsubscribe(
            self._person(action.person), Source(action.source.value), self.sim.now
        )
        note = "" if done else ": already unsubscribed, nothing to do"
        return f"{action.person} unsubscribes in Marketo Sales ({action.source}){note}"

    @act.register
    def _resubscribe(self, action: Resubscribe) -> str:
        done = self.sim.service.resubscribe(
            self._person(action.person), action.by, action.reason, self.sim.now
        )
        note = "" if done else ": was not unsubscribed"
        return f'{action.by} resubscribes {action.person} ("{action.reason}"){note}'

    @act.register
    def _link(self, action: Link) -> str:
        ids = {
            self._record(ref)[0]: self._record(ref)[1][: action.id_length]
            for ref in action.salesforce
        }
        self.sim.service.link(
            self._person(action.person), contact_id=ids.get("Contact"), lead_id=ids.get("Lead"),
            now=self.sim.now,
        )  # fmt: skip
        return f"{action.person} is linked to {', '.join(action.salesforce)}"

    @act.register
    def _settings(self, action: ChangeSettings) -> str:
        given = engine_settings(action.change)
        self.sim.service.update_settings(self.sim.now, **given)
        text = ", ".join(f"{k}={shown(sorted(v) if isinstance(v, frozenset) else v)}"
                         for k, v in given.items())  # fmt: skip
        return f"admin changes settings: {text}"

    # Salesforce ------------------------------------------------------------------------------

    @act.register
    def _update(self, action: SalesforceUpdate) -> str:
        sobject, record_id = self._record(action.record)
        self.sim.side.update(sobject, record_id, action.fields)
        return f"a Salesforce user edits {action.record}: {shown(dict(action.fields))}"

    @act.register
    def _create(self, action: SalesforceCreate) -> str:
        record_id = self.sim.side.create(action.type, action.fields)
        self.sim.refs.records[action.ref] = (action.type, record_id)
        return f"{action.type} {action.ref} is created in Salesforce ({record_id})"

    @act.register
    def _delete(self, action: SalesforceDelete) -> str:
        self.sim.side.delete(*self._record(action.record))
        return f"{action.record} is deleted in Salesforce (recycle bin)"

    @act.register
    def _undelete(self, action: SalesforceUndelete) -> str:
        self.sim.side.undelete(*self._record(action.record))
        return f"{action.record} is undeleted in Salesforce"

    @act.register
    def _convert(self, action: ConvertLead) -> str:
        contact_id = self.sim.side.convert_lead(self._record(action.lead)[1])
        self.sim.refs.records[action.contact_ref] = ("Contact", contact_id)
        return f"Lead {action.lead} is converted into Contact {action.contact_ref}"

    @act.register
    def _install(self, action: InstallPackage) -> str:
        self.sim.side.install_package(action.package)
        return f"package {action.package} is installed"

    @act.register
    def _uninstall(self, action: UninstallPackage) -> str:
        self.sim.side.uninstall_package(action.package)
        return f"package {action.package} is uninstalled"

    @act.register
    def _field_access(self, action: FieldAccess) -> str:
        self.sim.side.set_field_read_only(action.sobject, action.field, not action.updateable)
        state = "updateable" if action.updateable else "read-only"
        return f"{action.sobject}.{action.field} becomes {state} for the integration user"

    @act.register
    def _fault(self, action: Fault) -> str:
        spec = {k: v for k, v in vars(action).items() if v is not None and k != "until"}
        if action.until is not None:
            spec["until"] = self.sim.resolve(action.until).isoformat()
        self.sim.side.add_fault(spec)
        until = self.sim.resolve(action.until) if action.until is not None else None
        label = f"Salesforce {action.kind}"
        self.sim.windows.append(Window("fault", self.sim.now, until, label))
        return f"Salesforce starts failing: {shown(spec)}"

    @act.register
    def _clear(self, action: ClearFaults) -> str:
        self.sim.side.clear_faults()
        now = self.sim.now
        self.sim.windows[:] = [
            replace(w, end=now) if w.kind == "fault" and (w.end is None or w.end > now) else w
            for w in self.sim.windows
        ]
        return "Salesforce faults end"

    @act.register
    def _run_nightly(self, action: RunNightly) -> str:
        report = self.sim.core(lambda: self.sim.service.run_nightly(self.sim.now))
        return "admin runs the sync now: " + describe_nightly(report)

    @act.register
    def _restart(self, action: RestartService) -> str:
        """The service stops; while it is down nothing runs; it starts again (catch-up)."""
        self.sim.stop_service()
        down = self.sim.now
        self.sim.move(self.sim.now + action.down_for)
        self.sim.windows.append(Window("down", down, self.sim.now, "service down"))
        note = ""
        try:  # a new process logs in again: nothing it saw before lives on but the store
            self.sim.service.gateway = open_gateway(self.sim.side, self.sim.sleep)
        except SyncError as exc:
            note = f" (login refused, {exc.code}: it goes on with its old session)"
        self.sim.start_service()
        return f"the service stops, is down for {action.text}, and starts again{note}"


def describe_push(report: PushReport) -> str:
    parts = [f"{report.delivered} delivered"]
    parts += [f"{report.retrying} to retry"] if report.retrying else []
    parts += [f"{report.parked} parked"] if report.parked else []
    return f"push: {', '.join(parts)} ({report.calls} calls){_errors(report.errors)}"


def describe_nightly(report: NightlyReport) -> str:
    plan = report.plan
    text = (
        f"nightly sync ({report.mode or 'not run'}): read {report.reads}, wrote "
        f"{report.writes_done} records, unsubscribed {report.unsubscribed} in Marketo Sales"
        f", {len(plan.skips)} skipped ({report.calls} calls)"
    )
    problems = [f"{p.code} {p.sobject}.{p.field_name}" for p in plan.problems]
    if problems:
        text += "; configuration: " + ", ".join(problems)
    if report.stopped:
        text += f"; stopped: {report.stopped}"
    return text + _errors(report.errors)


def _errors(errors: Any) -> str:
    codes = sorted({e.code for e in errors})
    return f"; errors: {', '.join(codes)}" if codes else ""
