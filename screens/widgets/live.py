"""Fields whose choices come from Azure: subscriptions, regions, VM sizes and existing VNets.

Each list loads in a thread worker (catalog calls block) through the ``LiveLists`` the field
was given, which caches results. While it loads, the control shows a loading indicator and the rest of the
screen stays usable; a failure shows inline with a Retry button. A value that the loaded list
does not offer (say a saved region the subscription cannot use) is kept on screen and flagged.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, DataTable, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from screens.widgets.fields import ContextFn, Field, SelectBacked
from screens.live_lists import LiveLists
from wizard.catalog import RegionInfo, SubscriptionInfo, VmSizeInfo, VnetInfo, filter_sizes
from wizard.conflicts import creates_vnet, vnet_group
from wizard.questions import Question

if TYPE_CHECKING:
    from wizard.session import Session

NOUNS = {"subscriptions": "subscriptions", "regions": "regions", "vm-sizes": "VM sizes", "vnets": "virtual networks"}


class LiveField(Field):
    """Shared loading / failure / retry behaviour. Subclasses render the loaded items."""

    class Loaded(Message):
        """A live list finished loading (the screen re-validates)."""

        def __init__(self, field: "LiveField") -> None:
            super().__init__()
            self.field = field

    source: str = ""

    def __init__(self, question: Question, initial: Any, session: "Session", context: ContextFn,
                 lists: LiveLists, *, warning: str = "") -> None:
        super().__init__(question, initial, session, context, lists, warning=warning)
        self.source = question.choices_source or ""
        self.items: list[Any] | None = None        # None: not loaded (yet, or failed)
        self.load_error: str = ""
        self.loaded_for: tuple[str, ...] | None = None
        self._answers_now = context

    def compose_status(self) -> ComposeResult:
        with Horizontal(classes="live-status"):
            yield Static("", classes="live-note", markup=False)
            yield Button("Retry", compact=True, classes="live-retry")

    def on_mount(self) -> None:
        # (Textual also calls Field.on_mount: handlers run for every class in the MRO.)
        self.query_one(".live-retry", Button).display = False
        self.reload()

    # ---- loading --------------------------------------------------------------------------
    def load_args(self) -> tuple[str, ...] | None:
        """Arguments for the catalog call, or None when an earlier answer is missing."""
        ctx = self._answers_now()
        sub = str(ctx.get("subscription.id") or "")
        region = str(ctx.get("subscription.region") or "")
        if self.source == "subscriptions":
            return ()
        if self.source == "regions":
            return (sub,) if sub else None
        return (sub, region) if sub and region else None

    def reload(self, *, force: bool = False) -> None:
        args = self.load_args()
        if args is None:
            self.show_loading(False)
            self.items, self.loaded_for = None, None
            self.set_note("Choose a subscription first." if self.source == "regions"
                          else "Needs a subscription and region (first screen).")
            return
        if not force and args == self.loaded_for and self.items is not None:
            return
        lists = self.lists
        cached = lists.cached(self.source, args) if not force else None
        if cached is not None:
            self.loaded(args, cached)
            return
        self.show_loading(True)
        self.set_note(f"Loading {NOUNS[self.source]}…")
        self.query_one(".live-retry", Button).display = False

        def work() -> tuple[tuple[str, ...], list[Any]]:
            return args, lists.load(self.source, args, force=force)

        self.run_worker(work, thread=True, exclusive=True, group=f"live-{self.key}",
                        name=f"load {self.source}", exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if not event.worker.group.startswith("live-"):
            return
        event.stop()
        if event.state == WorkerState.SUCCESS and event.worker.result is not None:
            args, items = event.worker.result
            if args != self.load_args():      # an earlier answer changed while this loaded
                self.reload()
                return
            self.show_loading(False)
            self.loaded(args, items)
        elif event.state == WorkerState.ERROR:
            self.show_loading(False)
            self.items, self.loaded_for = None, None
            err = event.worker.error
            text = self.lists.redact(f"{type(err).__name__}: {err}".splitlines()[0])
            self.load_error = text
            self.set_note(f"Could not load {NOUNS[self.source]}: {text}", error=True)
            self.query_one(".live-retry", Button).display = True

    @on(Button.Pressed, ".live-retry")
    def _retry(self, event: Button.Pressed) -> None:
        event.stop()
        self.reload(force=True)

    def loaded(self, args: tuple[str, ...], items: list[Any]) -> None:
        self.items, self.loaded_for, self.load_error = list(items), args, ""
        self.query_one(".live-retry", Button).display = False
        self.set_note("")
        self.show_items()
        self.post_message(self.Loaded(self))

    def show_loading(self, on: bool) -> None:
        self.loading_target.loading = on

    def set_note(self, text: str, *, error: bool = False) -> None:
        note = self.query_one(".live-note", Static)
        note.update(text)
        note.set_class(error, "-error")
        self.query_one(".live-status").display = bool(text)

    @property
    def loading_target(self) -> Widget:
        return self.focus_target

    def show_items(self) -> None:
        raise NotImplementedError


class LiveSelectField(SelectBacked, LiveField):
    """Subscriptions and regions: a Select filled when the list arrives."""

    def compose_control(self) -> ComposeResult:
        options: list[tuple[str, str]] = []
        value: Any = Select.NULL
        if self.initial:
            options = [(str(self.initial), str(self.initial))]
            value = str(self.initial)
        yield Select(options, value=value, allow_blank=True, compact=True, prompt=self.prompt(),
                     id=f"select-{self.question.name}")
        yield from self.compose_status()

    def prompt(self) -> str:
        return {"subscriptions": "Select a subscription", "regions": "Select a region"}.get(self.source, "Select")


    def offered(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for item in self.items or []:
            if isinstance(item, SubscriptionInfo):
                if item.usable:
                    out.append((f"{item.name}  ({item.id})", item.id))
            elif isinstance(item, RegionInfo):
                out.append((f"{item.display_name}  ({item.name})", item.name))
        return out

    def show_items(self) -> None:
        current = self.value
        options = self.offered()
        values = [v for _, v in options]
        if current and current not in values:
            options.append((f"{current}  (not offered)", current))
        elif not current and len(values) == 1:
            current = values[0]          # the only choice is the usual choice
        with self.prevent(Select.Changed):
            self.select.set_options(options)
            self.select.value = current if current else Select.NULL
        self.post_message(Select.Changed(self.select, self.select.value))

    def extra_problem(self) -> str | None:
        if self.items is None or not self.value:
            return None
        for item in self.items:
            if isinstance(item, SubscriptionInfo) and item.id == self.value and not item.usable:
                return f"{self.question.label}: this subscription is {item.state}, not Enabled"
        if self.value not in [v for _, v in self.offered()]:
            noun = "subscription" if self.source == "subscriptions" else "region"
            return f"{self.question.label}: this {noun} is not offered to the signed-in account"
        return None


class VmSizeField(LiveField):
    """A DataTable of the region's VM sizes that filters as you type (name, min vCPUs, min GiB).
    Enter, Space or a click picks the highlighted size."""

    class Chosen(Message):
        """The user picked a size (the screen re-validates)."""

        def __init__(self, field: "VmSizeField") -> None:
            super().__init__()
            self.field = field

    #: What the table's own columns mean for the choice; the sizing advice is the question's help.
    GUIDE = "Premium yes: takes Premium SSD. Enter picks a row; ● marks the chosen size."

    def compose_control(self) -> ComposeResult:
        yield Static(f"{self.question.help} {self.GUIDE}", id="size-guide", markup=False)
        with Horizontal(classes="size-filters"):
            yield Label("Filter", classes="filter-label")
            yield Input(placeholder="name, e.g. D4s", compact=True, id="size-filter-name")
            yield Label("vCPUs ≥", classes="filter-label")
            yield Input(placeholder="0", type="integer", valid_empty=True, compact=True, id="size-filter-cpu")
            yield Label("GiB ≥", classes="filter-label")
            yield Input(placeholder="0", type="number", valid_empty=True, compact=True, id="size-filter-mem")
        table: DataTable[Any] = DataTable(cursor_type="row", zebra_stripes=True, id="size-table")
        yield table
        yield Static("", id="size-chosen", markup=False)
        yield from self.compose_status()

    def on_mount(self) -> None:
        table = self.table
        table.add_column(" ", key="mark", width=1)
        table.add_column("Size", key="name")
        table.add_column("vCPUs", key="vcpus")
        table.add_column("GiB", key="mem")
        table.add_column("Disks", key="disks")
        table.add_column("Premium", key="premium")
        self._value = str(self.initial or "")
        self._update_chosen()

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#size-table", DataTable)

    @property
    def value(self) -> Any:
        return self._value

    @property
    def focus_target(self) -> Widget:
        return self.table

    def filters(self) -> tuple[str, int, float]:
        name = self.query_one("#size-filter-name", Input).value
        try:
            cpu = int(self.query_one("#size-filter-cpu", Input).value or 0)
        except ValueError:
            cpu = 0
        try:
            mem = float(self.query_one("#size-filter-mem", Input).value or 0)
        except ValueError:
            mem = 0.0
        return name, cpu, mem

    @on(Input.Changed, ".size-filters Input")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()                       # not an answer: the screen need not re-validate
        self.show_items()

    @on(Input.Submitted, ".size-filters Input")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.table.focus()

    def show_items(self) -> None:
        sizes: list[VmSizeInfo] = [s for s in (self.items or []) if isinstance(s, VmSizeInfo)]
        shown = filter_sizes(sizes, *self.filters())
        table = self.table
        table.clear()
        cursor = 0
        for i, s in enumerate(shown):
            table.add_row(
                "●" if s.name == self._value else "",
                Text(s.name),
                str(s.vcpus),
                f"{s.memory_gb:g}",
                str(s.max_data_disks),
                "yes" if s.premium_io else "no",
                key=s.name,
            )
            if s.name == self._value:
                cursor = i
        if shown:
            table.move_cursor(row=cursor, animate=False)
        self._update_chosen()

    def _update_chosen(self) -> None:
        """The chosen size, and how many sizes the filter shows (restricted ones never)."""
        info = self.info(self._value)
        text = f"Chosen: {self._value or '(none)'}"
        if info:
            text += f" · {info.vcpus} vCPUs, {info.memory_gb:g} GiB"
        if self.items is not None:
            sizes = [s for s in self.items if isinstance(s, VmSizeInfo)]
            hidden = sum(1 for s in sizes if s.restricted)
            text += f"\n{len(filter_sizes(sizes, *self.filters()))} of {len(sizes) - hidden} shown"
            if hidden:
                text += f"; {hidden} restricted for this subscription: hidden"
        self.query_one("#size-chosen", Static).update(text)

    def info(self, name: str) -> VmSizeInfo | None:
        for s in self.items or []:
            if isinstance(s, VmSizeInfo) and s.name == name:
                return s
        return None

    @on(DataTable.RowSelected, "#size-table")
    def _picked(self, event: DataTable.RowSelected) -> None:
        event.stop()
        name = str(event.row_key.value)
        if name == self._value:
            return
        old = self._value
        self._value = name
        self.mark_touched()
        table = self.table
        for key in (old, name):
            try:
                table.update_cell(key, "mark", "●" if key == name else "", update_width=False)
            except Exception:      # the old one may be filtered out of view
                pass
        self._update_chosen()
        self.post_message(self.Chosen(self))


class VnetField(LiveField):
    """The VNet name (typed: one missing from the server's own group is created) plus the region's
    existing VNets; picking one fills the name, its group, range and first subnet on the same screen."""

    class Chosen(Message):
        """An existing VNet was picked: the screen fills the rest of the network section."""

        def __init__(self, field: "VnetField", vnet: VnetInfo) -> None:
            super().__init__()
            self.field = field
            self.vnet = vnet

    NEW = "__new__"

    def compose_control(self) -> ComposeResult:
        yield Input(value=str(self.initial or ""), placeholder="e.g. vnet-hpc", validators=[self.rule],
                    validate_on=["changed", "blur", "submitted"], compact=True, id="input-vnet")
        yield Select([], prompt="Existing VNets in this region", allow_blank=True, compact=True,
                     id="select-existing-vnet")
        yield from self.compose_status()

    @property
    def input(self) -> Input:
        return self.query_one("#input-vnet", Input)

    @property
    def existing(self) -> Select:
        return self.query_one("#select-existing-vnet", Select)

    @property
    def value(self) -> Any:
        return self.input.value

    @property
    def focus_target(self) -> Widget:
        return self.input

    @property
    def loading_target(self) -> Widget:
        return self.existing

    def validate_now(self) -> str | None:
        if self.touched or self.input.value:
            self.input.validate(self.input.value)
        problem = super().validate_now()
        self._note_new(problem)
        return problem

    def _note_new(self, problem: str | None) -> None:
        """Say that the VNet is created only when it will be: missing, in the server's own group
        (one named in another group must exist: ``wizard.conflicts``)."""
        if self.items is None:
            return                     # loading, or the load failed: that note stays
        ctx = {**self.context(), self.key: self.value}
        vnets = [v for v in self.items if isinstance(v, VnetInfo)]
        created = not problem and self.value and creates_vnet(ctx, vnets)
        self.set_note(f"Not in {vnet_group(ctx)} yet: hpcshare creates it there." if created else "")

    def show_items(self) -> None:
        vnets = [v for v in self.items or [] if isinstance(v, VnetInfo)]
        options = [(f"{v.name}  ({v.resource_group}, {', '.join(v.address_prefixes)})", v.name) for v in vnets]
        with self.prevent(Select.Changed):
            self.existing.set_options(options)
            if self.value in [v.name for v in vnets]:
                self.existing.value = self.value

    def vnet(self, name: str) -> VnetInfo | None:
        for v in self.items or []:
            if isinstance(v, VnetInfo) and v.name == name:
                return v
        return None

    @on(Select.Changed, "#select-existing-vnet")
    def _existing_chosen(self, event: Select.Changed) -> None:
        event.stop()
        if event.value is Select.NULL:
            return
        info = self.vnet(str(event.value))
        if info is not None:
            self.post_message(self.Chosen(self, info))
