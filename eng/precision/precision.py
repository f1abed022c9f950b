#!/usr/bin/env python3
"""Re-scan the development corpus, carry the labels of sites already read, and rewrite docs/precision.md.

Usage (from the repository root):
    python3 eng/precision/precision.py --corpus /path/to/checkouts [--only jellyfin/jellyfin] [--no-scan]

--corpus DIR holds one checkout per repository, named owner+name (Jackett+Jackett). A missing checkout is cloned
from GitHub at the pinned commit of corpus.tsv. A checkout at another commit is an error: labels are per commit.
Scans go to DIR/.scans/<owner+name>.json (--no-scan reuses them). The scanner is this repository's CLI, built in
Release first.

Fix All verdicts live in eng/precision/fixes.tsv, one line per hunk that `governance fix` wrote on a copy of a corpus
checkout, read by hand:
    repo  path  line  rule  verdict  reason
where verdict is correct (a reviewer would merge it as it stands), questionable or wrong.

Labels live in eng/precision/labels.tsv, one line per site read by hand:
    repo  path  line  rule  severity  label  reason  text
where label is TRUE (a developer who cares would change this code for the reason the message gives) or FP, and
text is the trimmed source line of the finding. A finding keeps its label when the same repository, path, rule and
source text are reported again, even at another line. New findings get label '?' (unread) until someone reads
them; labelled sites no longer reported stay in the file (and in a section of the report), so that a rule change
that loses a TRUE site shows up as lost recall.
"""

import argparse
import collections
import datetime
import json
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus.tsv")
LABELS = os.path.join(HERE, "labels.tsv")
FIXES = os.path.join(HERE, "fixes.tsv")
REPORT = os.path.join(ROOT, "docs", "precision.md")
SCANNER = os.path.join(ROOT, "artifacts", "bin", "Governance.Cli", "release", "Governance.Cli.dll")
COLUMNS = ["repo", "path", "line", "rule", "severity", "label", "reason", "text"]
WARNING_TARGET = 0.90
INFO_TARGET = 0.50
INFO_RATE_LINES = 50_000


def read_corpus():
    repos = []
    with open(CORPUS, encoding="utf-8") as f:
        for raw in f:
            line = raw.strip()
            if line and not line.startswith("#"):
                name, commit = line.split("\t")
                repos.append((name, commit))
    return repos


