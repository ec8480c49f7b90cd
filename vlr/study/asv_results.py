"""Reading an asv results file into plain Python: {benchmark: {param tuple: value}}.

asv (0.6, results format version 2) stores, per benchmark, the results flattened over the
Cartesian product of its parameters, with the parameter values as ``repr`` strings, and the
benchmark's ``version``. Values that were skipped or failed are ``None`` (shown n/a).
"""
import ast
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path

from .grid import SUITE_VERSION


class ResultsError(ValueError):
    """The results cannot be used by this version of the report."""


class OtherSuiteVersion(ResultsError):
    """Results of another version of the benchmark suite: older history, not a damaged file."""


def read_json(path, what="asv results"):
    """The JSON in ``path``, or :class:`ResultsError` naming the file and what is wrong with it
    (unreadable, not UTF-8, not JSON) -- never a bare decoder error.

    Returns
    -------
    object
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ResultsError(f"{path}: cannot read this {what} file ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ResultsError(f"{path}: not a text file (binary content), so not {what}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ResultsError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno} column "
                           f"{exc.colno}; truncated?), so not {what}") from None


@dataclass
class Results:
    """One asv results file: benchmarks' values keyed by parameter tuples, and run metadata."""

    path: Path
    commit: str
    date: int
    machine: dict
    python: str = ""
    requirements: dict = field(default_factory=dict)  # asv's matrix pins (empty with --python=same)
    values: dict = field(default_factory=dict)  # benchmark -> {params tuple: float or None}
    quartiles: dict = field(default_factory=dict)  # benchmark -> {params tuple: (q25, q75)}
    ci99: dict = field(default_factory=dict)  # benchmark -> {params tuple: (low, high)} (asv's)
    repeats: dict = field(default_factory=dict)  # benchmark -> {params tuple: samples taken}
    samples: dict = field(default_factory=dict)  # benchmark -> {params tuple: [values]} (kept)

    def get(self, benchmark):
        """Values of the benchmark whose name ends with ``.benchmark`` (e.g. "Class.method").

        Returns
        -------
        dict
            Parameter tuple -> value; empty if the benchmark has no results.
        """
        for name, table in self.values.items():
            if name.endswith("." + benchmark):
                return table
        return {}

    def spread(self, benchmark):
        """The interquartile range of the samples asv took, per parameter tuple (timing
        benchmarks only; asv keeps no spread for ``track_`` values).

        Returns
        -------
        dict
            Parameter tuple -> (q25, q75); empty if not recorded.
        """
        return self._column(self.quartiles, benchmark)

    def interval99(self, benchmark):
        """asv's 99 % interval of each median (timing benchmarks, and track benchmarks that
        return samples), per parameter tuple.

        Returns
        -------
        dict
            Parameter tuple -> (low, high); empty if not recorded.
        """
        return self._column(self.ci99, benchmark)

    def sample_count(self, benchmark):
        """How many samples asv took, per parameter tuple (``stats_repeat``).

        Returns
        -------
        dict
            Parameter tuple -> int; empty if not recorded.
        """
        return self._column(self.repeats, benchmark)

    def raw_samples(self, benchmark):
        """The raw samples (``asv run --record-samples``), per parameter tuple.

        Returns
        -------
        dict
            Parameter tuple -> list of float; empty if not recorded.
        """
        return self._column(self.samples, benchmark)

    @staticmethod
    def _column(tables, benchmark):
        for name, table in tables.items():
            if name.endswith("." + benchmark):
                return table
        return {}


def _literal(text):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def raw_results_files(results_dir):
    """Every asv results file under ``results_dir`` as ``(path, parsed JSON)``; files that are
    not JSON objects are skipped.

    Yields
    ------
    (Path, dict)
    """
    for path in sorted(Path(results_dir).glob("*/*.json")):
        if path.name == "machine.json":
            continue
        try:
            data = read_json(path)
        except ResultsError:
            continue
        if isinstance(data, dict) and isinstance(data.get("results"), dict):
            yield path, data


