//! Second-analyst review in the app: who the analyst at this computer is (the key in
//! the user's config folder), what the case log says they have not yet seen, and a
//! blind review in progress. Data only; the inspector draws it (`panels::review_panel`)
//! and `state` applies its commands.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use crate::case::Case;
use crate::case::analyst::{self, LocalAnalyst};
use crate::case::signature::SignatureCheck;
use crate::spatial::LatLon;

/// A distance in metres to 0.1 m below 10 km, else in kilometres to 0.01 km.
pub fn distance_text(m: f64) -> String {
    if m < 10_000.0 {
        format!("{m:.1} m")
    } else {
        format!("{:.2} km", m / 1000.0)
    }
}

/// A blind re-geolocation of one finding by this analyst.
#[derive(Debug, Clone, PartialEq)]
pub struct BlindSession {
    pub finding: String,
    /// The reviewer's own location, clicked on the map.
    pub point: Option<LatLon>,
    pub precision_m: f64,
    /// Recorded: both locations are shown with the distance between them.
    pub revealed: bool,
}

/// What the review panels see of the app: the case, the review part, the command queue.
pub struct ReviewCtx<'a> {
    pub case: Option<&'a Case>,
    pub review: &'a mut ReviewState,
    pub commands: &'a mut Vec<crate::ui::command::Command>,
}

impl ReviewCtx<'_> {
    pub fn case(&self) -> Option<&Case> {
        self.case
    }

    pub fn push(&mut self, command: crate::ui::command::Command) {
        self.commands.push(command);
    }
}

/// The review part of the app.
pub struct ReviewState {
    /// Where this computer's analyst key is (`None`: no config folder).
    key_path: Option<PathBuf>,
    /// The key as last loaded (`Err`: why there is none).
    analyst: Option<Result<Arc<LocalAnalyst>, String>>,
    /// The name typed for a new key.
    pub new_key_name: String,
    /// The reason typed for a dispute.
    pub dispute_reason: String,
    pub blind: Option<BlindSession>,
    /// Findings whose opening by this analyst is logged (or being logged) this session.
    pub(crate) opened_logged: HashSet<String>,
    /// Findings ready for review this analyst has not seen: their answers stay hidden
    /// until they review blind or choose to see them. Keyed by case folder and key.
    awaiting: Option<((PathBuf, String), HashSet<String>)>,
    /// The selected finding's signature checks, by finding and case revision.
    checks: Option<((String, u64), Vec<SignatureCheck>)>,
}

impl Default for ReviewState {
    fn default() -> ReviewState {
        ReviewState {
            key_path: analyst::key_path().ok(),
            analyst: None,
            new_key_name: String::new(),
            dispute_reason: String::new(),
            blind: None,
            opened_logged: HashSet::new(),
            awaiting: None,
            checks: None,
        }
    }
}

impl ReviewState {
    /// Looks for the analyst key at `path` from now on (tests, or a chosen folder).
    pub fn set_key_path(&mut self, path: Option<PathBuf>) {
        self.key_path = path;
        self.forget_analyst();
    }

    pub fn key_path(&self) -> Option<&std::path::Path> {
        self.key_path.as_deref()
    }

    /// Reads the key again on next use (after one was created).
    pub fn forget_analyst(&mut self) {
        self.analyst = None;
        self.awaiting = None;
        self.opened_logged.clear();
    }

    /// The analyst at this computer, loaded once.
    pub fn analyst(&mut self) -> Result<Arc<LocalAnalyst>, String> {
        let path = self.key_path.clone();
        self.analyst
            .get_or_insert_with(|| match path {
                None => Err(analyst::AnalystError::NoConfigDir.to_string()),
                Some(p) => analyst::load_from(&p)
                    .map(Arc::new)
                    .map_err(|e| e.to_string()),
            })
            .clone()
    }

    /// Creates this computer's key (never replacing one) and uses it.
    pub fn create_key(&mut self, name: &str) -> Result<Arc<LocalAnalyst>, String> {
        let path = self
            .key_path
            .clone()
            .ok_or_else(|| analyst::AnalystError::NoConfigDir.to_string())?;
        let made = analyst::init_at(&path, name).map_err(|e| e.to_string())?;
        self.forget_analyst();
        let made = Arc::new(made);
        self.analyst = Some(Ok(made.clone()));
        Ok(made)
    }

    /// Whether the answer of finding `id` (location, candidates, loci, verdict) is
    /// hidden: a blind review of it is under way, or it awaits this analyst's review.
    pub fn hides(&self, id: &str) -> bool {
        self.blind
            .as_ref()
            .is_some_and(|b| b.finding == id && !b.revealed)
            || self.awaits(id)
    }

    /// The findings [`Self::hides`] is true of (a few at most): the map asks for these
    /// rather than asking about each of a large case's findings every frame.
    pub fn hidden_ids(&self) -> impl Iterator<Item = &str> {
        let blind = self
            .blind
            .as_ref()
            .filter(|b| !b.revealed)
            .map(|b| b.finding.as_str());
        let awaiting = self.awaiting.iter().flat_map(|(_, ids)| ids.iter());
        blind.into_iter().chain(awaiting.map(String::as_str))
    }

    /// Finding `id` is ready for review and this analyst has not seen its answer.
    pub fn awaits(&self, id: &str) -> bool {
        self.awaiting
            .as_ref()
            .is_some_and(|(_, ids)| ids.contains(id))
    }

    /// Works out which findings await this analyst (once per case and key).
    pub fn refresh_awaiting(&mut self, case: Option<&Case>) -> Option<String> {
        let (Some(case), Ok(me)) = (case, self.analyst()) else {
            self.awaiting = None;
            return None;
        };
        let key = (case.root().to_owned(), me.public_key_hex());
        if self.awaiting.as_ref().is_some_and(|(k, _)| *k == key) {
            return None;
        }
        let (ids, error) = match case.awaiting_blind(&me.name, &key.1) {
            Ok(ids) => (ids.into_iter().collect(), None),
            Err(e) => (HashSet::new(), Some(e.to_string())),
        };
        self.awaiting = Some((key, ids));
        error
    }

    /// The analyst has seen (or reviewed) finding `id`: it no longer awaits them.
    pub fn seen(&mut self, id: &str) {
        if let Some((_, ids)) = &mut self.awaiting {
            ids.remove(id);
        }
    }

    /// The evidence the blind reviewer works from (the finding's first still image),
    /// while the answer is hidden.
    pub fn blind_evidence(&self, case: Option<&Case>) -> Option<String> {
        let b = self.blind.as_ref().filter(|b| !b.revealed)?;
        let case = case?;
        let f = case.finding(&b.finding).ok()?;
        f.evidence_ids()
            .into_iter()
            .find(|id| case.find_evidence(id).is_ok_and(|r| r.kind().is_still()))
            .map(str::to_owned)
    }

    /// The signature checks of finding `id`, computed once per case revision.
    pub fn checks(&mut self, case: &Case, id: &str) -> &[SignatureCheck] {
        let key = (id.to_owned(), case.revision());
        if self.checks.as_ref().map(|(k, _)| k) != Some(&key) {
            let checks = case.finding_signature_checks(id).unwrap_or_default();
            self.checks = Some((key, checks));
        }
        self.checks.as_ref().map_or(&[], |(_, c)| c.as_slice())
    }
}
