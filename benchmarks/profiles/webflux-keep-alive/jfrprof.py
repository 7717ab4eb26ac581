#!/usr/bin/env python3
"""Summarise JFR execution and allocation samples (text output of `jfr print --stack-depth 512`).

usage: jfrprof.py <recording.jfr> [--jfr /path/to/jfr] [--top N] [--classes-out FILE]
Prints: samples per thread, self (leaf) shares by method and by package group, inclusive shares of
key frames, and allocation-sample weight by allocating frame (top frame and first non-JDK frame).
"""
import argparse, collections, re, subprocess, sys, json

GROUPS = [
    ("io.github.spiffeboot.benchmarks", "benchmark app (io.github.spiffeboot.benchmarks.*)"),
    ("io.github.spiffeboot", "io.github.spiffeboot.* (starter)"),
    ("org.springframework.security", "org.springframework.security.*"),
    ("org.springframework.web", "org.springframework.web.*"),
    ("org.springframework.http", "org.springframework.http.*"),
    ("org.springframework.core", "org.springframework.core.*"),
    ("org.springframework.util", "org.springframework.util.*"),
    ("org.springframework.boot", "org.springframework.boot.*"),
    ("org.springframework", "org.springframework.(other)"),
    ("reactor.netty", "reactor.netty.*"),
    ("reactor", "reactor.core/util.*"),
    ("io.netty", "io.netty.*"),
    ("sun.security", "sun.security.* (JDK TLS)"),
    ("com.sun.crypto", "com.sun.crypto.* (JDK AES-GCM)"),
    ("tools.jackson", "jackson"),
    ("com.fasterxml.jackson", "jackson"),
    ("io.micrometer", "io.micrometer.*"),
    ("java.", "java.*"),
    ("javax.", "javax.*"),
    ("jdk.", "jdk.*"),
    ("sun.", "sun.* (other)"),
]

