//! The compiled site's assets (`pkg/`: WASM, JS, CSS), compressed once at start-up and served
//! precompressed: brotli or gzip as the browser accepts, never compressed again per request.
//!
//! File names carry no content hash (cargo-leptos 0.3 writes `switchyard.wasm`), so the cache
//! headers ask browsers to revalidate (`no-cache`): a repeat visit costs a `304 Not Modified`,
//! not the bundle.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use axum::Router;
use axum::http::HeaderValue;
use axum::http::header::CACHE_CONTROL;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Extensions worth compressing.
const COMPRESSIBLE: [&str; 4] = ["wasm", "js", "css", "svg"];

/// Writes `<file>.br` and `<file>.gz` beside every compressible file of `pkg_dir` that lacks them
/// or changed since; returns how many files it compressed.
pub fn precompress(pkg_dir: &Path) -> anyhow::Result<usize> {
    let mut done = 0;
    let entries = match std::fs::read_dir(pkg_dir) {
        Ok(e) => e,
        // No compiled site (tests, `switchyard migrate`): nothing to serve, nothing to do.
        Err(_) => return Ok(0),
    };
    for entry in entries {
        let path = entry?.path();
        let compressible = path.extension().and_then(|e| e.to_str()).is_some_and(|e| COMPRESSIBLE.contains(&e));
        if !compressible {
            continue;
        }
        let source = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let modified = std::fs::metadata(&path)?.modified()?;
        let fresh = |p: &PathBuf| std::fs::metadata(p).and_then(|m| m.modified()).is_ok_and(|t| t >= modified);
        let br = with_suffix(&path, "br");
        if !fresh(&br) {
            let mut out = Vec::new();
            {
                let mut w = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
                w.write_all(&source)?;
            }
            std::fs::write(&br, out).with_context(|| format!("writing {}", br.display()))?;
            done += 1;
        }
        let gz = with_suffix(&path, "gz");
        if !fresh(&gz) {
            let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            w.write_all(&source)?;
            std::fs::write(&gz, w.finish()?).with_context(|| format!("writing {}", gz.display()))?;
        }
    }
    Ok(done)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".");
    s.push(suffix);
    PathBuf::from(s)
}

/// `/pkg/*` from `site_root/pkg`, precompressed, with revalidation headers.
pub fn pkg_routes<S: Clone + Send + Sync + 'static>(site_root: &str) -> Router<S> {
    let dir = Path::new(site_root).join("pkg");
    let service = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    Router::new()
        .nest_service("/pkg", service)
        .layer(SetResponseHeaderLayer::overriding(CACHE_CONTROL, HeaderValue::from_static("no-cache")))
}
