"""SUMMARY.md: what was created and what to do next (Markdown, LF line ends, ASCII).

The primary target is HPC Pack 2016/2019 compute nodes that reach the server's virtual network
(Azure IaaS nodes in it or in a peered one, on-premises nodes over VPN or ExpressRoute); the
classic Azure burst nodes are described as legacy (Cloud Services (classic) was retired on
31 August 2024)."""
from __future__ import annotations

from collections.abc import Sequence

from wizard.artifacts.jobxml import CONNECT_ATTEMPTS, EXAMPLE_STDERR, EXAMPLE_STDOUT, JOBS_FOLDER
from wizard.artifacts.safety import Values
from wizard.plan import verify_command

_ACCESS = {
    "read": "read only",
    "change": "read, write and delete (change)",
    "full": "full control (also change permissions)",
}
#: Where nodeprep.cmd appends its one-line result on each node.
NODEPREP_LOG = r"C:\Windows\Temp\hpcshare-nodeprep.log"


def _scopes(v: Values) -> tuple[str, str]:
    """(NSG scope, Windows Firewall scope) of TCP 445, as sentences."""
    if v.smb_sources == ("VirtualNetwork",):
        return ("`VirtualNetwork`: this virtual network, peered virtual networks and on-premises ranges "
                "connected through a VPN or ExpressRoute gateway",
                f"only this virtual network's own address space (`{v.vnet_cidr}`, or the ranges an existing "
                "VNet has): nodes in a peered VNet or on premises pass the NSG but not the firewall. List "
                "their ranges in `endpoints.smb_source` (comma-separated) to admit them on both.")
    if v.smb_sources == ("AzureLoadBalancer",):
        return ("`AzureLoadBalancer`", "the Azure platform address `168.63.129.16` only")
    ranges = ", ".join(f"`{s}`" for s in v.smb_sources)
    return (ranges, f"the same ranges: {ranges}")