KEY_FRAMES = [
    # name, regex on "Class.method"
    ("HttpWebHandlerAdapter.handle (whole exchange)", r"HttpWebHandlerAdapter\.handle$"),
    ("WebFilterChainProxy.filter (security chain)", r"security\.web\.server\.WebFilterChainProxy\.filter$"),
    ("WebFilterChainProxy matching chains (ManagementPortExchangeMatcher etc)", r"WebFilterChainProxy\.lambda\$filter\$[0-9]+$"),
    ("MatcherSecurityWebFilterChain.matches", r"MatcherSecurityWebFilterChain\.matches$"),
    ("ManagementPortExchangeMatcher.matches", r"ManagementPortExchangeMatcher\.matches$"),
    ("ServerWebExchangeReactorContextWebFilter", r"ServerWebExchangeReactorContextWebFilter\."),
    ("HttpHeaderWriterWebFilter", r"HttpHeaderWriterWebFilter\."),
    ("header writers (StaticServerHttpHeadersWriter, StrictTransportSecurity...)", r"(ServerHttpHeadersWriter|HttpHeadersWriter|StrictTransportSecurityServerHttpHeadersWriter)\."),
    ("ReactorContextWebFilter", r"\.ReactorContextWebFilter\."),
    ("SpiffeAuthenticationWebFilter", r"SpiffeAuthenticationWebFilter\."),
    ("VerifiedCallers.verify", r"VerifiedCallers\.verify$"),
    ("getSslInfo / DefaultSslInfo", r"(getSslInfo|initSslInfo|DefaultSslInfo\.)"),
    ("SecurityContextServerWebExchangeWebFilter", r"SecurityContextServerWebExchangeWebFilter\."),
    ("ServerRequestCacheWebFilter", r"ServerRequestCacheWebFilter\."),
    ("ExceptionTranslationWebFilter", r"ExceptionTranslationWebFilter\."),
    ("AuthorizationWebFilter", r"authorization\.AuthorizationWebFilter\."),
    ("DelegatingReactiveAuthorizationManager.check/authorize", r"DelegatingReactiveAuthorizationManager\."),
    ("SpiffeReactiveAuthorizationManager", r"SpiffeReactiveAuthorizationManager\."),
    ("AuthorizationPolicy.decide", r"authz\..*Policy\.decide$"),
    ("WebFluxPaths.of", r"WebFluxPaths\.of$"),
    ("AuthorizationDecisionListener (audit/metrics)", r"(onDecision|DecisionListener|AuditLog|Metrics.*Listener)"),
    ("ReactiveSecurityContextHolder", r"ReactiveSecurityContextHolder\."),
    ("ObservationWebFilterChainDecorator", r"ObservationWebFilterChainDecorator"),
    ("ServerHttpObservationFilter / http.server.requests", r"(ServerHttpObservationFilter|ServerRequestObservation|ObservationRegistry|Observation\.)"),
    ("micrometer (any)", r"^io\.micrometer\."),
    ("DispatcherHandler.handle", r"DispatcherHandler\.handle$"),
    ("RequestMappingHandlerMapping lookup (getHandler)", r"AbstractHandlerMapping\.getHandler$"),
    ("InvocableHandlerMethod.invoke (args+controller)", r"InvocableHandlerMethod\.invoke$"),
    ("argument resolution (getMethodArgumentValues)", r"InvocableHandlerMethod\.getMethodArgumentValues$"),
    ("PrincipalMethodArgumentResolver / Authentication arg", r"(PrincipalMethodArgumentResolver|AuthenticationPrincipalArgumentResolver|CurrentSecurityContextArgumentResolver)\."),
    ("ResponseBodyResultHandler / message writers", r"(ResponseBodyResultHandler|AbstractMessageWriterResultHandler)\."),
    ("Jackson encode/decode", r"(Jackson|jackson)"),
    ("reactor.core.publisher (any)", r"^reactor\.core\.publisher\."),
    ("Mono.contextWrite / Context ops", r"(contextWrite|ContextN|Context[0-9]\.|FluxContextWrite|MonoContextWrite)"),
    ("Hooks / onAssembly / checkpoint", r"(onAssembly|Hooks\.|FluxOnAssembly|MonoOnAssembly)"),
    ("Spring Security any frame", r"^org\.springframework\.security\."),
    ("starter any frame (io.github.spiffeboot, not benchmarks)", r"^io\.github\.spiffeboot\.(?!benchmarks)"),
    ("benchmark app frames (http10KeepAlive filter, controller)", r"^io\.github\.spiffeboot\.benchmarks"),
    ("SSL read/write (SslHandler)", r"io\.netty\.handler\.ssl\.SslHandler\."),
    ("JDK SSLEngine wrap/unwrap", r"SSLEngineImpl\.(wrap|unwrap)$"),
    ("Netty HttpServerCodec / decode", r"(HttpObjectDecoder|HttpObjectEncoder|HttpServerCodec)\."),
    ("ChannelOperations / HttpServerOperations", r"reactor\.netty\.http\.server\.HttpServerOperations\."),
    ("epoll wait/syscalls (Native)", r"io\.netty\.channel\.epoll\.Native\."),
]

FRAME_RE = re.compile(r"^\s+(\S+?)\((.*?)\)\s+line:")


def frame_name(line):
    m = FRAME_RE.match(line)
    if m:
        return m.group(1)
    s = line.strip()
    return s.split("(")[0] if s and s != "..." else None


def events(jfr_tool, path, event):
    out = subprocess.run([jfr_tool, "print", "--stack-depth", "512", "--events", event, path],
                         capture_output=True, text=True, check=True).stdout
    cur = None
    in_stack = False
    for line in out.splitlines():
        if line.startswith(event.split(".")[-1]) or line.startswith(event):
            cur = {"stack": [], "fields": {}}
            in_stack = False
        elif cur is None:
            continue
        elif line.strip() == "stackTrace = [":
            in_stack = True
        elif in_stack:
            if line.strip() == "]":
                in_stack = False
            else:
                f = frame_name(line)
                if f:
                    cur["stack"].append(f)
        elif line.startswith("}"):
            yield cur
            cur = None
        else:
            m = re.match(r"^\s+(\w+) = (.*)$", line)
            if m:
                cur["fields"][m.group(1)] = m.group(2)


def group_of(frame):
    for prefix, name in GROUPS:
        if frame.startswith(prefix):
            return name
    return "other: " + ".".join(frame.split(".")[:2])


def cls(frame):
    return frame.rsplit(".", 1)[0]


def pct(n, total):
    return 100.0 * n / total if total else 0.0


