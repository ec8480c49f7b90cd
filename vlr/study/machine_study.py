"""One machine's study: its newest results, rows, roof, fitted cost model and claim cells.

Both the machine's own page (:mod:`vlr.study.report`) and the first page across machines
(:mod:`vlr.study.across`) are built from these, so a number is computed once and shown the same
way on both.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .asv_results import OtherSuiteVersion, Results, ResultsError, load_results
from .prediction import Evaluation
from .cost_model import fit_machine
from .verdict import _nearest, _num, build_rows, claim_cells, noise_band, roof_table, single_calls, tally


@dataclass
class MachineStudy:
    """Everything the pages show about one machine.

    Attributes
    ----------
    name : str
    results : Results
        The newest results file of this machine holding the step timings.
    kept : list of Results
        Every readable results file of the machine, oldest first (the history).
    rows : list of Row
    roof : dict
        nbytes -> bytes/s (``TrackStreamBandwidth``).
    models : dict
        kernel -> KernelModel (:mod:`vlr.study.cost_model`).
    full, partial : list of Cell
        numpy and one_loop vs two_loops at every point.
    profile : dict
        ``benchmarks/machines/<name>.json``, or {}.
    own : bool
        True for the reader's own machine (``asv machine`` of this computer).
    params : dict or None
        The model's parameters (:mod:`vlr.study.prediction`).
    evaluation : vlr.study.prediction.Evaluation or None
    problems : list of str
        The machine's files that could not be read, one line each (shown wherever its row is:
        its newest result may be among them).
    """

    name: str
    results: Results
    kept: list
    rows: list
    roof: dict
    models: dict
    full: list
    partial: list
    profile: dict = field(default_factory=dict)
    own: bool = False
    params: dict | None = None
    evaluation: Evaluation | None = None
    problems: list = field(default_factory=list)

    def as_dict(self) -> dict:
        """The machine's verdict as ``vlr verdict --json`` writes it: every cell of both claims
        with its estimate, interval, samples, how it was measured and its category; the model's
        prediction where the parameters are known, and how it compares.

        Returns
        -------
        dict
        """
        from .prediction import MODELLED, predicted_ratio
        from .intervals import BAND, CLAIMS, LEVEL, point_category

        def cell(c):
            d = c.as_dict()
            if self.params:
                r = predicted_ratio(self.params, c.claim, c.m, c.n_x)
                d["predicted"] = {"ratio": r, "category": point_category(r, CLAIMS[c.claim][2])}
            return d
        ev = self.evaluation
        model = None
        if ev is not None and self.params:
            def summary(kernel):
                s = ev.summary(kernel)
                return {"cells": s["n"], "median_abs_error": s["median"],
                        "worst": None if not s["worst"] else {"cell": list(s["worst"][0]), "error": s["worst"][1]},
                        "beyond_25_percent": [{"cell": list(k), "error": e} for k, e in s["beyond"]]}
            model = {"parameters_source": ev.source, "fitted_terms": {k: v if isinstance(v, str) else
                                                                      [list(x) for x in v]
                                                                      for k, v in ev.fitted.items()},
                     "parameters": self.params,
                     "errors": {kernel: summary(kernel) for kernel in MODELLED} | {"all": summary(None)},
                     "excluded": [{"cell": list(k), "why": why} for k, why in sorted(ev.excluded.items())],
                     "categories_right": ev.categories[0], "categories_compared": ev.categories[1]}
        return {"machine": self.name, "commit": self.results.commit, "own": self.own,
                "results_file": str(self.results.path),
                "rule": {"band": BAND, "level": LEVEL,
                         "claims": {k: {"kernel": v[0], "baseline": v[1], "k": v[2]} for k, v in CLAIMS.items()}},
                "cells": [cell(c) for c in self.full + self.partial],
                "model": model}

    def roof_at(self, nbytes: float) -> float | None:
        """The stream-read roof measured nearest to ``nbytes`` (bytes/s), or None."""
        return _nearest(self.roof, nbytes)

    @property
    def largest_roof(self) -> float | None:
        """The roof at the largest array measured (bytes/s): memory, not cache."""
        return self.roof[max(self.roof)] if self.roof else None

    def fastest_vs_numpy(self, largest: bool) -> tuple | None:
        """(speed-up, kernel, m, n_x) of the best compiled kernel over NumPy at the smallest or
        the largest X measured (float64), or None."""
        pts = [r for r in self.rows if r.dtype == "float64" and r.kernel in ("numba", "cython") and r.vs_numpy]
        if not pts:
            return None
        size = (max if largest else min)(r.m * r.n_x for r in pts)
        best = max((r for r in pts if r.m * r.n_x == size), key=lambda r: r.vs_numpy)
        return best.vs_numpy, best.kernel, best.m, best.n_x

    def roof_fraction(self) -> tuple | None:
        """(fraction, kernel, m, n_x): the fastest compiled kernel's bytes of X per second at
        the largest X, over the roof there; None if not measured."""
        pts = [r for r in self.rows if r.dtype == "float64" and r.kernel in ("numba", "cython") and r.seconds]
        if not pts or not self.roof:
            return None
        size = max(r.m * r.n_x for r in pts)
        best = min((r for r in pts if r.m * r.n_x == size), key=lambda r: r.seconds)
        nbytes = best.m * best.n_x * 8
        return nbytes / best.seconds / self.roof_at(nbytes), best.kernel, best.m, best.n_x

    def target(self, key: str) -> float | None:
        """A speed target's value from ``TrackTarget`` (e.g. ``train_vs_course``), or None."""
        return _num(self.results.get("TrackTarget.track_target").get((key,)))

    def claims(self):
        """``{"full": {category: cells}, "partial": {...}}``: each claim's cells by category
        (:func:`vlr.study.verdict.tally`).

        Returns
        -------
        dict
        """
        return {"full": tally(self.full), "partial": tally(self.partial)}

    @property
    def noise(self) -> tuple | None:
        return noise_band(self.rows)


