"""What a run learned about the server it built: the inputs of the artifacts and the summary."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ServerFacts:
    server_name: str                 # the Windows computer name (= vm.name), used in \\server\share
    private_ip: str
    public_ip: str | None = None
    fqdn: str | None = None          # <dns_label>.<region>.cloudapp.azure.com when a public IP has a label
    subscription_id: str = ""
    resource_group: str = ""
    region: str = ""
    # Azure resource ids by step name ("vm", "nic", "data-disk", ...), for the summary.
    resource_ids: dict[str, str] = field(default_factory=dict)
    # Built by the demo's stand-in: the commands the summary gives carry --demo.
    demo: bool = False
