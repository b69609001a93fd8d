#!/usr/bin/env python3
"""Prints bench/run_async_bench's table from the JSON lines its peers wrote (one per run).

Rates are the median round of each peer; peak RSS, threads and connections the highest seen.
Targets (issue 11) are printed next to the figures with "met" or "MISSED".
"""
import json
import statistics
import sys

PEERS = ["bare", "lemma", "node"]
runs, idle = [], {}
for line in open(sys.argv[1]):
    line = line.strip()
    if not line.startswith("{"):
        continue
    record = json.loads(line)
    if record["mode"] == "idle":
        idle[record["peer"]] = record
    else:
        runs.append(record)


def select(peer, mode, in_flight):
    return [r for r in runs if r["peer"] == peer and r["mode"] == mode
            and r["in_flight"] == in_flight and r["seconds"] > 0]


def rate(peer, mode, in_flight):
    chosen = select(peer, mode, in_flight)
    return statistics.median_low([r["units"] / r["seconds"] for r in chosen]) if chosen else None


def cpu_us(peer, mode, in_flight):
    chosen = select(peer, mode, in_flight)
    return (statistics.median_low([r["cpu"] / r["units"] * 1e6 for r in chosen if r["units"]])
            if chosen else None)


def most(peer, mode, in_flight, field):
    chosen = select(peer, mode, in_flight)
    return max(r[field] for r in chosen) if chosen else None


def number(value, digits=0):
    return "n/a" if value is None else f"{value:,.{digits}f}"


def ratio(a, b):
    return "n/a" if a is None or not b else f"{a / b:.2f} x"


def verdict(ok):
    return "met" if ok else "MISSED"


rows = []
for in_flight in (1, 64, 256):
    rates = {p: rate(p, "chat", in_flight) for p in PEERS}
    target = ""
    if in_flight == 64 and rates["lemma"] is not None:
        vs_bare = rates["bare"] and rates["lemma"] / rates["bare"] >= 0.9
        vs_node = rates["node"] and rates["lemma"] / rates["node"] >= 10
        target = f">= 0.9 x bare: {verdict(vs_bare)}; >= 10 x Node: {verdict(vs_node)}"
    rows.append([f"requests/s, {in_flight} in flight"] + [number(rates[p]) for p in PEERS] +
                [ratio(rates["lemma"], rates["bare"]), ratio(rates["lemma"], rates["node"]), target])
cpus = {p: cpu_us(p, "chat", 64) for p in PEERS}
rows.append(["CPU us/request, 64 in flight"] + [number(cpus[p], 1) for p in PEERS] +
            [ratio(cpus["lemma"], cpus["bare"]), ratio(cpus["lemma"], cpus["node"]), ""])
streams = {p: rate(p, "stream", 64) for p in PEERS}
rows.append(["chunks/s, 64 streams"] + [number(streams[p]) for p in PEERS] +
            [ratio(streams["lemma"], streams["bare"]), ratio(streams["lemma"], streams["node"]), ""])


def triple(peer, field, scale=1.0, digits=0):
    values = [most(peer, "chat", n, field) for n in (1, 64, 256)]
    return " / ".join(number(None if v is None else v * scale, digits) for v in values)


rows.append(["peak RSS MiB, 1 / 64 / 256 in flight"] +
            [triple(p, "peak_rss_kib", 1 / 1024, 1) for p in PEERS] + ["", "", ""])
rows.append(["peak RSS MiB, 64 streams"] +
            [number(None if most(p, "stream", 64, "peak_rss_kib") is None
                    else most(p, "stream", 64, "peak_rss_kib") / 1024, 1) for p in PEERS] +
            ["", "", ""])
rows.append(["threads, 1 / 64 / 256 in flight"] + [triple(p, "threads") for p in PEERS] +
            ["", "", ""])
rows.append(["TCP connections, 1 / 64 / 256 in flight"] +
            [triple(p, "connections") for p in PEERS] + ["", "", ""])
failures = {p: sum(r["failures"] for r in runs if r["peer"] == p) for p in PEERS}
rows.append(["failed calls (all runs)"] + [str(failures[p]) for p in PEERS] + ["", "", ""])

header = ["figure", "bare curl-multi", "lemma async", "Node openai", "lemma/bare", "lemma/Node",
          "target"]
widths = [max(len(str(row[i])) for row in rows + [header]) for i in range(len(header))]


def show(row):
    print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |")


show(header)
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for row in rows:
    show(row)

print()
lemma = idle.get("lemma")
if lemma is None:
    print("idle streams: no lemma figures (the run failed; see errors)")
    sys.exit(0)
bare = idle.get("bare")
n = lemma["streams"]


def per_stream(record):
    return (record["rss_open_kib"] - record["rss_before_kib"]) / record["streams"]


idle_rows = [
    ["streams open with a first chunk",
     f"{bare['first_chunks']} in {bare['open_seconds']:.2f} s" if bare else "n/a",
     f"{lemma['first_chunks']} in {lemma['open_seconds']:.2f} s ({lemma['ended_early']} ended)",
     f"{n}: {verdict(lemma['first_chunks'] == n and lemma['ended_early'] == 0)}"],
    ["RSS growth per idle stream", f"{per_stream(bare):.1f} KiB" if bare else "n/a",
     f"{per_stream(lemma):.1f} KiB ({lemma['rss_before_kib'] / 1024:.1f} -> "
     f"{lemma['rss_open_kib'] / 1024:.1f} MiB)", f"<= 64 KiB: {verdict(per_stream(lemma) <= 64)}"],
    ["threads while open", str(bare["threads_open"]) if bare else "n/a",
     f"{lemma['threads_open']} (before: {lemma['threads_before']})",
     f"main + 1 loop: {verdict(lemma['threads_open'] == 2)}"],
    ["TCP connections while open", str(bare["connections_open"]) if bare else "n/a",
     str(lemma["connections_open"]), ""],
    ["after Future::cancel() on all", "",
     f"{lemma['ended']} ended ({lemma['cancelled']} cancelled) in "
     f"{lemma['cancel_seconds']:.2f} s; then {lemma['threads_after']} threads",
     f"all cancelled: {verdict(lemma['ended'] == n and lemma['cancelled'] == n)}"],
]
idle_header = [f"{n} idle streams, one Client", "bare curl-multi", "lemma stream_async", "target"]
widths = [max(len(row[i]) for row in idle_rows + [idle_header]) for i in range(4)]
show(idle_header)
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for row in idle_rows:
    show(row)