def study_of(results: Results, kept: list | None = None, profile: dict | None = None,
             own: bool = False) -> MachineStudy:
    """The :class:`MachineStudy` of one results file.

    Returns
    -------
    MachineStudy
    """
    from .prediction import evaluate
    rows = build_rows(results)
    roof = roof_table(results)
    models = fit_machine(rows, (lambda nbytes: _nearest(roof, nbytes)) if roof else None,
                         single_calls(results))
    full, partial = claim_cells(rows, results, "numpy", models), claim_cells(rows, results, "one_loop", models)
    params, evaluation = evaluate(results, {"full": full, "partial": partial},
                                  (profile or {}).get("caches_kib"))
    return MachineStudy(name=results.machine.get("machine", Path(results.path).parent.name),
                        results=results, kept=kept or [results], rows=rows, roof=roof,
                        models=models, full=full, partial=partial,
                        profile=profile or {}, own=own, params=params, evaluation=evaluation)


def kept_results(results_dir, machine, problems: list | None = None) -> list[Results]:
    """Every results file of ``machine`` in ``results_dir`` that this suite version can read,
    oldest first. Files of another suite version are left out (older history, not an error);
    a damaged file is left out too, and one line naming it and what is wrong is appended to
    ``problems``.

    Returns
    -------
    list of Results
    """
    kept = []
    for path in sorted(Path(results_dir).glob(f"{machine}/*.json")):
        if path.name == "machine.json":
            continue
        try:
            kept.append(load_results(path))
        except OtherSuiteVersion:
            continue
        except ResultsError as exc:
            if problems is not None:
                problems.append(f"skipped {exc}")
    return sorted(kept, key=lambda r: r.date)


def machine_dirs(results_dir) -> list[str]:
    """The machine directories of ``results_dir`` (sorted names; none if it is not a directory).

    Returns
    -------
    list of str
    """
    root = Path(results_dir)
    return sorted(d.name for d in root.iterdir() if d.is_dir()) if root.is_dir() else []


def all_studies(results_dir, profiles: dict | None = None, own_name: str | None = None) -> list[MachineStudy]:
    """One :class:`MachineStudy` per machine in ``results_dir`` that has step timings (the
    reader's own machine first, then the others by name).

    Returns
    -------
    list of MachineStudy
    """
    studies = []
    for name in machine_dirs(results_dir):
        problems: list[str] = []
        kept = kept_results(results_dir, name, problems)
        with_steps = [r for r in kept if r.get("TimeGradientStep.time_gradient_step")]
        if not with_steps:
            if problems:  # nothing readable: the machine is named, not silently dropped
                log_problems(name, problems)
            continue
        study = study_of(with_steps[-1], kept, (profiles or {}).get(name), own=name == own_name)
        study.problems = problems
        log_problems(name, problems)
        studies.append(study)
    return sorted(studies, key=lambda s: (not s.own, s.name))


def log_problems(machine: str, problems: list[str]) -> None:
    """One line per unreadable file of ``machine`` on the ``vlr`` logger (stderr)."""
    import logging
    for line in problems:
        logging.getLogger("vlr").warning("%s: %s", machine, line)
