//! Configuration from flags and the environment.

use clap::{Parser, Subcommand};
use std::net::SocketAddr;

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

    /// Address to listen on.
    #[arg(long, env = "SWITCHYARD_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// Folder with the compiled site (`pkg/` with the WASM bundle, CSS and public assets).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,

    /// Largest number of pooled database connections.
    #[arg(long, env = "SWITCHYARD_DB_POOL", default_value_t = 10)]
    pub db_pool: u32,

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
}
