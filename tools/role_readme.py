"""Write the variable tables of the roles' READMEs from their meta/argument_specs.yml.

The specs are the single source of every role input; the README tables are generated from them so that they
cannot say something else. Run it after changing a spec; ``--check`` (run by the unit tests) fails and names
the READMEs that are not what the specs give.

    python tools/role_readme.py [--check] [ROLE ...]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from antsibull_docs_parser import dom
from antsibull_docs_parser.parser import Context, Whitespace, parse

ROOT = Path(__file__).resolve().parents[1]
BEGIN = "<!-- BEGIN argument_specs -->"
END = "<!-- END argument_specs -->"
NOTE = "<!-- Generated from meta/argument_specs.yml by tools/role_readme.py: edit the spec, then run the script. -->"
HEADER = ("Variable", "Type", "Default", "Choices", "Required", "Description")
TABLE_SECTION = "## Variables"


def code(text: str) -> str:
    """A Markdown code span that survives backticks in the text."""
    text = " ".join(text.split())
    if not text:
        return "` `"
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def escape(text: str) -> str:
    """Plain text as Markdown: no accidental emphasis, links or HTML tags."""
    text = re.sub(r"([\\`*\[\]])", r"\\\1", text)
    text = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", text)
    return text.replace("<", "&lt;").replace(">", "&gt;")


def value(data: Any) -> str:
    return code(json.dumps(data, ensure_ascii=False))


class _Renderer:
    """Renders the parts of one description, relative to the role and entry point it belongs to."""

    def __init__(self, collection: str, role: str) -> None:
        self.collection = collection
        self.role = role

    def option(self, part: dom.OptionNamePart | dom.ReturnValuePart) -> str:
        name = code(f"{part.name}={part.value}" if part.value is not None else part.name)
        plugin = part.plugin
        if plugin is None or plugin.fqcn == f"{self.collection}.{self.role}":
            return name
        if plugin.type == "role" and plugin.fqcn.startswith(f"{self.collection}."):
            short = plugin.fqcn.rpartition(".")[2]
            return f"{name} (role [{code(short)}](../{short}/README.md))"
        return f"{name} ({plugin.type} {code(plugin.fqcn)})"

    def part(self, part: dom.AnyPart) -> str:
        kind = part.type
        if kind == dom.PartType.TEXT:
            return escape(part.text)
        if kind in (dom.PartType.CODE, dom.PartType.OPTION_VALUE):
            return code(part.text if kind == dom.PartType.CODE else part.value)
        if kind == dom.PartType.ENV_VARIABLE:
            return code(part.name)
        if kind in (dom.PartType.OPTION_NAME, dom.PartType.RETURN_VALUE):
            return self.option(part)
        if kind == dom.PartType.ITALIC:
            return f"*{escape(part.text)}*"
        if kind == dom.PartType.BOLD:
            return f"**{escape(part.text)}**"
        if kind == dom.PartType.URL:
            return f"<{part.url}>"
        if kind == dom.PartType.LINK:
            return f"[{escape(part.text)}]({part.url})"
        if kind == dom.PartType.RST_REF:
            return escape(part.text)
        if kind == dom.PartType.MODULE:
            return code(part.fqcn)
        if kind == dom.PartType.PLUGIN:
            return code(part.plugin.fqcn)
        if kind == dom.PartType.HORIZONTAL_LINE:
            return "<hr>"
        raise ValueError(f"cannot render {kind}")  # ErrorPart does not occur: parse() raises instead

    def description(self, text: str | Sequence[str] | None, entry_point: str) -> str:
        if not text:
            return ""
        context = Context(
            current_plugin=dom.PluginIdentifier(fqcn=f"{self.collection}.{self.role}", type="role"),
            role_entrypoint=entry_point,
        )
        paragraphs = parse(text, context, errors="exception", whitespace=Whitespace.STRIP)
        return "<br><br>".join("".join(self.part(part) for part in paragraph).strip() for paragraph in paragraphs)


def _type(spec: Mapping[str, Any]) -> str:
    kind = spec.get("type", "str")
    return f"{kind} of {spec['elements']}" if "elements" in spec else kind


def _rows(
    options: Mapping[str, Any], renderer: _Renderer, entry_point: str, prefix: str = ""
) -> Iterator[tuple[str, ...]]:
    for name, spec in options.items():
        spec = spec or {}
        full = f"{prefix}{name}"
        choices = spec.get("choices")
        yield (
            code(full),
            _type(spec),
            value(spec["default"]) if "default" in spec else "",
            ", ".join(value(choice) for choice in choices) if choices else "",
            "yes" if spec.get("required") else "no",
            renderer.description(spec.get("description"), entry_point),
        )
        if spec.get("options"):
            nested = f"{full}[]." if spec.get("type") == "list" else f"{full}."
            yield from _rows(spec["options"], renderer, entry_point, nested)


def _table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    return [line(HEADER), "|" + "---|" * len(HEADER), *(line(row) for row in rows)]


def _names(names: Sequence[str]) -> str:
    spans = [code(name) for name in names]
    return spans[0] if len(spans) == 1 else ", ".join(spans[:-1]) + f" and {spans[-1]}"


def render(role: str, argument_specs: Mapping[str, Any], collection: str) -> str:
    """The generated block (markers included) for one role's ``argument_specs`` mapping."""
    renderer = _Renderer(collection, role)
    groups: list[tuple[list[str], Mapping[str, Any]]] = []
    for entry_point, spec in argument_specs.items():
        options = (spec or {}).get("options") or {}
        for names, known in groups:
            if known == options:
                names.append(entry_point)
                break
        else:
            groups.append(([entry_point], options))

    lines = [BEGIN, NOTE]
    for names, options in groups:
        if len(argument_specs) > 1:
            label = "Entry points" if len(names) > 1 else "Entry point"
            lines += ["", f"{label} {_names(names)}:" if options else f"{label} {_names(names)}: no variables."]
        if options:
            lines += ["", *_table(list(_rows(options, renderer, names[0])))]
    return "\n".join([*lines, "", END])


