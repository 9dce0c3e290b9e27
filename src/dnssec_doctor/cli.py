"""The `dnssec-doctor` command line: parse, call, render. Nothing else lives here."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

# Commands import what they need when they run: a check must not pay at start-up for
# the lab, the zone-file verifier or the renderers of other commands.
from dnssec_doctor import __version__, defaults
from dnssec_doctor.exitcodes import ExitCode

if TYPE_CHECKING:
    from dnssec_doctor.check import CheckOptions

DEFAULT_WARN_DAYS = defaults.WARN_DAYS
DEFAULT_TIMEOUT = defaults.QUERY_TIMEOUT

app = typer.Typer(
    help="Find the broken link in a domain's DNSSEC chain of trust, name the cause, print the fix.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
lab_app = typer.Typer(
    help="A private signed DNS tree with chosen faults, served on 127.53.0.0/16.",
    no_args_is_help=True,
)
app.add_typer(lab_app, name="lab")


class _ReportConsole(Console):
    """stdout for reports. A reader that goes away (``| head``) silences the rest of
    the report, and the exit code stays the verdict's: rich's default would exit 1,
    which here means WARNING."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


# Off a terminal (pipes, CI logs, monitoring) lines must not be wrapped at 80 columns.
_WIDTH = None if sys.stdout.isatty() else 160
out = _ReportConsole(highlight=False, width=_WIDTH, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class ServerKind(StrEnum):
    builtin = "builtin"
    real = "real"


def default_lab_dir() -> Path:
    return Path(os.environ.get("TMPDIR", tempfile.gettempdir())) / "dnssec-doctor-lab"


LabDir = Annotated[
    Path,
    typer.Option(
        "--dir",
        help="Lab directory (zone files, manifest, logs, state).",
        default_factory=default_lab_dir,
        show_default="$TMPDIR/dnssec-doctor-lab",
    ),
]


def fail(message: str, code: ExitCode = ExitCode.UNKNOWN) -> NoReturn:
    """One line on stderr and the documented exit code; never a traceback."""
    err.print(f"dnssec-doctor: {message}", markup=False)
    raise typer.Exit(int(code))


def _version(value: bool) -> None:
    if value:
        out.print(f"dnssec-doctor {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """dnssec-doctor."""


@lab_app.command("up")
def lab_up(
    directory: LabDir,
    servers: Annotated[
        ServerKind, typer.Option(help="builtin: our own server, no root; real: named, NSD, Knot.")
    ] = ServerKind.builtin,
    port: Annotated[
        int | None,
        typer.Option(
            help="Port the servers listen on [default: 5300 builtin, 53 real].", min=1, max=65535
        ),
    ] = None,
) -> None:
    """Build a lab and start serving it in the background."""
    from dnssec_doctor.lab import runner

    try:
        running = runner.up(directory, servers.value, port)
    except runner.LabError as error:
        fail(str(error))
    out.print(runner.describe(running), markup=False)


@lab_app.command("down")
def lab_down(directory: LabDir) -> None:
    """Stop the lab started from DIR: only the processes and addresses it added."""
    from dnssec_doctor.lab import runner

    try:
        stopped = runner.down(directory)
    except runner.LabError as error:
        fail(str(error))
    out.print(stopped, markup=False)


@lab_app.command("list")
def lab_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the scenarios: query, expected outcome, cause, where the chain breaks."""
    from rich.table import Table

    from dnssec_doctor.lab.catalog import catalog

    entries = catalog()
    if as_json:
        out.print(json.dumps([asdict(e) for e in entries], indent=2), markup=False)
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("scenario", "query", "expected", "cause", "breaks at"):
        table.add_column(column)
    colours = {"secure": "green", "insecure": "yellow", "bogus": "red"}
    for e in entries:
        outcome = f"[{colours[e.outcome]}]{e.outcome}[/]" + (" (warn)" if e.warn else "")
        table.add_row(e.id, f"{e.qname} {e.qtype}", outcome, e.cause, e.break_at or "-")
    out.print(table)


QType = Annotated[str, typer.Argument(help="Record type to check (the zone's SOA is checked too).")]


def _check_options(
    name: str,
    qtype: str,
    trust_anchor: Path | None,
    root_hints: Path | None,
    resolver: str | None,
    at: str | None,
    warn_days: float,
    port: int,
    timeout: float,
) -> CheckOptions:
    from dnssec_doctor.check import CheckOptions

    return CheckOptions(
        name=name,
        qtype=qtype,
        trust_anchor_file=trust_anchor,
        root_hints_file=root_hints,
        resolver=resolver,
        at=at,
        warn_days=warn_days,
        port=port,
        timeout=timeout,
    )


TrustAnchor = Annotated[
    Path | None,
    typer.Option(
        "--trust-anchor",
        help="DS/DNSKEY records (zone-file format) to trust [default: IANA root KSKs].",
    ),
]
RootHints = Annotated[
    Path | None,
    typer.Option(
        "--root-hints", help="named.root-style hints file [default: the IANA root servers]."
    ),
]
Resolver = Annotated[
    str | None,
    typer.Option(
        "--resolver",
        help="Validating resolver to ask with and without +cd; 'system': resolv.conf's first "
        "nameserver (omit: none asked).",
    ),
]
At = Annotated[
    str | None,
    typer.Option("--at", help="Analyse as of this time: ISO 8601, or +3d / -12h from now."),
]
WarnDays = Annotated[
    float,
    typer.Option("--warn-days", min=0, help="Warn when signatures expire within this many days."),
]
Port = Annotated[
    int, typer.Option("--port", min=1, max=65535, help="Query every server on this port.")
]
Timeout = Annotated[
    float, typer.Option("--timeout", min=0.05, help="Seconds to wait for each answer.")
]


@app.command("check")
def check(
    name: Annotated[str, typer.Argument(help="The domain name to check.")],
    qtype: QType = "A",
    trust_anchor: TrustAnchor = None,
    root_hints: RootHints = None,
    resolver: Resolver = None,
    at: At = None,
    warn_days: WarnDays = DEFAULT_WARN_DAYS,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the versioned JSON report.")
    ] = False,
    port: Port = 53,
    timeout: Timeout = DEFAULT_TIMEOUT,
    verbose: Annotated[
        bool, typer.Option("-v", "--verbose", help="INFO findings and every query.")
    ] = False,
    evidence: Annotated[
        Path | None,
        typer.Option(
            "--evidence", help="Analyse saved evidence (from probe) instead of the network."
        ),
    ] = None,
) -> None:
    """Walk the chain of trust to NAME at every server; name the broken link and the fix."""
    from dnssec_doctor.check import CheckError, check_evidence, run_check
    from dnssec_doctor.render import json_report
    from dnssec_doctor.render import text as text_report

    options = _check_options(
        name, qtype, trust_anchor, root_hints, resolver, at, warn_days, port, timeout
    )
    try:
        report = check_evidence(evidence, options) if evidence else run_check(options)
    except CheckError as error:
        fail(str(error))
    if as_json:
        out.print(json_report.render(report), markup=False, end="")
    else:
        text_report.render(report, out, verbose=verbose)
    raise typer.Exit(int(report.exit_code))


@app.command("probe")
def probe_command(
    name: Annotated[str, typer.Argument(help="The domain name to probe.")],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Where to write the evidence (JSON).")
    ],
    qtype: QType = "A",
    trust_anchor: TrustAnchor = None,
    root_hints: RootHints = None,
    resolver: Resolver = None,
    port: Port = 53,
    timeout: Timeout = DEFAULT_TIMEOUT,
) -> None:
    """Collect the evidence (every query and answer, byte for byte) without analysing it."""
    from dnssec_doctor.check import CheckError, probe
    from dnssec_doctor.evidence import save as save_evidence

    options = _check_options(
        name, qtype, trust_anchor, root_hints, resolver, None, 0, port, timeout
    )
    try:
        collection = probe(options)
        save_evidence(collection.evidence, output)
    except CheckError as error:
        fail(str(error))
    except OSError as error:
        fail(f"cannot write {output}: {error.strerror}")
    exchanges = collection.evidence.exchanges
    out.print(
        f"Saved {len(exchanges)} exchanges with {len({e.server for e in exchanges})} servers "
        f"to {output}; analyse with: dnssec-doctor check {name} {qtype} --evidence {output}",
        markup=False,
    )


