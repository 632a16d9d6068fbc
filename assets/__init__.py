"""Non-Python files shipped with hpcshare: Textual stylesheets (.tcss), PowerShell scripts
(powershell/) and artifact templates (templates/). Read them with ``wizard.paths.asset``.
Nothing here is imported for code; this file only makes the folder an installable package."""
