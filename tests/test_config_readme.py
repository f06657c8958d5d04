"""config/README.md describes every key of the config schema and of the built-in
generators; README.md and docs/ name only make targets, paths, config keys, rules and
flags that exist, and README's rule graph is Snakemake's; the catalog file and the
licence agree with the project."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO

from negr2.generators.registry import builtins
from negr2.metrics import REGISTRY, Metric

SCHEMA = yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text())
README = (REPO / "config/README.md").read_text()
#: README's table of metrics (its rows name metrics, not config keys).
METRICS_SECTION = re.search(r"(?ms)^### Metrics$.*?(?=^## )", README).group(0)
#: The scenario keys the built-in generators take (the schema leaves them to them).
GENERATOR_KEYS = {key for generator in builtins().values() for key in generator.params}


def _keys(node: Any) -> Iterator[str]:
    """Every property name anywhere in a JSON schema."""
    if isinstance(node, dict):
        for name, child in (node.get("properties") or {}).items():
            yield name
            yield from _keys(child)
        for key, child in node.items():
            if key != "properties":
                yield from _keys(child)
    elif isinstance(node, list):
        for child in node:
            yield from _keys(child)


def _documented() -> set[str]:
    """The keys of README's tables: the first cell of each row, in backticks (the last
    part of a dotted key such as ``drop_random.k``)."""
    keys = README.replace(METRICS_SECTION, "")
    return {m.split(".")[-1] for m in re.findall(r"^\| `([\w.]+)` \|", keys, flags=re.M)}


def test_schema_has_keys_to_check():
    assert {"study", "trials", "generator", "estimator", "folds", "median_r2"} <= set(_keys(SCHEMA))


@pytest.mark.parametrize("key", sorted(set(_keys(SCHEMA)) | GENERATOR_KEYS))
def test_every_key_is_described(key):
    assert key in _documented(), f"config/README.md has no row for {key!r}"


def test_every_described_key_exists():
    assert _documented() <= set(_keys(SCHEMA)) | GENERATOR_KEYS


def test_catalog_file_declares_the_usage():
    catalog = yaml.safe_load((REPO / ".snakemake-workflow-catalog.yml").read_text())
    deployment = catalog["usage"]["software-stack-deployment"]
    assert set(deployment) <= {"conda", "apptainer", "apptainer+conda", "report"}
    assert deployment["conda"] and deployment["report"]
    assert isinstance(catalog["usage"]["mandatory-flags"]["desc"], str)


def test_licence_matches_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["license"] == {"text": "MIT"}
    assert (REPO / "LICENSE").read_text().startswith("MIT License\n")


def _metric_row(metric: Metric) -> str:
    """The row README's metrics table gives ``metric``."""
    better = {True: "higher", False: "lower", None: "—"}[metric.higher_is_better]
    counts = [metric.undefined_count] if metric.undefined_count and metric.in_trials else []
    summary = ", ".join(f"`{c}`" for c in (*metric.summary_columns, *counts)) or "—"
    return (
        f"| `{metric.name}` | {better} | {metric.undefined or 'never'} | {summary} | "
        f"{'yes' if metric.claims else 'no'} | {metric.meaning} |"
    )


def test_the_metrics_table_is_the_registry():
    rows = re.findall(r"^\| `.*$", METRICS_SECTION, flags=re.M)
    expected = [_metric_row(metric) for metric in REGISTRY.values()]
    missing = "\n".join(row for row in expected if row not in rows)
    assert not missing, f"config/README.md's metrics table needs these rows:\n{missing}"
    assert rows == expected, "config/README.md's metrics table: rows to remove or reorder"


# ---------------------------------------------------------------------------------------
# README.md and docs/: every make target, file path, config key, rule name and command
# flag they name exists. Each test names the stale token and the page it is in.

DOC_PAGES = [REPO / "README.md", REPO / "config/README.md", *sorted(REPO.glob("docs/*.md"))]
#: Top-level entries of the repository: a code span starting with one is a path to check.
TOP_LEVEL = {p.name for p in REPO.iterdir() if not p.name.startswith(".")} | {".ci"}
FILE_NAME = re.compile(r"\.(csv|tex|py|json|md|ya?ml|parquet|html|db|png|pdf|svg|zip)$")
PLACEHOLDER = re.compile(r"[<>*…{}$]|\.\.\.")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", flags=re.M | re.S)


