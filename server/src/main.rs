//! `switchyard`: start-up only; everything else lives in the library.

use anyhow::Context as _;
use clap::Parser;
use tracing_subscriber::EnvFilter;

use server::config::{Command, Config};
use server::{AppState, connect, leptos_options, prepare, serve};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    let config = Config::parse();
    let pool = connect(&config.database_url, config.db_pool).await?;
    prepare(&pool).await?;
    match config.command.unwrap_or(Command::Serve) {
        Command::Migrate => {
            tracing::info!("database is migrated and holds the reference data");
            Ok(())
        }
        Command::Serve => {
            let listener = tokio::net::TcpListener::bind(config.addr)
                .await
                .with_context(|| format!("listening on {}", config.addr))?;
            let addr = listener.local_addr()?;
            let state = AppState {
                pool,
                leptos_options: leptos_options(&config.site_root, addr),
            };
            tracing::info!("Switchyard is serving on http://{addr}");
            serve(listener, state).await
        }
    }
}
