//! What the sun module refuses, and why.

/// A refusal with its reason, one line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SunError {
    #[error("{0}")]
    Input(String),
}
