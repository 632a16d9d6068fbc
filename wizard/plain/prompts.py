"""Plain terminal mode: the wizard's questions as questionary prompts, rich for everything else.

For terminals where the full-screen Textual wizard does not fit (serial consoles, narrow or
dumb-ish terminals, screen readers). The questions, defaults and rules are the shared ones
(``wizard.questions`` through the ``Session`` façade); this module only renders them.

Part of ``wizard.plain``, the only package under ``wizard/`` that may import questionary or rich
(import-linter contract in pyproject.toml). Entry points, called by ``wizard.commands``:

- ``run_plain(session) -> int``: every section, the review, the run (``hpcshare --plain``).
- ``ask_sections(session, sections)``: ask some sections again (``hpcshare run --ask SECTION``).
- ``confirm_run(session) -> bool``: the review table, the plan and "run it now?".

The review's menu also shows the monthly cost, quota and throughput on request (``show_assessment``).

Ctrl+C (or end of input) at a prompt: ``run_plain`` says that nothing was changed and where the
answers of the completed sections are saved, and returns 130; ``ask_sections`` and
``confirm_run`` raise KeyboardInterrupt, which ``wizard.cli.main`` reports the same way (exit 130).
"""
from __future__ import annotations

import ipaddress
import threading
import weakref
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import questionary
from questionary import Choice
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from wizard.answers import coerce
from wizard.catalog import SubscriptionInfo, VmSizeInfo, VnetInfo, filter_sizes, vnet_hints
from wizard.conflicts import held_addresses
from wizard.exits import ExitCode, UsageError
from wizard.farewell import farewell_lines
from wizard.questions import QUESTIONS, SECTION_KEYS, SECTIONS, Question, Section, section
from wizard.session import SECRET_ENV, AnswersInvalid
from wizard.validation import public_exposures

if TYPE_CHECKING:
    from wizard.catalog import Catalog
    from wizard.session import Session

T = TypeVar("T")

# A live list that takes longer than this is given up on, and the value is typed instead.
LOAD_TIMEOUT = 90.0
# Longer selects get a type-to-filter search (the VM sizes of a real region run to hundreds).
FILTER_FROM = 12
SOURCE_WORDS = {"override": "--set", "typed": "typed", "saved": "saved", "default": "default"}

_OTHER = object()      # select entry "type another value"
_RUN, _AZ, _COST, _QUIT = object(), object(), object(), object()

# Live lists loaded once per session: re-asking a section does not wait for Azure again.
_CACHE: "weakref.WeakKeyDictionary[Session, dict[tuple[str, ...], Any]]" = weakref.WeakKeyDictionary()


def _console() -> Console:
    """No file given: rich writes to whatever sys.stdout is at print time. On a terminal, prose
    wraps between words (the terminal itself would cut words in two on a narrow screen); commands
    and the plan are printed with ``soft_wrap=True`` so they copy and paste whole. Elsewhere
    (logs, pipes) nothing is wrapped."""
    con = Console(highlight=False)
    con.soft_wrap = not con.is_terminal
    return con


# ---- entry points ---------------------------------------------------------------------------------

def run_plain(session: "Session", *, catalog: "Catalog | None" = None) -> int:
    """The whole plain-mode flow. Returns the exit code (0, 1 a step failed, 2, 130 cancelled).
    However it ends, the output folder, the summary file and the command that resumes, re-runs
    or continues are the last lines (``wizard.farewell``, as the full-screen wizard leaves them)."""
    con = _console()
    try:
        code = _flow(session, con, catalog)
        for line in farewell_lines(session, None, finished=code == ExitCode.OK, plain=True):
            con.print(line, markup=False, soft_wrap=True)
        return code
    finally:
        session.close()


