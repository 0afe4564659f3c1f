"""Run every benchmark and write benchmarks/RESULTS.md and the results the book reports.

The results of the default run go to ``ganlib/book/benchmark_results.json``: the book's performance
appendix and each chapter's fresh-runtime line read them from the installed package, so they are
there on Colab too. With ``--out <folder>`` (another machine) they go to
``benchmarks/<folder>/results.json`` and the book is left alone.

    python benchmarks/run_all.py              # everything, incl. the notebook suite in smoke and cpu
    python benchmarks/run_all.py --quick --out quick   # skip the cpu-profile notebook runs; keeps the
                                                       # book's results (--quick alone overwrites them)

    # on a GPU machine (e.g. Colab), the chapters' GPU times, kept apart from this machine's results:
    python benchmarks/run_all.py --only notebooks --profiles gpu --out results-gpu

Each section records when and at which commit it was measured (``"measured": {"date", "commit"}``;
the book prints it next to the numbers). `make bench` runs this. Results are ratios of medians of
interleaved repeats measured in one run on one machine (described at the top of RESULTS.md, with
its GPUs if it has any). The committed results were measured on a 2-core CPU without a GPU.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
HERE = pathlib.Path(__file__).resolve().parent
#: The results the book reports (package data of ganlib, so installed copies have them too).
BOOK_RESULTS = HERE.parent / "ganlib" / "book" / "benchmark_results.json"
sys.path.insert(0, str(HERE))

from common import machine  # noqa: E402


def stamp(cpu: str) -> dict:
    """When, at which commit, on which CPU (``cpu``, from the run's machine record) and under what
    load a section is measured: ``{"date": "2026-12-06 18:30 UTC", "cpu": ..., "commit": "68dc3a3"}``
    (``"68dc3a3+changes"`` if tracked files differ from that commit; no ``"commit"`` outside a git
    checkout)."""
    info = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "cpu": cpu, "load_average_at_start": os.getloadavg()[0]}

    def git(*args):
        return subprocess.run(["git", "-C", str(HERE.parent), *args], capture_output=True, text=True,
                              check=True, timeout=30).stdout.strip()

    try:
        commit = git("rev-parse", "--short", "HEAD")
        changed = git("status", "--porcelain", "--untracked-files=no")
        info["commit"] = commit + ("+changes" if changed else "")
    except (OSError, subprocess.SubprocessError):
        pass
    return info


def measured_line(section: dict) -> list[str]:
    """RESULTS.md's line saying when a section was measured (nothing for results without it)."""
    m = section.get("measured")
    if not m:
        return []
    commit = f", commit `{m['commit']}`" if m.get("commit") else ""
    cpu = f", on {m['cpu']}" if m.get("cpu") else ""
    load = (f" (load average {m['load_average_at_start']:.1f} at the start: other work shared the cores)"
            if m.get("load_average_at_start", 0) >= 1.0 else "")
    return [f"Measured {m['date']}{commit}{cpu}{load}.", ""]


def fmt_s(x: float) -> str:
    return f"{x:.2f} s" if x < 100 else f"{x:.0f} s"


def write_markdown(results: dict, path: pathlib.Path) -> None:
    m = results["machine"]
    lines = [
        "# Benchmark results",
        "",
        "Written by `benchmarks/run_all.py` (`make bench`). Each comparison runs the implementations "
        "interleaved in one process on the same inputs; times are medians of the repeats and "
        "speed-ups are ratios of medians. " + (
            f"**Measured on the machine below, with GPU(s): {m['gpus']}.**" if m.get("gpus") else
            "**Measured on the CPU below; no GPU was available, and no GPU timing is reported.**"),
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
    ]
    for key in ("date", "cpu", "cores", "memory_gb", "platform", "python", "tensorflow", "keras", "numpy",
                "scipy", "gpus", "load_average_at_start", "load_average_at_end"):
        if key in m:
            lines.append(f"| {key} | {m[key]} |")
    if "training" in results:
        tr = results["training"]
        lines += ["", "## Training throughput", "",
                  "Steady-state time per step: each repeat runs an implementation for a long and a short "
                  "number of steps and takes the difference, so fixed costs per call (building `fit`'s "
                  "iterator, the `train_on_batch` pattern's recompilation) are excluded and reported "
                  "separately. *CPU time* is the processor time of both cores per step (the work done; "
                  "it hardly depends on other processes competing for the cores). *GFLOP/s* counts the "
                  "dense and convolution layers' arithmetic per step (forward and backward); the float32 "
                  f"matrix-product rate of this machine, measured in the same run, is "
                  f"{tr.get('matmul_gflops', float('nan')):.0f} GFLOP/s.", ""] + measured_line(tr)
        for section in tr["sections"]:
            load = section.get("load_average")
            lines += [f"### {section['title']}", "", section.get("note", ""), ""]
            if load:
                lines += [f"Load average before / after this section: {load[0]:.1f} / {load[1]:.1f}.", ""]
            lines += ["| implementation | images/s | vs (a) | ms/step | CPU ms/step | CPU vs (a) | GFLOP/s "
                      "| fixed cost per call |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
            for row in section["rows"]:
                if "cpu_ms_per_step" in row:
                    lines.append(
                        f"| {row['name']} | {row['images_per_s']:.0f} | {row['ratio']:.2f}x | {row['ms_per_step']:.2f} "
                        f"| {row['cpu_ms_per_step']:.2f} | {row['cpu_ratio']:.2f}x | {row['gflop_per_s']:.0f} "
                        f"| {row['overhead_ms_per_call']:.0f} ms |")
                else:
                    lines.append(f"| {row['name']} | {row['images_per_s']:.0f} | {row['ratio']:.2f}x | | | | | |")
            lines += ["", "Goals:", ""]
            lines += [f"- {goal}" for goal in section.get("goals", [])]
            if section.get("explanation"):
                lines += ["", "Why (profile evidence):", ""]
                lines += [f"- {line}" for line in section["explanation"]]
            lines.append("")
    if "frechet" in results:
        f = results["frechet"]
        t = f["timings"]
        lines += ["## Fréchet distance", "", f"d = {f['d']}, covariances of {4 * f['d']} correlated features.", ""]
        lines += measured_line(f) + [
                  "| implementation | median time |", "|---|---:|"]
        lines += [f"| {name} | {fmt_s(v['median_s'])} |" for name, v in t.items()]
        lines += ["", f"- speed-up: **{f['speedup']:.1f}x** (goal ≥ 5x: {'met' if f['speedup'] >= 5 else 'not met'})",
                  f"- relative difference between the two values: {f['relative_difference']:.1e} (goal ≤ 1e-6)"]
        if "note" in f:
            lines.append(f"- {f['note']}")
        lines.append("")
    if "prdc" in results:
        p = results["prdc"]
        t = p["timings"]
        lines += ["## Precision / recall / density / coverage", "",
                  f"N = M = {p['n']:,} points, d = {p['d']}, k = {p['k']}.", ""]
        lines += measured_line(p) + [
                  "| implementation | median time |", "|---|---:|"]
        lines += [f"| {name} | {fmt_s(v['median_s'])} |" for name, v in t.items()]
        big = p["large"]
        lines += ["", f"- speed-up: **{p['speedup']:.2f}x** (goal ≥ 2x: {'met' if p['speedup'] >= 2 else 'not met'})",
                  f"- largest difference of the four values: {p['max_difference']:.1e} (goal ≤ 1e-6)",
                  f"- N = {big['n']:,}: {fmt_s(big['seconds'])}, peak NumPy memory {big['peak_mib']:.0f} MiB "
                  f"(a single N × N float64 distance matrix would need {big['full_matrix_gib']:.1f} GiB)"]
        if "note" in p:
            lines.append(f"- {p['note']}")
        lines.append("")
    if "notebooks" in results:
        nb = results["notebooks"]
        profiles = nb["profiles"]
        lines += ["## Notebook suite", "",
                  "Wall time of each chapter in a fresh kernel with an empty model cache.", ""]
        lines += measured_line(nb) + [
                  "| chapter | " + " | ".join(profiles) + " |", "|---|" + "---:|" * len(profiles)]
        for name, row in nb["seconds"].items():
            lines.append(f"| {name} | " + " | ".join(
                "failed" if row.get(p) is None else fmt_s(row[p]) for p in profiles) + " |")
        totals = [sum(row.get(p) or 0 for row in nb["seconds"].values()) for p in profiles]
        lines.append("| **total** | " + " | ".join(f"**{fmt_s(t)}**" for t in totals) + " |")
        lines.append("")
        for name, error in nb.get("errors", {}).items():
            lines += [f"- **{name} failed**: `{error.splitlines()[-1][:300] if error else ''}`"]
        if nb.get("errors"):
            lines.append("")
        for name, rerun in nb.get("reruns", {}).items():  # a chapter measured again (after a fix or a change)
            first = rerun.get("first_run_error", "").strip().splitlines()
            why = (f", because {rerun['reason']}" if rerun.get("reason") else ", after its first run failed"
                   + (f": `{first[-1][:200]}`" if first else ""))
            at = f" at commit `{rerun['commit']}`" if rerun.get("commit") else ""
            lines.append(f"- **{name}** measured again {rerun['date']}{at} (load average "
                         f"{rerun['load_average_at_start']:.1f} at its start){why}")
        if nb.get("reruns"):
            lines.append("")
    path.write_text("\n".join(lines) + "\n")


def check_rerun(suite: dict, profiles, measured: dict) -> None:
    """Raise ``ValueError`` if re-measuring ``profiles`` now would mix what the stored ``suite`` keeps
    apart: a profile the suite does not show, or another machine (the ``cpu`` of ``measured``)."""
    missing = [p for p in profiles if p not in suite.get("profiles", [])]
    if missing:
        raise ValueError(f"the stored suite has no {missing} times to update (it has {suite.get('profiles')}); "
                         "measure the whole suite in those profiles instead")
    stored_cpu = suite.get("measured", {}).get("cpu")
    if stored_cpu and measured.get("cpu") != stored_cpu:
        raise ValueError(f"the stored suite was measured on {stored_cpu!r}, this machine is {measured.get('cpu')!r}: "
                         "write another machine's results with --out")


def merge_rerun(suite: dict, fresh: dict, profiles, measured: dict, reason: str) -> None:
    """Put ``fresh`` (:func:`bench_notebooks` for some chapters) into the stored notebook ``suite``:
    their times in ``profiles`` replace the stored ones, the other chapters' times and the suite's
    date stay, each re-measured ``"<chapter> (<profile>)"`` is listed under ``reruns`` with when,
    where and why (replacing an older entry), and its stored error is replaced by this run's."""
    for name, row in fresh["seconds"].items():
        suite["seconds"].setdefault(name, {}).update(row)
        for profile in profiles:
            key = f"{name} ({profile})"
            suite.setdefault("reruns", {})[key] = {**measured, "reason": reason}
            suite.setdefault("errors", {}).pop(key, None)
            if key in fresh.get("errors", {}):
                suite["errors"][key] = fresh["errors"][key]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="skip the cpu-profile notebook runs")
    parser.add_argument("--only", choices=["training", "metrics", "notebooks"], action="append")
    parser.add_argument("--profiles", choices=["smoke", "cpu", "gpu"], nargs="+",
                        help="run profiles of the notebook suite (default: smoke cpu, or smoke with --quick); "
                             "on a GPU machine, e.g. Colab: --only notebooks --profiles gpu --out results-gpu")
    parser.add_argument("--chapters", nargs="+", metavar="STEM",
                        help="with --only notebooks: measure only these chapters (e.g. 05a_evaluating_generators) "
                             "and keep the stored times of the others; each is listed as measured again")
    parser.add_argument("--reason", default=None, help="with --chapters: why they are measured again (for RESULTS.md)")
    parser.add_argument("--out", default=None, help="folder (relative to benchmarks/) for results.json and "
                        "RESULTS.md; use one for another machine, so results of two machines never mix "
                        "(default: RESULTS.md here and the book's ganlib/book/benchmark_results.json)")
    args = parser.parse_args()
    only = set(args.only or ["training", "metrics", "notebooks"])
    if args.chapters and (only != {"notebooks"} or not args.reason):
        parser.error("--chapters needs --only notebooks and a --reason (RESULTS.md and the book say why "
                     "these chapters were measured again)")
    profiles = tuple(args.profiles or (("smoke",) if args.quick else ("smoke", "cpu")))

    results: dict = {"machine": machine()}
    out_dir = (HERE / (args.out or ".")).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    out_json = BOOK_RESULTS if args.out is None else out_dir / "results.json"
    if out_json.exists() and args.only:  # keep the sections not re-run
        kept = json.loads(out_json.read_text())
        old_machine = kept.get("machine", {})
        for name, section in kept.items():  # a kept section keeps saying when and where it was measured
            if name != "machine" and isinstance(section, dict) and "measured" not in section:
                section["measured"] = {"date": old_machine.get("date", "unknown"), "cpu": old_machine.get("cpu", "unknown")}
        results = {**kept, "machine": results["machine"]}
    def save():  # after every section, so a later failure keeps what was measured
        out_json.write_text(json.dumps(results, indent=1, default=float))
        write_markdown(results, out_dir / "RESULTS.md")

    if "training" in only:
        from bench_training import bench_training

        measured = stamp(results["machine"]["cpu"])
        results["training"] = {**bench_training(), "measured": measured}
        save()
    if "metrics" in only:
        from bench_metrics import bench_frechet, bench_prdc

        measured = stamp(results["machine"]["cpu"])
        results["frechet"] = {**bench_frechet(), "measured": measured}
        results["prdc"] = {**bench_prdc(), "measured": measured}
        save()
    if "notebooks" in only:
        from bench_notebooks import bench_notebooks

        measured = stamp(results["machine"]["cpu"])
        if args.chapters:  # measure these again; the suite's other times and its date stay
            suite = results.get("notebooks")
            if not suite:
                parser.error("--chapters needs a stored notebook suite to update; run the whole suite first")
            try:
                check_rerun(suite, profiles, measured)
            except ValueError as exc:
                parser.error(str(exc))
            merge_rerun(suite, bench_notebooks(profiles, chapters=args.chapters), profiles, measured, args.reason)
        else:
            results["notebooks"] = {**bench_notebooks(profiles), "measured": measured}
    results["machine"]["load_average_at_end"] = os.getloadavg()[0]
    save()
    print(f"\nwrote {out_dir / 'RESULTS.md'} and {out_json}")


if __name__ == "__main__":
    main()
