"""The one form screen, parameterised by a ``wizard.questions.Section``.

Fields show their rule as the user types; Next (Enter in a text field, or Ctrl+N) validates the
whole section with ``Session.submit_section``, which also saves the profile; Back (Esc) keeps
what was typed as a draft. Dismisses with ``Nav.NEXT`` or ``Nav.BACK``.

Everything it needs comes through the constructor: the session, the live lists (passed on to
the fields) and the App's drafts (what was typed but not submitted, per section).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.events import DescendantFocus
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Select, Static

from screens.widgets.chrome import Purpose, StepBar
from screens.dialogs import ConfirmDialog
from screens.widgets.fields import ChoiceField, ContextFn, Field, NumberField, SecretField, TextField, ToggleField
from screens.widgets.live import LiveField, LiveSelectField, VmSizeField, VnetField
from screens.live_lists import LiveLists
from screens.nav import Nav
from wizard.answers import coerce
from wizard.catalog import vnet_hints
from wizard.questions import QUESTIONS, SECTIONS, Question, Section
from wizard.validation import public_exposures

if TYPE_CHECKING:
    from wizard.session import Session


NAV_HELP = "Enter: next screen · Esc: back (keeps what you typed) · Tab: next field"
Drafts = dict[str, dict[str, Any]]

# The widget for each question: by its live list (``choices_source``), else by its kind.
LIVE_FIELDS: dict[str, type[LiveField]] = {
    "subscriptions": LiveSelectField, "regions": LiveSelectField, "vm-sizes": VmSizeField, "vnets": VnetField,
}
FIELDS: dict[str, type[Field]] = {
    "text": TextField, "secret": SecretField, "number": NumberField, "choice": ChoiceField, "toggle": ToggleField,
}


def make_field(question: Question, initial: Any, session: "Session", context: ContextFn, lists: LiveLists,
               *, warning: str = "") -> Field:
    cls = LIVE_FIELDS[question.choices_source] if question.choices_source else FIELDS[question.kind]
    return cls(question, initial, session, context, lists, warning=warning)


class SectionScreen(Screen[Nav]):
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+n", "next", "Next"),
    ]

    def __init__(self, section: Section, session: "Session", lists: LiveLists, drafts: Drafts, *,
                 index: int = 0, returning: bool = False) -> None:
        super().__init__(id=f"screen-{section.key}", classes="section-screen")
        self.section = section
        self.session = session
        self.lists = lists
        self.drafts = drafts
        self.index = index
        self.returning = returning       # reopened from Review: both buttons go back there
        self._confirmed_public: set[tuple[str, str]] = set()   # (key, public range) the user said yes to

    # ---- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header(icon="")
        yield StepBar(self.section.key, self.session.context())
        yield Purpose(self.section.title, self.section.purpose)
        draft = self.drafts.get(self.section.key, {})
        warnings = {w.key: w.message for w in self.session.warnings if w.key not in self.session.typed}
        with VerticalScroll(id="form"):
            for q in self.section.questions:
                initial = draft.get(q.key, self.session.value(q.key))
                yield make_field(q, initial, self.session, self.context, self.lists,
                                 warning=warnings.get(q.key, ""))
        yield Static(NAV_HELP, id="help", markup=False)
        with Horizontal(id="nav"):
            yield Button("Cancel" if self.returning else "‹ Back", id="back", compact=True)
            yield Button("Save, back to Review" if self.returning else "Next ›", id="next",
                         variant="primary", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"{self.section.title} ({self.index + 1} of {len(SECTIONS)})"
        self.update_visibility()
        first_bad: Field | None = None
        for f in self.fields:
            if f.display and f.validate_now() and first_bad is None:
                first_bad = f
        warned = next((f for f in self.fields if f.display and f.warning), None)
        if first_bad is not None:
            first_bad.focus_control()
        elif warned is not None:
            warned.focus_control()                     # a saved value was replaced: look here
        else:
            self.query_one("#next", Button).focus()    # everything is answered: Enter goes on

    @property
    def fields(self) -> list[Field]:
        return list(self.query(Field))

    def field(self, key: str) -> Field | None:
        for f in self.query(Field):
            if f.key == key:
                return f
        return None

    # ---- context for cross-field rules ----------------------------------------------------
    _ctx_cache: dict[str, Any] | None = None

    def context(self) -> dict[str, Any]:
        """The answers as they stand on this screen right now (typed values coerced)."""
        if self._ctx_cache is not None:
            return dict(self._ctx_cache)
        ctx = self.session.context()
        try:
            fields = list(self.query(Field))
        except Exception:
            return ctx
        for f in fields:
            try:
                ctx[f.key] = coerce(QUESTIONS[f.key], f.value)
            except Exception:          # half-typed number, or a control not mounted yet
                continue
        return ctx

    def update_visibility(self) -> None:
        ctx = self.context()
        for f in self.fields:
            f.display = f.question.applies(ctx)

    def revalidate(self) -> None:
        """Re-check every visible field (rules depend on each other, e.g. subnet inside VNet)."""
        self._ctx_cache = None
        self._ctx_cache = self.context()      # one snapshot for the whole pass
        try:
            self.update_visibility()
            for f in self.fields:
                if f.display:
                    f.validate_now()
            self.query_one(StepBar).follow(self._ctx_cache)
        finally:
            self._ctx_cache = None

    # ---- changes --------------------------------------------------------------------------
    def _owner(self, widget: Any) -> Field | None:
        for node in widget.ancestors_with_self:
            if isinstance(node, Field):
                return node
        return None

    def _changed(self, control: Any) -> None:
        owner = self._owner(control)
        focused = self.app.focused
        if owner is not None and focused is not None and owner in focused.ancestors_with_self:
            owner.mark_touched()         # the user changed it (not a value set while mounting)
        self.revalidate()

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        self._changed(event.input)

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        owner = self._owner(event.select)
        if owner is None:
            return
        if owner.key == "subscription.auth" and event.value is not Select.NULL:
            if self.lists.sign_in_changed(str(event.value)):
                for f in self.fields:
                    if isinstance(f, LiveField):
                        f.reload(force=True)
        if owner.key == "subscription.id":
            regions = self.field("subscription.region")
            if isinstance(regions, LiveField):
                self.call_after_refresh(regions.reload)
        self._changed(event.select)

    @on(VmSizeField.Chosen)
    def _size_chosen(self, event: VmSizeField.Chosen) -> None:
        self.revalidate()

    @on(LiveField.Loaded)
    def _live_loaded(self, event: LiveField.Loaded) -> None:
        self.revalidate()

    @on(VnetField.Chosen)
    def _vnet_chosen(self, event: VnetField.Chosen) -> None:
        """An existing VNet: take its name, group, range and a subnet; keep the private IP if it
        fits and no other NIC holds it, else the first free one."""
        ctx = {**self.session.context(), **self.values()}
        for key, value in vnet_hints(event.vnet, ctx, self.lists.held_addresses(event.vnet, ctx)).items():
            self._set_input(key, value)
        self.revalidate()

    def _set_input(self, key: str, value: str) -> None:
        f = self.field(key)
        if f is None:
            return
        target = f.focus_target
        if isinstance(target, Input):
            target.value = value
            f.mark_touched()

    @on(DescendantFocus)
    def _focus_moved(self, event: DescendantFocus) -> None:
        owner = self._owner(event.widget)
        help_ = self.query_one("#help", Static)
        help_.update(owner.question.help if owner is not None else NAV_HELP)

    # ---- navigation -----------------------------------------------------------------------
    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_next()

    @on(Button.Pressed, "#next")
    def _next_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_next()

    @on(Button.Pressed, "#back")
    def _back_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_back()

    def values(self) -> dict[str, Any]:
        return {f.key: f.value for f in self.fields}

    def action_next(self) -> None:
        """Validate the whole screen; on success the session keeps and saves it."""
        first_bad: Field | None = None
        self.update_visibility()
        # Rules that need a loaded live list (the VM size rule): checked here, before submit_section.
        for f in self.fields:
            if not f.display:
                continue
            extra = f.extra_problem()
            if extra:
                f.show_problem(extra)
                first_bad = first_bad or f
        if first_bad is None and not self._public_smb_confirmed():
            return
        if first_bad is None:
            result = self.session.submit_section(self.section.key, self.values())
            if result.ok:
                self.drafts.pop(self.section.key, None)
                self.dismiss(Nav.NEXT)
                return
            for p in result.problems:
                bad = self.field(p.key)
                if bad is not None:
                    bad.show_problem(p.message)
                    first_bad = first_bad or bad
                else:       # not a field's problem (the profile could not be written): say it, keep the page
                    self.notify(p.message, title="Not saved", severity="error", timeout=10)
        if first_bad is not None:
            first_bad.focus_control()
            self.query_one("#form", VerticalScroll).scroll_to_widget(first_bad, animate=False)

    def _public_smb_confirmed(self) -> bool:
        """Each public range (SMB, RDP) needs an explicit yes (the safe answer has focus)."""
        exposures = public_exposures(self.values()) if self.section.key == "endpoints" else []
        pending = [e for e in exposures if (e[0], e[1]) not in self._confirmed_public]
        if not pending:
            return True
        key, cidr, what, why = pending[0]

        def answered(yes: bool | None) -> None:
            if yes:
                self._confirmed_public.add((key, cidr))
                self.action_next()
            else:
                field = self.field(key)
                if field is not None:
                    field.focus_control()

        self.app.push_screen(ConfirmDialog(
            f"Open {what} to the Internet?",
            f"{what} will be reachable from {cidr}, which is on the Internet. {why}",
            yes=f"Open it to {cidr}", no="No, change it"), answered)
        return False

    def action_back(self) -> None:
        self.drafts[self.section.key] = self.values()
        self.dismiss(Nav.BACK)


__all__ = ["SectionScreen", "make_field"]
