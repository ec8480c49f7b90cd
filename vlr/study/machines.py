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
        "hardware": proposed_name(info),  # the name it would have if vlr named it
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
    import logging
    log = logging.getLogger("vlr")
    profiles = {}
    for path in sorted(Path(profiles_dir).glob("*.json")):
        from .asv_results import ResultsError, read_json
        try:
            data = read_json(path, "machine profile")
        except ResultsError as exc:
            log.warning("skipped %s", exc)
            continue
        if not isinstance(data, dict):
            log.warning("skipped %s: a machine profile is a JSON object, not %s", path, type(data).__name__)
            continue
        clean, wrong = checked_profile(data)
        for field_name in wrong:
            log.warning("%s: field %r ignored: expected %s, got %r", path, field_name,
                        PROFILE_FIELDS[field_name][1], data[field_name])
        name = clean.get("machine", path.stem)
        profiles[name] = clean
    return profiles


def _is_str(v):
    return isinstance(v, str)


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


#: Each field of a profile: (check, what it should be). A field that fails is left out with a
#: warning; the pages then show what asv knows instead.
PROFILE_FIELDS = {
    "machine": (_is_str, "a string"), "hardware": (_is_str, "a string"), "cpu": (_is_str, "a string"), "vendor": (_is_str, "a string"),
    "family": (lambda v: v is None or _is_int(v), "an integer"),
    "model_number": (lambda v: v is None or _is_int(v), "an integer"),
    "generation": (lambda v: v is None or _is_str(v), "a string"),
    "vector_isa": (_is_str, "a string"),
    "caches_kib": (lambda v: isinstance(v, dict) and all(_is_str(k) and _is_int(n) for k, n in v.items()),
                   "an object of integer KiB per level"),
    "cores": (_is_int, "an integer"),
    "kernels_built_for": (lambda v: isinstance(v, dict) and all(x is None or _is_str(x) for x in v.values()),
                          "an object of strings per kernel"),
    "threads": (lambda v: isinstance(v, dict) and all(x is None or _is_int(x) for x in v.values()),
                "an object of integer thread counts"),
    "blas": (_is_str, "a string"), "platform": (_is_str, "a string"),
}


def checked_profile(data: dict) -> tuple[dict, list[str]]:
    """A profile with every field of the wrong type left out, and those fields' names.

    Returns
    -------
    (dict, list of str)
    """
    wrong = [k for k, (ok, _) in PROFILE_FIELDS.items() if k in data and not ok(data[k])]
    return {k: v for k, v in data.items() if k not in wrong}, wrong


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
