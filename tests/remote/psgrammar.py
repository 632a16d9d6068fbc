"""PowerShell parsed with a published grammar (tree-sitter + tree-sitter-powershell, Airbus CERT),
for the static gate on the scripts nothing here can run (tests/remote/test_cmdlet_gate.py).

Known gaps of the grammar (0.26.x), each worked around by a rewrite that keeps every byte offset,
so names are read back from the original text:

* NUMERIC_MULTIPLIER: ``1GB``, ``16MB``... (about_Numeric_Literals: kb/mb/gb/tb/pb multipliers,
  valid in Windows PowerShell 5.1) parse as a command. The suffix becomes zeros (``1GB`` -> ``100``).
* DIGIT_IN_PARAMETER: a parameter name with a digit (``-EnableSMB1Protocol``, ``-ConfigB64``) ends
  at the digit, and ``-ConfigB64`` even reads as a ``4>`` redirection. Each digit in a parameter
  token becomes ``x`` for parsing only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

NUMERIC_MULTIPLIER = re.compile(r"(?<![\w$])(\d+)(KB|MB|GB|TB|PB)\b", re.IGNORECASE)
DIGIT_IN_PARAMETER = re.compile(r"(?<=[\s(])-[A-Za-z][A-Za-z0-9]*\d[A-Za-z0-9]*:?(?=[\s)]|$)", re.MULTILINE)
GAPS = {"NUMERIC_MULTIPLIER": NUMERIC_MULTIPLIER, "DIGIT_IN_PARAMETER": DIGIT_IN_PARAMETER}


def _parser():  # imported lazily: only the static-gate tests need the grammar
    import tree_sitter
    import tree_sitter_powershell

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))


def bridge_gaps(text: str) -> str:
    """The text with the grammar's known gaps rewritten, same length and line structure."""
    out = NUMERIC_MULTIPLIER.sub(lambda m: m.group(1) + "0" * len(m.group(2)), text)
    out = DIGIT_IN_PARAMETER.sub(lambda m: re.sub(r"\d", "x", m.group(0)), out)
    assert len(out) == len(text)
    return out


@dataclass(frozen=True)
class Parsed:
    text: str
    errors: list[tuple[int, str]]              # (line, source snippet) of each ERROR / MISSING node
    commands: list[tuple[str, str | None, int]]  # (command, parameter or None, line)
    functions: set[str]


def parse(text: str) -> Parsed:
    source = text.encode("utf-8")
    tree = _parser().parse(bridge_gaps(text).encode("utf-8"))

    def original(node) -> str:
        return source[node.start_byte:node.end_byte].decode("utf-8")

    errors: list[tuple[int, str]] = []
    commands: list[tuple[str, str | None, int]] = []
    functions: set[str] = set()
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            errors.append((node.start_point[0] + 1, original(node)[:80]))
        if node.type == "function_statement":
            name = node.child_by_field_name("function_name") or next(
                (c for c in node.children if c.type == "function_name"), None)
            if name is not None:
                functions.add(original(name))
        if node.type == "command":
            name = node.child_by_field_name("command_name")
            if name is not None and name.type == "command_name":
                cmd = original(name)
                line = node.start_point[0] + 1
                commands.append((cmd, None, line))
                elements = node.child_by_field_name("command_elements")
                for el in (elements.children if elements is not None else []):
                    if el.type == "command_parameter":
                        commands.append((cmd, original(el).lstrip("-").rstrip(":"), line))
        stack.extend(reversed(node.children))
    return Parsed(text, errors, commands, functions)
