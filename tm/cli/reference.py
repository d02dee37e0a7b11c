"""The CLI reference of the docs (`docs/cli.md`), written from the commands themselves so that it
lists every command and option as they are: `python -m tm.cli.reference > docs/cli.md`.
`tests/test_docs.py` fails when the file is not what this writes."""

from __future__ import annotations

import typer.main

from tm.cli import app


def reference() -> str:
    """Markdown: each command (sub-commands under their group) with its help, arguments and options."""
    root = typer.main.get_command(app)
    lines = [
        "# Command reference",
        "",
        "Every `tm` command with its arguments and options, as `tm COMMAND --help` gives them.",
        "Written by `python -m tm.cli.reference > docs/cli.md`; a test keeps it current.",
        "",
    ]
    for name, command in sorted(commands(root)):
        lines += _command(name, command)
    return "\n".join(lines).rstrip() + "\n"


def commands(group, prefix: str = "tm") -> list[tuple[str, object]]:
    """Every command below `group` with its full name (`tm terms export`), groups included."""
    found = []
    context = type(group).context_class(group) if hasattr(type(group), "context_class") else None
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        full = f"{prefix} {name}"
        found.append((full, command))
        if hasattr(command, "list_commands"):
            found += commands(command, full)
    return found


def _command(name: str, command) -> list[str]:
    lines = [f"## `{name}`", "", (command.help or "").strip().replace("\b\n", ""), ""]
    # By kind, not class: typer's parameters need not be the installed click's classes.
    arguments = [p for p in command.params if p.param_type_name == "argument"]
    options = [p for p in command.params if p.param_type_name == "option" and not getattr(p, "hidden", False)]
    if arguments:
        lines.append(
            "Arguments: "
            + ", ".join(f"`{p.name.upper()}`" + (f" ({p.help})" if getattr(p, "help", None) else "") for p in arguments)
        )
        lines.append("")
    for option in options:
        flags = ", ".join(f"`{flag}`" for flag in [*option.opts, *option.secondary_opts])
        default = "" if option.default in (None, False, ()) or option.is_flag else f" (default: `{option.default}`)"
        lines.append(f"- {flags}: {option.help or ''}{default}".rstrip())
    lines.append("")
    return lines


if __name__ == "__main__":
    print(reference(), end="")
