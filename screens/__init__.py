"""The Textual wizard (``hpcshare`` with no command). Thin screens over ``wizard.session.Session``.

What lives here:
- ``app.py``      ``HpcShareApp`` and ``run_app(session) -> exit code`` (the CLI's entry point);
                  the page flow, the catalog cache, and the App-owned provisioning worker.
- ``fields.py``   one widget per question kind (text, secret, choice, number, toggle), each with a
                  Textual ``Validator`` that wraps ``Session.check``.
- ``live.py``     fields whose choices load from Azure in thread workers: subscriptions, regions,
                  VM sizes (filterable table), existing VNets.
- ``section.py``  one generic form screen, parameterised by a ``wizard.questions.Section``.
- ``chrome.py``   the step bar and the one-line purpose every page shows.
- ``welcome.py``, ``review.py``, ``run.py``, ``finish.py``, ``dialogs.py``: the other pages.

Who may import what: ``screens`` imports ``wizard`` (the engine) and ``textual``; nothing under
``wizard/`` imports ``screens`` except ``wizard.cli`` (for ``run_app``). Nothing here imports
``azure.*`` or ``wizard.environment`` / ``wizard.execute`` at module level, so the first screen
paints before the Azure SDK is loaded. Styles live in ``assets/app.tcss`` only.
"""
