#!/usr/bin/env python3
"""check_options.py — the user guide is the one list of lockwatch's options and exit codes; the
man page, `lockwatch --help` and the README must agree with it.

  check_options.py --guide docs/user-guide.md --man docs/lockwatch.1 --readme README.md
                   --lockwatch build/bin/lockwatch

From the guide it reads the table under "## Options" (first column: the option, `--name`,
`--name=VALUE` or `--name[=VALUE]`) and the table under "## Exit codes" (first column: the code;
the phrases in bold in the second are what every description of that code must say). Then:
  - the man page's OPTIONS and `--help`'s option list name the same options, each taking a value,
    an optional value or none, as in the guide;
  - the man page's EXIT STATUS and `--help`'s "Exit status:" list the same codes, and each
    description contains the guide's bold phrases for that code (case and markup ignored);
  - every option the README names is one of the guide's, and every exit code it names is one of
    the guide's.
Prints one line per disagreement; exit status 0 when they agree, 1 otherwise, 2 on bad usage
(a file that cannot be read, a section not found)."""
import argparse
import re
import subprocess
import sys

PROGRAM_STATUS = "status"  # the program's own exit status
SIGNAL_STATUS = "128+signal"


class Bad(Exception):
    """A document lacks what this check reads: bad usage, not a disagreement."""


def normal(text):
    """Lower case, markup and runs of blanks removed, for comparing descriptions."""
    text = text.replace("\\-", "-").replace("\\(em", "-")
    text = re.sub(r"\\f[BIRP]", "", text)
    text = re.sub(r"[`*]", "", text)
    return re.sub(r"\s+", " ", text).strip().lower()


def option_shape(spec):
    """'--name=V' -> ('--name', 'value'); '--name[=V]' -> optional; '--name' -> flag."""
    m = re.match(r"(--?[a-z][a-z0-9-]*)(\[?=)?", spec)
    if not m:
        return None
    shape = "flag" if not m.group(2) else ("optional" if m.group(2) == "[=" else "value")
    return m.group(1), shape


def section(lines, start, stop):
    """The lines after the first that matches `start`, up to the next that matches `stop`."""
    for i, line in enumerate(lines):
        if re.match(start, line):
            out = []
            for rest in lines[i + 1:]:
                if re.match(stop, rest):
                    break
                out.append(rest)
            return out
    raise Bad(f"no section matching {start!r}")


def table_rows(lines):
    rows = []
    for line in lines:
        if line.startswith("|") and not re.match(r"\|\s*-", line):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            rows.append(cells)
    return rows[1:]  # the header row


def code_key(cell):
    cell = normal(cell)
    if cell.isdigit():
        return int(cell)
    if "128+" in cell:
        return SIGNAL_STATUS
    if "status" in cell or cell in ("n", "status"):
        return PROGRAM_STATUS
    return None