def render_summary(v: Values, *, embedded: bool, assessment: Sequence[str] = ()) -> str:
    """``assessment``: the run's cost, quota and throughput lines (``Assessment.text_lines``);
    empty when the run did not compute one (no such section then)."""
    verify_host = v.fqdn or v.public_ip or v.private_ip
    group = v.node_group or "GROUP"
    nsg_scope, firewall_scope = _scopes(v)
    out: list[str] = []
    add = out.append
    add(f"# hpcshare: {v.profile}")
    add("")
    add(f"An SMB file server on Azure for HPC Pack jobs, and the files that make the compute nodes "
        f"use it. Written by hpcshare for profile `{v.profile}`; regenerate them with "
        f"`{v.command('generate')}`.")
    add("")
    add("The nodes this is for: HPC Pack 2016 or 2019 compute nodes that reach the server's virtual "
        "network (Azure IaaS nodes in it or in a peered VNet, or on-premises nodes over VPN or "
        "ExpressRoute). Classic Azure burst nodes are legacy (see the end of step 1).")
    add("")
    add("## What was created")
    add("")
    add("| | |")
    add("| --- | --- |")
    add(f"| Subscription | `{v.subscription_id}` |")
    add(f"| Resource group | `{v.resource_group}` (region `{v.region}`) |")
    add(f"| File server (VM and Windows computer name) | `{v.server}` |")
    add(f"| Private IP | `{v.private_ip}` |")
    add(f"| Name the nodes use | `{v.host}` |")
    add(f"| Private DNS zone | {f'`{v.dns_zone}` (A record `{v.host}` -> `{v.private_ip}`)' if v.dns_zone else 'none (hosts entry on each node)'} |")
    add(f"| Public IP | {f'`{v.public_ip}`' if v.public_ip else 'none'} |")
    add(f"| DNS name | {f'`{v.fqdn}`' if v.fqdn else 'none'} |")
    add(f"| Share | `{v.unc}` |")
    add(f"| Share user | `{v.account}`: {_ACCESS[v.access]} |")
    add(f"| SMB encryption | {'required (clients need SMB 3: Windows Server 2012 or later)' if v.encrypt else 'not required'} |")
    add(f"| Node group | {f'`{v.node_group}`' if v.node_group else 'none: the job may run on any node'} |")
    add("")
    add("Who may reach TCP 445 (SMB):")
    add("")
    add(f"- Network security group: {nsg_scope}.")
    add(f"- Windows Firewall on the server: {firewall_scope}")
    add("")
    if v.resource_ids:
        add("Azure resources (all tagged `managed-by: hpcshare` and "
            f"`hpcshare-profile: {v.profile}`):")
        add("")
        for step, rid in v.resource_ids:
            add(f"- {step}: `{rid}`")
        add("")
    out += assessment_section(assessment)
    add("## Where the share password lives")
    add("")
    add("The share password is in none of these files"
        + (", except `job-template.xml`, which holds it because it was asked for "
           "(`--embed-password`; the file is readable by its owner only: mode 0600, and an owner-only "
           "ACL on Windows). Keep it private."
           if embedded else "."))
    add("Once a job is submitted it is also:")
    add("")
    add("- in the Node Preparation task's command line in the scheduler database until the job is "
        "purged: the job owner and every cluster administrator can read it (HPC Job Manager, "
        "`task view`, `Export-HpcJob`, Copy Job);")
    add("- in the command lines of `cmd.exe`, `cmdkey.exe` and `net.exe` on each node (security tools, "
        "and event 4688 when command-line auditing is on);")
    add(f"- in the job user's credential vault on each node (`cmdkey`) until the Node Release task "
        f"removes it (`cmdkey /delete:{v.host}`);")
    add("- on the submit host, in PowerShell module logging (event 4103) when that is turned on: it "
        "records the `Set-HpcTask -CommandLine` call. `submit-job.ps1` puts the placeholder back "
        "before it cancels a job it could not submit.")
    add("")
    add(f"So give `{v.user}` access to this share only, and change its password when a cluster "
        "administrator leaves. On a cluster with Active Directory, a domain-joined file server needs no "
        "share password at all (see \"Domain-joined clusters\" below).")
    add("")
    add("## Files in this folder")
    add("")
    add("| File | What it is for |")
    add("| --- | --- |")
    add(f"| `nodeprep.cmd` | Adds `{v.private_ip} {v.host}` to a node's hosts file once (running it again "
        "changes nothing), flushes the DNS cache and appends its result to "
        f"`{NODEPREP_LOG}`. Exits 0; `nodeprep.cmd /strict` exits 1 when the hosts file could not be "
        "updated. |")
    add("| `clusrun-hosts.cmd` | Runs `nodeprep.cmd /strict` on the nodes of a node group through `clusrun`. |")
    add("| `job-template.xml` | An HPC Pack job: a Node Preparation task stores the credential and "
        "connects the share, an example task works in it, a second one shows what a task can see, a "
        "Node Release task disconnects it. |")
    add("| `submit-job.ps1` | Submits the job with HPC PowerShell; asks for the share password and never "
        "writes it to a file. |")
    add("| `submit-job.cmd` | Submits the job with the `job` command (hands over to `submit-job.ps1` while "
        "the job file holds no password). |")
    add("| `check-share.cmd` | Checks the share from every compute node (clusrun) and says per node "
        "what fails. |")
    add("| `SUMMARY.md` | This page. |")
    add("")
    add("## 1. Let the nodes find the server by name")
    add("")
    add(f"Jobs reach the share as `{v.unc}`, so every node that runs them must resolve `{v.host}` to "
        f"`{v.private_ip}`. Without that, `net use` fails with system error 53.")
    add("")
    if v.dns_zone:
        add(f"The A record `{v.host}` is in the Azure Private DNS zone `{v.dns_zone}`, linked to the "
            "server's virtual network. Nodes in that VNet that use Azure's DNS (the default) resolve it "
            "with no change on the node. Nodes in a peered VNet need the zone linked to their VNet as "
            "well; a VNet whose DNS servers are your own (for example the domain controllers) needs a "
            f"conditional forwarder for `{v.dns_zone}` to `168.63.129.16`. Nodes that can use neither "
            "get the hosts entry as below.")
        add("")
    else:
        add("Each node needs the hosts entry that `nodeprep.cmd` writes (or a DNS record for the name in "
            "your own DNS, see \"Domain-joined clusters\").")
        add("")
    add(f"Nodes that run now: on the head node, as a cluster administrator, run `clusrun-hosts.cmd "
        f"{group}`" + (" (that node group is the default)" if v.node_group else "") + ". It needs nothing "
        "on the nodes but PowerShell; each node prints one `hpcshare:` line, and `clusrun` reports a node "
        f"whose hosts file could not be updated as failed. Check one node with "
        f"`clusrun /nodegroup:{group} ping -n 1 {v.host}`.")
    add("")
    add("Nodes added later: call `nodeprep.cmd` from the startup script or deployment step your nodes "
        "already run (`call nodeprep.cmd` from a copy on the node image or on a share the nodes already "
        "read), rather than replacing that script. The line it appends to "
        f"`{NODEPREP_LOG}` shows afterwards what happened on each node.")
    add("")
    add("If your cluster keeps packages in Azure storage for its nodes, the `hpcpack` route also works "
        "and keeps the `clusrun` command line short (check the options for your HPC Pack version):")
    add("")
    add("```")
    add("hpcpack create hpcshare.zip nodeprep.cmd")
    add("hpcpack upload hpcshare.zip /account:STORAGEACCOUNT /sas:SASTOKEN /relativePath:hpcshare")
    add(f"clusrun /nodegroup:{group} hpcsync")
    add(f"clusrun /nodegroup:{group} %CCP_PACKAGE_ROOT%\\hpcshare\\nodeprep.cmd /strict")
    add("```")
    add("")
    if v.node_group:
        add(f"The job runs only on node group `{v.node_group}` (`NodeGroups` in `job-template.xml`), the "
            "same group `clusrun-hosts.cmd` prepares.")
    else:
        add("No node group was given (`cluster.node_group`), so the job may land on any node, including "
            "nodes without the hosts entry or without a route to the server: there the Node Preparation "
            "task fails and the node is left out of the job. Set `cluster.node_group` and run "
            f"`{v.command('generate')}`, or add `NodeGroups=\"GROUP\"` to the `Job` "
            "element of `job-template.xml`.")
    add("")
    add("Legacy: classic HPC Pack Azure burst nodes (worker roles added through an Azure node template, "
        "node group `AzureNodes`) ran on Cloud Services (classic), which Microsoft retired on 31 August "
        "2024. They sat outside the virtual network, so this private address never reached them; they "
        "would have needed a classic VNet connected to the server's VNet, or a public IP with the NSG "
        "limited to the cloud service's address, and `nodeprep.cmd` as the node template's startup "
        "script.")
    add("")
    add("## 2. Submit a job")
    add("")
    add("On the head node or a client with the HPC Pack utilities, in this folder:")
    add("")
    add("```")
    add(r".\submit-job.ps1 -Scheduler HEADNODE")
    add("```")
    add("")
    add("It asks for the share password, fills it into the Node Preparation task in memory (escaped for "
        "cmd.exe, net.exe, cmdkey.exe and HPC's `*` rule) and submits the job. `submit-job.cmd "
        "[HEADNODE]` does the same through the `job` command. Without a head node name both use "
        "`CCP_SCHEDULER` (the .ps1 falls back to this computer).")
    add("")
    add("If PowerShell refuses to run the script (execution policy, or a file marked as downloaded), run "
        "`powershell -ExecutionPolicy Bypass -File .\\submit-job.ps1` or use `submit-job.cmd`, which does that.")
    add("")
    add(f"On each node the Node Preparation task stores the credential for the job's user "
        f"(`cmdkey /add:{v.host}`), then connects the share, up to {CONNECT_ATTEMPTS} attempts about five "
        "seconds apart. A `net use` connection belongs to one logon session, and HPC Pack does not "
        "document that all tasks of a job share one; the stored credential belongs to the user, so "
        "every task of that user can use it. If `cmdkey` says it cannot save credentials from this "
        "logon session, the task goes on: the \"Check access\" task then shows whether later tasks "
        "still reach the share.")
    add("")
    if v.access == "read":
        add(f"The example task runs `pushd {v.unc} && dir`; with read-only access its output stays in the "
            "scheduler (`job view ID /detailed`).")
    else:
        add(f"The example task runs `pushd {v.unc}\\{JOBS_FOLDER} && hostname && cd` and writes "
            f"`{v.unc}\\{JOBS_FOLDER}\\{EXAMPLE_STDOUT}`.")
    add("")
    add("The task \"Check access\" prints `whoami`, `net use`, the stored credential and a `dir` of the "
        "share into the scheduler: after the first run it shows whether tasks use the connection of the "
        "Node Preparation task, the stored credential, or neither.")
    add("")
    add("Pattern for real work: keep the Node Preparation and Node Release tasks, and start each task "
        "with `pushd`, because cmd.exe cannot use a UNC path as its current directory (it prints \"UNC "
        "paths are not supported. Defaulting to Windows directory.\" and works in C:\\Windows):")
    add("")
    add("```")
    add(f"cmd /c pushd {v.unc}\\{JOBS_FOLDER} && myapp.exe input.dat")
    add("```")
    add("")
    if v.access != "read":
        add(f"With a UNC working directory that banner also shows up in `{EXAMPLE_STDERR}`; after `pushd` "
            "it does no harm.")
        add("")
    add("## Domain-joined clusters")
    add("")
    add("HPC Pack 2016/2019 clusters with Active Directory run tasks as the submitting domain user. There "
        "the usual way needs no share password and no Node Preparation task: join the file server to the "
        "domain, grant the users' domain group access to the share and its folder, and publish the name "
        f"in the domain's DNS (or in a private DNS zone, `endpoints.private_dns_zone`). Jobs then use "
        f"`\\\\SERVER.DOMAIN\\{v.share}` directly. hpcshare does not join domains: do it on the server, then "
        "remove the Node Preparation and Node Release tasks from the job.")
    add("")
    add("## 3. Verify")
    add("")
    add("From this machine (it asks for the share password, or reads `HPCSHARE_SHARE_PASSWORD`):")
    add("")
    add("```")
    add(verify_command(verify_host, v.share, v.user))
    add("```")
    add("")
    if v.fqdn or v.public_ip:
        add("This goes over the public IP: it works only if the network security group lets this "
            "machine reach TCP 445 (by default only the virtual network may), and many networks "
            "block outgoing port 445.")
    else:
        add(f"`{v.private_ip}` is a private address: run this from a machine in the server's virtual "
            "network (or one connected to it).")
    add("")
    out.extend(check_share_section(v))
    add("## 4. Tear down")
    add("")
    add("```")
    add(v.command("teardown"))
    add("```")
    add("")
    add("It deletes only the Azure resources tagged for this profile, after you type a confirmation"
        + (f" (the private DNS zone `{v.dns_zone}` with its record and VNet link included)" if v.dns_zone else "")
        + ". The data disk and everything on the share go with them. Remove the hosts entry from the "
        "nodes and the `nodeprep.cmd` call from their startup script yourself.")
    add("")
    add("## If a password is lost")
    add("")
    add("A generated password is shown once and saved nowhere. To set a new one:")
    add("")
    add("```")
    add(v.command("reset-password", "--user", "admin"))
    add(v.command("reset-password", "--user", "share"))
    add("```")
    add("")
    add("The new password comes from `HPCSHARE_ADMIN_PASSWORD` or `HPCSHARE_SHARE_PASSWORD`, a prompt, "
        "or is generated and shown once (never from the command line). `--user admin` sets the VM's "
        "local administrator through a managed Run Command; `--user share` runs the server "
        f"configuration again with the new password, then its self-test. After a share password "
        f"change, `{v.user}`'s old password no longer works on the nodes: submit-job asks for the "
        "password at submit time; a job template with an embedded password must be generated again.")
    add("")
    add("## When something fails")
    add("")
    add("| Error | Usual cause |")
    add("| --- | --- |")
    add(f"| System error 53 (network path not found) | the node does not resolve `{v.host}` (step 1), or "
        "TCP 445 is blocked: check both the network security group and the Windows Firewall on the "
        "server (their scopes are listed under \"What was created\") |")
    add("| System error 67 (network name not found) | wrong share name |")
    add("| System error 86 or 1326 | wrong password or user; the user is "
        f"`{v.account}` (a local account of the server) |")
    add("| System error 5 (access denied) | share or folder permissions |")
    add("| System error 1219 (multiple connections) | an older connection to the server with other "
        "credentials; the Node Preparation task drops connections to the share first |")
    add("| \"UNC paths are not supported\" | a task started cmd.exe in a UNC folder: start it with `pushd` |")
    add(f"| A node is left out of the job | its Node Preparation task failed {CONNECT_ATTEMPTS} times: see "
        "that task's output |")
    add("")
    return "\n".join(out)


