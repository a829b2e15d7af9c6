//! Server functions of the studio.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::AppError;
use crate::model::{Profile, ProfileInput, StudioData, Versioned};

/// Criteria, candidates, scores and profiles for the studio.
#[server]
pub async fn load_studio() -> Result<StudioData, AppError> {
    use crate::ssr::{ctx, profiles, respond};
    respond(async { profiles::studio(&ctx()?).await }).await
}

/// Saves weights as a new profile (architects).
#[server(input = Json)]
pub async fn create_profile(input: ProfileInput) -> Result<Profile, AppError> {
    use crate::ssr::{ctx, profiles, respond};
    respond(async { profiles::create(&ctx()?, input).await }).await
}

/// Overwrites a profile if nobody saved it since its version was read; otherwise a conflict
/// carrying the current profile.
#[server(input = Json)]
pub async fn update_profile(id: i64, body: Versioned<ProfileInput>) -> Result<Profile, AppError> {
    use crate::ssr::{ctx, profiles, respond};
    respond(async { profiles::update(&ctx()?, id, body).await }).await
}
