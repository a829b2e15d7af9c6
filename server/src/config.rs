//! Configuration from flags and the environment.

use clap::{Parser, Subcommand};
use std::net::SocketAddr;

/// How the server writes its log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Switchyard: decide, per Kubernetes cluster, which CNI to run, and keep the decision honest.
#[derive(Debug, Parser)]
#[command(name = "switchyard", version, about)]
pub struct Config {
    /// PostgreSQL connection URL; the database is created if it does not exist.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/switchyard",
        hide_env_values = true
    )]
    pub database_url: String,

    /// PostgreSQL URL of the owner, for migrations and reference data, when the deployment gives
    /// two logins; `DATABASE_URL` is then the application's login, which gets only serving rights.
    #[arg(long, env = "SWITCHYARD_MIGRATE_DATABASE_URL", hide_env_values = true)]
    pub migrate_database_url: Option<String>,

    /// Address to listen on.
    #[arg(long, env = "SWITCHYARD_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// Folder with the compiled site (`pkg/` with the WASM bundle, CSS and public assets).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,

    /// Bearer token `GET /metrics` requires; without it the metrics are open to anyone who can
    /// reach the port.
    #[arg(long, env = "SWITCHYARD_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// Log format: `text` for people, `json` for one JSON object per line (with one line per
    /// request, target `switchyard::access`).
    #[arg(long, env = "SWITCHYARD_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Largest number of pooled database connections.
    #[arg(long, env = "SWITCHYARD_DB_POOL", default_value_t = 10)]
    pub db_pool: u32,

    /// Email of the admin created on first start (when there are no users yet).
    #[arg(long, env = "SWITCHYARD_ADMIN_EMAIL")]
    pub admin_email: Option<String>,

    /// Password of that admin; without it a random one is generated and printed once.
    #[arg(long, env = "SWITCHYARD_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,

    /// Origins allowed to make cookie-authenticated changes, comma-separated (behind a proxy:
    /// the public URL, e.g. `https://switchyard.example.com`). Default: the listen address.
    #[arg(long, env = "SWITCHYARD_ORIGINS", value_delimiter = ',')]
    pub origins: Vec<String>,

    /// Reverse proxies (addresses or CIDRs, comma-separated) whose `Forwarded` /
    /// `X-Forwarded-For` headers name the client; from anyone else those headers are ignored.
    #[arg(long, env = "SWITCHYARD_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: String,

    /// Mark the session cookie `Secure` (set when served over HTTPS).
    #[arg(long, env = "SWITCHYARD_SECURE_COOKIE", default_value_t = false)]
    pub secure_cookie: bool,

    /// Largest body of `POST /api/v1/clusters/import`, in MiB (every other route takes 1 MiB).
    /// A 10,000-cluster YAML export is a few MiB.
    #[arg(long, env = "SWITCHYARD_IMPORT_LIMIT_MIB", default_value_t = 32)]
    pub import_limit_mib: usize,

    /// Minutes without a request after which a session ends.
    #[arg(long, env = "SWITCHYARD_SESSION_IDLE_MINUTES", default_value_t = 480)]
    pub session_idle_minutes: i64,

    /// Hours after which a session ends regardless.
    #[arg(long, env = "SWITCHYARD_SESSION_MAX_HOURS", default_value_t = 168)]
    pub session_max_hours: i64,

    /// What to do; serving is the default.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database, load reference data on first start, and serve HTTP (the default).
    Serve,
    /// Migrate the database and load reference data, then exit.
    Migrate,
    /// Write the brotli and gzip (zopfli) copies the server sends instead of the compiled site's
    /// files (`target/site/pkg`); the release build runs it, and `serve` catches up on start.
    Precompress {
        /// The folder of the compiled site's files.
        dir: std::path::PathBuf,
    },
    /// Demo data: `demo load` loads the demo fleet modelled on the seed ADR; `demo generate
    /// --clusters N` adds a synthetic fleet of N clusters.
    Demo {
        /// What to do.
        #[command(subcommand)]
        action: DemoAction,
    },
    /// The release catalog: `catalog import FILE --product cilium` refreshes it from
    /// endoflife.date's release data or the release matrix (`--dry-run` shows what would change).
    Catalog {
        /// What to do.
        #[command(subcommand)]
        action: CatalogAction,
    },
    /// Set a new password for a user (for a locked-out admin) and end their sessions. The new
    /// password comes from SWITCHYARD_NEW_PASSWORD, or is generated and printed.
    ResetPassword {
        /// The user's email.
        #[arg(long)]
        email: String,
    },
}

/// Release catalog actions.
#[derive(Debug, Subcommand)]
pub enum CatalogAction {
    /// Import a catalog file for one product.
    Import {
        /// The JSON file: endoflife.date release data (`{"versions": …}`) or the release matrix.
        file: std::path::PathBuf,
        /// The product the file is for (`cilium`, `calico`).
        #[arg(long)]
        product: String,
        /// Only show what would change.
        #[arg(long)]
        dry_run: bool,
    },
}

/// Demo data actions.
#[derive(Debug, Subcommand)]
pub enum DemoAction {
    /// Load the demo fleet (sites and clusters; existing ones with the same names are updated).
    Load {
        /// Only when the database holds no clusters yet.
        #[arg(long)]
        if_empty: bool,
    },
    /// Add a synthetic fleet of any size (names prefixed `syn-`).
    Generate {
        /// Number of clusters.
        #[arg(long)]
        clusters: usize,
        /// Seed of the generator (the same seed gives the same fleet).
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}
