//! Server functions of the fleet pages.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::AppError;
use crate::api::types::{Cluster, ClusterFilter, Fleet, Me, Profile, Site};
use domain::Model;
use domain::fleet::{ClusterRecord, Recommendation};

/// Everything the cluster page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterPage {
    /// The cluster.
    pub cluster: Cluster,
    /// Its recommendation.
    pub recommendation: Recommendation,
    /// The model, for the scoring chart.
    pub model: Model,
    /// The profile the recommendation used.
    pub profile: Profile,
    /// Sites, for the edit form.
    pub sites: Vec<Site>,
    /// Who is looking.
    pub me: Me,
}

/// The fleet map data.
#[server]
pub async fn load_fleet() -> Result<Fleet, AppError> {
    crate::ssr::respond(
        async {
            crate::ssr::principal()?;
            let pool = crate::ssr::pool()?;
            let model = crate::ssr::model(&pool).await?;
            crate::ssr::fleet::fleet(&pool, &model).await
        }
        .await,
    )
}

/// Clusters matching the filter.
#[server]
pub async fn load_clusters(filter: ClusterFilter) -> Result<Vec<Cluster>, AppError> {
    crate::ssr::respond(
        async {
            crate::ssr::principal()?;
            crate::ssr::fleet::list_clusters(&crate::ssr::pool()?, &filter).await
        }
        .await,
    )
}

/// One cluster with its recommendation.
#[server]
pub async fn load_cluster(id: i64) -> Result<ClusterPage, AppError> {
    crate::ssr::respond(
        async {
            let me = crate::ssr::principal()?.me();
            let pool = crate::ssr::pool()?;
            let model = crate::ssr::model(&pool).await?;
            let cluster = crate::ssr::fleet::get_cluster(&pool, id).await?;
            let recommendation = crate::ssr::fleet::recommendation(&pool, &model, &cluster.record).await?;
            let profile = crate::ssr::db::get_profile(&pool, &model, recommendation.profile_id).await?;
            let sites = crate::ssr::fleet::list_sites(&pool).await?;
            Ok(ClusterPage { cluster, recommendation, model: (*model).clone(), profile, sites, me })
        }
        .await,
    )
}

/// Saves a cluster edited on its page (architects); a stale version is a conflict.
#[server]
pub async fn save_cluster(id: i64, version: i32, record: ClusterRecord) -> Result<Cluster, AppError> {
    crate::ssr::respond(
        async {
            let p = crate::ssr::principal()?;
            p.can_write(crate::api::types::Role::Architect)?;
            let pool = crate::ssr::pool()?;
            let model = crate::ssr::model(&pool).await?;
            crate::ssr::fleet::update_cluster(&pool, &model, &p, id, version, record).await
        }
        .await,
    )
}
