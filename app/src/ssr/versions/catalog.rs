//! The release catalog in PostgreSQL: seeded from the bundled files on first start, refreshed by
//! an admin's import (endoflife.date's release-data shape, or the release matrix), and kept per
//! server in a cache dropped on `NOTIFY switchyard_catalog_changed` (`migrations/0009_versions.sql`).

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use sqlx::types::Json;
use sqlx::{PgPool, Postgres, Transaction};

use crate::AppError;
use crate::model::{CatalogImportReport, Role};
use crate::ssr::auth::Principal;
use crate::ssr::model_cache::{Freshness, Invalidated};
use crate::ssr::{Ctx, audit};
use domain::versions::{Patch, SupportPolicy, VersionCatalog, parse_release_data, version_catalog};
use domain::{Catalog, Release};

/// The notification channel.
pub const CHANNEL: &str = "switchyard_catalog_changed";

/// The catalog as the gates read it (bundled kernel features and capabilities, releases from the
/// database) and as the version checks read it, with the version every import bumps.
#[derive(Debug)]
pub struct Catalogs {
    /// For the gates (kernel minimums of each release).
    pub gates: Catalog,
    /// For pins, lifecycles and upgrade paths.
    pub versions: VersionCatalog,
    /// `catalog_state.version`.
    pub version: i32,
}

/// This server's copy of the catalog.
#[derive(Debug, Default)]
pub struct CatalogCache {
    value: RwLock<Option<Arc<Catalogs>>>,
    freshness: Freshness,
}

impl CatalogCache {
    /// The catalog, from the cache while it is trustworthy, otherwise from the database.
    pub async fn get(&self, pool: &PgPool) -> Result<Arc<Catalogs>, AppError> {
        if self.freshness.is_listening()
            && let Some(c) = self.value.read().ok().and_then(|g| g.clone())
        {
            return Ok(c);
        }
        let generation = self.freshness.generation();
        let fresh = Arc::new(load(pool).await?);
        if let Ok(mut g) = self.value.write()
            && self.freshness.still(generation)
        {
            *g = Some(fresh.clone());
        }
        Ok(fresh)
    }

    /// Drops the cached copy.
    pub fn invalidate(&self) {
        self.freshness.bump();
        if let Ok(mut g) = self.value.write() {
            *g = None;
        }
    }
}

impl Invalidated for CatalogCache {
    fn channels(&self) -> &'static [&'static str] {
        &[CHANNEL]
    }

    fn invalidate(&self) {
        CatalogCache::invalidate(self);
    }

    fn set_listening(&self, on: bool) {
        self.freshness.set_listening(on);
        if let Ok(mut g) = self.value.write() {
            *g = None;
        }
    }
}

/// The bundled catalog, parsed once (kernel features, MTU overheads and capabilities come from it).
fn bundled() -> Result<&'static Catalog, AppError> {
    crate::ssr::fleet::catalog()
}

/// Reads the catalog from the database.
pub async fn load(pool: &PgPool) -> Result<Catalogs, AppError> {
    let releases: Vec<Json<Release>> =
        sqlx::query_scalar("SELECT release FROM cni_releases ORDER BY product, cycle").fetch_all(pool).await?;
    let releases: Vec<Release> = releases.into_iter().map(|r| r.0).collect();
    let rows: Vec<(String, String, Option<domain::NaiveDate>)> =
        sqlx::query_as("SELECT product, version, released_on FROM cni_patches").fetch_all(pool).await?;
    let mut patches: BTreeMap<String, Vec<Patch>> = BTreeMap::new();
    for (product, version, date) in rows {
        let (Ok(version), Some(date)) = (domain::versions::CniVersion::parse(&version), date) else {
            continue;
        };
        patches.entry(product).or_default().push(Patch { version, date });
    }
    let version: Option<i32> = sqlx::query_scalar("SELECT version FROM catalog_state").fetch_optional(pool).await?;
    let Some(version) = version else {
        // Not seeded yet (a database migrated but never started): the bundled catalog.
        let versions = version_catalog().map_err(|e| {
            tracing::error!(error = %e, "the bundled version catalog does not parse");
            AppError::Internal
        })?;
        return Ok(Catalogs { gates: bundled()?.clone(), versions, version: 0 });
    };
    let mut gates = bundled()?.clone();
    gates.releases = releases.clone();
    let versions = VersionCatalog::new(&releases, patches, SupportPolicy::default());
    Ok(Catalogs { gates, versions, version })
}

/// Loads the bundled catalog into an empty database (first start); quick when it holds one.
pub async fn seed(pool: &PgPool) -> Result<bool, AppError> {
    let mut tx = pool.begin().await?;
    sqlx::query("LOCK TABLE catalog_state IN EXCLUSIVE MODE").execute(&mut *tx).await?;
    let seeded: Option<i32> = sqlx::query_scalar("SELECT version FROM catalog_state").fetch_optional(&mut *tx).await?;
    if seeded.is_some() {
        return Ok(false);
    }
    let catalog = version_catalog().map_err(|e| {
        tracing::error!(error = %e, "the bundled version catalog does not parse");
        AppError::Internal
    })?;
    for product in catalog.products.keys() {
        write_product(&mut tx, &catalog, product).await?;
    }
    sqlx::query("INSERT INTO catalog_state (version) VALUES (1)").execute(&mut *tx).await?;
    let after = serde_json::json!({"source": "bundled", "products": catalog.products.keys().collect::<Vec<_>>()});
    audit::record(&mut tx, None, "catalog", "bundled", "seed", None, Some(after)).await?;
    tx.commit().await?;
    Ok(true)
}

