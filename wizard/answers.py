"""Frozen, typed answers, and how they are assembled from their layers.

Precedence, highest first: ``--set`` overrides > typed in this session > saved profile > defaults.
Every value is validated in question order (later rules can depend on earlier answers, e.g. the
private IP on the subnet). A saved value that no longer validates is reported and replaced by its
default; a bad override or typed value is an error. Secrets are not answers: they live in
``Secrets`` and never reach a file.
"""
from __future__ import annotations

import dataclasses
import secrets as _random
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from wizard.questions import QUESTIONS, SAVED_KEYS, Question
from wizard.validation import BACKEND_FILES, public_range

Source = Literal["override", "typed", "saved", "default"]


@dataclass(frozen=True)
class SubscriptionAnswers:
    auth: str
    id: str
    region: str
    resource_group: str
    currency: str


@dataclass(frozen=True)
class VmAnswers:
    name: str
    size: str
    image: str
    admin_username: str
    zone: str


@dataclass(frozen=True)
class DiskAnswers:
    sku: str
    size_gb: int
    iops: int
    mbps: int
    caching: str
    drive_letter: str
    label: str


@dataclass(frozen=True)
class AccountAnswers:
    username: str


@dataclass(frozen=True)
class ShareAnswers:
    backend: str        # "vm" (a Windows file server VM) or "azure-files"
    name: str
    folder: str
    access: str
    encrypt: bool


@dataclass(frozen=True)
class EndpointsAnswers:
    vnet: str
    vnet_resource_group: str
    vnet_cidr: str
    subnet: str
    subnet_cidr: str
    private_ip: str
    public_ip: bool
    dns_label: str
    private_dns_zone: str
    smb_source: str
    udp_445: bool
    rdp_source: str


@dataclass(frozen=True)
class FilesAnswers:
    """The Azure Files backend (share.backend = "azure-files")."""
    account: str        # storage account name: <account>.file.core.windows.net
    sku: str            # Premium_LRS | Premium_ZRS
    quota_gib: int      # the share's provisioned size
    private_ip: str     # the private endpoint's address; "" = Azure picks one


@dataclass(frozen=True)
class RemoteAnswers:
    transport: str
    winrm_source: str


@dataclass(frozen=True)
class ClusterAnswers:
    node_group: str     # the HPC Pack node group the job and clusrun target; "" = none
    nodes: int          # 0 = not given
    node_mbps: int      # MB/s one node needs at peak; 0 = not given


@dataclass(frozen=True)
class Answers:
    profile: str
    subscription: SubscriptionAnswers
    vm: VmAnswers
    disk: DiskAnswers
    account: AccountAnswers
    share: ShareAnswers
    endpoints: EndpointsAnswers
    remote: RemoteAnswers
    cluster: ClusterAnswers
    files: FilesAnswers

    @property
    def azure_files(self) -> bool:
        return self.share.backend == BACKEND_FILES

    def flat(self) -> dict[str, Any]:
        """``{"section.key": value}`` for every saved key."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            if f.name == "profile":
                continue
            for k, val in dataclasses.asdict(getattr(self, f.name)).items():
                out[f"{f.name}.{k}"] = val
        return out

    def replace(self, **flat: Any) -> "Answers":
        """A copy with some ``section__key=value`` changed (no validation: for tests and tools)."""
        values = self.flat()
        for k, val in flat.items():
            values[k.replace("__", ".", 1)] = val
        return build_answers(self.profile, values)


_SECTION_TYPES: dict[str, type] = {
    "subscription": SubscriptionAnswers, "vm": VmAnswers, "disk": DiskAnswers,
    "account": AccountAnswers, "share": ShareAnswers, "endpoints": EndpointsAnswers,
    "remote": RemoteAnswers, "cluster": ClusterAnswers, "files": FilesAnswers,
}


def build_answers(profile: str, flat: Mapping[str, Any]) -> Answers:
    sections = {}
    for name, cls in _SECTION_TYPES.items():
        sections[name] = cls(**{f.name: flat[f"{name}.{f.name}"] for f in dataclasses.fields(cls)})
    return require_encryption_when_public(Answers(profile=profile, **sections))


def require_encryption_when_public(answers: Answers) -> Answers:
    """SMB reachable from a public range travels the Internet: signing alone leaves the data
    readable on the way, so encryption is required whatever share.encrypt says (the scripts then
    set EncryptData, and the server rejects unencrypted access). Everything built from Answers
    (plan, server config, summary, probe) sees the same forced value."""
    if answers.share.encrypt or answers.azure_files or not public_range(answers.endpoints.smb_source):
        return answers
    return dataclasses.replace(answers, share=dataclasses.replace(answers.share, encrypt=True))


@dataclass(frozen=True)
class Secrets:
    """Passwords held in memory only. ``repr`` never shows them, so a stray log line cannot."""
    admin_password: str
    share_password: str
    admin_generated: bool = False
    share_generated: bool = False

    def __repr__(self) -> str:
        return "Secrets(admin_password=***, share_password=***)"

    __str__ = __repr__

    def values(self) -> tuple[str, str]:
        return (self.admin_password, self.share_password)


# A restricted symbol set: nothing that cmd.exe, PowerShell, XML or HPC Pack's '*' rule treats
# specially, so a generated password survives every file it may be written to.
_SYMBOLS = "-_.:+="


def generate_password(length: int = 24) -> str:
    alphabet = string.ascii_letters + string.digits + _SYMBOLS
    while True:
        pw = "".join(_random.choice(alphabet) for _ in range(length))
        if (any(c.islower() for c in pw) and any(c.isupper() for c in pw)
                and any(c.isdigit() for c in pw) and any(c in _SYMBOLS for c in pw)):
            return pw


@dataclass(frozen=True)
class Problem:
    key: str
    message: str
    source: Source


@dataclass(frozen=True)
class Resolution:
    values: dict[str, Any]
    sources: dict[str, Source]
    errors: tuple[Problem, ...]      # the run cannot go on: a bad override/typed value, a missing required key
    warnings: tuple[Problem, ...]    # a stale saved value replaced by its default

    @property
    def ok(self) -> bool:
        return not self.errors


class AnswerError(ValueError):
    """A value typed on the command line (``--set``) that cannot be read."""


def coerce(question: Question, raw: Any) -> Any:
    """Turn text (from ``--set`` or a prompt) into the question's type; other types pass through."""
    if not isinstance(raw, str):
        return raw
    text = raw.strip() if question.kind != "secret" else raw
    if question.kind == "number":
        try:
            return int(text.replace(",", "").replace("_", ""))
        except ValueError:
            raise AnswerError(f"{question.label}: a whole number") from None
    if question.kind == "toggle":
        low = text.lower()
        if low in ("true", "yes", "y", "on", "1"):
            return True
        if low in ("false", "no", "n", "off", "0"):
            return False
        raise AnswerError(f"{question.label}: true or false")
    return text


