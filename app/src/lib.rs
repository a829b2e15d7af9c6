//! Switchyard's Leptos application: pages and components rendered on the server and hydrated in
//! the browser, the server functions they call, and (with the `ssr` feature) the database layer.

pub mod api;
pub mod app;
pub mod charts;
pub mod components;
pub mod error;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use error::AppError;

/// Browser entry point: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
