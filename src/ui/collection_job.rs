//! A collection import in the background: the worker reads the export and inspects each
//! file (the slow part); the UI thread stores each one through the case, like evidence
//! import. Cancel stops between files; what was stored stays and is reported.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError, channel};

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
    cancel: Arc<AtomicBool>,
    messages: Receiver<Message>,
    report: Option<CollectionReport>,
}

/// How a job went, for the status bar.
pub enum Progress {
    Running,
    Finished(Result<Box<CollectionReport>, String>),
}

impl CollectionJob {
    pub fn start(source: PathBuf, ctx: &egui::Context) -> Result<CollectionJob, String> {
        let (tx, messages) = channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let (stop, path, ctx) = (cancel.clone(), source.clone(), ctx.clone());
        std::thread::Builder::new()
            .name("collection-import".into())
            .spawn(move || {
                let collected = match collect::read(&path) {
                    Ok(c) => c,
                    Err(e) => {
                        let _ = tx.send(Message::Read(Err(e.to_string()), 0));
                        ctx.request_repaint();
                        return;
                    }
                };
                let report = CollectionReport::new(&collected);
                let _ = tx.send(Message::Read(Ok(Box::new(report)), collected.items.len()));
                for item in collected.items {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
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
                    ctx.request_repaint();
                }
                let _ = tx.send(Message::Done);
                ctx.request_repaint();
            })
            .map_err(|e| format!("cannot start the import: {e}"))?;
        Ok(CollectionJob {
            source,
            done: 0,
            total: 0,
            cancel,
            messages,
            report: None,
        })
    }

    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
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
                    report.cancelled = self.cancel.load(Ordering::Relaxed);
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
