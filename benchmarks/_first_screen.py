"""Child process of ``benchmarks/startup.py``: start one variant on a terminal and stop at its first paint.

    python benchmarks/_first_screen.py hpcshare|bare RESULT.json

``hpcshare`` runs the real command line, ``wizard.cli.main(["--demo"])`` (argument parsing, the
demo Session, ``screens.app.run_app``, Textual's Linux driver on the terminal it was given).
``bare`` runs a plain Textual App that pushes one screen with the same widgets as the hpcshare
Welcome screen (header, purpose line, note, label, option list, input, buttons, footer) and
nothing else: no stylesheet of its own, no engine code.

Both variants get the same hook: ``textual.app.App._display`` is wrapped, and the first time it
writes a frame of the target screen (``WelcomeScreen`` / ``BareScreen``) to the terminal, the hook
records ``time.monotonic()`` (a system-wide clock on Linux, so the parent can subtract its own
spawn time), the widget count, and which azure / stand-in modules are loaded; then it asks the
app to exit. The hook imports ``textual.app`` before the variant starts; both variants import it
before their first screen anyway, so the total is unchanged.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

TARGET = {"hpcshare": "WelcomeScreen", "bare": "BareScreen"}


def install_hook(target: str, result: Path) -> None:
    from textual.app import App
    from textual.screen import Screen

    original_display = App._display
    original_mount = Screen._on_mount
    seen: dict[str, float] = {}

    def _on_mount(self: Screen, event: object) -> None:
        if type(self).__name__ == target and "mount" not in seen:
            seen["mount"] = time.monotonic()
        return original_mount(self, event)  # type: ignore[arg-type]

    def _display(self: App, screen: Screen, renderable: object) -> None:
        painted = (renderable is not None and not self._batch_count and self._running and not self._closed
                   and self._driver is not None and not self.is_headless)
        original_display(self, screen, renderable)  # type: ignore[arg-type]
        if painted and type(screen).__name__ == target and "paint" not in seen:
            seen["paint"] = time.monotonic()
            modules = list(sys.modules)
            result.write_text(json.dumps({
                "first_paint": seen["paint"],
                "mount": seen.get("mount", seen["paint"]),
                "widgets": sum(1 for _ in screen.walk_children(with_self=False)),
                "size": [self.size.width, self.size.height],
                "azure_modules": sorted(m for m in modules if m.startswith("azure")),
                "standin_modules": sorted(m for m in modules if m.startswith("wizard.standin")),
                "modules": len(modules),
            }))
            self.exit()

    App._display = _display  # type: ignore[method-assign]
    Screen._on_mount = _on_mount  # type: ignore[method-assign]


def run_bare() -> int:
    from textual.app import App, ComposeResult
    from textual.containers import Horizontal, Vertical
    from textual.screen import Screen
    from textual.widgets import Button, Footer, Header, Input, Label, OptionList, Static
    from textual.widgets.option_list import Option

    class BareScreen(Screen[None]):
        def compose(self) -> ComposeResult:
            yield Header(icon="")
            with Horizontal():
                yield Static("Welcome")
                yield Static("A bare Textual app with the widgets of the hpcshare Welcome screen.")
            yield Static("Demo mode note.")
            with Vertical():
                yield Label("Start from a saved profile, or a new one:")
                yield OptionList(Option("+ New profile", id="new"))
                with Horizontal():
                    yield Label("New profile name")
                    yield Input(placeholder="e.g. lab-fileserver", compact=True)
                yield Static("")
            with Horizontal():
                yield Button("Quit", compact=True)
                yield Button("Continue", variant="primary", compact=True)
            yield Footer()

        def on_mount(self) -> None:
            self.query_one(Input).focus()

    class BareApp(App[int]):
        def on_mount(self) -> None:
            self.push_screen(BareScreen())

    BareApp().run()
    return 0


def main() -> int:
    variant, result = sys.argv[1], Path(sys.argv[2])
    install_hook(TARGET[variant], result)
    if variant == "bare":
        return run_bare()
    from wizard.cli import main as hpcshare_main

    hpcshare_main(["--demo"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
