"""Plain mode on a narrow terminal (issue 22, S10): the live run view leaves its table header once,
prose wraps between words, and a long validation error wraps instead of being cut off.

The live view is driven through a Rich console that believes it is a 60x24 terminal; its output
is replayed on a tiny terminal model that, like a real one, cannot move the cursor into lines
that scrolled off the top (which is how an over-tall live table leaves copies behind)."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.console import Console

from tests.integration.conftest import write_answers
from wizard.plain.live import run_with_live_view, table
from wizard.run_model import RunModel
from wizard.runner import RunEvent
from wizard.session import Session

COLS, ROWS = 60, 24
CSI = re.compile(r"\x1b\[([0-9;?]*)([A-Za-z])")


class TtyBuffer(io.StringIO):
    def isatty(self) -> bool:
        return True


def replay(raw: str, cols: int = COLS, rows: int = ROWS) -> list[str]:
    """Scrollback plus screen after ``raw``: text, CR, LF, cursor up (A), erase line (K);
    other sequences ignored. Lines longer than ``cols`` wrap as a terminal wraps them."""
    lines: list[str] = [""]
    row = col = 0
    i = 0
    while i < len(raw):
        m = CSI.match(raw, i)
        if m:
            arg, cmd = m.group(1), m.group(2)
            if cmd == "A":
                top = max(0, len(lines) - rows)          # scrolled-off lines are out of reach
                row = max(top, row - int(arg or 1))
            elif cmd == "K" and arg in ("2", ""):
                lines[row] = "" if arg == "2" else lines[row][:col]
            i = m.end()
            continue
        ch = raw[i]
        i += 1
        if ch == "\r":
            col = 0
        elif ch == "\n":
            row += 1
            col = 0
            if row == len(lines):
                lines.append("")
        elif ch >= " ":
            if col >= cols:
                row, col = row + 1, 0
                if row == len(lines):
                    lines.append("")
            line = lines[row].ljust(col)
            lines[row] = line[:col] + ch + line[col + 1:]
            col += 1
    return lines


@pytest.fixture
def narrow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", str(COLS))
    monkeypatch.setenv("LINES", str(ROWS))


def test_the_live_table_fits_the_terminal_whatever_the_rows() -> None:
    model = RunModel()
    for i in range(12):
        model.apply(RunEvent(f"step-{i}", "pending", f"Step {i}"))
    for i in range(12):
        model.apply(RunEvent(f"step-{i}", "running", "a rather long description of what happens " * 3))
        for sub in range(6):
            model.apply(RunEvent(f"step-{i}", "done", "sub-step finished with a long message " * 2, substep=f"s{sub}"))
    console = Console(width=COLS, height=ROWS, file=io.StringIO(), force_terminal=True)
    lines = console.render_lines(table(model, height=ROWS), console.options)
    assert len(lines) <= ROWS - 1
    text = "\n".join("".join(seg.text for seg in line) for line in lines)
    assert "earlier rows not shown" in text


def test_a_run_at_60_columns_leaves_the_header_once_and_no_line_too_long(home: Path, tmp_path: Path,
                                                                          narrow: None) -> None:
    answers = write_answers(tmp_path / "narrow.toml")
    session = Session(answers.stem, demo=True, answers_file=answers, out_dir=tmp_path / "out")
    out = TtyBuffer()
    try:
        code = run_with_live_view(session, out=out)
    finally:
        session.close()
    screen = replay(out.getvalue())
    assert code == 0, "\n".join(screen)
    headers = [line for line in screen if re.fullmatch(r"\s*step\s+time\s+detail\s*", line)]
    assert len(headers) == 1, "\n".join(screen)
    assert all(len(line) <= COLS for line in screen)
    # The final table has every row (sub-steps included), after the one header.
    after = "\n".join(screen[screen.index(headers[0]):])
    for step in ("resource-group", "vm", "configure-server", "   firewall", "self-test", "artifacts"):
        assert step in after


def test_prose_wraps_between_words_on_a_narrow_terminal(narrow: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from wizard.plain import prompts

    out = TtyBuffer()
    monkeypatch.setattr("sys.stdout", out)
    con = prompts._console()
    sentence = ("Passwords are never saved; the ones left empty are generated and shown once, "
                "or taken from the AZURE_* environment variables when they are set.")
    con.print(sentence, markup=False)
    lines = [line.rstrip() for line in replay(out.getvalue()) if line.strip()]
    assert len(lines) > 1 and all(len(line) <= COLS for line in lines)
    assert " ".join(lines) == sentence                       # every line break falls between words


def test_a_long_validation_error_wraps_in_the_prompt(narrow: None) -> None:
    """questionary shows a validation error in a one-line toolbar: at 60 columns the end of the
    rule was cut off. hpcshare's prompts let that toolbar grow and wrap."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.data_structures import Size
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output.vt100 import Vt100_Output

    from wizard.plain import prompts

    message = ("Resource group: 1-90 letters, digits, '_', '-', '.', '(' or ')', not ending with '.' "
               "(the end of this rule must be visible)")
    import threading
    import time

    out = TtyBuffer()
    output = Vt100_Output(out, lambda: Size(rows=ROWS, columns=COLS), term="xterm")
    ended: list[BaseException] = []
    with create_pipe_input() as inp:
        def ask() -> None:
            with create_app_session(input=inp, output=output):
                try:
                    prompts._text("Resource group", "", lambda text: message)
                except BaseException as exc:       # Ctrl+C below ends the prompt
                    ended.append(exc)

        worker = threading.Thread(target=ask, daemon=True)
        worker.start()
        inp.send_text("bad name!\r")
        deadline = time.monotonic() + 10             # a hang guard, not a timing assertion
        while "mustbevisible" not in "".join(CSI.sub("", out.getvalue()).split()) and time.monotonic() < deadline:
            time.sleep(0.02)
        inp.send_text("\x03")
        worker.join(10)
    assert ended and isinstance(ended[0], KeyboardInterrupt)
    # The toolbar drew the whole message over two lines (one 60-column line holds only its start).
    drawn = "".join(CSI.sub("", out.getvalue()).split())       # cursor moves split the wrapped line
    assert "(theendofthisrulemustbevisible)" in drawn