def _flow(session: "Session", con: Console, catalog: "Catalog | None") -> int:
    flow = _Flow(session, con, catalog)
    try:
        flow.header()
        if not flow.start_from_saved():
            for sec in SECTIONS:
                flow.ask_section(sec)
        while True:
            choice = flow.review_and_choose()
            if choice is _RUN:
                break
            if choice is _QUIT:
                con.print(f"Nothing was changed. Your answers are saved in {session.path}.", markup=False)
                return ExitCode.CANCELLED
            if choice is _AZ:
                from wizard.plan import render_az

                con.print(render_az(session.plan()), markup=False, soft_wrap=True)
                continue
            if choice is _COST:
                show_assessment(session, con)
                continue
            flow.ask_section(section(str(choice)))
        try:
            session.secrets()
        except AnswersInvalid as exc:
            for p in exc.problems:
                con.print(f"[red]✗[/] {p.message}", highlight=False)
            return ExitCode.USAGE
        from wizard.plain.live import run_with_live_view

        return run_with_live_view(session)
    except (KeyboardInterrupt, EOFError) as exc:
        flow.cancelled(eof=isinstance(exc, EOFError))
        return ExitCode.CANCELLED


def ask_sections(session: "Session", sections: list[str], *, catalog: "Catalog | None" = None) -> None:
    """Ask these sections again (``--ask``; names may also be comma-separated), saving each one.
    Unknown names: UsageError before anything is asked. Ctrl+C: KeyboardInterrupt."""
    wanted: list[str] = []
    for item in sections:
        for name in (s.strip() for s in item.split(",")):
            if not name:
                continue
            if name not in SECTION_KEYS:
                raise UsageError(f"--ask {name}: unknown section; sections are: {', '.join(SECTION_KEYS)}")
            if name not in wanted:
                wanted.append(name)
    flow = _Flow(session, _console(), catalog)
    try:
        for name in SECTION_KEYS:          # question order: later sections may depend on earlier ones
            if name in wanted:
                flow.ask_section(section(name))
    except EOFError:
        raise KeyboardInterrupt from None


def confirm_run(session: "Session") -> bool:
    """The review (every answer, secrets masked), the plan, and a yes/no. Ctrl+C: KeyboardInterrupt."""
    con = _console()
    show_review(session, con)
    try:
        return bool(questionary.confirm(_run_question(session), default=True).unsafe_ask())
    except EOFError:
        raise KeyboardInterrupt from None


# ---- review ---------------------------------------------------------------------------------------

def review_table(session: "Session") -> Table:
    """Every answer that applies, by section, with where it came from. Secrets are never shown."""
    res = session.resolution()
    ctx = dict(res.values)
    table = Table(title="Review", title_justify="left", header_style="bold", box=box.SIMPLE_HEAD)
    table.add_column("answer")
    table.add_column("value", overflow="fold")
    table.add_column("from", style="dim")
    for sec in SECTIONS:
        rows = []
        for q in sec.questions:
            if not q.applies(ctx):
                continue
            if q.secret:
                value, source = Text(secret_status(session, q.key), style="italic"), ""
            else:
                value = Text(_show(res.values[q.key]))
                source = SOURCE_WORDS.get(res.sources.get(q.key, ""), "")
            rows.append((Text("  " + q.label), value, source))
        if rows:
            table.add_row(Text(sec.title, style="bold"), "", "")
            for row in rows:
                table.add_row(*row)
    return table


def secret_status(session: "Session", key: str) -> str:
    """How a password will be set, never the password: typed, from the environment, or generated."""
    source = session.secret_source(key)
    if source == "typed":
        return "(typed)"
    if source == "environment":
        return f"(from {SECRET_ENV[key]})"
    return "(generated at run)"


def show_review(session: "Session", con: Console) -> None:
    from wizard.plan import render_text

    con.print()
    con.print(review_table(session))
    con.print()
    con.print(render_text(session.plan()), markup=False, soft_wrap=True)
    con.print()


