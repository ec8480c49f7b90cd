"""One environment name for every kept result of a machine, so that asv compares and graphs them.

asv files a result under its machine *and* its environment's name, and compares or draws a line
only within one name. ``asv run <commit>`` names its environment after the pinned matrix
(``virtualenv-py3.11-dask2026.8.0-…``); ``asv run --python=same`` -- what ``vlr study`` runs, to
measure exactly what is installed -- names it after the interpreter's path
(``existing-py_tmp_clone_.venv_bin_python``), a name no later run shares. So ``vlr study`` files
its results under the name asv gives an environment of this Python with the versions actually
installed (the pinned matrix's name when they are the pins) and rewrites nothing but the
environment's name, the file's name and the ``python`` it records; every measured number stays.
"""
from __future__ import annotations

import json
import os
import sys
from importlib import metadata
from pathlib import Path


def _asv_config(config_path="asv.conf.json"):
    from asv.config import Config
    return Config.load(str(config_path))


def installed_requirements(config_path="asv.conf.json") -> dict[str, str]:
    """The installed version of each library the asv matrix pins (``""`` if not installed).

    Returns
    -------
    dict
        name -> version.
    """
    names = _asv_config(config_path).matrix.get("req", {})
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = ""
    return versions


def kept_env_name(python: str, requirements: dict[str, str]) -> str:
    """The environment name asv gives a virtualenv of ``python`` (``"3.11"``) with these
    library versions: the pinned matrix's name when they are the pins.

    Returns
    -------
    str
    """
    from asv.environment import get_env_name
    return get_env_name("virtualenv", python, {k: v for k, v in requirements.items() if v}, {})


def same_python_env_name(executable: str | None = None) -> str:
    """The name asv gives ``--python=same`` (the interpreter's path, its separators as ``_``).

    Returns
    -------
    str
    """
    from asv.environment import get_env_name
    path = os.path.abspath(executable or sys.executable)
    return get_env_name("existing", path.replace(os.path.sep, "_"), {}, {})


def results_path(results_dir, machine: str, commit: str, env_name: str) -> Path:
    """Where asv keeps the results of ``commit`` on ``machine`` in ``env_name``.

    Returns
    -------
    Path
    """
    from asv.results import get_filename
    return Path(results_dir) / get_filename(machine, commit, env_name)


def refile(path, env_name: str, python: str, machine: dict | None = None) -> Path:
    """Move one asv results file under ``env_name``: its ``env_name``, its file name and the
    ``python`` it records change; its measurements do not. Returns the new path.

    Parameters
    ----------
    path : path-like
        An asv results file (``<results>/<machine>/<commit>-<env>.json``).
    env_name : str
    python : str
        The Python version the results were measured with, e.g. ``"3.11"``.
    machine : dict, optional
        The machine's description as its ``machine.json`` holds it now: given, it replaces the
        one the file recorded (asv's graphs split a line wherever that description differs).

    Returns
    -------
    Path
    """
    path = Path(path)
    data = json.loads(path.read_text())
    if not isinstance(data, dict) or "commit_hash" not in data:
        raise ValueError(f"{path} is not an asv results file")
    data["env_name"] = env_name
    data["python"] = python
    if not isinstance(data.get("params"), dict):
        raise ValueError(f"{path} has no \"params\" object: not an asv results file")
    if machine is not None:
        data["params"] = {**{k: v for k, v in machine.items() if k != "version"},
                          **{k: v for k, v in data["params"].items() if k in data.get("requirements", {})}}
    data["params"]["python"] = python
    target = results_path(path.parent.parent, data["params"].get("machine", path.parent.name),
                          data["commit_hash"], env_name)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(json.dumps(data))  # as asv writes it: one line
    os.replace(tmp, target)
    if target.resolve() != path.resolve():
        path.unlink()
    return target


#: This interpreter's version as asv writes it ("3.11").
_PYTHON = f"{sys.version_info[0]}.{sys.version_info[1]}"


def _kept_here(config_path):
    """:func:`kept_env_name` of this interpreter and its installed versions."""
    return kept_env_name(_PYTHON, installed_requirements(config_path))


def file_same_python_results(results_dir, machine: str, commit: str,
                             config_path="asv.conf.json") -> Path | None:
    """After ``asv run --python=same`` of ``commit``: move its results to :func:`kept_env_name`
    of this interpreter and its installed versions. Returns the new path (None if none ran).

    Returns
    -------
    Path or None
    """
    source = results_path(results_dir, machine, commit, same_python_env_name())
    if not source.exists():
        return None
    return refile(source, _kept_here(config_path), _PYTHON)


def reopen(results_dir, machine: str, commit: str, config_path="asv.conf.json") -> None:
    """Before ``asv run --python=same``: put this commit's kept results back under the name asv
    will look for, so that asv updates them as it updates any results of its own (keeping the
    benchmarks it does not run; adding samples with ``--append-samples``)."""
    kept = results_path(results_dir, machine, commit, _kept_here(config_path))
    if kept.exists():
        refile(kept, same_python_env_name(), os.path.abspath(sys.executable))
