//! The compiled site's assets (`pkg/`: WASM, JS, CSS), compressed once at start-up and served
//! precompressed: brotli or gzip as the browser accepts, never compressed again per request.
//!
//! The release build (`scripts/lib.sh`, `build_release`) names each file by its content
//! (`studio.<16 hex digits>.wasm`, listed in `pkg/bundles.json`), so those are served
//! `immutable` for a year: a repeat visit fetches nothing. Files without a hash (a
//! `cargo leptos watch` build) are served `no-cache`, to be revalidated.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use axum::Router;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::header::CACHE_CONTROL;
use axum::middleware::Next;
use axum::response::Response;
use tower_http::services::ServeDir;

/// Extensions worth compressing.
const COMPRESSIBLE: [&str; 4] = ["wasm", "js", "css", "svg"];

/// Writes `<file>.br` (brotli 11) and `<file>.gz` (zopfli) beside every compressible file of `pkg_dir` that lacks them
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
            // Zopfli: gzip that any client inflates, about 5 % smaller than gzip -9, for the
            // clients that take no brotli. Slow (a second per bundle), so written once.
            let mut out = Vec::new();
            zopfli::compress(zopfli::Options::default(), zopfli::Format::Gzip, source.as_slice(), &mut out)?;
            std::fs::write(&gz, out).with_context(|| format!("writing {}", gz.display()))?;
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

/// True for a file name carrying a content hash: `name.<16 hex digits>.ext`.
pub fn is_hashed(file: &str) -> bool {
    let mut parts = file.rsplit('.');
    let (_ext, hash) = (parts.next(), parts.next().unwrap_or(""));
    parts.next().is_some() && hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
const REVALIDATE: HeaderValue = HeaderValue::from_static("no-cache");

async fn cache_headers(req: Request, next: Next) -> Response {
    let hashed = is_hashed(req.uri().path().rsplit('/').next().unwrap_or(""));
    let mut res = next.run(req).await;
    if res.status().is_success() || res.status() == axum::http::StatusCode::NOT_MODIFIED {
        res.headers_mut().insert(CACHE_CONTROL, if hashed { IMMUTABLE } else { REVALIDATE });
    }
    res
}

/// `/pkg/*` from `site_root/pkg`, precompressed, cached for good when the name is hashed.
pub fn pkg_routes<S: Clone + Send + Sync + 'static>(site_root: &str) -> Router<S> {
    let dir = Path::new(site_root).join("pkg");
    let service = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    Router::new().nest_service("/pkg", service).layer(axum::middleware::from_fn(cache_headers))
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn only_names_with_a_sixteen_digit_hash_count_as_hashed() {
        assert!(is_hashed("switchyard.0123456789abcdef.wasm"));
        assert!(!is_hashed("switchyard.wasm"));
        assert!(!is_hashed("switchyard.0123456789abcdeg.wasm"));
        assert!(!is_hashed("0123456789abcdef.wasm"));
        assert!(!is_hashed(""));
    }
}
