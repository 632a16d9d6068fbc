"""SUMMARY.md: what was created and what to do next (Markdown, LF line ends, ASCII)."""
from __future__ import annotations

from wizard.artifacts.jobxml import EXAMPLE_STDOUT, JOBS_FOLDER
from wizard.artifacts.safety import Values

NODE_TEMPLATE = "Default AzureNode Template"
NODE_GROUP = "AzureNodes"
_ACCESS = {
    "read": "read only",
    "change": "read, write and delete (change)",
    "full": "full control (also change permissions)",
}


def render_summary(v: Values, *, embedded: bool) -> str:
    verify_host = v.fqdn or v.public_ip or v.private_ip
    out: list[str] = []
    add = out.append
    add(f"# hpcshare: {v.profile}")
    add("")
    add(f"An SMB file server on Azure for HPC Pack jobs, and the files that make the compute nodes "
        f"use it. Written by hpcshare for profile `{v.profile}`; regenerate them with "
        f"`hpcshare generate --profile {v.profile}`.")
    add("")
    add("## What was created")
    add("")
    add("| | |")
    add("| --- | --- |")
    add(f"| Subscription | `{v.subscription_id}` |")
    add(f"| Resource group | `{v.resource_group}` (region `{v.region}`) |")
    add(f"| File server (VM and Windows computer name) | `{v.server}` |")
    add(f"| Private IP | `{v.private_ip}` |")
    add(f"| Public IP | {f'`{v.public_ip}`' if v.public_ip else 'none'} |")
    add(f"| DNS name | {f'`{v.fqdn}`' if v.fqdn else 'none'} |")
    add(f"| Share | `{v.unc}` |")
    add(f"| Share user | `{v.account}`: {_ACCESS[v.access]} |")
    add(f"| SMB encryption | {'required (clients need SMB 3: Windows Server 2012 or later)' if v.encrypt else 'not required'} |")
    add("")
    if v.resource_ids:
        add("Azure resources (all tagged `managed-by: hpcshare` and "
            f"`hpcshare-profile: {v.profile}`):")
        add("")
        for step, rid in v.resource_ids:
            add(f"- {step}: `{rid}`")
        add("")
    add("The share password is in none of these files"
        + (", except `job-template.xml`, which holds it because it was asked for "
           "(`--embed-password`; the file is readable by its owner only: keep it private)."
           if embedded else "."))
    add("")
    add("## Files in this folder")
    add("")
    add("| File | What it is for |")
    add("| --- | --- |")
    add(f"| `nodeprep.cmd` | Startup script for an Azure node template: adds `{v.private_ip} {v.server}` "
        "to the node's hosts file once (running it again changes nothing), flushes the DNS cache, exits 0. |")
    add("| `clusrun-hosts.cmd` | The same, on nodes that already run, through `clusrun`. |")
    add("| `job-template.xml` | An HPC Pack job: a Node Preparation task connects the share, an example task "
        "works in it, a Node Release task disconnects it. |")
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
    add(f"Jobs reach the share as `{v.unc}`, so every compute node must resolve `{v.server}` to "
        f"`{v.private_ip}`. Without that, `net use` fails with system error 53.")
    add("")
    add("New and reprovisioned Azure nodes: make `nodeprep.cmd` the startup script of their node "
        "template. On the head node, in this folder:")
    add("")
    add("```")
    add("hpcpack create nodeprep.zip nodeprep.cmd")
    add(f'hpcpack upload nodeprep.zip /nodetemplate:"{NODE_TEMPLATE}"')
    add("```")
    add("")
    add(f"Use your Azure node template's name if it is not `{NODE_TEMPLATE}`. Then in HPC Cluster "
        "Manager: Configuration, Node Templates, the template, Edit, Startup Script tab: `nodeprep.cmd`, "
        "Save. Nodes run it when they are provisioned or reprovisioned.")
    add("")
    add(f"Nodes that already run: on the head node, as a cluster administrator, run "
        f"`clusrun-hosts.cmd` (node group `{NODE_GROUP}`) or `clusrun-hosts.cmd GROUPNAME` for another "
        "node group. It needs nothing on the nodes but PowerShell; each node prints one `hpcshare:` line. "
        f"Check one node with `clusrun /nodegroup:{NODE_GROUP} ping -n 1 {v.server}`.")
    add("")
    add("Nodes in the server's virtual network that use Azure's own DNS may resolve the name already; "
        "the hosts entry does no harm there.")
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
        "cmd.exe, net.exe and HPC's `*` rule) and submits the job. `submit-job.cmd [HEADNODE]` does the "
        "same through the `job` command. Without a head node name both use `CCP_SCHEDULER` (the .ps1 "
        "falls back to this computer).")
    add("")
    add("If PowerShell refuses to run the script (execution policy, or a file marked as downloaded), run "
        "`powershell -ExecutionPolicy Bypass -File .\\submit-job.ps1` or use `submit-job.cmd`, which does that.")
    add("")
    if v.access == "read":
        add(f"The example task lists `{v.unc}`; with read-only access its output stays in the scheduler "
            "(`job view ID /detailed`).")
    else:
        add(f"The example task runs `hostname` in `{v.unc}\\{JOBS_FOLDER}` and writes "
            f"`{v.unc}\\{JOBS_FOLDER}\\{EXAMPLE_STDOUT}`. Use the same pattern for real work: keep the "
            "Node Preparation and Node Release tasks, and give your tasks a working directory on the share.")
    add("")
    add(f'To run only on Azure nodes, add `NodeGroups="{NODE_GROUP}"` to the `Job` element of '
        "`job-template.xml`.")
    add("")
    add("## 3. Verify")
    add("")
    add("From this machine (it asks for the share password, or reads `HPCSHARE_SHARE_PASSWORD`):")
    add("")
    add("```")
    add(f"hpcshare verify --server {verify_host} --share {v.share} --user {v.user}")
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
    add(f"hpcshare teardown --profile {v.profile}")
    add("```")
    add("")
    add("It deletes only the Azure resources tagged for this profile, after you type a confirmation. "
        "The data disk and everything on the share go with them. Remove the hosts entry from the "
        "nodes and the startup script from the node template yourself.")
    add("")
    add("## When something fails")
    add("")
    add("| Error | Usual cause |")
    add("| --- | --- |")
    add(f"| System error 53 (network path not found) | the node does not resolve `{v.server}` (step 1), "
        "or TCP 445 is blocked (network security group, Windows Firewall) |")
    add("| System error 67 (network name not found) | wrong share name |")
    add("| System error 86 or 1326 | wrong password or user; the user is "
        f"`{v.account}` (a local account of the server) |")
    add("| System error 5 (access denied) | share or folder permissions |")
    add("| System error 1219 (multiple connections) | an older connection to the server with other "
        "credentials; the Node Preparation task drops connections to the share first |")
    add("| A node is left out of the job | its Node Preparation task failed: see that task's output |")
    add("")
    return "\n".join(out)


def check_share_section(v: Values) -> list[str]:
    """How to prove the share from every node: after the first deployment and after any change to
    the cluster's network (new nodes, node groups, VNet peering, NSG or firewall rules, DNS)."""
    return [
        "## Check the share from every node",
        "",
        "Run this after the first deployment and again after any change to the cluster's network "
        "(new nodes or node groups, VNet peering or VPN, NSG or firewall rules, DNS). On the head node, "
        "as a cluster administrator, in this folder:",
        "",
        "```",
        "check-share.cmd /clusrun NODEGROUP",
        "```",
        "",
        f"It asks for the share password once, then on each node checks that `{v.server}` resolves to "
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