def show_assessment(session: "Session", con: Console) -> None:
    """Review's "Cost & limits", on request (it reads prices, quota and sizes from Azure): the
    same lines ``hpcshare plan`` prints. A failure is shown, and the review goes on."""
    from wizard.assessment import assess

    con.print("Working out the cost, quota and throughput...", markup=False)
    try:
        lines = assess(session.environment, session.answers()).text_lines()
    except Exception as exc:  # noqa: BLE001 - shown, never fatal to the review
        lines = [f"Cost, quota and throughput could not be worked out ({type(exc).__name__}: {exc})"]
    con.print()
    con.print("\n".join(lines), markup=False, soft_wrap=True)
    con.print()


def _run_question(session: "Session") -> str:
    if session.demo:
        return "Run this plan now against the demo stand-in (nothing is billed)?"
    return "Create these resources in Azure now (they are billed to the subscription)?"


# ---- the flow -------------------------------------------------------------------------------------

class _Flow:
    def __init__(self, session: "Session", con: Console, catalog: "Catalog | None") -> None:
        self.session = session
        self.con = con
        self._catalog = catalog
        self.completed: list[str] = []
        self.saved_before = session.path.exists()

    # -- framing --
    def header(self) -> None:
        s, con = self.session, self.con
        con.print(f"[bold]hpcshare[/] plain mode: profile [bold]{s.profile}[/]"
                  + (" [cyan](demo: built-in Azure stand-in, nothing is billed)[/]" if s.demo else ""))
        con.print(f"Answers are saved to {s.path} after each section; passwords never are. "
                  "Ctrl+C quits; nothing is created until you confirm the run.", markup=False)
        last = s.last_run()
        if last.ran:
            resumes = " A new run resumes where it stopped." if last.resumable else ""
            con.print(f"Last run of this profile: {last.line()}.{resumes}", markup=False)
        if s.warnings:
            con.print("[yellow]Some saved answers no longer pass their rule and were replaced by defaults:[/]")
            for p in s.warnings:
                con.print(f"  ! {p.message}", markup=False)

    def start_from_saved(self) -> bool:
        """A saved, complete profile: offer to go straight to the review (True) or ask everything."""
        if not self.saved_before or not self.session.resolution().ok or self.session.warnings:
            return False
        use = questionary.select(
            "This profile has saved answers. What now?",
            choices=[Choice("Review the saved answers and run", value=True),
                     Choice("Go through every question (saved answers are the defaults)", value=False)],
            default=None,
        ).unsafe_ask()
        return bool(use)

    def cancelled(self, *, eof: bool) -> None:
        why = "Input ended" if eof else "Cancelled"
        self.con.print()
        self.con.print(f"{why}: nothing was changed in Azure.", markup=False)
        if self.completed:
            titles = ", ".join(section(k).title for k in self.completed)
            self.con.print(f"The answers of the completed sections ({titles}) are saved in {self.session.path}.",
                           markup=False)
        elif self.saved_before:
            self.con.print(f"The saved answers in {self.session.path} are as they were.", markup=False)
        else:
            self.con.print("No section was completed, so no answers were saved.", markup=False)

    def review_and_choose(self) -> Any:
        s = self.session
        try:
            s.answers()
        except AnswersInvalid as exc:
            # Only reachable with broken overrides or stale answers: ask the sections concerned.
            self.con.print("[yellow]Some answers need fixing first:[/]")
            for p in exc.problems:
                self.con.print(f"  ✗ {p.message}  [{p.key}]", markup=False)
            return next(k for k in SECTION_KEYS if any(p.key.startswith(k + ".") for p in exc.problems))
        show_review(s, self.con)
        choices: list[Any] = [Choice("Run the plan now", value=_RUN)]
        choices += [Choice(f"Change: {sec.title}", value=sec.key) for sec in SECTIONS]
        choices += [Choice("Show the equivalent az commands", value=_AZ),
                    Choice("Show the monthly cost, quota and throughput", value=_COST),
                    Choice("Quit without running (answers are saved)", value=_QUIT)]
        return questionary.select(_run_question(s), choices=choices, default=None).unsafe_ask()

    # -- sections --
    def ask_section(self, sec: Section) -> None:
        """Ask until the section is accepted by session.submit_section (which saves the profile)."""
        if not sec.asks(self.session.context()):
            return      # nothing to ask for this share backend (the VM's sections for Azure Files)
        typed: dict[str, Any] = {}
        while True:
            self._title(sec)
            typed = self._ask_questions(sec, typed)
            if sec.key == "endpoints" and not self._public_smb_confirmed(typed):
                self.con.print("Asking the network section again.", style="yellow")
                continue
            result = self.session.submit_section(sec.key, typed)
            if result.ok:
                if sec.key not in self.completed:
                    self.completed.append(sec.key)
                return
            self.con.print(f"[red]The {sec.title} section was not saved:[/]")
            for p in result.problems:
                self.con.print(f"  ✗ {p.message}  [{p.key}]", markup=False)
            self.con.print("Asking it again with what you typed as the defaults.", style="yellow")

    def _title(self, sec: Section) -> None:
        n = SECTION_KEYS.index(sec.key) + 1
        self.con.print()
        self.con.rule(Text(f"{n}/{len(SECTIONS)}  {sec.title}", style="bold"), align="left")
        self.con.print(sec.purpose, markup=False)

    def _ask_questions(self, sec: Section, previous: Mapping[str, Any]) -> dict[str, Any]:
        s = self.session
        res = s.resolution()
        ctx: dict[str, Any] = dict(res.values)
        ctx.update({k: _coerced(QUESTIONS[k], v) for k, v in previous.items() if not QUESTIONS[k].secret})
        hints: dict[str, Any] = {}
        answers: dict[str, Any] = {}
        for q in sec.questions:
            if not q.applies(ctx):
                continue
            if res.sources.get(q.key) == "override":
                self.con.print(f"  {q.label}: {_show(res.values[q.key])} (set with --set)", markup=False)
                continue
            if q.key in previous:
                default = previous[q.key]
            elif q.key in hints:
                default = hints[q.key]
            else:
                default = s.value(q.key)
            self.con.print(f"  {q.help}", style="dim", markup=False)
            value = self._ask(q, default, ctx, hints)
            answers[q.key] = value
            if not q.secret:
                ctx[q.key] = _coerced(q, value)
        return answers

    def _ask(self, q: Question, default: Any, ctx: dict[str, Any], hints: dict[str, Any]) -> Any:
        validate = _validator(self.session, q, ctx)
        if q.kind == "toggle":
            return bool(questionary.confirm(q.label, default=bool(default)).unsafe_ask())
        if q.kind == "secret":
            return _wrapping_errors(questionary.password(f"{q.label} (leave empty to generate one)",
                                                         default=str(default or ""), validate=validate)).unsafe_ask()
        if q.kind == "choice" and q.choices_source:
            return self._ask_live(q, default, ctx, hints, validate)
        if q.kind == "choice":
            return questionary.select(q.label, choices=list(q.choices),
                                      default=default if default in q.choices else None).unsafe_ask()
        return _text(q.label, default, validate)

    # -- live lists --
    def catalog(self) -> "Catalog":
        if self._catalog is None:
            self._catalog = self.session.catalog()
        return self._catalog

    def _load(self, what: str, key: tuple[str, ...], fn: Callable[["Catalog"], T], *, quiet: bool = False) -> T | None:
        """A live list, or None after printing why it could not be loaded (never a traceback);
        ``quiet``: a list only some advice rests on, whose failure needs no words."""
        cache = _CACHE.setdefault(self.session, {})
        if key in cache:
            return cache[key]
        try:
            with self.con.status(f"Loading {what}…"):
                catalog = self.catalog()        # in demo mode this starts the stand-in (main thread)
                value = _call_with_timeout(lambda: fn(catalog), LOAD_TIMEOUT)
        except Exception as exc:  # any failure of a live list falls back to typing the value
            if quiet:
                return None
            self.con.print(f"[yellow]Could not load {what}:[/] {_reason(exc)}", highlight=False)
            self.con.print("Type the value instead; it is checked by the same rule.", style="yellow")
            return None
        cache[key] = value
        return value

    def _ask_live(self, q: Question, default: Any, ctx: dict[str, Any], hints: dict[str, Any],
                  validate: Callable[[str], Any]) -> str:
        sub, region = str(ctx.get("subscription.id", "")), str(ctx.get("subscription.region", ""))
        src = q.choices_source
        if src in ("regions", "vm-sizes", "vnets") and self.session.check("subscription.id", sub, ctx):
            return _text(q.label, default, validate)        # no valid subscription to list from
        if src == "subscriptions":
            auth = str(ctx.get("subscription.auth", ""))
            if auth and auth != self.session.value("subscription.auth"):
                # The environment signs in with the saved method: keep the one just chosen first.
                self.session.submit_section("subscription", {"subscription.auth": auth})
            subs = self._load("the subscriptions", ("subscriptions", auth), lambda c: c.subscriptions())
            if subs is None:
                return _text(q.label, default, validate)
            choices = [Choice(f"{x.name}  ({x.id})", value=x.id,
                              disabled=None if _usable(x) else _state_word(x.state)) for x in subs]
            return self._select_or_type(q, choices, default, validate, other="Another subscription ID (type it)")
        if src == "regions":
            regions = self._load("the regions", ("regions", sub), lambda c: c.regions(sub))
            if regions is None:
                return _text(q.label, default, validate)
            choices = [Choice(f"{r.display_name}  ({r.name})", value=r.name) for r in regions]
            return self._select_or_type(q, choices, default, validate, other="Another region (type its name)")
        if src == "vm-sizes":
            sizes = self._load(f"the VM sizes offered in {region}", ("vm-sizes", sub, region),
                               lambda c: c.vm_sizes(sub, region))
            if sizes is None:
                return _text(q.label, default, validate)
            choices = [Choice(_size_title(x), value=x.name) for x in filter_sizes(sizes)]
            restricted = [x.name for x in sizes if x.restricted]
            if restricted and default in restricted:
                self.con.print(f"  {default} is not offered to this subscription in {region}; choose another.",
                               style="yellow", markup=False)
            return self._select_or_type(q, choices, default, validate, other="Another size (type its name)")
        if src == "vnets":
            vnets = self._load(f"the virtual networks in {region}", ("vnets", sub, region),
                               lambda c: c.vnets(sub, region))
            if vnets is None:
                return _text(q.label, default, validate)
            if not vnets:
                self.con.print(f"  No virtual network in {region} yet: name the one hpcshare will create.",
                               markup=False)
                return _text(q.label, default, validate)
            choices = [Choice(_vnet_title(v), value=v.name) for v in vnets]
            name = self._select_or_type(q, choices, default, validate,
                                        other="A new virtual network (type its name)")
            chosen = next((v for v in vnets if v.name == name), None)
            if chosen is not None:
                hints.update(vnet_hints(chosen, ctx, self._held(chosen, ctx)))
            return name
        return _text(q.label, default, validate)

    def _held(self, vnet: VnetInfo, ctx: dict[str, Any]) -> set[str]:
        """Addresses other NICs hold in ``vnet``, so the suggested private IP is a free one; none
        when the NICs cannot be read (the preflight still judges the address)."""
        sub, region = str(ctx.get("subscription.id", "")), str(ctx.get("subscription.region", ""))
        nics = self._load(f"the network interfaces in {region}", ("nics", sub, region),
                          lambda c: c.nics(sub, region), quiet=True)
        return set() if nics is None else held_addresses(vnet, nics, ctx)

    def _select_or_type(self, q: Question, choices: list[Choice], default: Any, validate: Callable[[str], Any],
                        *, other: str) -> str:
        if not choices:
            self.con.print("  Nothing to choose from here; type the value.", style="yellow")
            return _text(q.label, default, validate)
        values = [c.value for c in choices if not c.disabled]
        if default in values:
            initial: Any = default
        elif default or not values:
            initial = _OTHER                # a value not in the list: keep it one Enter away
        else:
            initial = values[0]
        all_choices = [*choices, Choice(other, value=_OTHER)]
        long = len(all_choices) >= FILTER_FROM
        picked = questionary.select(
            q.label, choices=all_choices, default=initial,
            use_search_filter=long, use_jk_keys=not long,
            instruction="(arrow keys; type to filter)" if long else None,
        ).unsafe_ask()
        if picked is _OTHER:
            return _text(q.label, default if default not in values else "", validate)
        return str(picked)

    # -- the Internet check --
    def _public_smb_confirmed(self, typed: Mapping[str, Any]) -> bool:
        """Every public range (SMB, RDP) needs an explicit yes; the safe answer is the default."""
        for _key, cidr, what, why in public_exposures(typed):
            if not questionary.confirm(f"{what} will be reachable from {cidr} on the Internet. {why} Open it anyway?",
                                       default=False).unsafe_ask():
                return False
        return True


