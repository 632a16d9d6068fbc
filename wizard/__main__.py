from wizard.cli import entry

raise SystemExit(entry())
