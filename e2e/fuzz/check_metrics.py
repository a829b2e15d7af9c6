"""Reads Switchyard's /metrics with the Prometheus client library's own text parser and checks
the families an operator scrapes are there, with sane values."""

import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

base, token = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "")
# One request first, so the request counters have a sample even on a fresh server.
urllib.request.urlopen(f"{base}/healthz").read()
req = urllib.request.Request(f"{base}/metrics")
if token:
    req.add_header("Authorization", f"Bearer {token}")
with urllib.request.urlopen(req) as r:
    content_type = r.headers.get("Content-Type", "")
    text = r.read().decode("utf-8")
assert content_type.startswith("text/plain; version=0.0.4"), content_type

families = {f.name: f for f in text_string_to_metric_families(text)}
want = {
    "switchyard_http_requests": "counter",
    "switchyard_http_request_duration_seconds": "histogram",
    "switchyard_db_pool_connections": "gauge",
    "switchyard_clusters": "gauge",
    "switchyard_cluster_exceptions": "gauge",
    "switchyard_cluster_knock_outs": "gauge",
    "switchyard_adr_reviews_overdue": "gauge",
    "switchyard_cluster_versions": "gauge",
}
for name, kind in want.items():
    assert name in families, f"{name} missing; got {sorted(families)}"
    assert families[name].type == kind, f"{name} is a {families[name].type}, not a {kind}"

clusters = sum(s.value for s in families["switchyard_clusters"].samples)
assert clusters > 0, "no clusters counted"
routes = {s.labels["route"] for s in families["switchyard_http_requests"].samples}
assert all("{" in r or r.count("/") < 6 for r in routes), "requests must be labelled by route template"
eol = [s.value for s in families["switchyard_cluster_versions"].samples if s.labels["finding"] == "eol"]
assert eol and eol[0] > 0, "the demo fleet has clusters on end-of-life releases"
print(f"prometheus-client parsed {len(families)} metric families: {clusters:.0f} clusters, {len(routes)} route templates")
