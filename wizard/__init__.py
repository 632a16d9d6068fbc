"""hpcshare engine: answers, validation, profiles, plan, runner, Azure, remote PowerShell, artifacts.

Nothing in this package imports a UI library (textual, questionary) except ``wizard.console``
(plain prompts) and ``wizard.cli`` (which starts the Textual app on request); an import-linter
contract and a test enforce it. ``screens/`` imports from here, never the other way round.
"""


def __getattr__(name: str) -> str:
    """``wizard.__version__``, read from the installed package's metadata (pyproject.toml is the
    one place the version is written); computed on first use, so importing wizard stays cheap."""
    if name != "__version__":
        raise AttributeError(name)
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("hpcshare")
    except PackageNotFoundError:             # a source tree that was never installed
        return "0+unknown"
