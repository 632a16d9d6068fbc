"""SUMMARY.md for the Azure Files backend (share.backend = "azure-files"): the same files, a
different server. Markdown, LF line ends, ASCII; render_artifacts uses it in place of
summary.render_summary's VM text."""
from __future__ import annotations

from collections.abc import Sequence

from wizard.artifacts.safety import Values
from wizard.artifacts.summary import NODEPREP_LOG, assessment_section
from wizard.plan import FILES_DNS_ZONE as ZONE
from wizard.plan import key_list_command, verify_command


def render_files_summary(v: Values, *, embedded: bool, assessment: Sequence[str] = ()) -> str:
    """``assessment``: the run's cost, quota and throughput lines, as for the VM backend."""
    group = v.node_group or "GROUP"
    out: list[str] = []
    add = out.append
    add(f"# hpcshare: {v.profile}")
    add("")
    add(f"An Azure Files premium share for HPC Pack jobs, reached through a private endpoint in the "
        f"cluster's virtual network, and the files that make the compute nodes use it. Written by "
        f"hpcshare for profile `{v.profile}`; regenerate them with `{v.command('generate')}`.")
    add("")
    add("## What was created")
    add("")
    add("| | |")
    add("| --- | --- |")
    add(f"| Subscription | `{v.subscription_id}` |")
    add(f"| Resource group | `{v.resource_group}` (region `{v.region}`) |")
    add(f"| Storage account | `{v.files_account}` (FileStorage, premium; public network access disabled, "
        "TLS 1.2 minimum, SMB 3.1.1 only) |")
    add(f"| Share | `{v.unc}` |")
    add(f"| Private endpoint address | `{v.private_ip}` (sub-resource `file`, in the subnet) |")
    add(f"| Private DNS zone | `{ZONE}` linked to the VNet, A record `{v.files_account}` -> `{v.private_ip}` |")
    add(f"| Share user | `{v.account}` with the storage account key: full control |")
    add("| SMB encryption | always (Azure Files requires encryption in transit) |")
    add(f"| Node group | {f'`{v.node_group}`' if v.node_group else 'none: the job may run on any node'} |")
    add("")
    if v.resource_ids:
        add(f"Azure resources (tagged `managed-by: hpcshare` and `hpcshare-profile: {v.profile}`):")
        add("")
        for step, rid in v.resource_ids:
            add(f"- {step}: `{rid}`")
        add("")
    add("## Where the account key lives")
    add("")
    add("The share credential is the storage account key. It gives full control of every share in the "
        "account, and it is in none of these files"
        + (", except `job-template.xml`, which holds it because it was asked for (`--embed-password`; "
           "mode 0600). Keep it private." if embedded else "."))
    add("Once a job is submitted it is in the Node Preparation task's command line (the job owner and "
        "every cluster administrator can read it), in the command lines of `cmdkey` and `net use` on "
        "each node, and in the job user's credential vault until Node Release removes it. Rotate it "
        f"(`az storage account keys renew --account-name {v.files_account} --key key1`) when a cluster "
        "administrator leaves; hpcshare shows key1 once at the end of a run.")
    add("")
    add("## 1. How the nodes find the share")
    add("")
    add(f"Jobs reach the share as `{v.unc}`. Azure answers `{v.host}` with a CNAME to "
        f"`{v.files_account}.{ZONE}`; inside a VNet linked to the private DNS zone `{ZONE}` (hpcshare "
        f"linked the share's VNet) that name resolves to the private endpoint, `{v.private_ip}`. "
        "So nodes in this VNet that use Azure-provided DNS need nothing else: no hosts entry.")
    add("")
    add("Nodes that use their own DNS servers (a domain controller, on premises, a peered VNet not "
        f"linked to the zone) need a conditional forwarder for `file.core.windows.net` to "
        "`168.63.129.16` (from inside the VNet), or a link of the zone to their VNet, or the hosts "
        f"entry that `nodeprep.cmd` writes (`{v.private_ip} {v.host}`; its result goes to "
        f"`{NODEPREP_LOG}`). Outside the VNet the name resolves to the public endpoint, which this "
        "account refuses (public network access is disabled): `net use` then fails with system error 53.")
    add("")
    add(f"On running nodes: `clusrun-hosts.cmd {group}` runs `nodeprep.cmd /strict` on the group.")
    add("")
    add("## 2. Submit the job")
    add("")
    add("Get the key where you are signed in to Azure (it is shown there, not stored by hpcshare):")
    add("")
    add("```")
    add(key_list_command(v.resource_group, v.files_account))
    add("```")
    add("")
    add("`submit-job.ps1` asks for the key (paste key1; it is never written to a file) and submits "
        "`job-template.xml`; its Node Preparation task connects the share as "
        f"`{v.account}` and creates the `jobs` folder, Node Release disconnects it.")
    add("")
    add("## 3. Check from the nodes")
    add("")
    add(f"`check-share.cmd` checks on every node that `{v.host}` resolves to `{v.private_ip}` and that "
        "the share connects with the key. From a machine in the VNet:")
    add("")
    add("```")
    add(verify_command(v.host, v.share, v.account))
    add("```")
    add("")
    out += assessment_section(assessment)
    add("## 4. Tear down")
    add("")
    add("```")
    add(v.command("teardown"))
    add("```")
    add("")
    add("It deletes the private endpoint, the storage account (with the share and everything on it), "
        f"the zone `{ZONE}` with its record and VNet link, and the VNet and group when hpcshare "
        "created them. Remove the hosts entries and the `nodeprep.cmd` call from the nodes yourself.")
    add("")
    add("## When something fails")
    add("")
    add("| Error | Usual cause |")
    add("| --- | --- |")
    add(f"| System error 53 | `{v.host}` does not resolve to `{v.private_ip}` on the node (step 1) |")
    add("| System error 86 or 1326 | wrong key, or a user other than "
        f"`{v.account}` |")
    add("| System error 67 | wrong share name (Azure Files share names are lower-case) |")
    add("")
    return "\n".join(out)
