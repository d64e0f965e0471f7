//! Evidence import in the background: a worker thread reads, hashes and decodes each
//! file (the slow part); the UI thread stores each result through the case, so the case
//! is only ever touched from one place.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, channel};

use crate::evidence::{self, Inspection, IntakeError};

pub struct ImportJob {
    pub total: usize,
    pub done: usize,
    results: Receiver<Result<Inspection, IntakeError>>,
}

impl ImportJob {
    /// Starts inspecting `files` on a named worker thread.
    pub fn start(files: Vec<PathBuf>, ctx: &egui::Context) -> Result<ImportJob, String> {
        let (sender, results) = channel();
        let total = files.len();
        let ctx = ctx.clone();
        std::thread::Builder::new()
            .name("import".into())
            .spawn(move || {
                for file in files {
                    if sender.send(evidence::inspect_file(&file)).is_err() {
                        break;
                    }
                    ctx.request_repaint();
                }
            })
            .map_err(|e| format!("cannot start the import worker: {e}"))?;
        Ok(ImportJob {
            total,
            done: 0,
            results,
        })
    }

    /// Results that arrived since the last call.
    pub fn drain(&mut self) -> Vec<Result<Inspection, IntakeError>> {
        let results: Vec<_> = self.results.try_iter().collect();
        self.done += results.len();
        results
    }

    pub fn finished(&self) -> bool {
        self.done >= self.total
    }
}
