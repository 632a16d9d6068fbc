"""One widget per question kind, rendered from ``wizard.questions.Question``.

Every field is a row: the question's label, its control, and a message line under the control
that shows the rule the value breaks (``Session.check``'s "Label: rule") as the user types. The
rule is a Textual ``Validator`` (``SessionRule``) so Inputs get the usual ``-invalid`` styling;
non-Input controls (Select, Checkbox, tables) run the same validator on every change.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual import on
from textual.widgets import Button, Input, Label, Select, Static

from wizard.questions import Question

if TYPE_CHECKING:
    from screens.live_lists import LiveLists
    from wizard.session import Session

ContextFn = Callable[[], Mapping[str, Any]]


class SessionRule(Validator):
    """A Textual Validator around ``Session.check``: the engine's rule, judged against the other
    answers as they stand on screen right now."""

    def __init__(self, session: "Session", key: str, context: ContextFn) -> None:
        super().__init__()
        self.session = session
        self.key = key
        self.context = context

    def validate(self, value: Any) -> ValidationResult:
        broken = self.session.check(self.key, value, self.context())
        return self.success() if broken is None else self.failure(broken)


class Field(Horizontal):
    """Base row: label | control + message. Subclasses provide the control and the value."""

    can_focus = False

    def __init__(self, question: Question, initial: Any, session: "Session", context: ContextFn,
                 lists: "LiveLists", *, warning: str = "") -> None:
        super().__init__(id=f"field-{question.key.replace('.', '-')}", classes=f"field kind-{question.kind}")
        self.question = question
        self.initial = initial
        self.session = session
        self.context = context
        self.lists = lists
        self.rule = SessionRule(session, question.key, context)
        self.touched = bool(initial not in ("", None)) or bool(warning)
        self.warning = warning            # a saved value that was replaced: shown until edited
        self._problem: str | None = None

    @property
    def key(self) -> str:
        return self.question.key

    # ---- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Label(self.question.label, classes="field-label")
        with Vertical(classes="field-body"):
            yield from self.compose_control()
            yield Static("", classes="field-message", markup=False)

    def compose_control(self) -> ComposeResult:
        raise NotImplementedError

    def on_mount(self) -> None:
        if self.warning:
            self.show_message(self.warning, "warning")

    # ---- value ----------------------------------------------------------------------------
    @property
    def value(self) -> Any:
        raise NotImplementedError

    @property
    def focus_target(self) -> Widget:
        raise NotImplementedError

    def focus_control(self) -> None:
        self.focus_target.focus()

    # ---- validation -----------------------------------------------------------------------
    def extra_problem(self) -> str | None:
        """A rule that needs a loaded live list; None if fine (``LiveLists.problems``: the VM
        size rule, the network against the VNets and NICs that exist, another profile's server)."""
        if self.value in ("", None):
            return None
        return self.lists.problems({**self.context(), self.key: self.value}).get(self.key)

    def extra_warning(self) -> str | None:
        """A conflict that does not stop the run (``LiveLists.warnings``); None if none."""
        if self.value in ("", None):
            return None
        return self.lists.warnings({**self.context(), self.key: self.value}).get(self.key)

    def problem(self) -> str | None:
        """The rule the current value breaks, or None. Does not touch the screen."""
        result = self.rule.validate(self.value)
        if not result.is_valid:
            return result.failure_descriptions[0]
        return self.extra_problem()

    def validate_now(self) -> str | None:
        """Check the value and show the outcome beside the field."""
        problem = self.problem()
        self._problem = problem
        if problem and (self.touched or self.value not in ("", None)):
            self.show_message(problem, "error")
        elif self.warning and self.value == self.initial:
            self.show_message(self.warning, "warning")
        elif (conflict := self.extra_warning()):
            self.show_message(conflict, "warning")
        else:
            self.show_message("", None)
        return problem

    def show_problem(self, message: str) -> None:
        """A problem reported by ``submit_section`` (shown even if untouched)."""
        self.touched = True
        self.show_message(message, "error")

    _shown: tuple[str, str | None] = ("", None)

    def show_message(self, text: str, kind: str | None) -> None:
        if (text, kind) == self._shown:
            return                      # unchanged: no re-layout on every keystroke
        self._shown = (text, kind)
        msg = self.query_one(".field-message", Static)
        msg.update(("✗ " if kind == "error" else "! " if kind == "warning" else "") + text if text else "")
        for k in ("error", "warning", "info"):
            msg.set_class(kind == k, f"-{k}")
        msg.display = bool(text)
        self.set_class(kind == "error", "-invalid")

    def mark_touched(self) -> None:
        self.touched = True
        if self.warning and self.value != self.initial:
            self.warning = ""


class TextField(Field):
    """Free text, numbers (typed as text, coerced by the engine) and passwords."""

    input_type: Literal["text", "integer", "number"] = "text"

    def compose_control(self) -> ComposeResult:
        yield Input(
            value="" if self.initial is None else str(self.initial),
            placeholder=self.placeholder(),
            type=self.input_type,
            validators=[self.rule],
            validate_on=["changed", "blur", "submitted"],
            compact=True,
            id=f"input-{self.question.name}",
        )

    def placeholder(self) -> str:
        d = self.question.default
        return f"e.g. {d}" if d not in ("", None) else ""

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    @property
    def value(self) -> Any:
        return self.input.value

    @property
    def focus_target(self) -> Widget:
        return self.input

    def validate_now(self) -> str | None:
        if self.touched or self.input.value:
            self.input.validate(self.input.value)   # keeps Input's own -invalid class in step
        return super().validate_now()


class NumberField(TextField):
    input_type = "integer"


class SecretField(TextField):
    """A password: hidden while typed, with a 'show' toggle. Empty means 'generate one'."""

    def compose_control(self) -> ComposeResult:
        with Horizontal(classes="secret-row"):
            yield Input(
                value=str(self.initial or ""),
                placeholder="empty: generate a strong one",
                password=True,
                validators=[self.rule],
                validate_on=["changed", "blur", "submitted"],
                compact=True,
                id=f"input-{self.question.name}",
            )
            yield Button("show", compact=True, classes="show-secret", id=f"show-{self.question.name}")

    @on(Button.Pressed, ".show-secret")
    def _toggle_shown(self, event: Button.Pressed) -> None:
        event.stop()
        self.input.password = not self.input.password
        event.button.label = "show" if self.input.password else "hide"


class SelectBacked(Field):
    """A field whose control is one Select: its value ("" while nothing is chosen) and focus."""

    @property
    def select(self) -> Select[Any]:
        return self.query_one(Select)

    @property
    def value(self) -> Any:
        v = self.select.value
        return "" if v is Select.NULL else v

    @property
    def focus_target(self) -> Widget:
        return self.select


class ChoiceField(SelectBacked):
    """A fixed list of options (``Question.choices``)."""

    def compose_control(self) -> ComposeResult:
        options = [(c, c) for c in self.question.choices]
        value = self.initial if self.initial in self.question.choices else Select.NULL
        yield Select(options, value=value, allow_blank=value is Select.NULL, compact=True,
                     id=f"select-{self.question.name}")


class ToggleField(Field):
    """Yes or no, shown as a two-option list so the current answer reads as a word."""

    def compose_control(self) -> ComposeResult:
        yield Select([("no", False), ("yes", True)], value=bool(self.initial), allow_blank=False,
                     compact=True, id=f"toggle-{self.question.name}")

    @property
    def select(self) -> Select[Any]:
        return self.query_one(Select)

    @property
    def value(self) -> Any:
        return bool(self.select.value)

    @property
    def focus_target(self) -> Widget:
        return self.select
