"""The claim ledger: what the gallery pages checked, as they checked it.

Each claim of the source article (and each counter-claim where the symbolic
style wins) has an id in :data:`CLAIMS`. A gallery page tests a claim with
:func:`check`, which asserts one measured value against a bound, prints
both with the reason for the bound, and returns the check; right after its
checks the page calls :func:`record` with the verdict its measurements
support and the checks themselves. The build collects the records into the
ledger page, so the ledger cannot drift from the evidence: every row shows
what was measured, the bound it was held to, and the machine, versions and
date of the run; a claim no page recorded shows as untested (and the test
suite fails).

Records are written only where ``$SIDEBYSIDE_RECORDS`` names a folder (the
site build sets it); a page run on its own prints its checks and records
nothing.
"""

from __future__ import annotations

import json
import operator
import os
from pathlib import Path

#: The verdict of a speed claim whose figures could not tell, because
#: other processes were using the machine (:mod:`sidebyside.load`).
NOT_MEASURED = "not measured: machine busy"
#: The verdicts a page may record.
VERDICTS = ("holds", "holds with caveats", "does not hold", NOT_MEASURED)

#: id -> the claim, in the ledger's order.
CLAIMS = {
    "step-through": "You can run a define-by-run network step by step and "
                    "look at every layer's output.",
    "error-location": "An error in a define-by-run network points at the "
                      "line that caused it.",
    "debugger": "A regular debugger stops inside a define-by-run network.",
    "gradients": "Gradients are easy to inspect, layer by layer.",
    "control-flow": "A define-by-run network can use Python control flow, "
                    "such as pooling chosen by input size.",
    "iteration-recursion": "Iteration and recursion are plain Python in a "
                           "define-by-run network; in a graph they \"look "
                           "very different\".",
    "deferred-shapes": "Networks can infer their layers' input sizes.",
    "shared-weights": "Sharing a layer in a symbolic network needs care "
                      "about where its weights live; calling a module twice "
                      "is enough in a define-by-run one.",
    "multi-head": "A multi-head network trained from two singly-labelled "
                  "datasets is a plain `if` in a define-by-run loop.",
    "fast-prototyping": "Define-by-run frameworks are fast for prototyping: "
                        "adding a layer or a head takes fewer lines, in "
                        "fewer places.",
    "fit-hides": "`Module.fit` hides the training loop; looking inside "
                 "needs callbacks and metric objects.",
    "less-hidden": "Define-by-run hides less: one `fit` or `bind` call "
                   "does things behind the reader's back that an "
                   "imperative loop writes out.",
    "numpy-like": "NumPy-like APIs are easier to learn: a NumPy user "
                  "already knows their names.",
    "numpy-drop-in": "A define-by-run framework can be used as a drop-in "
                     "replacement for NumPy.",
    "learn-one": "The define-by-run APIs are alike: learn one, and you can "
                 "read the others.",
    "same-computation": "The symbolic and the imperative APIs describe the "
                        "same computation (freeze, export, copy weights).",
    "symbolic-inference": "Counter-claim: a compiled graph runs inference "
                          "faster than eager code.",
    "symbolic-training": "Counter-claim: a compiled graph trains LeNet at "
                         "least twice as fast as eager code.",
}

#: Speed claims, whose verdicts hold only for the machine that measured them.
SPEED_CLAIMS = ("symbolic-inference", "symbolic-training")

#: The relations a check may assert, as ``measured <relation> bound``.
RELATIONS = {"<": operator.lt, "<=": operator.le, ">": operator.gt,
             ">=": operator.ge, "==": operator.eq, "!=": operator.ne}


def _plain(value):
    """``value`` as JSON can hold it: NumPy scalars become Python ones,
    tuples lists."""
    if hasattr(value, "item") and getattr(value, "shape", None) == ():
        value = value.item()
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"a check compares numbers, booleans, strings or "
                    f"tuples of them, not {type(value).__name__}")


