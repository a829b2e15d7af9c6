//! The compiled site's file names: the stylesheet and one WASM bundle per page group, each named
//! by its content hash so browsers may cache them for good.
//!
//! The release build (`scripts/lib.sh`, `build_release`) writes `pkg/bundles.json`:
//! `{"css": "switchyard.<hash>.css", "bundles": {"studio": "studio.<hash>", …}}`, where a bundle
//! stem names both `<stem>.js` and `<stem>.wasm`. Without that file (a `cargo leptos watch`
//! build) every page loads the one bundle `switchyard` with every island.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

/// File names under `/pkg`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct SiteAssets {
    /// The stylesheet.
    pub css: String,
    /// Bundle name (`studio`, `cluster`, `admin`) → file stem.
    pub bundles: BTreeMap<String, String>,
}

impl Default for SiteAssets {
    fn default() -> Self {
        SiteAssets { css: "switchyard.css".into(), bundles: BTreeMap::new() }
    }
}

impl SiteAssets {
    /// Reads `site_root/pkg/bundles.json`; a missing file means a development build (defaults),
    /// an unreadable one is logged and treated the same way.
    pub fn load(site_root: &str) -> Self {
        let path = Path::new(site_root).join("pkg").join("bundles.json");
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
                tracing::error!(path = %path.display(), error = %e, "the site's bundle list does not parse");
                SiteAssets::default()
            }),
            Err(_) => SiteAssets::default(),
        }
    }

    /// The file stem of bundle `name`: its hashed stem, or the single development bundle.
    pub fn bundle(&self, name: &str) -> String {
        self.bundles.get(name).cloned().unwrap_or_else(|| "switchyard".into())
    }
}
