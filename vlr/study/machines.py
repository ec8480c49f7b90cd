"""The machines of the study: a name that says the hardware, and each machine's measured profile.

asv files results under a machine name (``asv machine``; the host name unless set) with a
free-text CPU description. ``vlr study`` proposes a name that says the hardware
(``zen3-epyc-2core``) and records, beside asv's results, what asv does not: the CPU generation,
the vector ISA and what the compiled kernels were built for, the caches, cores and threads,
the BLAS and its kernel -- in ``benchmarks/machines/<name>.json``. The numbers that follow from
the measurements (the stream-read roof, NumPy's fixed cost per step, the interpreter's cost
per element) are read from that machine's asv results by the report, so they never go stale.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

#: Where the machine profiles are kept (beside the asv results, outside asv's own directory).
PROFILES_DIR = "benchmarks/machines"
ASV_MACHINE_FILE = Path("~/.asv-machine.json")


def proposed_name(info: dict) -> str:
    """A machine name that says the hardware: ``<generation>-<cpu family word>-<cores>core``.

    Parameters
    ----------
    info : dict
        :func:`vlr.machine.machine_info`'s description.

    Returns
    -------
    str
        e.g. ``"zen3-epyc-2core"``; ``"amd-f25m1-2core"`` when the generation is not known.
    """
    facts = info.get("cpu_facts", {})
    generation = (facts.get("generation") or "").lower()
    model = info.get("cpu", "")
    word = next((w.lower() for w in re.findall(r"[A-Za-z]+", model)
                 if w.lower() in ("epyc", "ryzen", "threadripper", "xeon", "core", "atom")), "")
    if not generation:
        vendor = {"AuthenticAMD": "amd", "GenuineIntel": "intel"}.get(facts.get("vendor", ""),
                                                                     facts.get("vendor", "cpu"))
        generation = f"{vendor}-f{facts.get('family')}m{facts.get('model_number')}"
    parts = [re.sub(r"[^a-z0-9-]+", "", generation.replace(" ", ""))] + ([word] if word else [])
    return "-".join(parts + [f"{facts.get('cores') or info.get('cores')}core"])


def asv_description(info: dict) -> str:
    """The CPU line asv records (``asv machine --cpu``): model, generation, ISA, caches, cores.

    Returns
    -------
    str
    """
    facts = info.get("cpu_facts", {})
    caches = facts.get("caches_kib", {})
    parts = [f"{info.get('cpu', '?')} family {facts.get('family')} model {facts.get('model_number')}"
             + (f" ({facts['generation']})" if facts.get("generation") else ""),
             f"{facts.get('cores')} cores", facts.get("vector_isa", "?")]
    if "L2" in caches:
        parts.append(f"L2 {caches['L2']} KB/core")
    if "L3" in caches:
        parts.append(f"L3 {caches['L3'] // 1024} MB")
    return ", ".join(parts)


def profile_of(info: dict) -> dict:
    """What ``benchmarks/machines/<name>.json`` records of a machine (from
    :func:`vlr.machine.machine_info`).

    Returns
    -------
    dict
    """
    blas = info.get("blas", [])
    return {
        "cpu": info.get("cpu"),
        **{k: info.get("cpu_facts", {}).get(k) for k in ("vendor", "family", "model_number",
                                                         "generation", "vector_isa", "caches_kib",
                                                         "cores")},
        "kernels_built_for": {"numba": info.get("numba_target"),
                              "cython": info.get("cython_vector_isa")},
        "threads": info.get("kernel_threads", {}) | {
            "blas": blas[0].get("num_threads") if blas else None},
        "blas": ", ".join(f"{b.get('internal_api')} {b.get('version')} ({b.get('architecture')})"
                          for b in blas) or None,
        "platform": info.get("platform"),
    }


def write_profile(name: str, info: dict, profiles_dir: str | Path = PROFILES_DIR) -> Path:
    """Write ``<profiles_dir>/<name>.json`` from :func:`vlr.machine.machine_info`'s description.

    Returns
    -------
    Path
    """
    path = Path(profiles_dir) / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"machine": name, **profile_of(info)}, indent=1) + "\n")
    return path


def load_profiles(profiles_dir: str | Path = PROFILES_DIR) -> dict[str, dict]:
    """Every machine profile kept in ``profiles_dir``: name -> profile (unreadable files skipped).

    Returns
    -------
    dict
    """
    profiles = {}
    for path in sorted(Path(profiles_dir).glob("*.json")):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            profiles[data.get("machine", path.stem)] = data
    return profiles


def local_machine_name() -> str | None:
    """The asv machine name of this computer (``~/.asv-machine.json``), if there is exactly one.

    Returns
    -------
    str or None
    """
    path = ASV_MACHINE_FILE.expanduser()
    try:
        names = [k for k in json.loads(path.read_text()) if k != "version"]
    except (OSError, ValueError, AttributeError):
        return None
    return names[0] if len(names) == 1 else None
