"""Finish: the files written (SUMMARY.md rendered as Markdown, the others with a highlighted
preview), the next commands, and each generated password this run applied, shown this once (never
logged, never saved) with a copy action; one an earlier run applied is said to be gone, with the
command that sets a new one."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.highlight import highlight
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Markdown, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from screens.dialogs import ConfirmDialog
from screens.widgets.chrome import Purpose, StepBar
from screens.widgets.secrets import PasswordBox, copy_next

if TYPE_CHECKING:
    from wizard.passwords import PasswordNotice
    from wizard.session import Session

ARTIFACT_ORDER = ("SUMMARY.md", "nodeprep.cmd", "clusrun-hosts.cmd", "job-template.xml",
                  "submit-job.ps1", "submit-job.cmd")
LANGUAGES = {".cmd": "batch", ".bat": "batch", ".ps1": "powershell", ".xml": "xml", ".md": "markdown",
             ".sh": "bash", ".toml": "toml", ".json": "json"}
PREVIEW_LIMIT = 60_000


def written_files(out_dir: Path) -> list[Path]:
    if not out_dir.is_dir():
        return []
    files = [p for p in out_dir.iterdir() if p.is_file() and not p.name.startswith(".")]
    order = {name: i for i, name in enumerate(ARTIFACT_ORDER)}
    return sorted(files, key=lambda p: (order.get(p.name, len(order)), p.name))


def next_steps(session: "Session", out_dir: Path) -> str:
    demo = " --demo" if session.demo else ""
    group = session.resolution().values.get("cluster.node_group") or "NODEGROUP"
    return "\n".join([
        f"Files are in {out_dir}",
        "",
        "For HPC Pack 2016/2019 nodes that reach the server's VNet (or peered, or VPN):",
        "1. Hosts entry on running nodes, on the head node as a cluster administrator:",
        f"     clusrun-hosts.cmd {group}",
        "   New nodes: call nodeprep.cmd from the startup script they already run.",
        "2. SUMMARY.md: node group, private DNS, firewall scope, legacy Azure burst nodes.",
        "3. Submit the example job with submit-job.cmd (or submit-job.ps1 in HPC PowerShell);",
        "   it asks for the share user's password at submit time.",
        "4. To remove everything this profile created later:",
        f"     hpcshare teardown{demo} --profile {session.profile}",
    ])


class FinishScreen(Screen[None]):
    """Dismisses (the wizard ends) on Quit, ``q`` or Ctrl+Q; while a generated password is still on
    screen and not copied, only after the user confirms."""

    BINDINGS = [
        # Ctrl+Q (the App's, in the footer on every page) does the same: one Quit in the footer.
        Binding("q", "request_quit", "Quit", show=False),
        Binding("c", "copy_password", "Copy password"),
    ]

    def __init__(self, session: "Session", passwords: "Sequence[PasswordNotice]",
                 redact: Callable[[str], str]) -> None:
        """``passwords``: the run's notices (``Provision(on_password=)``), one per password."""
        super().__init__(id="screen-finish")
        self.session = session
        self.passwords = passwords
        self.redact = redact              # known passwords out of the previews
        self.files = written_files(session.out_dir)

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        yield StepBar("finish", self.session.context())
        yield Purpose("Finish", "The file server is ready: the files written, and what to do next.")
        with TabbedContent(id="finish-tabs"):
            with TabPane("Files", id="tab-files"):
                with Horizontal(id="finish-files"):
                    options = [Option(p.name, id=p.name) for p in self.files] or [Option("(no files written)", id="")]
                    yield OptionList(*options, id="files")
                    with VerticalScroll(id="preview"):
                        yield Static("", id="preview-text")
                        yield Markdown(id="preview-markdown", open_links=False)
            with TabPane("Next steps", id="tab-next"):
                with VerticalScroll():
                    yield Static(next_steps(self.session, self.session.out_dir), id="next-steps", markup=False)
        for notice in self.passwords:
            yield PasswordBox(notice, hide=True)
        with Horizontal(id="nav"):
            yield Button("Quit", id="done", variant="primary", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Finish"
        files = self.query_one("#files", OptionList)
        files.highlighted = 0
        files.focus()
        self._preview(0)

    @on(OptionList.OptionHighlighted, "#files")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._preview(event.option_index)

    def _preview(self, index: int) -> None:
        """SUMMARY.md (any .md) as Markdown, the scripts and XML highlighted."""
        target = self.query_one("#preview-text", Static)
        markdown = self.query_one("#preview-markdown", Markdown)
        path = self.files[index] if index < len(self.files) else None
        is_markdown = path is not None and path.suffix.lower() == ".md"
        target.display, markdown.display = not is_markdown, is_markdown
        self.query_one("#preview", VerticalScroll).scroll_home(animate=False)
        if path is None:
            target.update("")
            return
        try:
            text = path.read_text(encoding="utf-8", errors="replace")[:PREVIEW_LIMIT]
        except OSError as exc:
            target.display, markdown.display = True, False
            target.update(f"cannot read {path.name}: {exc.strerror}")
            return
        text = self.redact(text)
        if is_markdown:
            markdown.update(text)         # mounts its blocks in the background
        else:
            target.update(highlight(text, language=LANGUAGES.get(path.suffix.lower(), "text")))

    @on(Button.Pressed, "#done")
    def _done_pressed(self) -> None:
        self.action_request_quit()

    def _boxes(self) -> list[PasswordBox]:
        return list(self.query(PasswordBox))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "copy_password":     # in the footer only while there is one to copy
            return any(b.shows_value for b in self._boxes())
        return True

    def action_copy_password(self) -> None:
        copy_next(self._boxes())

    def not_copied(self) -> list[PasswordBox]:
        """Passwords still on screen that the user has neither copied nor hidden."""
        return [b for b in self._boxes() if b.shows_value and not b.copied]

    def action_request_quit(self) -> None:
        """``q``, the Quit button, and the App's Ctrl+Q / Ctrl+C on this page (``AsksBeforeQuit``)."""
        pending = self.not_copied()
        if not pending:
            self.dismiss(None)
            return
        names = " and the ".join(f"{b.notice.label} ({b.notice.user})" for b in pending)
        resets = "\n".join(f"  {b.notice.reset}" for b in pending)
        it, is_ = ("they", "are") if len(pending) > 1 else ("it", "is")
        body = (f"The {names} {is_} still on screen and you have not copied {'them' if it == 'they' else 'it'}. "
                f"Not saved anywhere: once you quit, {it} cannot be shown again, only replaced:\n{resets}")
        self.app.push_screen(ConfirmDialog("Quit without the password?", body, yes="Quit", no="Stay"),
                             self._quit_confirmed)

    def _quit_confirmed(self, quit_: bool | None) -> None:
        if quit_:
            self.dismiss(None)
