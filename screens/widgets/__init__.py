"""Widgets the pages are built from (no page logic here): ``fields`` (one per question kind),
``live`` (fields whose choices load from Azure), ``chrome`` (step bar, purpose line) and
``secrets`` (a generated password with its copy action)."""
