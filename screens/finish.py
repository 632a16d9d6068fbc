"""Finish: the files written (each with a highlighted preview), the next commands, and a generated
password shown this once (never logged, never saved) with a copy action."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.highlight import highlight
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from screens.widgets.chrome import Purpose, StepBar

if TYPE_CHECKING:
    from wizard.passwords import PasswordNotice
    from wizard.runner import RunResult
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
    BINDINGS = [
        Binding("q", "done", "Quit"),
        Binding("c", "copy_password", "Copy password"),
    ]

    def __init__(self, session: "Session", result: "RunResult | None", redact: Callable[[str], str],
                 notices: Sequence["PasswordNotice"] = ()) -> None:
        super().__init__(id="screen-finish")
        self.session = session
        self.result = result
        self.redact = redact              # known passwords out of the previews
        self.files = written_files(session.out_dir)
        self._passwords = self._shown_passwords()
        # The storage account key this run read (Azure Files): shown here once, as passwords are.
        self._passwords += [(n.title, n.password, "key") for n in notices if n.who == "key" and n.password]

    def _shown_passwords(self) -> list[tuple[str, str, str]]:
        """(who, password, note) for each password generated and actually set by this run."""
        secrets = self.session.secrets()
        changed = set(self.result.changed) if self.result else set()
        out: list[tuple[str, str, str]] = []
        user = str(self.session.value("account.username"))
        outputs = self.result.outputs if self.result else {}
        # Ran in this run (changed) and set the password (a re-run keeps an existing user's password).
        share_set = "configure-server" in changed and (outputs.get("configure-server") or {}).get("share_password_set")
        if secrets.share_generated:
            if share_set or not self.result:
                out.append((f"Share user {user}", secrets.share_password, "share"))
            else:
                out.append((f"Share user {user}", "", "share"))
        if secrets.admin_generated and "vm" in changed:
            out.append((f"VM admin {self.session.value('vm.admin_username')}", secrets.admin_password, "admin"))
        return out

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        yield StepBar("finish", self.session.context())
        yield Purpose("Finish", "The file server is ready. Here is what was written and what to do next.")
        with TabbedContent(id="finish-tabs"):
            with TabPane("Files", id="tab-files"):
                with Horizontal(id="finish-files"):
                    options = [Option(p.name, id=p.name) for p in self.files] or [Option("(no files written)", id="")]
                    yield OptionList(*options, id="files")
                    with VerticalScroll(id="preview"):
                        yield Static("", id="preview-text")
            with TabPane("Next steps", id="tab-next"):
                with VerticalScroll():
                    yield Static(next_steps(self.session, self.session.out_dir), id="next-steps", markup=False)
        for who, password, kind in self._passwords:
            with Vertical(classes="secret-box", id=f"secret-{kind}"):
                if password:
                    yield Static(f"{who}: read from Azure, shown only now (hpcshare never saves it):" if kind == "key"
                                 else f"{who}: generated password, shown only now (never saved):",
                                 classes="secret-title", markup=False)
                    with Horizontal(classes="secret-line"):
                        yield Static(password, classes="secret-value", markup=False)
                        yield Button("Copy", id=f"copy-{kind}", compact=True)
                        yield Button("Hide", id=f"hide-{kind}", compact=True)
                else:
                    yield Static(f"{who}: the password was set by an earlier run and is not kept; "
                                 "it cannot be shown again.", classes="secret-title", markup=False)
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
        target = self.query_one("#preview-text", Static)
        if not self.files or index >= len(self.files):
            target.update("")
            return
        path = self.files[index]
        try:
            text = path.read_text(encoding="utf-8", errors="replace")[:PREVIEW_LIMIT]
        except OSError as exc:
            target.update(f"cannot read {path.name}: {exc.strerror}")
            return
        text = self.redact(text)
        language = LANGUAGES.get(path.suffix.lower(), "text")
        target.update(highlight(text, language=language))

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        bid = event.button.id or ""
        if bid == "done":
            self.action_done()
        elif bid.startswith("copy-"):
            self._copy(bid.split("-", 1)[1])
        elif bid.startswith("hide-"):
            self.query_one(f"#secret-{bid.split('-', 1)[1]}").remove()

    def _copy(self, kind: str) -> None:
        for _who, password, k in self._passwords:
            if k == kind and password:
                self.app.copy_to_clipboard(password)
                self.notify(f"{'Key' if kind == 'key' else 'Password'} copied to the clipboard.", timeout=3)

    def action_copy_password(self) -> None:
        for _who, password, kind in self._passwords:
            if password and self.query(f"#secret-{kind}"):
                self._copy(kind)
                return

    def action_done(self) -> None:
        self.dismiss(None)
