"""hpcshare engine: answers, validation, profiles, plan, runner, Azure, remote PowerShell, artifacts.

Nothing in this package imports a UI library (textual, questionary) except ``wizard.console``
(plain prompts) and ``wizard.cli`` (which starts the Textual app on request); an import-linter
contract and a test enforce it. ``screens/`` imports from here, never the other way round.
"""
__version__ = "0.1.0"
