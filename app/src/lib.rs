//! Switchyard's Leptos application: pages and components rendered on the server and hydrated in
//! the browser, the server functions they call, and (with the `ssr` feature) the database layer.

// Leptos views are deeply nested types; the studio needs more than the default 128.
#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod charts;
pub mod components;
pub mod error;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use error::AppError;
#[cfg(feature = "ssr")]
pub use error::OnConstraint;

/// Browser entry point: hydrates the islands of the server-rendered page (the interactive parts:
/// the studio, the cluster form, the admin forms); everything else stays plain HTML and ships no
/// WASM.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    leptos::mount::hydrate_islands();
}