def update(readme: str, block: str) -> str:
    """The README with its generated block (or else the first table of its Variables section) replaced."""
    if BEGIN in readme and END in readme:
        start = readme.index(BEGIN)
        end = readme.index(END, start) + len(END)
        return readme[:start] + block + readme[end:]
    lines = readme.splitlines()
    if TABLE_SECTION not in lines:
        return readme.rstrip("\n") + f"\n\n{TABLE_SECTION}\n{block}\n"
    start = lines.index(TABLE_SECTION) + 1
    section_end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    table = next((i for i in range(start, section_end) if lines[i].startswith("|")), None)
    if table is None:
        lines[start:start] = [block]
    else:
        table_end = next((i for i in range(table, section_end) if not lines[i].startswith("|")), section_end)
        lines[table:table_end] = [block]
    return "\n".join(lines) + "\n"


def collection_name(root: Path) -> str:
    galaxy = yaml.safe_load((root / "galaxy.yml").read_text(encoding="utf-8"))
    return f"{galaxy['namespace']}.{galaxy['name']}"


def run(roles: Sequence[Path], collection: str, check: bool) -> list[Path]:
    """Regenerate (or with ``check`` only compare) each role's README; return those that differ."""
    drifted = []
    for role in roles:
        spec_file = role / "meta" / "argument_specs.yml"
        specs = yaml.safe_load(spec_file.read_text(encoding="utf-8"))["argument_specs"]
        try:
            block = render(role.name, specs, collection)
        except ValueError as error:
            raise SystemExit(f"{spec_file}: {error}") from error
        readme = role / "README.md"
        current = readme.read_text(encoding="utf-8") if readme.exists() else f"# {collection}.{role.name}\n"
        wanted = update(current, block)
        if wanted != current:
            drifted.append(readme)
            if not check:
                readme.write_text(wanted, encoding="utf-8")
    return drifted


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("roles", nargs="*", help="role names (default: every role with meta/argument_specs.yml)")
    parser.add_argument("--check", action="store_true", help="change nothing; fail if a README is out of date")
    parser.add_argument("--root", type=Path, default=ROOT, help="collection root (default: %(default)s)")
    args = parser.parse_args(argv)

    roles_dir = args.root / "roles"
    if args.roles:
        roles = [roles_dir / name for name in args.roles]
    else:
        roles = sorted(path.parents[1] for path in roles_dir.glob("*/meta/argument_specs.yml"))
    missing = [role.name for role in roles if not (role / "meta" / "argument_specs.yml").is_file()]
    if missing:
        parser.error(f"no meta/argument_specs.yml for: {', '.join(missing)}")

    drifted = run(roles, collection_name(args.root), args.check)
    for readme in drifted:
        where = readme.relative_to(args.root) if readme.is_relative_to(args.root) else readme
        print(f"{where}: {'out of date with meta/argument_specs.yml' if args.check else 'updated'}")
    if args.check and drifted:
        print("Run: python tools/role_readme.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
