//! *Case → Stamp case…*: the analyst picks timestamp authorities and agrees to send the
//! case manifest's SHA-256 (nothing else) to them; requests go out as a job,
//! each in the network ledger, and the answers are stored in the case and checked. The
//! dialog never writes the case: the manifest and the answers go through
//! [`StampCommand`]s the app applies with every other command.

use std::sync::Arc;

use egui::{RichText, Ui};

use super::command::{Command, StampCommand, Status};

use super::command::ShellCommand;
use super::jobs::{Job, Jobs};
use super::ledger::NetworkLedger;
use crate::case::AuthorityReply;

/// Authorities whose certificates chain to roots geoproof ships (Mozilla's store).
pub const KNOWN_AUTHORITIES: [(&str, &str); 3] = [
    ("DigiCert", "http://timestamp.digicert.com"),
    ("Sectigo", "http://timestamp.sectigo.com"),
    ("IdenTrust", "http://timestamp.identrust.com"),
];

pub struct StampDialog {
    pub chosen: Vec<bool>,
    pub custom: String,
    /// The manifest the app wrote for the authorities asked, waiting to be sent.
    ready: Option<(String, Vec<String>)>,
    job: Option<(String, Job<Vec<AuthorityReply>>)>,
}

impl StampDialog {
    pub fn new() -> StampDialog {
        StampDialog {
            chosen: vec![true, true, false],
            custom: String::new(),
            ready: None,
            job: None,
        }
    }

    fn urls(&self) -> Vec<String> {
        let mut urls: Vec<String> = KNOWN_AUTHORITIES
            .iter()
            .zip(&self.chosen)
            .filter(|(_, on)| **on)
            .map(|((_, url), _)| (*url).to_owned())
            .collect();
        let custom = self.custom.trim();
        if custom.starts_with("http://") || custom.starts_with("https://") {
            urls.push(custom.to_owned());
        }
        urls
    }
}

impl StampDialog {
    /// The case's manifest is written (by the app, applying
    /// [`StampCommand::WriteManifest`]): send it to `urls` on the next frame.
    pub(crate) fn manifest_ready(&mut self, manifest: String, urls: Vec<String>) {
        self.ready = Some((manifest, urls));
    }
}

impl Default for StampDialog {
    fn default() -> StampDialog {
        StampDialog::new()
    }
}

/// Sends one request per authority as a job, each recorded in the ledger.
fn start(
    urls: Vec<String>,
    manifest: Vec<u8>,
    ledger: Arc<NetworkLedger>,
    ctx: &egui::Context,
) -> Job<Vec<AuthorityReply>> {
    Jobs::of(ctx).spawn(Some(ctx), "timestamp requests", move |w| {
        let mut replies = Vec::new();
        let count = urls.len();
        for (n, url) in urls.into_iter().enumerate() {
            w.progress(Some(n as f32 / count as f32), format!("asking {url}"));
            let request = match crate::timestamp::request(&manifest, n as u64 + 1) {
                Ok(r) => r,
                Err(e) => {
                    replies.push(AuthorityReply {
                        url,
                        request: Vec::new(),
                        response: Err(e.to_string()),
                    });
                    continue;
                }
            };
            let host = url.split('/').nth(2).unwrap_or(&url).to_owned();
            let index = ledger.start_request(host, url.clone(), "timestamp of the case");
            let started = std::time::Instant::now();
            let response = crate::timestamp::send(&url, &request).map_err(|e| e.to_string());
            ledger.finish_with(index, &response, started);
            replies.push(AuthorityReply {
                url,
                request,
                response,
            });
        }
        replies
    })
}

/// What the dialog reads: the case it stamps (to know one is open) and the ledger its
/// requests go into; it changes only itself, and asks for the rest with commands.
pub struct StampCtx<'a> {
    pub case: Option<&'a crate::case::Case>,
    pub ledger: &'a std::sync::Arc<NetworkLedger>,
    pub stamp_dialog: &'a mut Option<StampDialog>,
    pub commands: &'a mut Vec<Command>,
}

pub fn stamp_dialog_ui(ui: &mut Ui, state: StampCtx<'_>) {
    let Some(mut dialog) = state.stamp_dialog.take() else {
        return;
    };
    if let Some((manifest, urls)) = dialog.ready.take() {
        let job = start(
            urls,
            manifest.clone().into_bytes(),
            state.ledger.clone(),
            ui.ctx(),
        );
        dialog.job = Some((manifest, job));
    }
    let ctx = ui.ctx().clone();
    let mut open = true;
    egui::Window::new("Stamp the case")
        .open(&mut open)
        .default_width(520.0)
        .show(&ctx, |ui| {
            if let Some((manifest, job)) = &mut dialog.job {
                match job.take() {
                    None => {
                        ui.horizontal(|ui| {
                            ui.spinner();
                            ui.label("Asking the authorities…");
                        });
                        return;
                    }
                    Some(Err(e)) => state
                        .commands
                        .push(Command::Shell(ShellCommand::Notify(Status::Error(e)))),
                    Some(Ok(replies)) => {
                        state.commands.push(Command::Stamp(StampCommand::Store {
                            manifest: std::mem::take(manifest),
                            replies,
                        }));
                    }
                }
                dialog.job = None;
                return;
            }
            ui.label(
                "A trusted timestamp proves the case's evidence existed, unchanged, at a \
                 time vouched for by an independent authority (RFC 3161).",
            );
            ui.label(
                RichText::new(
                    "Only the SHA-256 of the case manifest leaves this computer: no file, no \
                     name, no location. Each request is listed in the network ledger.",
                )
                .strong(),
            );
            for ((name, url), on) in KNOWN_AUTHORITIES.iter().zip(dialog.chosen.iter_mut()) {
                ui.checkbox(on, format!("{name} ({url})"));
            }
            ui.horizontal(|ui| {
                let label = ui.label("Other authority");
                ui.add(
                    egui::TextEdit::singleline(&mut dialog.custom)
                        .hint_text("https://…")
                        .desired_width(300.0),
                )
                .labelled_by(label.id);
            });
            let urls = dialog.urls();
            if urls.len() < 2 {
                ui.label(RichText::new("Two or more authorities are recommended.").weak());
            }
            let send = ui.add_enabled(
                !urls.is_empty() && state.case.is_some(),
                egui::Button::new(format!("Agree and send to {} authorities", urls.len())),
            );
            if send.clicked() {
                state
                    .commands
                    .push(Command::Stamp(StampCommand::WriteManifest { urls }));
            }
        });
    if open || dialog.job.is_some() || dialog.ready.is_some() {
        *state.stamp_dialog = Some(dialog);
    }
}

/// Stores the answers and says what they prove (the app calls it, applying
/// [`StampCommand::Store`]).
pub(crate) fn store(
    case: Option<&mut crate::case::Case>,
    manifest: &str,
    replies: &[AuthorityReply],
) -> Status {
    let Some(case) = case else {
        return Status::Error("the case was closed".into());
    };
    let dir = match case.store_stamp(manifest, replies) {
        Ok(dir) => dir,
        Err(e) => return Status::Error(e.to_string()),
    };
    let checks: Vec<_> = case
        .verify_stamps()
        .into_iter()
        .filter(|c| dir.ends_with(&c.what))
        .collect();
    let valid = checks.iter().filter(|c| c.valid).count();
    let text = format!(
        "stamped: {valid} of {} authorities gave a valid token ({})",
        replies.len(),
        checks
            .iter()
            .map(|c| c.summary())
            .collect::<Vec<_>>()
            .join("; ")
    );
    if valid > 0 {
        Status::Info(text)
    } else {
        Status::Error(text)
    }
}
