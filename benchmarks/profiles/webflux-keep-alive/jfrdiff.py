#!/usr/bin/env python3
"""Compare two jfrprof.py --json-out files per request: samples per 1000 requests, starter vs plain.
usage: jfrdiff.py starter.json <starter requests> plain.json <plain requests>"""
import json, sys
s, sn, p, pn = json.load(open(sys.argv[1])), int(sys.argv[2]), json.load(open(sys.argv[3])), int(sys.argv[4])
rs, rp = s["total"] * 1000 / sn, p["total"] * 1000 / pn
print(f"samples per 1000 requests: starter {rs:.1f}, plain {rp:.1f}, ratio {rs/rp:.2f}, extra {rs-rp:.1f}")
extra = rs - rp
def table(key, title, n=30, minabs=0.4):
    print(f"\n-- {title}: starter %, plain %, starter/1000req, plain/1000req, delta/1000req, delta as % of starter extra")
    rows = []
    for k in set(s[key]) | set(p[key]):
        a, b = s[key].get(k, 0.0), p[key].get(k, 0.0)
        da, db = a * rs / 100, b * rp / 100
        rows.append((da - db, k, a, b, da, db))
    rows.sort(reverse=True)
    for d, k, a, b, da, db in rows[:n]:
        if abs(d) < minabs * rs / 100: continue
        print(f"  {a:6.2f}% {b:6.2f}%  {da:6.2f} {db:6.2f}  {d:+6.2f}  {100*d/extra:+6.1f}%  {k}")
    print("  ... most negative:")
    for d, k, a, b, da, db in rows[-6:]:
        print(f"  {a:6.2f}% {b:6.2f}%  {da:6.2f} {db:6.2f}  {d:+6.2f}  {100*d/extra:+6.1f}%  {k}")
table("self_groups", "self by package group", 30, 0)
table("incl", "inclusive key frames", 60, 0.3)
table("self_methods", "self by method", 40, 0.3)
print("\n-- classes on starter stacks and (nearly) absent from plain (inclusive, any frame of the class)")
only = [(v, c) for c, v in s["incl_class"].items() if v >= 0.5 and p["incl_class"].get(c, 0) < 0.1]
for v, c in sorted(only, reverse=True)[:60]:
    print(f"  {v:6.2f}%  (plain {p['incl_class'].get(c,0):.2f}%)  {c}")