def _pages() -> dict[str, str]:
    return {p.relative_to(REPO).as_posix(): p.read_text() for p in DOC_PAGES}


def _spans(text: str) -> list[str]:
    """Inline code spans, outside fenced blocks."""
    return re.findall(r"`([^`\n]+)`", FENCE.sub("", text))


def _code_lines(text: str) -> list[str]:
    """Command lines: inline spans and the lines of fenced blocks of shell code (a line
    ending in a backslash joined with the next)."""
    lines = list(_spans(text))
    for lang, body in FENCE.findall(text):
        if lang in ("", "bash", "sh", "console"):
            lines += body.replace("\\\n", " ").splitlines()
    return lines


def _tokens(kind: str) -> list[tuple[str, str]]:
    """(page, token) pairs of one kind, from every page."""
    finders = {"target": _make_targets, "path": _paths, "rule": _rules}
    return sorted({(page, t) for page, text in _pages().items() for t in finders[kind](text)})


def _make_targets(text: str) -> set[str]:
    return {m for line in _code_lines(text) for m in re.findall(r"\bmake ([a-z][\w-]*)", line)}


def _paths(text: str) -> set[str]:
    """Repository paths in code spans and fenced shell lines, and relative link targets."""
    found = set()
    for line in _code_lines(text):
        for word in re.split(r"[\s=,;()'\"]+", line):
            word = word.rstrip(".:")
            top = word.split("/")[0]
            if top in TOP_LEVEL - {"results"} and not PLACEHOLDER.search(word):
                found.add(word)
    return found


def _rules(text: str) -> set[str]:
    """Names written as rules: "`x` job(s)/rule/step", "rule `x`", "snakemake x"."""
    plain = FENCE.sub("", text)
    named = set(re.findall(r"`(\w+)`(?:,)? (?:jobs?|rules?|steps?)\b", plain))
    named |= set(re.findall(r"\brules? `(\w+)`", plain))
    named |= {m for line in _code_lines(text) for m in re.findall(r"^snakemake ([a-z_]+)\b", line)}
    return named


def _link_targets() -> list[tuple[str, str]]:
    pairs = []
    for page, text in _pages().items():
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if not re.match(r"\w+:", target):  # not http: or mailto:
                pairs.append((page, target))
    return sorted(set(pairs))


