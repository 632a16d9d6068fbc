"""hpcshare engine: answers, validation, profiles, plan, runner, Azure, remote PowerShell, artifacts.

Nothing in this package imports a UI library (textual, questionary, rich) except ``wizard.plain``,
the plain front end; ``wizard.commands`` (the command layer) starts the Textual front end in
``screens``. Import-linter contracts in pyproject.toml (layers, no cycles, UI-free engine, the
stand-in fenced) and tests/test_import_hygiene.py enforce it. ``screens/`` imports from here.
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