def weight_bytes(s):
    m = re.match(r"([\d.]+)\s*(bytes|kB|MB|GB)", s)
    if not m:
        return 0
    return float(m.group(1)) * {"bytes": 1, "kB": 1024, "MB": 1024**2, "GB": 1024**3}[m.group(2)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("jfr")
    ap.add_argument("--jfr-tool", default="/usr/lib/jvm/temurin-25-jdk-amd64/bin/jfr")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--json-out")
    ap.add_argument("--thread", default="reactor-http", help="only threads whose name contains this ('' for all)")
    a = ap.parse_args()

    samples = list(events(a.jfr_tool, a.jfr, "jdk.ExecutionSample"))
    threads = collections.Counter(s["fields"].get("sampledThread", "?").split(" (")[0] for s in samples)
    print(f"== {a.jfr}: {len(samples)} execution samples (all threads)")
    for t, n in threads.most_common(12):
        print(f"   {n:6d} {t}")
    sel = [s for s in samples if a.thread in s["fields"].get("sampledThread", "")] if a.thread else samples
    total = len(sel)
    print(f"== analysed: {total} samples on threads containing '{a.thread}'")

    selfm = collections.Counter(s["stack"][0] for s in sel if s["stack"])
    selfg = collections.Counter(group_of(s["stack"][0]) for s in sel if s["stack"])
    print("\n-- self (leaf) by package group")
    for g, n in selfg.most_common():
        print(f"  {pct(n,total):6.2f}%  {n:6d}  {g}")
    print(f"\n-- self (leaf) top {a.top} methods")
    for m, n in selfm.most_common(a.top):
        print(f"  {pct(n,total):6.2f}%  {n:6d}  {m}")

    print("\n-- inclusive shares of key frames (sample counted once if any frame matches)")
    incl = {}
    for name, rx in KEY_FRAMES:
        r = re.compile(rx)
        n = sum(1 for s in sel if any(r.search(f) for f in s["stack"]))
        incl[name] = pct(n, total)
        print(f"  {pct(n,total):6.2f}%  {n:6d}  {name}")

    # inclusive share by class (for diffing)
    bycls = collections.Counter()
    for s in sel:
        for c in set(cls(f) for f in s["stack"]):
            bycls[c] += 1
    bycls_pct = {c: pct(n, total) for c, n in bycls.items()}
    # self by method per group "first non-JDK frame" attribution: who calls into java.*/jdk TLS
    owner = collections.Counter()
    for s in sel:
        for f in s["stack"]:
            if not f.startswith(("java.", "jdk.", "sun.", "com.sun.", "javax.")):
                owner[group_of(f)] += 1
                break
    print("\n-- self attributed to first non-JDK frame's package group")
    for g, n in owner.most_common():
        print(f"  {pct(n,total):6.2f}%  {n:6d}  {g}")

    allocs = list(events(a.jfr_tool, a.jfr, "jdk.ObjectAllocationSample"))
    tot_w = 0.0
    top_w = collections.Counter(); nonjdk_w = collections.Counter(); cls_w = collections.Counter()
    for e in allocs:
        if a.thread and a.thread not in e["fields"].get("eventThread", ""):
            continue
        w = weight_bytes(e["fields"].get("weight", "0 bytes"))
        tot_w += w
        st = e["stack"]
        if st:
            top_w[st[0]] += w
            for f in st:
                if not f.startswith(("java.", "jdk.", "sun.", "com.sun.", "javax.")):
                    nonjdk_w[f] += w
                    break
        cls_w[e["fields"].get("objectClass", "?").split(" (")[0]] += w
    print(f"\n-- allocation samples: {len(allocs)} events, total weight {tot_w/1024/1024:.1f} MB (selected threads)")
    print("   top allocating frames (leaf):")
    for f, w in top_w.most_common(25):
        print(f"  {pct(w,tot_w):6.2f}%  {f}")
    print("   top allocating first non-JDK frames:")
    for f, w in nonjdk_w.most_common(25):
        print(f"  {pct(w,tot_w):6.2f}%  {f}")
    print("   top allocated classes:")
    for c, w in cls_w.most_common(15):
        print(f"  {pct(w,tot_w):6.2f}%  {c}")
    if a.json_out:
        json.dump({"total": total, "self_methods": {m: pct(n, total) for m, n in selfm.items()},
                   "self_groups": {g: pct(n, total) for g, n in selfg.items()}, "incl": incl,
                   "incl_class": bycls_pct, "alloc_total_mb": tot_w / 1024 / 1024,
                   "alloc_nonjdk": {f: pct(w, tot_w) for f, w in nonjdk_w.items()}},
                  open(a.json_out, "w"), indent=1)


if __name__ == "__main__":
    main()