def _anchor(heading: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    slug = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return slug.replace(" ", "-")


MAKE_TARGETS = set(re.findall(r"^([\w.-]+):", (REPO / "Makefile").read_text(), flags=re.M))
RULES = {"all"} | {
    m for smk in [REPO / "Snakefile", *REPO.glob("workflow/**/*.smk")]
    for m in re.findall(r"^\s*rule (\w+):", smk.read_text(), flags=re.M)
}  # fmt: skip


@pytest.mark.parametrize("page, target", _tokens("target"))
def test_docs_name_only_existing_make_targets(page, target):
    assert target in MAKE_TARGETS, f"{page} names `make {target}`, which the Makefile lacks"


@pytest.mark.parametrize("page, path", _tokens("path"))
def test_docs_name_only_existing_paths(page, path):
    assert (REPO / path).exists(), f"{page} names {path}, which does not exist"


@pytest.mark.parametrize("page, link", _link_targets())
def test_docs_links_lead_somewhere(page, link):
    target, _, anchor = link.partition("#")
    path = (REPO / page).parent / target if target else REPO / page
    assert path.exists(), f"{page} links to {link}: no such file"
    if anchor and path.suffix == ".md":
        headings = re.findall(r"^#+ (.+)$", FENCE.sub("", path.read_text()), flags=re.M)
        anchors = {_anchor(h) for h in headings}
        assert anchor in anchors, f"{page} links to {link}: no such heading in {target or page}"


@pytest.mark.parametrize("page, rule", _tokens("rule"))
def test_docs_name_only_existing_rules(page, rule):
    assert rule in RULES, f"{page} names the rule {rule!r}; the rules are {sorted(RULES)}"


def test_docs_name_some_of_each():
    """The finders find what they look for (a broken regex would pass every test above)."""
    assert {("README.md", "study"), ("README.md", "test-fast")} <= set(_tokens("target"))
    assert ("docs/cluster.md", "profiles/slurm/config.v8+.yaml") in _tokens("path")
    assert ("docs/cluster.md", "track") in _tokens("rule")


# Config keys: the study files the pages show, and every `key: value` they write inline.

#: Keys the pages may write that are not a study's: Snakemake profile keys.
PROFILE_KEYS = {
    key for profile in REPO.glob("profiles/*/*.yaml")
    for key in _keys({"properties": yaml.safe_load(profile.read_text())})
} | {
    key for profile in REPO.glob("profiles/*/*.yaml")
    for key in yaml.safe_load(profile.read_text())
}  # fmt: skip
#: Keys the pages write that belong to a rule of the workflow (``run:``, ``localrule: True``).
DIRECTIVES = {
    key for smk in REPO.glob("workflow/rules/*.smk")
    for key in re.findall(r"^\s+(\w+):", smk.read_text(), flags=re.M)
}  # fmt: skip
#: Keys that are neither: an estimator's parameter, the keys of user generators
#: (docs/examples/waves.py's ``freq``; ``weights``, an example of a list-valued key) and a
#: column of negr2 compare's table (``pairing: paired``).
OTHER_KEYS = {"random_state", "freq", "weights", "pairing"}
CONFIG_KEYS = set(_keys(SCHEMA)) | GENERATOR_KEYS | DIRECTIVES | OTHER_KEYS
#: Under these keys the names are the user's (scenarios, models) or an estimator's (params).
FREE = {"scenarios", "models", "params"}


def _unknown_keys(node: Any, path: tuple[str, ...] = ()) -> Iterator[str]:
    """Keys of a mapping written in the docs that no study or profile has."""
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if path and path[-1] in ("scenarios", "models"):
            yield from _unknown_keys(value, (*path, "<name>"))
            continue
        if path and path[-1] == "params":
            continue
        parts = str(key).split(".")
        if not all(re.fullmatch(r"[a-z_][a-z0-9_]*|[a-z][a-z0-9-]+", p) for p in parts):
            continue  # not a key (an error message's prefix, a class name)
        yield from _unknown_dotted(parts)
        yield from _unknown_keys(value, (*path, parts[-1]))


def _unknown_dotted(parts: list[str]) -> Iterator[str]:
    """Parts of a dotted key (``scenarios.small.n_test``) that are no key."""
    for i, part in enumerate(parts):
        if part == "params":
            return
        if i > 0 and parts[i - 1] in ("scenarios", "models"):
            continue  # a scenario's or a model's name
        if part not in CONFIG_KEYS | PROFILE_KEYS:
            yield ".".join(parts)


def _inline_mappings(text: str) -> Iterator[tuple[str, dict]]:
    for span in _spans(text):
        if ":" not in span or "://" in span:
            continue
        try:
            node = yaml.safe_load(span)
        except yaml.YAMLError:
            continue
        if isinstance(node, dict):
            yield span, node


def test_docs_write_only_existing_config_keys():
    stale = [
        f"{page}: `{span}` ({key})"
        for page, text in _pages().items()
        for span, node in _inline_mappings(text)
        for key in _unknown_keys(node)
    ]
    assert not stale, "keys that no study or profile has:\n" + "\n".join(stale)


def test_docs_dotted_keys_exist():
    """``mlflow.tracking_uri``, ``ablations.drop_informative``: each part is a key (MLflow's
    own tags, such as ``mlflow.source.name``, are not config keys)."""
    tags = _mlflow_tags()
    top = set(SCHEMA["properties"])
    stale = [
        f"{page}: `{span}`"
        for page, text in _pages().items()
        for span in _spans(text)
        if re.fullmatch(r"[a-z_]+(\.\w+)+", span) and span.split(".")[0] in top
        and span not in tags and not FILE_NAME.search(span)
        and list(_unknown_dotted(span.split(".")))
    ]  # fmt: skip
    assert not stale, "dotted keys that are no config key:\n" + "\n".join(stale)


def _mlflow_tags() -> set[str]:
    """MLflow's own tag names, read from its source (importing MLflow starts processes)."""
    source = Path(importlib.util.find_spec("mlflow").origin).parent / "utils" / "mlflow_tags.py"
    found = re.findall(r'^MLFLOW_\w+ = "([\w.]+)"', source.read_text(), flags=re.M)
    assert "mlflow.source.name" in found
    return set(found)


def test_study_files_shown_in_the_docs_are_valid():
    """Every YAML block that is a whole study (it has models) passes the schema as it
    stands; a part of one (a few keys) has only keys that exist."""
    from snakemake.exceptions import WorkflowError
    from snakemake.utils import validate

    shown = [
        (page, yaml.safe_load(body))
        for page, text in _pages().items()
        for lang, body in FENCE.findall(text)
        if lang == "yaml"
    ]
    whole = [(page, study) for page, study in shown if "models" in study]
    assert whole, "no study file in the docs"
    for page, study in whole:
        try:
            validate(study, str(REPO / "workflow/schemas/config.schema.yaml"))
        except WorkflowError as error:
            pytest.fail(f"{page} shows a study the schema rejects: {error}")
    stale = [(page, key) for page, part in shown for key in _unknown_keys(part)]
    assert not stale, f"keys that no study has: {stale}"


# Command flags and the rule graph: these start processes (--help, Snakemake).

#: How to ask each command the docs use for its flags.
HELP_COMMANDS = {
    "snakemake": ["snakemake", "--help"],
    "mlflow ui": ["mlflow", "ui", "--help"],
    "mlflow server": ["mlflow", "server", "--help"],
    "mlflow runs restore": ["mlflow", "runs", "restore", "--help"],
    "pytest": ["python", "-m", "pytest", "--help"],
    "pip install": ["python", "-m", "pip", "install", "--help"],
    "negr2 compare": ["negr2", "compare", "--help"],
    "negr2 verify": ["negr2", "verify", "--help"],
    "negr2 rebuild": ["negr2", "rebuild", "--help"],
}


def _command_of(line: str) -> str | None:
    """The command a line runs: one of HELP_COMMANDS, or a repository script."""
    script = re.search(r"\bpython3? ((?:bench|docs)/\w+\.py)", line)
    if script:
        return script.group(1)
    for name in sorted(HELP_COMMANDS, key=len, reverse=True):
        if re.search(rf"(^|[\s/]){re.escape(name)}\b", line):
            return name
    return None


def _flags() -> list[tuple[str, str | None, str]]:
    """(page, command or None, flag) of every flag in a command line of the docs."""
    found = set()
    for page, text in _pages().items():
        for line in _code_lines(text):
            for flag in re.findall(r"(?<![\w-])(--[a-z][\w-]*)", line):
                found.add((page, _command_of(line), flag))
    return sorted(found, key=lambda t: (t[0], t[1] or "", t[2]))


@pytest.fixture(scope="module")
def helps() -> dict[str, str]:
    """Each command's --help text, from the environment the tests run in."""
    bin_dir = Path(sys.executable).parent
    texts = {}
    commands = {name: [str(bin_dir / argv[0]), *argv[1:]] for name, argv in HELP_COMMANDS.items()}
    scripts = {c for _, c, _ in _flags() if c and c.endswith(".py")}
    commands |= {script: [sys.executable, str(REPO / script), "--help"] for script in scripts}
    for name, argv in commands.items():
        done = subprocess.run(argv, capture_output=True, text=True, timeout=300, cwd=REPO)
        assert done.returncode == 0, f"{' '.join(argv)}: {done.stderr[-500:]}"
        texts[name] = done.stdout
    return texts


@pytest.mark.e2e
def test_docs_name_only_existing_flags(helps):
    every = "\n".join(helps.values())
    stale = [
        f"{page}: {flag} ({command or 'no command on the line'})"
        for page, command, flag in _flags()
        if not re.search(rf"{re.escape(flag)}\b", helps[command] if command else every)
    ]
    assert not stale, "flags that the command does not take:\n" + "\n".join(stale)
    assert any(command == "snakemake" for _, command, _ in _flags())  # the finder works


@pytest.mark.e2e
def test_readme_rule_graph_is_snakemakes():
    done = subprocess.run([sys.executable, str(REPO / "docs" / "rulegraph.py"), "--check"],
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
