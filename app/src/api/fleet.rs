//! Server functions of the fleet pages.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::AppError;
use crate::model::{Cluster, ClusterFilter, ClusterListPage, ClusterPage, FleetQuery, FleetView, Versioned};
use domain::fleet::ClusterRecord;

/// What the fleet map page shows for these filters.
#[server]
pub async fn load_fleet(query: FleetQuery) -> Result<FleetView, AppError> {
    use crate::ssr::{ctx, fleet, respond};
    respond(async { fleet::fleet_view(&ctx()?, &query).await }).await
}

/// One numbered page of the clusters matching the filter, with their count.
#[server]
pub async fn load_clusters(filter: ClusterFilter) -> Result<ClusterListPage, AppError> {
    use crate::ssr::{ctx, fleet, respond};
    respond(async { fleet::cluster_list_page(&ctx()?, &filter).await }).await
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
