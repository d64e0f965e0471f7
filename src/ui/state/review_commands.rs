//! The review commands as the app applies them: each change to the case is a signed
//! `Edit` the domain builds for the analyst at this computer, applied and saved like
//! any other edit; the blind review's own state (hidden answer, placed point) lives in
//! `ui::review`.

use super::{AppState, Selection, Status};
use crate::case::Edit;
use crate::case::review::ReviewStatus;
use crate::spatial::LatLon;
use crate::ui::command::ReviewCommand;
use crate::ui::review::BlindSession;

/// How `geoproof analyst init` is run, for messages.
const CREATE_HINT: &str = "create one in the inspector or with `geoproof analyst init --name NAME`";

impl AppState {
    /// The review part: who this analyst is, what awaits them, a blind review.
    pub fn review(&self) -> &crate::ui::review::ReviewState {
        &self.shell.review
    }

    pub fn review_mut(&mut self) -> &mut crate::ui::review::ReviewState {
        &mut self.shell.review
    }

    /// Whether finding `id`'s answer is hidden from this analyst now.
    /// What the review panels see of the app.
    pub fn review_ctx(&mut self) -> crate::ui::review::ReviewCtx<'_> {
        crate::ui::review::ReviewCtx {
            case: self.case.as_ref(),
            review: &mut self.shell.review,
            commands: &mut self.commands,
        }
    }

    pub fn hides_answer(&self, id: &str) -> bool {
        self.shell.review.hides(id)
    }

    fn analyst_or_hint(
        &mut self,
    ) -> Result<std::sync::Arc<crate::case::analyst::LocalAnalyst>, String> {
        self.shell
            .review
            .analyst()
            .map_err(|e| format!("no analyst key ({e}); {CREATE_HINT}"))
    }

    fn apply_edits(&mut self, edits: Vec<Edit>) -> Result<(), String> {
        for edit in edits {
            self.apply_recorded(edit)?;
        }
        Ok(())
    }

    pub(super) fn apply_review(&mut self, command: ReviewCommand) -> Result<(), String> {
        match command {
            ReviewCommand::Move {
                finding,
                to,
                reason,
            } => {
                let me = self.analyst_or_hint()?;
                let case = self.case.as_ref().ok_or("no case is open")?;
                let edits = case
                    .review_edits(&finding, &me, to, &reason)
                    .map_err(|e| e.to_string())?;
                self.apply_edits(edits)?;
                if to == ReviewStatus::Disputed {
                    self.shell.review.dispute_reason.clear();
                }
                self.shell.status = Some(Status::Info(format!(
                    "{finding}: {} by {} (signed)",
                    to.as_str(),
                    me.name
                )));
            }
            ReviewCommand::Sign(finding) => {
                let me = self.analyst_or_hint()?;
                let case = self.case.as_ref().ok_or("no case is open")?;
                let edits = case.sign_edits(&finding, &me).map_err(|e| e.to_string())?;
                self.apply_edits(edits)?;
                self.shell.status = Some(Status::Info(format!(
                    "{finding}: signed by {} ({})",
                    me.name,
                    me.fingerprint()
                )));
            }
            ReviewCommand::CreateKey(name) => {
                let me = self.shell.review.create_key(&name)?;
                self.shell.status = Some(Status::Info(format!(
                    "analyst key for {} created ({}); the private key stays in your config folder",
                    me.name,
                    me.fingerprint()
                )));
            }
            ReviewCommand::StartBlind(finding) => self.start_blind(&finding)?,
            ReviewCommand::SubmitBlind => self.submit_blind()?,
            ReviewCommand::EndBlind => self.shell.review.blind = None,
            ReviewCommand::ShowAnswer(finding) => {
                self.shell.review.seen(&finding);
                self.log_opened(&finding);
            }
            ReviewCommand::MethodsReport { finding, html, pdf } => {
                self.write_methods_report(&finding, html, pdf)?
            }
        }
        Ok(())
    }

    fn start_blind(&mut self, finding: &str) -> Result<(), String> {
        let me = self.analyst_or_hint()?;
        let case = self.case.as_ref().ok_or("no case is open")?;
        case.blind_refusal(finding, &me.name, &me.public_key_hex())
            .map_err(|e| e.to_string())?;
        // The board and candidate views show the answer: leave them.
        self.commit_board()?;
        self.beside = None;
        self.shell.workspace = super::Workspace::Map;
        self.shell.selection = Some(Selection::Finding(finding.to_owned()));
        self.shell.review.blind = Some(BlindSession {
            finding: finding.to_owned(),
            point: None,
            precision_m: self.prefs.default_precision_m.max(1.0),
            revealed: false,
        });
        self.shell.status = Some(Status::Info(
            "blind review: the author's answer is hidden; click your location on the map".into(),
        ));
        Ok(())
    }

    fn submit_blind(&mut self) -> Result<(), String> {
        let me = self.analyst_or_hint()?;
        let session = self
            .shell
            .review
            .blind
            .clone()
            .ok_or("no blind review is under way")?;
        let p = session
            .point
            .ok_or("click your location on the map first")?;
        let case = self.case.as_ref().ok_or("no case is open")?;
        let edits = case
            .blind_review_edits(&session.finding, &me, p.lat, p.lon, session.precision_m)
            .map_err(|e| e.to_string())?;
        self.apply_edits(edits)?;
        self.shell.review.seen(&session.finding);
        if let Some(b) = &mut self.shell.review.blind {
            b.revealed = true;
        }
        let case = self.case.as_ref().ok_or("no case is open")?;
        if let Some((_, c)) = case.blind_comparison(&session.finding, &me.public_key_hex()) {
            self.shell.status = Some(Status::Info(format!(
                "blind location recorded: {} from the author's ({})",
                crate::ui::review::distance_text(c.distance_m),
                if c.agrees() {
                    "they agree"
                } else {
                    "they disagree"
                }
            )));
        }
        Ok(())
    }

    /// A click on the map during a blind review places the reviewer's location.
    pub(super) fn blind_clicked(&mut self, p: LatLon) -> bool {
        match &mut self.shell.review.blind {
            Some(b) if !b.revealed => {
                b.point = Some(p);
                true
            }
            _ => false,
        }
    }

    /// Logs (once per session) that this analyst saw finding `id`'s answer, when there
    /// is an analyst and the case can be written.
    pub(crate) fn log_opened(&mut self, id: &str) {
        let Ok(me) = self.shell.review.analyst() else {
            return;
        };
        let writable = self
            .case
            .as_ref()
            .is_some_and(|c| c.read_only_reason().is_none());
        if !writable || !self.shell.review.opened_logged.insert(id.to_owned()) {
            return;
        }
        self.commands
            .push(super::Command::Edit(Edit::FindingOpened {
                id: id.to_owned(),
                analyst: me.name.clone(),
                public_key: Some(me.public_key_hex()),
                via: "app inspector".into(),
            }));
    }

    /// Writes finding `id`'s methods report as HTML and/or PDF (each through a temporary
    /// file), and logs each file with its SHA-256 in the case.
    fn write_methods_report(
        &mut self,
        id: &str,
        html: Option<std::path::PathBuf>,
        pdf: Option<std::path::PathBuf>,
    ) -> Result<(), String> {
        if self.shell.review.hides(id) {
            return Err(format!("{id}: its answer is hidden for your review"));
        }
        let case = self.case.as_ref().ok_or("no case is open")?;
        let report = crate::export::report::build(case, id).map_err(|e| e.to_string())?;
        let mut files = Vec::new();
        if let Some(path) = html {
            files.push(("html", path, report.to_html().into_bytes()));
        }
        if let Some(path) = pdf {
            let bytes = crate::export::report::pdf::render(&report)
                .map_err(|e| format!("finding {id}: PDF: {e}"))?;
            files.push(("pdf", path, bytes));
        }
        let writable = case.read_only_reason().is_none();
        let mut written = Vec::new();
        for (format, path, bytes) in files {
            crate::case::store::write_atomic(&path, &bytes, false).map_err(|e| e.to_string())?;
            let sha256 = crate::evidence::sha256_hex(&bytes);
            if writable {
                self.apply_recorded(Edit::ReportWritten {
                    finding: id.to_owned(),
                    format: format.to_owned(),
                    path: path.clone(),
                    sha256,
                })?;
            }
            written.push(path.display().to_string());
        }
        self.shell.status = Some(Status::Info(format!(
            "methods report written: {}",
            written.join(", ")
        )));
        Ok(())
    }
}
