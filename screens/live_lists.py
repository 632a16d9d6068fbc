"""The live lists the wizard offers (subscriptions, regions, VM sizes, VNets, and the NICs that
hold addresses in them): the catalog, a cache of what was loaded, and the rules that need a
loaded list (``wizard.catalog.size_problems``, ``wizard.conflicts``). One object, made by the App and passed
down through the constructors of the section screens and their fields.

Loading blocks (catalog calls go to Azure): ``load`` is for thread workers only.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from wizard import conflicts
from wizard.catalog import Catalog, NicInfo, VmSizeInfo, VnetInfo, size_problems

if TYPE_CHECKING:
    from wizard.session import Session

CatalogSource = Catalog | Callable[[], Catalog] | None
Redact = Callable[[str], str]


class LiveLists:
    """``source``: a catalog, a function that makes one, or None for the session's own
    (``Session.catalog()``: in demo mode the first call starts the stand-in). ``redact`` removes
    known passwords from error text before a field shows it."""

    def __init__(self, session: "Session", source: CatalogSource = None, *, redact: Redact = str) -> None:
        self.session = session
        self.source = source
        self.redact = redact
        self._catalog: Catalog | None = None
        self._lock = threading.Lock()
        self._choices: dict[tuple[str, tuple[str, ...]], list[Any]] = {}
        self._others: list[conflicts.OtherProfile] | None = None     # the other saved profiles

    @property
    def injected(self) -> bool:
        """A catalog given from outside (tests): it does not follow the session's sign-in."""
        return self.source is not None

    def catalog(self) -> Catalog:
        """The catalog (blocking). Threads only."""
        with self._lock:
            if self._catalog is None:
                src = self.source
                if src is None:
                    self._catalog = self.session.catalog()
                elif isinstance(src, Catalog):
                    self._catalog = src
                else:
                    self._catalog = src()
            return self._catalog

    def cached(self, source: str, args: tuple[str, ...]) -> list[Any] | None:
        return self._choices.get((source, args))

    def load(self, source: str, args: tuple[str, ...], *, force: bool = False) -> list[Any]:
        """One live list, from the cache unless ``force``. Blocking: call from a thread worker."""
        key = (source, args)
        if not force and key in self._choices:
            return self._choices[key]
        cat = self.catalog()
        loaders: dict[str, Callable[[], list[Any]]] = {
            "subscriptions": lambda: list(cat.subscriptions()),
            "regions": lambda: list(cat.regions(*args)),
            "vm-sizes": lambda: list(cat.vm_sizes(*args)),
            "vnets": lambda: list(cat.vnets(*args)),
            "nics": lambda: list(cat.nics(*args)),
        }
        self._choices[key] = loaders[source]()
        if source == "vnets":
            self._load_nics(args, force=force)
        return self._choices[key]

    def _load_nics(self, args: tuple[str, ...], *, force: bool) -> None:
        """With the VNets, the NICs holding addresses in them (the private IP rule). A failure
        only leaves that rule unjudged here: the preflight and the NIC step still check."""
        try:
            self.load("nics", args, force=force)
        except Exception:
            self._choices.pop(("nics", args), None)

    def size_problems(self, ctx: Mapping[str, Any]) -> dict[str, str]:
        """The VM size rule (``wizard.catalog.size_problems``) against the loaded size list of
        the subscription and region in ``ctx``; nothing when that list is not loaded."""
        args = _region_args(ctx)
        sizes = self._choices.get(("vm-sizes", args))
        if sizes is None:
            return {}
        return size_problems(ctx, [s for s in sizes if isinstance(s, VmSizeInfo)])

    def problems(self, ctx: Mapping[str, Any]) -> dict[str, str]:
        """Every rule that needs a loaded list, as the form shows them: the VM size rule, the
        network against the region's VNets and NICs, another profile that has run with the
        same server (``wizard.conflicts``). Nothing for a list that is not loaded."""
        args = _region_args(ctx)
        vnets = self._choices.get(("vnets", args))
        nics = self._choices.get(("nics", args))
        found = conflicts.blocking(
            ctx, None if vnets is None else [v for v in vnets if isinstance(v, VnetInfo)],
            None if nics is None else [n for n in nics if isinstance(n, NicInfo)], self._other_profiles())
        return {**conflicts.on_field(found), **self.size_problems(ctx)}

    def held_addresses(self, vnet: VnetInfo, ctx: Mapping[str, Any]) -> set[str]:
        """Addresses other NICs hold in ``vnet`` (from the loaded NIC list; none when not loaded)."""
        args = _region_args(ctx)
        nics = [n for n in self._choices.get(("nics", args)) or [] if isinstance(n, NicInfo)]
        return conflicts.held_addresses(vnet, nics, ctx)

    def warnings(self, ctx: Mapping[str, Any]) -> dict[str, str]:
        """Conflicts that do not stop the run yet: another profile, not run, names the same server."""
        return conflicts.on_field(conflicts.profile_conflicts(ctx, self._other_profiles())[1])

    def _other_profiles(self) -> list[conflicts.OtherProfile]:
        if self._others is None:
            self._others = conflicts.other_profiles(self.session.profile)
        return self._others

    def sign_in_changed(self, method: str) -> bool:
        """The sign-in method changed on the Subscription screen: keep it, reopen Azure access.
        Returns True when the live lists must reload."""
        if self.injected or self.session.demo:
            return False
        if method == self.session.value("subscription.auth"):
            return False                  # not a change (e.g. the value shown on mount)
        if not self.session.submit_section("subscription", {"subscription.auth": method}).ok:
            return False
        self.session.close()              # the environment was opened with the old method
        self.forget()
        return True

    def forget(self, session: "Session | None" = None) -> None:
        """Drop what was loaded (another profile, or another sign-in): lists load again."""
        if session is not None:
            self.session = session
        with self._lock:
            if self.source is None:
                self._catalog = None
        self._choices.clear()
        self._others = None


def _region_args(ctx: Mapping[str, Any]) -> tuple[str, str]:
    """The key of the lists that belong to one subscription and region."""
    return (str(ctx.get("subscription.id", "")), str(ctx.get("subscription.region", "")))
