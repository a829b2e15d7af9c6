//! Server functions of the fleet pages.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::AppError;
use crate::model::{Cluster, ClusterFilter, ClusterPage, Fleet, Versioned};
use domain::fleet::ClusterRecord;

/// The fleet map data.
#[server]
pub async fn load_fleet() -> Result<Fleet, AppError> {
    use crate::ssr::{ctx, fleet, respond};
    respond(async { fleet::fleet(&ctx()?).await }).await
}

/// Clusters matching the filter.
#[server]
pub async fn load_clusters(filter: ClusterFilter) -> Result<Vec<Cluster>, AppError> {
    use crate::ssr::{ctx, fleet, respond};
    respond(async { fleet::list_clusters(&ctx()?, &filter).await.map(|(page, _)| page) }).await
}

/// One cluster with its recommendation.
#[server]
pub async fn load_cluster(id: i64) -> Result<ClusterPage, AppError> {
    use crate::ssr::{ctx, fleet, respond};
    respond(async { fleet::cluster_page(&ctx()?, id).await }).await
}

/// Saves a cluster edited on its page (architects); a stale version is a conflict.
#[server(input = Json)]
pub async fn save_cluster(id: i64, body: Versioned<ClusterRecord>) -> Result<Cluster, AppError> {
    use crate::ssr::{ctx, fleet, respond};
    respond(async { fleet::update_cluster(&ctx()?, id, body).await }).await
}
