#!/usr/bin/env python3
"""Attribute each execution sample to its 'owner': the frame nearest the leaf that is not JDK and not
Reactor core (operators, contexts), so Reactor operator overhead is charged to the code that runs inside or
assembled it. usage: jfrowner.py <jfr> <requests> [<jfr> <requests>]"""
import collections, sys
sys.path.insert(0, __import__("os").path.dirname(__file__))
from jfrprof import events, group_of
SKIP = ("java.", "jdk.", "sun.", "com.sun.", "javax.", "reactor.core.", "reactor.util.")
JFR = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/jfr"
for path, reqs in zip(sys.argv[1::2], sys.argv[2::2]):
    reqs = int(reqs)
    sel = [s for s in events(JFR, path, "jdk.ExecutionSample") if "reactor-http" in s["fields"].get("sampledThread", "")]
    owner_cls = collections.Counter(); owner_grp = collections.Counter()
    for s in sel:
        o = next((f for f in s["stack"] if not f.startswith(SKIP)), "(all JDK/Reactor)")
        c = o.rsplit(".", 1)[0].split("$")[0]
        owner_cls[c] += 1; owner_grp[group_of(o)] += 1
    n = len(sel)
    print(f"== {path}: {n} samples, {n*1000/reqs:.1f} per 1000 requests")
    for g, k in owner_grp.most_common():
        print(f"  {100*k/n:6.2f}%  {k*1000/reqs:6.2f}/1000req  {g}")
    print("  -- owner classes in Spring Security / the starter / top others")
    for c, k in owner_cls.most_common():
        if c.startswith(("org.springframework.security", "io.github.spiffeboot")) or k / n > 0.02:
            print(f"  {100*k/n:6.2f}%  {k*1000/reqs:6.2f}/1000req  {c}")
