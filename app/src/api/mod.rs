//! Server functions called by the pages. They are thin: validation lives in the domain crate and
//! in [`types`], persistence in `ssr::db`.

pub mod types;

use leptos::prelude::*;

use crate::AppError;
pub use types::*;

/// Criteria, candidates, scores and profiles for the studio.
#[server]
pub async fn load_studio() -> Result<StudioData, AppError> {
    use crate::ssr::db;
    let pool = crate::ssr::pool()?;
    let model = db::load_model(&pool).await?;
    let profiles = db::list_profiles(&pool, &model).await?;
    Ok(StudioData { model, profiles })
}

/// Saves weights as a new profile.
#[server]
pub async fn create_profile(input: ProfileInput) -> Result<Profile, AppError> {
    use crate::ssr::db;
    let pool = crate::ssr::pool()?;
    let model = db::load_model(&pool).await?;
    let valid = input.validate(&model)?;
    db::create_profile(&pool, &model, &valid).await
}

/// Overwrites a profile if nobody saved it since `version` was read; otherwise a conflict
/// carrying the current profile.
#[server]
pub async fn update_profile(
    id: i64,
    version: i32,
    input: ProfileInput,
) -> Result<Profile, AppError> {
    use crate::ssr::db;
    let pool = crate::ssr::pool()?;
    let model = db::load_model(&pool).await?;
    let valid = input.validate(&model)?;
    db::update_profile(&pool, &model, id, version, &valid).await
}