def read_guide(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    options = {}
    for cells in table_rows(section(lines, r"## Options$", r"## ")):
        for spec in re.findall(r"`(-[^`]*)`", cells[0]):
            shape = option_shape(spec.replace("\\|", "|"))
            if shape:
                options[shape[0]] = shape[1]
    codes = {}
    for cells in table_rows(section(lines, r"## Exit codes$", r"## ")):
        key = code_key(cells[0])
        if key is None:
            raise Bad(f"guide: exit code {cells[0]!r} is not a number, 128+N or the status")
        phrases = [normal(p) for p in re.findall(r"\*\*(.+?)\*\*", cells[1])]
        if not phrases:
            raise Bad(f"guide: exit code {cells[0]} has no phrase in bold")
        codes[key] = phrases
    if not options or not codes:
        raise Bad("guide: no options or no exit codes found")
    return options, codes


def read_man(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()

    def entries(part):
        """(.TP tag line as text, description) pairs of a man section."""
        out, tag, desc = [], None, []
        for line in part + [".TP"]:
            if line.startswith(".TP") or line.startswith(".PP"):
                if tag is not None:
                    out.append((tag, " ".join(desc)))
                tag, desc = (None, [])
                if line.startswith(".TP"):
                    tag = ""
                continue
            if tag == "":
                tag = man_text(line, tight=True)
            elif tag is not None:
                desc.append(man_text(line, tight=False))
        return out

    options = {}
    for tag, _ in entries(section(lines, r"\.SH OPTIONS", r"\.SH ")):
        for spec in tag.split(","):
            shape = option_shape(spec.strip())
            if shape:
                options[shape[0]] = shape[1]
    codes = {}
    for tag, desc in entries(section(lines, r"\.SH EXIT STATUS", r"\.SH ")):
        codes[code_key(tag)] = normal(desc)
    return options, codes


def man_text(line, tight):
    """A man source line as plain text. With `tight`, the arguments of the alternating-font
    macros (.BR, .BI, ...) are joined without blanks, as troff prints them."""
    m = re.match(r"\.([BI]R?|[BIR][BIR])\s+(.*)", line)
    if not m:
        return "" if line.startswith(".") else line.replace("\\-", "-")
    args = re.findall(r'"[^"]*"|\S+', m.group(2))
    args = [a.strip('"') for a in args]
    joined = ("" if len(m.group(1)) == 2 else " ").join(args)
    text = re.sub(r"\\f[BIRP]", "", joined).replace("\\-", "-")
    return text if tight else text


def read_help(lockwatch):
    proc = subprocess.run([lockwatch, "--help"], capture_output=True, text=True, timeout=30)
    if proc.returncode != 0:
        raise Bad(f"{lockwatch} --help exited {proc.returncode}")
    lines = proc.stdout.splitlines()
    options = {}
    for line in section(lines, r"Options", r"[A-Z].*:$"):
        m = re.match(r"  (-[^\s,]+(?:, -[^\s,]+)*)", line)
        if m:
            for spec in m.group(1).split(", "):
                shape = option_shape(spec)
                if shape:
                    options[shape[0]] = shape[1]
    codes, key, desc = {}, None, []
    for line in section(lines, r"Exit status:", r"\S") + ["  END -"]:
        m = re.match(r"  (\S+)\s+(.*)", line)
        if m and not line.startswith("   "):
            if key is not None:
                codes[key] = normal(" ".join(desc))
            key, desc = code_key(m.group(1)), [m.group(2)]
        else:
            desc.append(line)
    return options, codes


def read_readme(path):
    """Options and exit codes the README names, outside commands of other tools."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    options, codes = set(), set()
    for line in text.splitlines():
        if re.search(r"\b(ctest|cmake|make|clang|gcc|cc|python3|apt-get|git)\b.*--", line):
            continue  # another tool's options
        options.update(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", line))
        codes.update(int(c) for c in re.findall(r"\bexit(?:s|ing| status| code)?(?: with)? (\d+)", line))
    return options, codes


def compare(where, guide_options, guide_codes, options, codes, problems):
    for name in sorted(set(guide_options) - set(options)):
        problems.append(f"{where}: option {name} of the guide is missing")
    for name in sorted(set(options) - set(guide_options)):
        problems.append(f"{where}: option {name} is not in the guide")
    for name in sorted(set(options) & set(guide_options)):
        if options[name] != guide_options[name]:
            problems.append(f"{where}: option {name} takes {options[name]}, "
                            f"the guide says {guide_options[name]}")
    for code in sorted(set(guide_codes) - set(codes), key=str):
        problems.append(f"{where}: exit code {code} of the guide is missing")
    for code in sorted(set(codes) - set(guide_codes), key=str):
        problems.append(f"{where}: exit code {code} is not in the guide")
    for code in sorted(set(codes) & set(guide_codes), key=str):
        for phrase in guide_codes[code]:
            if phrase not in codes[code]:
                problems.append(f"{where}: exit code {code} does not say {phrase!r}: "
                                f"{codes[code]!r}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--guide", required=True)
    ap.add_argument("--man", required=True)
    ap.add_argument("--readme", required=True)
    ap.add_argument("--lockwatch", required=True)
    args = ap.parse_args()
    try:
        guide_options, guide_codes = read_guide(args.guide)
        man = read_man(args.man)
        helptext = read_help(args.lockwatch)
        readme_options, readme_codes = read_readme(args.readme)
    except (Bad, OSError, subprocess.SubprocessError) as e:
        print(f"check_options: {e}")
        return 2
    problems = []
    compare("man page", guide_options, guide_codes, *man, problems)
    compare("--help", guide_options, guide_codes, *helptext, problems)
    for name in sorted(readme_options - set(guide_options)):
        problems.append(f"README: option {name} is not in the guide")
    for code in sorted(readme_codes - {c for c in guide_codes if isinstance(c, int)}):
        problems.append(f"README: exit code {code} is not in the guide")
    for p in problems:
        print("FAIL " + p)
    print(f"{len(guide_options)} options and {len(guide_codes)} exit codes in the guide; "
          f"{len(problems)} disagreement(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
