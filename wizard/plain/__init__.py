"""The plain front end: the only part of the engine package that imports rich or questionary
(import-linter contract in pyproject.toml).

- ``prompts``        the wizard's questions as questionary prompts (``hpcshare --plain``,
                     ``run --ask``, the confirmation of ``run`` without ``--yes``).
- ``live``           a run drawn from the engine's run model: a Rich live table on a terminal,
                     one log line per state change otherwise (``hpcshare run``).
- ``verify_report``  ``hpcshare verify``'s report of the share probe.

Called by ``wizard.commands`` only; the work is the engine's (``wizard.session``,
``wizard.provision``, ``wizard.verify``).
"""