def checkout(corpus_dir, name, commit):
    folder = os.path.join(corpus_dir, name.replace("/", "+"))
    if not os.path.isdir(folder):
        subprocess.run(["git", "clone", "--quiet", "--no-checkout", f"https://github.com/{name}.git", folder], check=True)
        subprocess.run(["git", "-C", folder, "checkout", "--quiet", commit], check=True)
    head = subprocess.run(["git", "-C", folder, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    if head != commit:
        sys.exit(f"{folder} is at {head}, corpus.tsv pins {commit}")
    return folder


def scan(folder, output):
    subprocess.run(["dotnet", SCANNER, "scan", folder, "--format", "json", "--output", output, "--fail-on", "none"],
                   check=True, stdout=subprocess.DEVNULL)


def source_text(folder, path, line):
    try:
        with open(os.path.join(folder, path), encoding="utf-8-sig", errors="replace") as f:
            for number, text in enumerate(f, start=1):
                if number == line:
                    return " ".join(text.split())
    except OSError:
        pass
    return ""


def read_labels():
    labels = []
    if os.path.exists(LABELS):
        with open(LABELS, encoding="utf-8") as f:
            for raw in f:
                if raw.startswith("#") or not raw.strip():
                    continue
                cells = raw.rstrip("\n").split("\t")
                cells += [""] * (len(COLUMNS) - len(cells))
                row = dict(zip(COLUMNS, cells))
                row["line"] = int(row["line"])
                labels.append(row)
    return labels


def write_labels(rows):
    rows = sorted(rows, key=lambda r: (r["repo"].lower(), r["path"], r["line"], r["rule"]))
    with open(LABELS, "w", encoding="utf-8", newline="\n") as f:
        f.write("# " + "\t".join(COLUMNS) + "\n")
        for row in rows:
            f.write("\t".join(str(row[c]).replace("\t", " ") for c in COLUMNS) + "\n")


def match(finding, labels, used):
    """The label read for this site: same repo, path, rule and source text; the nearest line wins."""
    best = None
    for index, row in enumerate(labels):
        if index in used or row["repo"] != finding["repo"] or row["path"] != finding["path"] or row["rule"] != finding["rule"]:
            continue
        if row["text"] != finding["text"] and row["line"] != finding["line"]:
            continue
        distance = abs(row["line"] - finding["line"]) + (0 if row["text"] == finding["text"] else 1_000_000)
        if best is None or distance < best[0]:
            best = (distance, index)
    return None if best is None else best[1]


def precision_cell(true, fp):
    read = true + fp
    return "n/a" if read == 0 else f"{100.0 * true / read:.0f} %"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", required=True, help="folder of checkouts, one per repository (owner+name)")
    parser.add_argument("--only", action="append", help="scan only this repository (owner/name); repeatable")
    parser.add_argument("--no-scan", action="store_true", help="reuse the last scans in CORPUS/.scans")
    args = parser.parse_args()

    corpus_dir = os.path.abspath(args.corpus)
    scans = os.path.join(corpus_dir, ".scans")
    os.makedirs(scans, exist_ok=True)
    if not args.no_scan:
        subprocess.run(["dotnet", "build", os.path.join(ROOT, "src", "Governance.Cli"), "-c", "Release", "--nologo", "-v", "q"],
                       check=True, stdout=subprocess.DEVNULL)

    labels = read_labels()
    used = set()
    current = []
    stats = []
    for name, commit in read_corpus():
        folder = checkout(corpus_dir, name, commit)
        output = os.path.join(scans, name.replace("/", "+") + ".json")
        if not args.no_scan and (not args.only or name in args.only):
            print(f"scanning {name}", flush=True)
            scan(folder, output)
        if not os.path.exists(output):
            sys.exit(f"no scan of {name}: run without --no-scan")
        with open(output, encoding="utf-8") as f:
            result = json.load(f)
        stats.append((name, commit, result["files"], result["lines"], len(result["diagnostics"]), result.get("analyzerExceptions", 0)))
        for d in result["diagnostics"]:
            finding = {"repo": name, "commit": commit, "path": d["path"], "line": d["line"], "rule": d["id"],
                       "severity": d["severity"], "message": d["message"], "text": source_text(folder, d["path"], d["line"])}
            index = match(finding, labels, used)
            if index is None:
                finding["label"], finding["reason"] = "?", ""
            else:
                used.add(index)
                finding["label"], finding["reason"] = labels[index]["label"], labels[index]["reason"]
            current.append(finding)

    gone = [row for index, row in enumerate(labels) if index not in used]
    write_labels([{c: f[c] for c in COLUMNS} for f in current] + gone)
    write_report(current, gone, stats)
    unread = sum(1 for f in current if f["label"] == "?")
    print(f"{len(current)} findings, {unread} unread; report written to docs/precision.md")


def write_report(current, gone, stats):
    version = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"], capture_output=True, text=True).stdout.strip()
    total_lines = sum(s[3] for s in stats)
    by_rule = collections.OrderedDict()
    for f in sorted(current, key=lambda f: (f["rule"], f["severity"])):
        counts = by_rule.setdefault((f["rule"], f["severity"]), collections.Counter())
        counts[f["label"]] += 1

    out = []
    out.append("# Precision on the development corpus")
    out.append("")
    out.append("Every finding of `governance scan` (source mode) on the development corpus, read by hand with the code around it.")
    out.append("TRUE: a developer who cares would change this code for the reason the message gives. FP: not a leak, with the")
    out.append("code shape that fooled the rule. Targets: precision at warning ≥ 90 % for every rule with ≥ 5 warnings; a")
    out.append("suggestion (info) ≥ 50 % precision or at most one per 50,000 lines; no analyzer exception.")
    out.append("")
    out.append(f"Scanner: this repository at `{version}`; generated {datetime.date.today().isoformat()} by")
    out.append("`python3 eng/precision/precision.py --corpus DIR` (labels in `eng/precision/labels.tsv`; the script keeps the")
    out.append("label of every site already read and marks new ones `?`). Tune only on these repositories: others are kept")
    out.append("aside to measure the result.")
    out.append("")
    out.append("## Per repository")
    out.append("")
    out.append("| repository | commit | files | lines | findings | analyzer exceptions |")
    out.append("|---|---|---:|---:|---:|---:|")
    for name, commit, files, lines, findings, exceptions in stats:
        out.append(f"| {name} | `{commit[:12]}` | {files:,} | {lines:,} | {findings} | {exceptions} |")
    out.append(f"| **all** | | {sum(s[2] for s in stats):,} | {total_lines:,} | {sum(s[4] for s in stats)} | {sum(s[5] for s in stats)} |")
    out.append("")
    out.append("## Per rule and severity")
    out.append("")
    out.append("| rule | severity | findings | TRUE | FP | unread | precision | per 50,000 lines | target met |")
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for (rule, severity), counts in by_rule.items():
        n = sum(counts.values())
        true, fp, unread = counts["TRUE"], counts["FP"], counts["?"]
        rate = n * INFO_RATE_LINES / total_lines if total_lines else 0
        if unread:
            met = "not yet read"
        elif severity in ("warning", "error"):
            met = "yes" if n < 5 or true / n >= WARNING_TARGET else "**no**"
        else:
            met = "yes" if true / n >= INFO_TARGET or rate <= 1 else "**no**"
        out.append(f"| {rule} | {severity} | {n} | {true} | {fp} | {unread} | {precision_cell(true, fp)} | {rate:.2f} | {met} |")
    if not by_rule:
        out.append("| (none) | | 0 | | | | | | |")
    out.append("")
    per_million = len(current) * 1_000_000 / total_lines if total_lines else 0
    out.append(f"All rules together: {len(current)} findings in {total_lines:,} lines, {per_million:.1f} per million lines.")
    out.append("")
    write_fixes(out, current)
    out.append("## Findings")
    out.append("")
    out.append("| repository | commit | path:line | rule | severity | label | reason |")
    out.append("|---|---|---|---|---|---|---|")
    for f in sorted(current, key=lambda f: (f["repo"].lower(), f["path"], f["line"])):
        out.append(f"| {f['repo']} | `{f['commit'][:12]}` | `{f['path']}:{f['line']}` | {f['rule']} | {f['severity']} | {f['label']} | {escape(f['reason'])} |")
    out.append("")
    out.append("## Sites read earlier and no longer reported")
    out.append("")
    out.append("False positives the rules no longer report, and (a loss of recall) any TRUE site they stopped reporting.")
    out.append("")
    out.append("| repository | path:line | rule | severity | label | reason |")
    out.append("|---|---|---|---|---|---|")
    for row in sorted(gone, key=lambda r: (r["label"] != "TRUE", r["repo"].lower(), r["path"], r["line"])):
        out.append(f"| {row['repo']} | `{row['path']}:{row['line']}` | {row['rule']} | {row['severity']} | {row['label']} | {escape(row['reason'])} |")
    out.append("")
    with open(REPORT, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(out))


def write_fixes(out, current):
    """The Fix All hunks read by hand, per rule: a fix is correct only if a reviewer would merge it as it stands."""
    rows = []
    if os.path.exists(FIXES):
        with open(FIXES, encoding="utf-8") as f:
            for raw in f:
                if raw.startswith("#") or not raw.strip():
                    continue
                cells = raw.rstrip("\n").split("\t")
                cells += [""] * (6 - len(cells))
                rows.append(dict(zip(["repo", "path", "line", "rule", "verdict", "reason"], cells)))
    out.append("## Fix All on the corpus")
    out.append("")
    out.append("`governance fix` (Fix All, every rule) on a copy of each checkout with findings; every hunk read by hand.")
    out.append("correct: a reviewer would merge it as it stands (keeps behaviour or its title says what changes, idiomatic")
    out.append("and formatted, follows the file's conventions, drops no data); questionable: the code is sound, but a reviewer")
    out.append("may not want it (mostly: the finding is FP, so the bound is needless) or would touch it up; wrong: must not be")
    out.append("merged (changes behaviour silently, drops data, does not compile, breaks the file's conventions). A finding the fix declines (no safe rewrite) is counted under \"no fix offered\" and has no hunk.")
    out.append("")
    out.append("| rule | findings | no fix offered | hunks | correct | questionable | wrong |")
    out.append("|---|---:|---:|---:|---:|---:|---:|")
    findings = collections.Counter(f["rule"] for f in current)
    by_rule = collections.OrderedDict()
    for rule in sorted(set(findings) | {row["rule"] for row in rows}):
        by_rule[rule] = collections.Counter(row["verdict"] for row in rows if row["rule"] == rule)
    for rule, counts in by_rule.items():
        hunks = sum(counts.values())
        out.append(f"| {rule} | {findings[rule]} | {max(findings[rule] - hunks, 0)} | {hunks} | {counts['correct']} | {counts['questionable']} | {counts['wrong']} |")
    if not by_rule:
        out.append("| (none) | 0 | 0 | 0 | | | |")
    out.append("")
    out.append("| repository | path:line | rule | verdict | why |")
    out.append("|---|---|---|---|---|")
    for row in sorted(rows, key=lambda r: (r["rule"], r["repo"].lower(), r["path"], int(r["line"] or 0))):
        out.append(f"| {row['repo']} | `{row['path']}:{row['line']}` | {row['rule']} | {row['verdict']} | {escape(row['reason'])} |")
    out.append("")


def escape(text):
    return text.replace("|", "\\|")


if __name__ == "__main__":
    main()
