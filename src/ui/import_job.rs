//! Evidence import in the background: a worker thread reads, hashes and decodes each
//! file (the slow part); the UI thread stores each result through the case, so the case
//! is only ever touched from one place. A file whose inspection panics is reported as
//! failed, and a worker that vanishes fails the files it had left: the job always ends.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, TryRecvError, channel};

use super::jobs::catch_failure;
use crate::evidence::{self, Inspection};

/// One file's outcome: the inspection, or why it could not be taken in.
pub type ImportResult = Result<Inspection, String>;

pub struct ImportJob {
    pub total: usize,
    pub done: usize,
    results: Receiver<ImportResult>,
}

impl ImportJob {
    /// Starts inspecting `files` on a named worker thread.
    pub fn start(files: Vec<PathBuf>, ctx: &egui::Context) -> Result<ImportJob, String> {
        Self::start_with(files, ctx, |file| {
            evidence::inspect_file(file).map_err(|e| e.to_string())
        })
    }

    fn start_with(
        files: Vec<PathBuf>,
        ctx: &egui::Context,
        inspect: fn(&Path) -> ImportResult,
    ) -> Result<ImportJob, String> {
        let (sender, results) = channel();
        let total = files.len();
        let ctx = ctx.clone();
        std::thread::Builder::new()
            .name("import".into())
            .spawn(move || {
                for file in files {
                    let what = format!("importing {}", file.display());
                    let result = catch_failure(&what, || inspect(&file));
                    if sender.send(result).is_err() {
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

    fn drain_until_finished(job: &mut ImportJob) -> Vec<ImportResult> {
        let mut all = Vec::new();
        for _ in 0..500 {
            all.extend(job.drain());
            if job.finished() {
                return all;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        panic!("the import job never finished");
    }

    #[test]
    fn a_panicking_inspection_is_a_failed_file_and_the_job_ends() {
        let ctx = egui::Context::default();
        let files = vec![PathBuf::from("a.jpg"), PathBuf::from("b.jpg")];
        let mut job = ImportJob::start_with(files, &ctx, |_| panic!("decoder bug")).unwrap();
        let results = drain_until_finished(&mut job);
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
        };
        let results = drain_until_finished(&mut job);
        assert_eq!(results.len(), 1);
        assert!(job.finished());
        assert!(
            results[0]
                .as_ref()
                .err()
                .unwrap()
                .contains("3 file(s) were not imported")
        );
        let _ = ctx;
    }
}