@app.command("verify")
def verify(
    zonefile: Annotated[
        str,
        typer.Argument(
            help="The signed zone file ('-': standard input); with --axfr, the zone's name."
        ),
    ],
    origin: Annotated[
        str | None,
        typer.Option(
            "--origin", help="The zone's name.", show_default="the file's $ORIGIN or SOA owner"
        ),
    ] = None,
    at: At = None,
    warn_days: WarnDays = DEFAULT_WARN_DAYS,
    ds: Annotated[
        Path | None,
        typer.Option("--ds", help="DS records the parent has or will have (zone-file format)."),
    ] = None,
    ds_from_parent: Annotated[
        bool,
        typer.Option(
            "--ds-from-parent",
            help="Fetch the DS the parent publishes (walk from --root-hints, as check does).",
        ),
    ] = False,
    axfr: Annotated[
        str | None,
        typer.Option("--axfr", help="Verify a zone transfer from this server address instead."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the versioned JSON report.")
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", min=1, help="Processes verifying signatures.", show_default="all cores"
        ),
    ] = None,
    trust_anchor: TrustAnchor = None,
    root_hints: RootHints = None,
    port: Port = 53,
    timeout: Annotated[
        float,
        typer.Option("--timeout", min=0.05, help="Seconds to wait for each answer or message."),
    ] = 5.0,
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="INFO findings too.")] = False,
) -> None:
    """Verify a signed zone file (or a zone transfer) completely before it is published."""
    from dnssec_doctor.zonefile import report_json as verify_json
    from dnssec_doctor.zonefile import report_text as verify_text
    from dnssec_doctor.zonefile.run import VerifyError, VerifyOptions, run_verify

    options = VerifyOptions(
        source=zonefile,
        origin=origin,
        at=at,
        warn_days=warn_days,
        ds_file=ds,
        jobs=jobs,
        axfr=axfr,
        ds_from_parent=ds_from_parent,
        port=port,
        timeout=timeout,
        trust_anchor_file=trust_anchor,
        root_hints_file=root_hints,
    )
    try:
        report = run_verify(options)
    except VerifyError as error:
        fail(str(error))
    if as_json:
        out.print(verify_json.render(report), markup=False, end="")
    else:
        verify_text.render(report, out, verbose=verbose)
    raise typer.Exit(int(report.exit_code))


@app.command("demo")
def demo(
    port: Annotated[
        int, typer.Option(help="Port for the built-in lab.", min=1, max=65535)
    ] = defaults.BUILTIN_LAB_PORT,
) -> None:
    """Start the built-in lab, check every scenario, compare with what it declares, stop."""
    from dnssec_doctor.lab import runner
    from dnssec_doctor.lab.demo import demo_run

    with tempfile.TemporaryDirectory(prefix="dnssec-doctor-demo-") as tmp:
        try:
            running = runner.up(Path(tmp), "builtin", port)
        except runner.LabError as error:
            fail(str(error))
        try:
            out.print(runner.describe(running), markup=False)
            out.print()
            results = demo_run(running, out)
        finally:
            out.print(runner.down(Path(tmp)), markup=False)
    if not all(results):
        fail(
            f"{results.count(False)} scenario(s) were not diagnosed as declared", ExitCode.CRITICAL
        )


def main() -> None:
    app()