/// Replaces one product's minors and patches with `catalog`'s, in `tx`.
async fn write_product(
    tx: &mut Transaction<'_, Postgres>,
    catalog: &VersionCatalog,
    product: &str,
) -> Result<(), AppError> {
    let Some(p) = catalog.product(product) else { return Ok(()) };
    sqlx::query("DELETE FROM cni_releases WHERE product = $1").bind(product).execute(&mut **tx).await?;
    sqlx::query("DELETE FROM cni_patches WHERE product = $1").bind(product).execute(&mut **tx).await?;
    let cycles: Vec<String> = p.minors.iter().map(|r| r.cycle.to_string()).collect();
    let docs: Vec<Json<&Release>> = p.minors.iter().map(Json).collect();
    sqlx::query("INSERT INTO cni_releases (product, cycle, release) SELECT $1, * FROM unnest($2::text[], $3::jsonb[])")
        .bind(product)
        .bind(&cycles)
        .bind(&docs)
        .execute(&mut **tx)
        .await?;
    let versions: Vec<String> = p.patches.iter().map(|x| x.version.to_string()).collect();
    let dates: Vec<domain::NaiveDate> = p.patches.iter().map(|x| x.date).collect();
    sqlx::query(
        "INSERT INTO cni_patches (product, version, released_on) SELECT $1, * FROM unnest($2::text[], $3::date[])
         ON CONFLICT DO NOTHING",
    )
    .bind(product)
    .bind(&versions)
    .bind(&dates)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Largest catalog file an import takes, in bytes (the bundled release data is about 40 KiB).
pub const MAX_IMPORT_BYTES: usize = 4 * 1024 * 1024;

/// Reads an import file for `product`: endoflife.date's release data (`{"versions": …}`) replaces
/// the product's patches; a release matrix (`{"rows": …}`) replaces its minor lines.
fn imported(current: &VersionCatalog, product: &str, text: &str) -> Result<VersionCatalog, AppError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        AppError::field(
            "file",
            format!("the file is not JSON ({e}); send endoflife.date release data or the release matrix"),
        )
    })?;
    let mut releases: Vec<Release> = current.products.values().flat_map(|p| p.minors.clone()).collect();
    let mut patches: BTreeMap<String, Vec<Patch>> =
        current.products.iter().map(|(k, p)| (k.clone(), p.patches.clone())).collect();
    let mut skipped = 0;
    if value.get("versions").is_some() {
        let data = parse_release_data(text, product)?;
        if data.patches.is_empty() {
            return Err(AppError::field("file", format!("the release data holds no {product} release")));
        }
        skipped = data.skipped_prereleases;
        patches.insert(product.to_string(), data.patches);
    } else if value.get("rows").is_some() {
        let parsed = Catalog::from_json(text, domain::catalog::KERNEL_FEATURES_JSON)?;
        let rows: Vec<Release> = parsed.releases.into_iter().filter(|r| r.product == product).collect();
        if rows.is_empty() {
            return Err(AppError::field(
                "file",
                format!("the release matrix has no row with \"product\": \"{product}\"; check ?product="),
            ));
        }
        releases.retain(|r| r.product != product);
        releases.extend(rows);
    } else {
        return Err(AppError::field(
            "file",
            "the file has neither \"versions\" (endoflife.date release data) nor \"rows\" (the release matrix)",
        ));
    }
    let mut out = VersionCatalog::new(&releases, patches, SupportPolicy::default());
    out.skipped_prereleases.insert(product.to_string(), skipped);
    Ok(out)
}

/// Imports a catalog file for `product` (admins): a dry run says what would change; otherwise the
/// product's rows are replaced in one transaction with the audit entry, and every server drops its
/// copy on the notification. A bad file changes nothing.
pub async fn import(ctx: &Ctx, product: &str, text: &str, dry_run: bool) -> Result<CatalogImportReport, AppError> {
    let actor = ctx.writer(Role::Admin)?;
    import_as(&ctx.pool, Some(actor), product, text, dry_run).await
}

/// [`import`] on behalf of `actor` (`None`: the `switchyard catalog import` command, run by
/// whoever may run the server).
pub async fn import_as(
    pool: &PgPool,
    actor: Option<&Principal>,
    product: &str,
    text: &str,
    dry_run: bool,
) -> Result<CatalogImportReport, AppError> {
    let model = crate::ssr::db::load_model(pool).await?;
    if !model.candidates.iter().any(|c| c.key == product) {
        let known: Vec<&str> = model.candidates.iter().map(|c| c.key.as_str()).collect();
        return Err(AppError::field(
            "product",
            format!("'{product}' is not a candidate; use one of {}", known.join(", ")),
        ));
    }
    let current = load(pool).await?;
    let next = imported(&current.versions, product, text)?;
    let changes = current.versions.changes(&next);
    let report = CatalogImportReport {
        product: product.to_string(),
        dry_run,
        changed: !changes.is_empty(),
        summary: changes.summary(),
        changes,
    };
    if dry_run || !report.changed {
        return Ok(report);
    }
    let mut tx = pool.begin().await?;
    write_product(&mut tx, &next, product).await?;
    sqlx::query(
        "INSERT INTO catalog_state (version) VALUES (1)
         ON CONFLICT (id) DO UPDATE SET version = catalog_state.version + 1, updated_at = now()",
    )
    .execute(&mut *tx)
    .await?;
    let after = serde_json::json!({"product": product, "changes": report.summary});
    audit::record(&mut tx, actor, "catalog", product, "import", None, Some(after)).await?;
    tx.commit().await?;
    Ok(report)
}
