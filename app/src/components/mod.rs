//! Reusable view pieces of the studio.

mod score_matrix;
mod weight_editor;

pub use score_matrix::{ChartLegend, ScoreMatrix};
pub use weight_editor::WeightEditor;
