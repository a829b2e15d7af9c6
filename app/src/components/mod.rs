//! Reusable view pieces: the page kit (loading, errors, saves) and the studio's parts.

pub mod island_data;
mod kit;
mod score_matrix;
mod weight_editor;

pub use kit::{FilterSelect, FormError, Loaded, error_text, pager, same_pairs, save};
pub use score_matrix::{ChartLegend, ScoreMatrix};
pub use weight_editor::WeightEditor;