# ---- helpers --------------------------------------------------------------------------------------

def _size_title(x: VmSizeInfo) -> str:
    mem = f"{x.memory_gb:g} GiB"
    return f"{x.name:<24} {x.vcpus:>3} vCPUs  {mem:>9}  premium SSD: {'yes' if x.premium_io else 'no'}"


def _state_word(state: str) -> str:
    # Some SDK versions stringify the enum ("SubscriptionState.DISABLED"): show "Disabled".
    word = str(state or "").rsplit(".", 1)[-1]
    return word.capitalize() if word else "not usable"


def _usable(sub: SubscriptionInfo) -> bool:
    return sub.usable or _state_word(sub.state) == "Enabled"


def _vnet_title(v: VnetInfo) -> str:
    ranges = ", ".join(v.address_prefixes) or "no range"
    return f"{v.name}  ({ranges}; {len(v.subnets)} subnet(s); resource group {v.resource_group})"


def _validator(session: "Session", q: Question, ctx: dict[str, Any]) -> Callable[[str], Any]:
    """questionary's ``validate=``: True, or the message naming the field and the rule."""
    def validate(text: str) -> Any:
        broken = session.check(q.key, text, ctx)
        return True if broken is None else broken
    return validate


def _text(label: str, default: Any, validate: Callable[[str], Any]) -> str:
    question = questionary.text(label, default="" if default is None else str(default), validate=validate)
    return _wrapping_errors(question).unsafe_ask()


