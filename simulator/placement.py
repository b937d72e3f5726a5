"""Where a misplaced key belongs: the hint added to "unknown key" when the key is known elsewhere.

A key indented one level too little lands beside the key it was meant to be under (`person:`
next to an empty `unsubscribe:`); one indented too much lands inside a section it is not part of
(`settings:` under `clock:`). Both read to the loader as unknown keys; this names the place the
key is known, so the fix is one indentation away (docs/scenarios.md, "Errors").
"""

from __future__ import annotations

from collections.abc import Mapping

from simulator import schema
from simulator.source import Map, Scalar

SECTIONS: Mapping[str, tuple[str, ...]] = {
    "clock": schema.CLOCK,
    "settings": schema.SETTINGS,
    "salesforce": schema.SALESFORCE,
    "marketo_sales": schema.MARKETO_SALES,
    **schema.STEP_ARGUMENTS,
}
# The places that are not a named section: the top level and a step's own keys.
_HOMES: Mapping[str, tuple[str, ...]] = {
    "the top level of the scenario": schema.TOP,
    "a step": schema.STEP,
}


def belongs(node: Map, key: str) -> str:
    """`: it belongs under "unsubscribe:" (line 4): indent it further`, or `: "settings" is a
    key of the top level of the scenario: check its indentation`, or `` when unknown anywhere."""
    for sibling in node.names():
        value = node.get(sibling)
        empty = value is None or (isinstance(value, Scalar) and value.value is None)
        if empty and key in SECTIONS.get(sibling, ()):
            return (
                f': it belongs under "{sibling}:" (line {node.key_line(sibling)}): '
                f'indent it further than "{sibling}:"'
            )
    homes = [f'"{section}:"' for section, keys in SECTIONS.items() if key in keys]
    homes += [home for home, keys in _HOMES.items() if key in keys]
    if not homes:
        return ""
    places = " or ".join(homes[:3])
    return f': "{key}" is a key of {places}: check its indentation'
