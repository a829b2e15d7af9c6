//! Prometheus metrics at `GET /metrics` (text exposition format) and the per-request access
//! line (one JSON object per request with `SWITCHYARD_LOG_FORMAT=json`).
//!
//! Requests are counted by method, route template (`/api/v1/clusters/{id}`, never the concrete
//! path, so the series stay few) and status, and timed in a histogram. The pool, fleet, review
//! and version gauges are read at scrape time from the pool and this server's fleet map.
//! Scraping needs no session; when `SWITCHYARD_METRICS_TOKEN` is set it needs
//! `Authorization: Bearer <that token>`.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder,
};

use app::AppError;
use app::ssr::{AppState, Ctx, fleet};

/// The scrape path.
pub const METRICS_PATH: &str = "/metrics";

/// Every metric Switchyard exports, registered once per process.
struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool: IntGaugeVec,
    clusters: IntGaugeVec,
    exceptions: IntGauge,
    knock_outs: IntGauge,
    reviews_overdue: IntGauge,
    versions: IntGaugeVec,
}

fn metrics() -> Option<&'static Metrics> {
    static METRICS: OnceLock<Option<Metrics>> = OnceLock::new();
    METRICS
        .get_or_init(|| match Metrics::new() {
            Ok(m) => Some(m),
            Err(e) => {
                tracing::error!(error = %e, "the Prometheus metrics could not be registered");
                None
            }
        })
        .as_ref()
}

impl Metrics {
    fn new() -> prometheus::Result<Metrics> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("switchyard_http_requests_total", "HTTP requests by method, route template and status"),
            &["method", "route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new("switchyard_http_request_duration_seconds", "HTTP request latency by route template")
                .buckets(vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0]),
            &["method", "route"],
        )?;
        let pool = IntGaugeVec::new(
            Opts::new("switchyard_db_pool_connections", "Database pool connections by state (in_use, idle)"),
            &["state"],
        )?;
        let clusters = IntGaugeVec::new(
            Opts::new("switchyard_clusters", "Clusters by tier and CNI (decided, else recommended, else undecided)"),
            &["tier", "cni"],
        )?;
        let exceptions = IntGauge::new(
            "switchyard_cluster_exceptions",
            "Clusters whose decided CNI differs from the recommendation",
        )?;
        let knock_outs =
            IntGauge::new("switchyard_cluster_knock_outs", "Knock-out gates on scored candidates, over all clusters")?;
        let reviews_overdue =
            IntGauge::new("switchyard_adr_reviews_overdue", "Accepted ADRs whose review date has passed")?;
        let versions = IntGaugeVec::new(
            Opts::new(
                "switchyard_cluster_versions",
                "Clusters by version finding (eol: past end of life, eol_soon: within 90 days, drift, unpinned)",
            ),
            &["finding"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(pool.clone()))?;
        registry.register(Box::new(clusters.clone()))?;
        registry.register(Box::new(exceptions.clone()))?;
        registry.register(Box::new(knock_outs.clone()))?;
        registry.register(Box::new(reviews_overdue.clone()))?;
        registry.register(Box::new(versions.clone()))?;
        Ok(Metrics { registry, requests, latency, pool, clusters, exceptions, knock_outs, reviews_overdue, versions })
    }
}

/// Counts and times every request, and writes its access line (target `switchyard::access`).
pub async fn track(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_string();
    // The path only: a query may carry a feed token.
    let path = req.uri().path().to_string();
    let res = next.run(req).await;
    let elapsed = start.elapsed();
    let status = res.status().as_u16();
    if let Some(m) = metrics() {
        m.requests.with_label_values(&[method.as_str(), &route, &status.to_string()]).inc();
        m.latency.with_label_values(&[method.as_str(), &route]).observe(elapsed.as_secs_f64());
    }
    tracing::info!(
        target: "switchyard::access",
        method = %method,
        route = %route,
        path = %path,
        status,
        duration_ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    res
}

/// `GET /metrics`: the text exposition format.
pub async fn scrape(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(expected) = &state.auth.metrics_token {
        let given = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        if !given.is_some_and(|g| expected.matches(g.trim())) {
            return (
                StatusCode::UNAUTHORIZED,
                [("www-authenticate", "Bearer")],
                axum::Json(serde_json::json!({ "error": {
                    "code": "unauthorized",
                    "message": "send the metrics token (SWITCHYARD_METRICS_TOKEN) as `Authorization: Bearer …`",
                    "fields": {},
                }})),
            )
                .into_response();
        }
    }
    let Some(m) = metrics() else { return AppError::Internal.into_response() };
    let idle = i64::try_from(state.pool.num_idle()).unwrap_or(i64::MAX);
    let size = i64::from(state.pool.size());
    m.pool.with_label_values(&["idle"]).set(idle);
    m.pool.with_label_values(&["in_use"]).set(size.saturating_sub(idle).max(0));
    // The fleet gauges come from the cached map; a database outage leaves their last values.
    match fleet::fleet(&Ctx::internal_reader(&state)).await {
        Ok(f) => {
            m.clusters.reset();
            let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
            for (tier, by_cni) in &f.summary {
                for (cni, n) in by_cni {
                    m.clusters.with_label_values(&[tier, cni]).set(count(*n));
                }
            }
            let all = f.sites.iter().flat_map(|s| &s.clusters);
            m.exceptions.set(count(all.clone().filter(|c| c.exception).count()));
            m.knock_outs.set(count(all.map(|c| c.knock_outs).sum()));
            m.reviews_overdue.set(count(f.reviews.overdue));
            for (finding, n) in [
                ("eol", f.versions.eol),
                ("eol_soon", f.versions.eol_soon),
                ("drift", f.versions.drift),
                ("unpinned", f.versions.unpinned),
            ] {
                m.versions.with_label_values(&[finding]).set(count(n));
            }
        }
        Err(e) => tracing::warn!(error = %e, "the fleet gauges could not be refreshed for a scrape"),
    }
    let mut body = Vec::new();
    if let Err(e) = TextEncoder::new().encode(&m.registry.gather(), &mut body) {
        tracing::error!(error = %e, "encoding the metrics");
        return AppError::Internal.into_response();
    }
    ([(CONTENT_TYPE, TextEncoder::new().format_type().to_string())], body).into_response()
}