def show(value) -> str:
    """A measured value or bound as the ledger prints it."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if 1000 <= abs(value) < 1e9:
            return f"{value:,.0f}"
        if value == 0 or 1e-2 <= abs(value) < 1000:
            return f"{value:.3g}"
        return f"{value:.2g}"
    return "(" + ", ".join(show(item) for item in value) + ")"


def _compare(what, measured, relation, bound, why) -> tuple[dict, str]:
    if relation not in RELATIONS:
        raise ValueError(f"relation must be one of {', '.join(RELATIONS)},"
                         f" got {relation!r}")
    measured, bound = _plain(measured), _plain(bound)
    comparable = [tuple(v) if isinstance(v, list) else v
                  for v in (measured, bound)]
    held = bool(RELATIONS[relation](*comparable))
    line = (f"{what}: measured {show(measured)}, bound {relation} "
            f"{show(bound)} ({why})")
    return {"what": what, "measured": measured, "relation": relation,
            "bound": bound, "why": why, "held": held}, line


def check(what: str, measured, relation: str, bound, why: str) -> dict:
    """Assert that ``measured <relation> bound``; return the check.

    ``what`` names the measured quantity, ``why`` says in a sentence why
    the bound is where it is (noise, a physical reason, the value the claim
    needs). The check is printed either way; a failed one raises
    ``AssertionError`` with the same line, so the page stops. Pass the
    returned check to :func:`record`.
    """
    result, line = _compare(what, measured, relation, bound, why)
    print(f"check {'passed' if result['held'] else 'FAILED'}: {line}")
    if not result["held"]:
        raise AssertionError(line)
    return result


def observe(what: str, measured, relation: str, bound, why: str) -> dict:
    """Compare ``measured`` with ``bound`` as :func:`check` does, without
    stopping the page: for a speed measured on a machine that may be busy,
    whose verdict is decided from the figures (and may be
    :data:`NOT_MEASURED`). ``held`` says how the comparison came out."""
    result, line = _compare(what, measured, relation, bound, why)
    print(f"observed ({'held' if result['held'] else 'did not hold'}): "
          f"{line}")
    return result


def records_dir() -> Path | None:
    """The folder records go to, or None when nothing is recorded."""
    configured = os.environ.get("SIDEBYSIDE_RECORDS")
    return Path(configured) if configured else None


def record_file(directory: str | os.PathLike, page: str) -> Path:
    """Where the records of ``page`` (``"<topic>/<script name>"``) go."""
    return Path(directory) / f"{page.replace('/', '_')}.json"


def record(page: str, claim: str, verdict: str, evidence: str,
           checks: list[dict]) -> None:
    """Record that ``page`` tested ``claim``, what it found and how.

    ``page`` is the gallery page as ``"<topic>/<script name>"``, e.g.
    ``"lenet/plot_lenet"``; ``evidence`` says in a sentence or two what
    the page showed; ``checks`` are the :func:`check` results behind the
    verdict (at least one). The machine, versions and date of the run are
    added (:func:`sidebyside.runtime.machine`). The record is also printed,
    so the page shows it.
    """
    from sidebyside import runtime

    if claim not in CLAIMS:
        raise ValueError(f"unknown claim {claim!r}: add it to CLAIMS")
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, got "
                         f"{verdict!r}")
    if not checks or not all(isinstance(item, dict) and "measured" in item
                             for item in checks):
        raise ValueError("a record needs the checks behind its verdict: "
                         "pass what claims.check() returned")
    if verdict != NOT_MEASURED and not all(item.get("held", True)
                                           for item in checks):
        raise ValueError(f"verdict {verdict!r} with an observation that did "
                         "not hold: decide the verdict from the figures")
    print(f"Ledger: {claim!r} {verdict}. {evidence}")
    for item in checks:
        print(f"  {item['what']}: {show(item['measured'])} "
              f"{item['relation']} {show(item['bound'])}")
    directory = records_dir()
    if directory is not None:
        add_entry(record_file(directory, page), claim,
                  {"verdict": verdict, "evidence": evidence, "page": page,
                   "checks": checks, "machine": runtime.machine()})


def add_entry(path: str | os.PathLike, key: str, entry: dict) -> None:
    """Set ``key`` to ``entry`` in the JSON record file ``path``, keeping
    its other entries (a page records several claims, or speeds)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    entries = json.loads(path.read_text()) if path.is_file() else {}
    entries[key] = entry
    path.write_text(json.dumps(entries, indent=1, sort_keys=True))


def collect(directory: str | os.PathLike) -> dict[str, list[dict]]:
    """Every record under ``directory``, grouped by claim id."""
    found: dict[str, list[dict]] = {claim: [] for claim in CLAIMS}
    for path in sorted(Path(directory).glob("*.json")):
        for claim, entry in json.loads(path.read_text()).items():
            found.setdefault(claim, []).append(entry)
    return found


def _page_link(page: str) -> str:
    label = "sphx_glr_auto_examples_" + page.replace("/", "_") + ".py"
    return "{ref}`" + label + "`"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def machine_text(machine: dict) -> str:
    """One line: CPU and cores, GPUs, versions, date."""
    order = ["Python", "NumPy", "MXNet", "PyTorch"]
    names = sorted(machine["versions"],
                   key=lambda name: (order.index(name) if name in order
                                     else len(order), name))
    versions = ", ".join(f"{name} {machine['versions'][name]}"
                         for name in names)
    cores, of = machine["cores"], machine.get("machine_cores")
    cores = (f"{cores} of {of} cores" if of and of != cores
             else f"{cores} core{'s' if cores != 1 else ''}")
    return (f"{machine['cpu']}, {cores}; GPU: "
            f"{'; '.join(machine['gpus'])}; {versions}; {machine['date']}")


def ledger_markdown(directory: str | os.PathLike) -> str:
    """The ledger as Markdown: a summary table (claim, verdict, page), then
    for each claim its evidence, the table of its checks (measured value,
    bound and why) and the machine, versions and date of the run."""
    found = collect(directory)
    summary = ["| claim | verdict | tested on |", "|---|---|---|"]
    details = []
    for number, (claim, entries) in enumerate(found.items(), 1):
        text = CLAIMS.get(claim, claim)
        anchor = f"claim-{claim}"
        if not entries:
            summary.append(f"| {_cell(text)} | **untested** | no page |")
            continue
        verdicts = "; ".join(f"**{entry['verdict']}**"
                             for entry in entries)
        pages = ", ".join(_page_link(entry["page"]) for entry in entries)
        summary.append(f"| [{number}. {_cell(text)}](#{anchor}) | "
                       f"{verdicts} | {pages} |")
        details += [f"({anchor})=", f"## {number}. {text}", ""]
        for entry in entries:
            where = ("on the machine below" if claim in SPEED_CLAIMS
                     else "")
            details += [
                f"**{entry['verdict']}** {where}".rstrip() + ", tested on "
                f"{_page_link(entry['page'])}: {entry['evidence']}", "",
                "| check | measured | bound | why the bound is there |",
                "|---|---|---|---|",
            ]
            details += [f"| {_cell(item['what'])} | "
                        f"{_cell(show(item['measured']))} | "
                        f"{item['relation']} {_cell(show(item['bound']))}"
                        f"{'' if item.get('held', True) else ' (not met)'} | "
                        f"{_cell(item['why'])} |"
                        for item in entry.get("checks", [])]
            if "machine" in entry:
                details += ["", f"Run: {machine_text(entry['machine'])}."]
            details.append("")
    return "\n".join(summary + [""] + details)
