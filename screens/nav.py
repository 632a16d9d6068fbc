"""What a page dismisses with, typed: ``HpcShareApp.flow`` matches on these, never on strings.

``Nav`` is a StrEnum so a result still reads as the word it is ("next", "run"); ``Edit(section)``
carries the section Review wants reopened; ``Resume(profile)`` the profile Welcome resumes.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable


class Nav(StrEnum):
    NEXT = "next"          # a section: saved, go on
    BACK = "back"          # a section or Review: the page before
    RUN = "run"            # Review: start the run
    FINISH = "finish"      # Run: it succeeded, show the Finish page
    REVIEW = "review"      # Run: back to Review to change an answer
    QUIT = "quit"          # Run: leave the wizard


@dataclass(frozen=True)
class Edit:
    """Review: reopen this section's screen, then come back to Review."""
    section: str


@dataclass(frozen=True)
class Resume:
    """Welcome: this profile's last run stopped early; open the Run screen and resume it."""
    profile: str


PageResult = Nav | Edit


@runtime_checkable
class AsksBeforeQuit(Protocol):
    """A page that answers Ctrl+Q / Ctrl+C itself instead of the App's "Quit hpcshare?" (Finish:
    it quits at once, or asks while a generated password is still on screen)."""

    def action_request_quit(self) -> None: ...
