//! Evidence import in the background: a registry job reads, hashes and decodes each
//! file (the slow part) and sends each result as it comes; the UI thread stores each
//! result through the case, so the case is only ever touched from one place. A file
//! whose inspection panics is reported as failed, and a worker that vanishes fails the
//! files it had left: the job always ends.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, TryRecvError, channel};

use super::jobs::{Job, Jobs, catch_failure};
use crate::evidence::{self, Inspection};

/// One file's outcome: the inspection, or why it could not be taken in.
pub type ImportResult = Result<Inspection, String>;

pub struct ImportJob {
    pub total: usize,
    pub done: usize,
    results: Receiver<ImportResult>,
    /// The worker (named, with progress; dropping it stops between files).
    _job: Option<Job<()>>,
}

impl ImportJob {
    /// Starts inspecting `files` as a job of the app's registry.
    pub fn start(files: Vec<PathBuf>, ctx: &egui::Context) -> ImportJob {
        Self::start_with(files, ctx, |file| {
            evidence::inspect_file(file).map_err(|e| e.to_string())
        })
    }

    fn start_with(
        files: Vec<PathBuf>,
        ctx: &egui::Context,
        inspect: fn(&Path) -> ImportResult,
    ) -> ImportJob {
        let (sender, results) = channel();
        let total = files.len();
        let job = Jobs::of(ctx).spawn(Some(ctx), "import", move |w| {
            for (n, file) in files.into_iter().enumerate() {
                if w.cancelled() {
                    break;
                }
                w.progress(Some(n as f32 / total as f32), file.display().to_string());
                let what = format!("importing {}", file.display());
                let result = catch_failure(&what, || inspect(&file));
                if sender.send(result).is_err() {
                    break;
                }
                w.repaint();
            }
        });
        ImportJob {
            total,
            done: 0,
            results,
            _job: Some(job),
        }
    }

    /// Results that arrived since the last call; if the worker is gone, one error for
    /// the files it never reported, so the job finishes.
    pub fn drain(&mut self) -> Vec<ImportResult> {
        let mut results = Vec::new();
        loop {
            match self.results.try_recv() {
                Ok(result) => results.push(result),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    let left = self.total.saturating_sub(self.done + results.len());
                    if left > 0 {
                        results.push(Err(format!(
                            "the import stopped unexpectedly; {left} file(s) were not imported"
                        )));
                        self.done += left - 1;
                    }
                    break;
                }
            }
        }
        self.done += results.len();
        results
    }

    pub fn finished(&self) -> bool {
        self.done >= self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain_until_finished(ctx: &egui::Context, job: &mut ImportJob) -> Vec<ImportResult> {
        let jobs = Jobs::of(ctx);
        let mut all = Vec::new();
        for _ in 0..500 {
            let news = jobs.news();
            all.extend(job.drain());
            if job.finished() {
                return all;
            }
            jobs.wait_for_news(news, std::time::Duration::from_millis(100));
        }
        panic!("the import job never finished");
    }

    #[test]
    fn a_panicking_inspection_is_a_failed_file_and_the_job_ends() {
        let ctx = egui::Context::default();
        let files = vec![PathBuf::from("a.jpg"), PathBuf::from("b.jpg")];
        let mut job = ImportJob::start_with(files, &ctx, |_| panic!("decoder bug"));
        let results = drain_until_finished(&ctx, &mut job);
        assert_eq!(results.len(), 2);
        let err = results[0].as_ref().err().unwrap();
        assert!(
            err.starts_with("importing a.jpg failed unexpectedly (decoder bug)"),
            "{err}"
        );
    }

    #[test]
    fn a_vanished_worker_fails_the_remaining_files() {
        let ctx = egui::Context::default();
        let (sender, results) = channel::<ImportResult>();
        drop(sender);
        let mut job = ImportJob {
            total: 3,
            done: 0,
            results,
            _job: None,
        };
        let results = drain_until_finished(&ctx, &mut job);
        assert_eq!(results.len(), 1);
        assert!(job.finished());
        assert!(
            results[0]
                .as_ref()
                .err()
                .unwrap()
                .contains("3 file(s) were not imported")
        );
    }
}
