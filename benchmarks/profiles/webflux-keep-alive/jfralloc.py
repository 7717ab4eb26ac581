#!/usr/bin/env python3
"""Inclusive allocation-weight shares (jdk.ObjectAllocationSample) of frame patterns.
usage: jfralloc.py <jfr> <requests>"""
import re, sys, os
sys.path.insert(0, os.path.dirname(__file__))
from jfrprof import events, weight_bytes
PATTERNS = [
    ("Spring Security header writers (HttpHeaderWriterWebFilter)", r"security\.web\.server\.header\."),
    ("StrictServerWebExchangeFirewall", r"StrictServerWebExchangeFirewall"),
    ("WebFilterChainProxy own (filterWhen/collectList/new chain)", r"security\.web\.server\.WebFilterChainProxy\."),
    ("DefaultWebFilterChain.invokeFilter (checkpoint name per filter)", r"DefaultWebFilterChain\.invokeFilter$"),
    ("DefaultWebFilterChain.<init>/initChain (chain links per request)", r"DefaultWebFilterChain\.(<init>|initChain)$"),
    ("getSslInfo/DefaultSslInfo (session id hex, cert clone)", r"(initSslInfo|DefaultSslInfo\.)"),
    ("SpiffeAuthenticationWebFilter", r"SpiffeAuthenticationWebFilter\."),
    ("SpiffeReactiveAuthorizationManager", r"SpiffeReactiveAuthorizationManager\."),
    ("WebFluxPaths.of", r"WebFluxPaths\.of$"),
    ("AuthorizationPolicy.decide", r"AuthorizationPolicy\.decide$"),
    ("decision listeners (audit/metrics)", r"onDecision$"),
    ("ReactiveSecurityContextHolder", r"ReactiveSecurityContextHolder\."),
    ("AuthorizationWebFilter + Delegating manager", r"(authorization\.AuthorizationWebFilter|DelegatingReactiveAuthorizationManager)\."),
    ("ReactorContextWebFilter/SecurityContextServerWebExchangeWebFilter", r"(ReactorContextWebFilter|SecurityContextServerWebExchangeWebFilter)\."),
    ("ServerRequestCacheWebFilter", r"ServerRequestCacheWebFilter\."),
    ("ExceptionTranslationWebFilter", r"ExceptionTranslationWebFilter\."),
    ("Mono<Authentication> controller argument", r"(PrincipalMethodArgumentResolver|ServerWebExchangeMethodArgumentResolver|getPrincipal)"),
    ("any Spring Security frame", r"^org\.springframework\.security\."),
    ("any starter frame", r"^io\.github\.spiffeboot\.(?!benchmarks)"),
]
JFR = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/jfr"
path, reqs = sys.argv[1], int(sys.argv[2])
ev = [e for e in events(JFR, path, "jdk.ObjectAllocationSample") if "reactor-http" in e["fields"].get("eventThread", "")]
tot = sum(weight_bytes(e["fields"].get("weight", "0 bytes")) for e in ev)
print(f"== {path}: {len(ev)} allocation samples, {tot/1024/1024:.0f} MB estimated, {tot/reqs/1024:.1f} KB per request")
for name, rx in PATTERNS:
    r = re.compile(rx)
    w = sum(weight_bytes(e["fields"].get("weight", "0 bytes")) for e in ev if any(r.search(f) for f in e["stack"]))
    print(f"  {100*w/tot:6.2f}%  {w/reqs/1024:6.2f} KB/req  {name}")
