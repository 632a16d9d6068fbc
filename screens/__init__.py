"""The Textual wizard (``hpcshare`` with no command). Thin screens over ``wizard.session.Session``.

What lives here (pages, then what they share):
- ``app.py``        ``HpcShareApp`` and ``run_app(session) -> exit code``: the page flow, and the
                    App-owned worker that runs ``wizard.provision`` (the pipeline ``run`` uses).
- ``section.py``    one generic form screen, parameterised by a ``wizard.questions.Section``;
                    ``make_field`` picks each question's widget.
- ``welcome.py``, ``review.py``, ``run.py``, ``finish.py``, ``dialogs.py``: the other pages.
- ``nav.py``        what pages dismiss with (``Nav``, ``Edit(section)``).
- ``live_lists.py`` ``LiveLists``: the catalog, the cache of loaded lists, the VM size rule on
                    them; passed down through the constructors of sections and fields.
- ``widgets/``      what pages are built from: ``fields.py`` (one widget per question kind, each
                    with a Textual ``Validator`` around ``Session.check``), ``live.py`` (fields whose
                    choices load from Azure in thread workers: subscriptions, regions, VM sizes,
                    existing VNets), ``chrome.py`` (the step bar and the one-line purpose).

Who may import what: ``screens`` imports ``wizard`` (the engine) and ``textual``; in ``wizard/``
only the command layer (``wizard.commands``) imports ``screens.app``. Screens get what they need
through their constructors, never from ``self.app``. Nothing here imports ``azure.*`` or
``wizard.environment`` / ``wizard.execute`` at module level, so the first screen paints before the
Azure SDK is loaded. Styles live in ``assets/app.tcss`` only.
"""