def _type_ok(question: Question, value: Any) -> bool:
    if question.kind == "number":
        return isinstance(value, int) and not isinstance(value, bool)
    if question.kind == "toggle":
        return isinstance(value, bool)
    return isinstance(value, str)


def resolve(
    *,
    saved: Mapping[str, Any] | None = None,
    typed: Mapping[str, Any] | None = None,
    overrides: Mapping[str, Any] | None = None,
    defaults: Mapping[str, Any] | None = None,
    require: bool = False,
) -> Resolution:
    """Merge the layers and validate each value against the answers before it.

    ``require`` (what a prompt-free replay wants): a required key (see Question.required) missing
    from every layer but the defaults is an error, and so is a saved value that fails its rule
    (without it, such a value is reported and replaced by its default for the user to review).
    """
    layers: tuple[tuple[Source, Mapping[str, Any]], ...] = (
        ("override", overrides or {}), ("typed", typed or {}), ("saved", saved or {}),
    )
    values: dict[str, Any] = {}
    sources: dict[str, Source] = {}
    errors: list[Problem] = []
    warnings: list[Problem] = []
    # share.backend decides whether the VM questions, asked before it, apply: their `when` rules
    # see its chosen (not yet validated) value; every other key they read comes before them.
    ahead: dict[str, Any] = {}
    for _, layer in layers:
        if "share.backend" in layer:
            ahead["share.backend"] = layer["share.backend"]
            break
    for key in SAVED_KEYS:
        q = QUESTIONS[key]
        # Context defaults (e.g. the demo's subscription) replace the question's own.
        own_default = (defaults or {}).get(key, q.default)
        chosen: tuple[Source, Any] = ("default", own_default)
        for source, layer in layers:
            if key in layer:
                chosen = (source, layer[key])
                break
        source, value = chosen
        applies = q.applies({**ahead, **values})
        if source == "default" and require and q.required and applies and key not in (defaults or {}):
            errors.append(Problem(key, f"{q.label} ({key}): missing; a run without prompts needs it in the answers file", "default"))
            values[key], sources[key] = value, source
            continue
        message = None if _type_ok(q, value) else f"{q.label}: expected {_kind_word(q)}"
        # A question that does not apply now is still checked when it holds a value: whatever is
        # saved may apply on the next run (e.g. a DNS label kept while the public IP is off).
        if message is None and (applies or value not in ("", None, own_default)):
            message = q.check(value, values)
        if message is not None:
            if source == "saved" and not require:
                warnings.append(Problem(key, f"{message} (saved value {value!r} replaced by the default)", source))
                value, source = own_default, "default"
                # The default may be wrong here too (it depends on other answers): then it is an error.
                again = q.check(value, values) if applies else None
                if again:
                    errors.append(Problem(key, again, source))
            else:
                errors.append(Problem(key, message, source))
        values[key] = value
        sources[key] = source
    return Resolution(values, sources, tuple(errors), tuple(warnings))


def _kind_word(q: Question) -> str:
    return {"number": "a whole number", "toggle": "true or false"}.get(q.kind, "text")


def parse_set_options(items: list[str]) -> dict[str, Any]:
    """``--set section.key=value`` options -> typed values. Raises AnswerError naming the bad one."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep:
            raise AnswerError(f"--set {item!r}: expected SECTION.KEY=VALUE, e.g. share.name=Data")
        q = QUESTIONS.get(key)
        if q is None:
            raise AnswerError(f"--set {key}: unknown answer; known keys are section.key names such as "
                              "vm.name, share.name, endpoints.private_ip (see 'hpcshare plan --help')")
        if q.secret:
            raise AnswerError(f"--set {key}: passwords are not answers; use HPCSHARE_ADMIN_PASSWORD or "
                              "HPCSHARE_SHARE_PASSWORD")
        out[key] = coerce(q, raw)
    return out