def _wrapping_errors(question: Any) -> Any:
    """prompt_toolkit shows a validation error in a toolbar one line high: on a narrow terminal
    the end of the rule was cut off. Let that toolbar take the lines its message needs."""
    from prompt_toolkit.filters import to_filter
    from prompt_toolkit.layout.controls import FormattedTextControl

    for window in question.application.layout.find_all_windows():
        control = window.content
        if isinstance(control, FormattedTextControl) and "ValidationToolbar" in getattr(control.text, "__qualname__", ""):
            window.height = None
            window.wrap_lines = to_filter(True)
    return question


def _coerced(q: Question, value: Any) -> Any:
    try:
        return coerce(q, value)
    except ValueError:
        return value


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value in ("", None):
        return "(none)"
    return str(value)


def _reason(exc: BaseException) -> str:
    try:
        from wizard.azure.errors import explain

        failure = explain(exc)
        text = failure.message + (f" ({failure.hint})" if failure.hint else "")
    except Exception:  # explaining must never be what fails
        text = f"{type(exc).__name__}: {exc}"
    lines = text.strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:300]


def _call_with_timeout(fn: Callable[[], T], timeout: float) -> T:
    """Run a blocking look-up in a daemon thread so a hung network call cannot hold the prompt."""
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    t = threading.Thread(target=work, name="hpcshare-catalog", daemon=True)
    t.start()
    t.join(timeout)
    if t.is_alive():
        raise TimeoutError(f"no answer within {timeout:.0f} s")
    if "error" in box:
        raise box["error"]
    return box["value"]


__all__ = ["run_plain", "ask_sections", "confirm_run", "review_table",
           "secret_status"]
