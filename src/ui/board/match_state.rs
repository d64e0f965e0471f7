//! What assisted matching keeps between frames: the run in progress, its proposals and
//! the inputs chosen.

use crate::matching::{Correspondence, MatchError, MatchReport};
use crate::ui::jobs::Job;

pub struct MatchJob {
    pub(super) job: Job<Result<MatchReport, MatchError>>,
    pub(super) panels: (String, String),
}

/// What the last run found, and the proposals not yet accepted or rejected.
pub struct Proposals {
    pub panels: (String, String),
    pub summary: String,
    pub inliers: usize,
    pub mean_error_px: Option<f64>,
    pub items: Vec<(u32, Correspondence)>,
}

/// Inputs chosen in the inspector.
#[derive(Default, Clone)]
pub struct MatchChoice {
    pub panel_a: Option<String>,
    pub panel_b: Option<String>,
    /// Annotation whose bounds limit the search, per side.
    pub region_a: Option<String>,
    pub region_b: Option<String>,
}

impl MatchJob {
    pub(super) fn new(
        job: Job<Result<MatchReport, MatchError>>,
        panels: (String, String),
    ) -> MatchJob {
        MatchJob { job, panels }
    }

    /// The stage the matcher is in and how far it got.
    pub fn progress(&self) -> (String, f32) {
        let (at, stage) = self.job.progress();
        let stage = if stage.is_empty() {
            "decoding".into()
        } else {
            stage
        };
        (stage, at.unwrap_or(0.0))
    }

    pub fn cancel(&self) {
        self.job.cancel();
    }
}