def find_results_file(results_dir="benchmarks/results", machine=None):
    """The newest results file in ``results_dir`` (optionally of one machine).

    Returns
    -------
    Path
    """
    results_dir = Path(results_dir)
    candidates = [p for p in results_dir.glob("*/*.json")
                  if p.name != "machine.json" and (machine is None or p.parent.name == machine)]
    if not candidates:
        raise ResultsError(f"no asv results in {results_dir}/ -- run the study first "
                           f"(`vlr study`, or `asv run` from the repository root)")
    def date(p):
        try:
            data = read_json(p)
        except ResultsError:
            return -1
        return data.get("date", 0) if isinstance(data, dict) and isinstance(data.get("date", 0), (int, float)) else -1
    return max(candidates, key=date)


def load_results(path, suite_version=SUITE_VERSION):
    """Load one asv results file, refusing results of another suite version.

    Raises
    ------
    ResultsError
        If the file is not an asv v2 results file, holds no vlr benchmarks, or any of them was
        recorded by a different suite version.

    Returns
    -------
    Results
    """
    path = Path(path)
    data = read_json(path)
    if not isinstance(data, dict) or data.get("version") != 2 or not isinstance(data.get("results"), dict):
        raise ResultsError(f"{path} is not an asv results file (format version 2: a JSON object "
                           f"with \"version\": 2 and a \"results\" object)")
    columns = data.get("result_columns")
    if not isinstance(columns, list) or not {"result", "params", "version"} <= set(columns):
        raise ResultsError(f"{path}: its \"result_columns\" are missing or lack result, params "
                           f"and version; not a results file this vlr can read")
    if not isinstance(data.get("params", {}), dict):
        raise ResultsError(f"{path}: its \"params\" (the machine) is not a JSON object")
    i_result, i_params, i_version = (columns.index(c) for c in ("result", "params", "version"))
    results = Results(path=path, commit=data.get("commit_hash", "?"), date=data.get("date", 0),
                      machine=data.get("params", {}), python=data.get("python", ""),
                      requirements={k.removeprefix("req-"): v for k, v in
                                    (data.get("requirements") or {}).items() if v})
    wrong = set()
    for name, row in data["results"].items():
        if not isinstance(row, list) or len(row) <= max(i_result, i_params):
            raise ResultsError(f"{path}: the row of benchmark {name} is not a list of "
                               f"{len(columns)} columns")
        version = row[i_version] if len(row) > i_version else None
        if version != suite_version:
            wrong.add(str(version))
            continue
        values, params = row[i_result], row[i_params]
        if not isinstance(params, list) or not all(isinstance(ps, list) for ps in params):
            raise ResultsError(f"{path}: the parameters of benchmark {name} are not lists")
        combos = list(itertools.product(*[[_literal(p) for p in ps] for ps in params])) or [()]
        if values is not None and not isinstance(values, list):
            values = [values]  # an unparameterised benchmark's single value
        if values is not None and len(values) != len(combos):
            raise ResultsError(f"{path}: benchmark {name} has {len(values)} values for its "
                               f"{len(combos)} parameter combinations")
        results.values[name] = dict(zip(combos, values or [None] * len(combos)))
        def column(c):
            return row[columns.index(c)] if c in columns and len(row) > columns.index(c) else None
        q = [column(c) for c in ("stats_q_25", "stats_q_75")]
        if q[0] and q[1]:
            results.quartiles[name] = {k: (a, b) for k, a, b in zip(combos, q[0], q[1])
                                       if a is not None and b is not None}
        ci = [column(c) for c in ("stats_ci_99_a", "stats_ci_99_b")]
        if ci[0] and ci[1]:
            results.ci99[name] = {k: (a, b) for k, a, b in zip(combos, ci[0], ci[1])
                                  if a is not None and b is not None}
        if column("stats_repeat"):
            results.repeats[name] = {k: n for k, n in zip(combos, column("stats_repeat")) if n}
        if column("samples"):
            results.samples[name] = {k: list(v) for k, v in zip(combos, column("samples")) if v}
    if wrong:
        raise OtherSuiteVersion(
            f"{path} holds results of suite version(s) {', '.join(sorted(wrong))}, but this vlr "
            f"reads {suite_version}; re-run the benchmarks with this version (`vlr study`)")
    if not results.values:
        raise ResultsError(f"{path} holds no vlr benchmark results")
    return results