def check_share_section(v: Values) -> list[str]:
    """How to prove the share from every node: after the first deployment and after any change to
    the cluster's network (new nodes, node groups, VNet peering, NSG or firewall rules, DNS)."""
    group = v.node_group or "NODEGROUP"
    return [
        "## Check the share from every node",
        "",
        "Run this after the first deployment and again after any change to the cluster's network "
        "(new nodes or node groups, VNet peering or VPN, NSG or firewall rules, DNS). On the head node, "
        "as a cluster administrator, in this folder:",
        "",
        "```",
        f"check-share.cmd /clusrun {group}",
        "```",
        "",
        *([f"`{v.node_group}` is also the default: `check-share.cmd /clusrun` alone checks it.", ""]
          if v.node_group else []),
        f"It asks for the share password once, then on each node checks that `{v.host}` resolves to "
        f"`{v.private_ip}`, that TCP 445 answers, that `{v.account}` connects `{v.unc}`, "
        + ("that the share can be listed (read-only access)" if v.access == "read" else
           "that a file can be written, read back and deleted in a folder of its own")
        + ", and that the connection is removed. Nothing is left on the nodes. It saves clusrun's output "
        "in `check-share-output.txt`; for a table of the nodes, the first failing check, the Windows "
        "error code and the fix:",
        "",
        "```",
        "hpcshare nodes-report check-share-output.txt",
        "```",
        "",
        "The password is never written to a file: it goes, base64-encoded (not encrypted), in clusrun's "
        "`/env:` argument to the nodes, so it is on the command lines of `clusrun.exe` (head node) and "
        "`net.exe` (each node) while they run. In a job instead of clusrun, run `check-share.cmd` as one "
        "task per node with `HPCSHARE_SHARE_PASSWORD` set on the task (HPC PowerShell `-Env`).",
        "",
    ]


def assessment_section(lines: Sequence[str]) -> list[str]:
    """What the run estimated before creating anything. The lines carry text from Azure (price
    meters, quota names): kept to printable ASCII, without backticks, inside a fenced block."""
    if not lines:
        return []
    return [
        "## Cost, quota and throughput",
        "",
        "As hpcshare estimated them before this run created anything (list prices, pay-as-you-go, "
        "730 hours a month; the price list and the date it was fetched are named below).",
        "",
        "```",
        *(_plain_ascii(line) for line in lines),
        "```",
        "",
    ]


def _plain_ascii(line: str) -> str:
    return "".join(c if " " <= c <= "~" and c != "`" else "?" for c in str(line))
