//! A collection import in the background: a registry job reads the export and inspects
//! each file (the slow part); the UI thread stores each one through the case, like
//! evidence import. Cancel (the job's token) stops between files; what was stored stays
//! and is reported.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, TryRecvError, channel};

use super::jobs::{Job, Jobs};

use crate::case::Case;
use crate::collect::CollectionReport;
use crate::collect::{self, Item, Media};
use crate::evidence::{Inspection, IntakeError};

enum Message {
    Read(Result<Box<CollectionReport>, String>, usize),
    Item(Box<(Item, Option<Result<Inspection, IntakeError>>)>),
    Done,
}

pub struct CollectionJob {
    pub source: PathBuf,
    pub done: usize,
    pub total: usize,
    job: Job<()>,
    messages: Receiver<Message>,
    report: Option<CollectionReport>,
}

/// How a job went, for the status bar.
pub enum Progress {
    Running,
    Finished(Result<Box<CollectionReport>, String>),
}

impl CollectionJob {
    pub fn start(source: PathBuf, ctx: &egui::Context) -> CollectionJob {
        let (tx, messages) = channel();
        let path = source.clone();
        let job = Jobs::of(ctx).spawn(Some(ctx), "collection import", move |w| {
            let collected = match collect::read(&path) {
                Ok(c) => c,
                Err(e) => {
                    let _ = tx.send(Message::Read(Err(e.to_string()), 0));
                    return;
                }
            };
            let report = CollectionReport::new(&collected);
            let _ = tx.send(Message::Read(Ok(Box::new(report)), collected.items.len()));
            let total = collected.items.len();
            for (n, item) in collected.items.into_iter().enumerate() {
                if w.cancelled() {
                    break;
                }
                w.progress(Some(n as f32 / total as f32), "inspecting");
                let inspection = match &item.media {
                    Media::File(file) => Some(crate::evidence::inspect_file(file)),
                    _ => None,
                };
                if tx
                    .send(Message::Item(Box::new((item, inspection))))
                    .is_err()
                {
                    return;
                }
                w.repaint();
            }
            let _ = tx.send(Message::Done);
        });
        CollectionJob {
            source,
            done: 0,
            total: 0,
            job,
            messages,
            report: None,
        }
    }

    pub fn cancel(&self) {
        self.job.cancel();
    }

    /// Stores what arrived; says when the job is over (and how it went).
    pub fn pump(&mut self, case: Option<&mut Case>) -> Progress {
        let Some(case) = case else {
            return Progress::Finished(Err("the case was closed during the import".into()));
        };
        loop {
            match self.messages.try_recv() {
                Ok(Message::Read(Err(e), _)) => return Progress::Finished(Err(e)),
                Ok(Message::Read(Ok(report), total)) => {
                    self.report = Some(*report);
                    self.total = total;
                }
                Ok(Message::Item(boxed)) => {
                    let (item, inspection) = *boxed;
                    self.done += 1;
                    let Some(report) = self.report.as_mut() else {
                        continue;
                    };
                    if let Err(e) = case.store_collected(&item, inspection, report) {
                        return Progress::Finished(Err(e.to_string()));
                    }
                }
                Ok(Message::Done) | Err(TryRecvError::Disconnected) => {
                    let mut report = self.report.take().unwrap_or_default();
                    report.cancelled = self.job.cancelled();
                    return Progress::Finished(
                        case.finish_collection(&report)
                            .map(|()| Box::new(report))
                            .map_err(|e| e.to_string()),
                    );
                }
                Err(TryRecvError::Empty) => return Progress::Running,
            }
        }
    }
}

/// The status-bar line for a finished import.
pub fn summary(source: &std::path::Path, report: &CollectionReport) -> String {
    let name = source.file_name().map_or_else(
        || source.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    format!(
        "{name}: {} added, {} gained a source, {} unchanged, {} missing from the export, {} kept unanalysed, {} not imported{}",
        report.added.len(),
        report.sources_added,
        report.unchanged,
        report.missing.len(),
        report.kept_unanalysed.len(),
        report.not_imported.len(),
        if report.cancelled { " (cancelled)" } else { "" }
    ) + &warnings(report)
}

/// The report's warnings (a timestamp not kept, a signature not checked), said in full:
/// the status line is the app's import report.
fn warnings(report: &CollectionReport) -> String {
    if report.warnings.is_empty() {
        return String::new();
    }
    format!("; warning: {}", report.warnings.join("; warning: "))
}
