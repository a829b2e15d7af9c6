//! `switchyard`: start-up only; everything else lives in the library.

use anyhow::Context as _;
use clap::Parser;
use tracing_subscriber::EnvFilter;

use app::ssr::accounts;
use app::ssr::auth::{SessionPolicy, random_secret};
use switchyard::config::{CatalogAction, Command, Config, DemoAction, LogFormat};
use switchyard::{AppState, AuthConfig, HttpLimits, connect, leptos_options, prepare, serve_with};

fn main() -> anyhow::Result<()> {
    keep_large_allocations_mapped();
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(run())
}

/// glibc raises its mmap threshold after the first large free, so the 19 MiB of argon2id memory
/// each sign-in needs then stayed in the heap of the thread that hashed it: RSS went from 20 to
/// 420 MiB after 16 concurrent sign-ins. A fixed threshold keeps blocks of 4 MiB and more
/// mapped on their own and returns them on free (20.6 MiB after the same sign-ins; see
/// docs/benchmarks.md).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn keep_large_allocations_mapped() {
    // SAFETY: `mallopt` only changes a tuning parameter of glibc's allocator; it takes no
    // pointers and runs before any other thread of this process exists.
    let changed = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, 4 << 20) };
    if changed != 1 {
        eprintln!("could not fix the allocator's mmap threshold; memory use may grow after sign-ins");
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_large_allocations_mapped() {}

async fn run() -> anyhow::Result<()> {
    let config = Config::parse();
    // Text logs leave out the per-request access lines (RUST_LOG=switchyard::access=info shows
    // them); JSON logs, read by machines, keep one per request.
    let filter = |default: &str| EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    match config.log_format {
        LogFormat::Text => {
            tracing_subscriber::fmt().with_env_filter(filter("info,sqlx=warn,switchyard::access=warn")).init()
        }
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_env_filter(filter("info,sqlx=warn"))
            .init(),
    }
    if let Some(Command::Precompress { dir }) = &config.command {
        let n = switchyard::assets::precompress(dir)?;
        println!("precompressed {n} files in {}", dir.display());
        return Ok(());
    }
    // Migrations and reference data run as the owner; serving uses the application role.
    let owner_url = config.migrate_database_url.as_deref().unwrap_or(&config.database_url);
    let pool = connect(owner_url, config.db_pool).await?;
    prepare(&pool).await?;
    match config.command.unwrap_or(Command::Serve) {
        Command::Precompress { .. } => Ok(()),
        Command::Migrate => {
            tracing::info!("database is migrated and holds the reference data");
            Ok(())
        }
        Command::Demo { action } => {
            let is_load = matches!(action, DemoAction::Load { .. });
            let doc = match action {
                DemoAction::Load { if_empty } => {
                    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM clusters").fetch_one(&pool).await?;
                    if if_empty && count > 0 {
                        println!("The database already holds {count} clusters; demo fleet not loaded.");
                        return Ok(());
                    }
                    domain::fleet::demo_fleet()
                }
                DemoAction::Generate { clusters, seed } => domain::fleet::synthetic_fleet(clusters, seed),
            };
            let report = app::ssr::fleet::import_doc(&pool, None, &doc, false, "demo")
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if report.errors.is_empty() {
                println!("Loaded {} sites and {} clusters.", report.sites, report.clusters);
                if is_load {
                    let weighed = app::ssr::stakeholders::load_demo(&pool).await.map_err(|e| anyhow::anyhow!("{e}"))?;
                    println!("Added {weighed} demo stakeholders' weights (profile 'Plant brownfield').");
                    let added = app::ssr::adrs::load_demo(&pool).await.map_err(|e| anyhow::anyhow!("{e}"))?;
                    println!("Added {added} demo ADRs (one in every review state; existing ones are kept).");
                    let seen = app::ssr::versions::demo::load(&pool).await.map_err(|e| anyhow::anyhow!("{e}"))?;
                    println!("Added {seen} demo observations of the CNI versions running.");
                }
                Ok(())
            } else {
                for e in &report.errors {
                    eprintln!("{e}");
                }
                anyhow::bail!("the demo data did not validate; nothing was written")
            }
        }
        Command::Catalog { action: CatalogAction::Import { file, product, dry_run } } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let report =
                app::ssr::versions::catalog::import_as(&pool, None, &product, &text, dry_run).await.map_err(|e| {
                    let fields: Vec<String> = e.fields().into_iter().map(|(f, m)| format!("\n  {f}: {m}")).collect();
                    anyhow::anyhow!("{e}{}; nothing was changed", fields.concat())
                })?;
            let verb = if report.dry_run { "would change" } else { "changed" };
            if report.summary.is_empty() {
                println!("The {product} catalog already matches {}: nothing to change.", file.display());
            } else {
                println!("Importing {} {verb} the {product} catalog:", file.display());
                for line in &report.summary {
                    println!("  - {line}");
                }
            }
            Ok(())
        }
        Command::ResetPassword { email } => {
            let (password, generated) = match std::env::var("SWITCHYARD_NEW_PASSWORD") {
                Ok(p) => (p, false),
                Err(_) => (random_secret()[..20].to_string(), true),
            };
            let done =
                accounts::reset_password(&pool, &email, password.clone()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            if generated {
                println!("New password for {email}: {password}");
            } else {
                println!("Password for {email} changed.");
            }
            println!(
                "All of their sessions have ended, {} API token(s) were revoked and their failed sign-ins forgotten.",
                done.tokens_revoked
            );
            if done.re_enabled {
                println!("The user was disabled and is enabled again (recorded in the audit log).");
            }
            Ok(())
        }
        Command::Serve => {
            let listener = tokio::net::TcpListener::bind(config.addr)
                .await
                .with_context(|| format!("listening on {}", config.addr))?;
            let addr = listener.local_addr()?;
            match accounts::bootstrap_admin(&pool, config.admin_email.clone(), config.admin_password.clone())
                .await
                .map_err(|e| anyhow::anyhow!("creating the first admin: {e}"))?
            {
                Some((email, Some(password))) => tracing::warn!(
                    "created the first admin {email} with password {password} -- shown only this once; sign in and \
                     change it, or set SWITCHYARD_ADMIN_EMAIL and SWITCHYARD_ADMIN_PASSWORD before the first start"
                ),
                Some((email, None)) => tracing::info!("created the first admin {email} from SWITCHYARD_ADMIN_EMAIL"),
                None => {}
            }
            let mut auth = AuthConfig::for_addr(addr);
            if !config.origins.is_empty() {
                auth.origins = config.origins.iter().map(|o| o.trim_end_matches('/').to_string()).collect();
            }
            auth.trusted_proxies = app::ssr::throttle::parse_trusted(&config.trusted_proxies)
                .map_err(|e| anyhow::anyhow!("SWITCHYARD_TRUSTED_PROXIES: {e}"))?;
            auth.session = SessionPolicy {
                idle_minutes: config.session_idle_minutes,
                absolute_hours: config.session_max_hours,
                secure_cookie: config.secure_cookie,
            };
            auth.metrics_token = config.metrics_token.clone().and_then(app::ssr::Secret::new);
            let app_url = config.migrate_database_url.as_ref().map(|_| config.database_url.as_str());
            let serving = switchyard::db_roles::serving_pool(&pool, app_url, config.db_pool).await?;
            let state = AppState::new(serving, leptos_options(&config.site_root, addr), auth);
            tracing::info!("Switchyard is serving on http://{addr}");
            serve_with(listener, state, HttpLimits::with_import_mib(config.import_limit_mib)).await
        }
    }
}
