//! Signing and reviewing findings in a case: the rules the review edits enforce, the
//! convenience calls that build a signed edit for the analyst at this computer, and the
//! check of every signature a case holds.

use serde_json::{Value, json};

use super::analyst::{AnalystKey, LocalAnalyst};
use super::invalid::Invalid;
use super::review::{
    BlindComparison, BlindReview, FindingSignature, ReviewStatus, ReviewStep, SignedInput,
    compare_blind,
};
use super::review_rules::is_author;
use super::signature::{SignatureCheck, Statement, canonical_finding, changed_fields, check};
use super::{Case, CaseError, Edit, Finding};

/// The purpose a review step's signature carries.
fn step_purpose(to: ReviewStatus) -> String {
    format!("review:{}", to.as_str())
}

/// What a review step's signature must say besides the finding.
fn step_detail(step: &ReviewStep) -> Value {
    json!({ "from": step.from.as_str(), "to": step.to.as_str(), "reason": step.reason })
}

fn blind_detail(b: &BlindReview) -> Value {
    json!({ "lat": b.lat, "lon": b.lon, "precision_m": b.precision_m })
}

/// A `finding_opened` entry of finding `id` by `name` or `public_key`.
fn opened_entry(e: &super::log::LogEntry, id: &str, name: &str, public_key: &str) -> bool {
    e.event == "finding_opened"
        && e.detail["id"] == id
        && (e.detail["public_key"] == public_key
            || e.detail["analyst"]
                .as_str()
                .is_some_and(|a| a.trim().eq_ignore_ascii_case(name.trim())))
}

impl Case {
    fn refused(&self, id: &str, reason: String) -> CaseError {
        CaseError::Refused {
            finding: id.to_owned(),
            reason,
        }
    }

    fn is_listed(&self, public_key: &str) -> bool {
        self.meta
            .analysts
            .iter()
            .any(|a| a.public_key == public_key)
    }

    /// The files a finding uses, as named now (imagery layers inside the case hashed).
    pub fn finding_inputs(&self, finding: &Finding) -> Vec<SignedInput> {
        super::signature::finding_inputs(
            finding,
            |id| self.evidence.get(id),
            &self.root,
            &self.meta.imagery_layers,
        )
    }

    /// [`Case::finding_inputs`], refusing when a file does not hash to its recorded
    /// SHA-256 (nothing is signed over an altered or missing original).
    fn checked_inputs(&self, finding: &Finding) -> Result<Vec<SignedInput>, CaseError> {
        let inputs = self.finding_inputs(finding);
        for input in &inputs {
            let path = match input.kind.as_str() {
                "evidence" | "source_video" => match self.evidence.get(&input.id) {
                    Some(r) => self.root.join(&r.file),
                    None => {
                        return Err(self.refused(
                            &finding.id,
                            format!("its {} {} is not in the case", input.kind, input.id),
                        ));
                    }
                },
                "map_snapshot" => super::store::resolve_inside(&self.root, &input.id)
                    .map_err(|e| self.refused(&finding.id, e.to_string()))?,
                _ => continue,
            };
            let actual = crate::fingerprint::sha256_file(&path)
                .map_err(|source| CaseError::Io { path, source })?;
            if Some(&actual) != input.sha256.as_ref() {
                return Err(self.refused(
                    &finding.id,
                    format!(
                        "{} {} no longer hashes to its SHA-256 (altered); run verify, nothing was signed",
                        input.kind,
                        super::short_hash(&input.id)
                    ),
                ));
            }
        }
        Ok(inputs)
    }

    pub(super) fn add_analyst(&mut self, key: AnalystKey) -> Result<(), CaseError> {
        key.check().map_err(|reason| CaseError::InvalidValue {
            what: "analyst".into(),
            reason,
        })?;
        if self.is_listed(&key.public_key) {
            return Err(CaseError::InvalidValue {
                what: format!("analyst {}", key.name),
                reason: Invalid::rule(
                    "key",
                    format!("key {} is listed already", key.fingerprint()),
                ),
            });
        }
        self.log_event(
            "analyst_added",
            json!({ "name": key.name, "public_key": key.public_key, "fingerprint": key.fingerprint() }),
        );
        self.meta.analysts.push(key);
        self.dirty.meta = true;
        Ok(())
    }

    /// The signature must hold over the finding as it is, by a listed key.
    fn ensure_holds(
        &self,
        finding: &Finding,
        sig: &FindingSignature,
        purpose: &str,
        detail: &Value,
    ) -> Result<(), CaseError> {
        if sig.purpose != purpose || sig.detail != *detail {
            return Err(self.refused(
                &finding.id,
                format!(
                    "a {purpose} signature is needed; this one signs {}",
                    sig.purpose
                ),
            ));
        }
        let c = check(sig, finding, &self.finding_inputs(finding), |k| {
            self.is_listed(k)
        });
        if !c.holds() {
            return Err(self.refused(&finding.id, c.summary()));
        }
        Ok(())
    }

    pub(super) fn add_signature(
        &mut self,
        id: &str,
        sig: FindingSignature,
    ) -> Result<(), CaseError> {
        let finding = self.finding(id)?.clone();
        self.ensure_holds(&finding, &sig, "author", &Value::Null)?;
        self.log_event(
            "finding_signed",
            json!({ "id": id, "analyst": sig.analyst, "fingerprint": super::analyst::fingerprint(&sig.public_key) }),
        );
        self.store_review(id, |r| r.signatures.push(sig));
        Ok(())
    }

    pub(super) fn add_review_step(&mut self, id: &str, step: ReviewStep) -> Result<(), CaseError> {
        let finding = self.finding(id)?.clone();
        let now = finding.review.status;
        if step.from != now {
            return Err(self.refused(
                id,
                format!(
                    "its review state is {}, not {}",
                    now.as_str(),
                    step.from.as_str()
                ),
            ));
        }
        if !now.may_move_to(step.to) {
            return Err(self.refused(
                id,
                format!(
                    "a finding cannot go from {} to {} (draft → ready → approved or disputed)",
                    now.as_str(),
                    step.to.as_str()
                ),
            ));
        }
        if step.to == ReviewStatus::Disputed && step.reason.trim().is_empty() {
            return Err(self.refused(id, "a dispute needs a reason".into()));
        }
        let Some(sig) = &step.signature else {
            return Err(self.refused(id, "a review step must be signed".into()));
        };
        self.ensure_holds(&finding, sig, &step_purpose(step.to), &step_detail(&step))?;
        if step.to == ReviewStatus::Approved && is_author(&finding, &sig.analyst, &sig.public_key) {
            return Err(self.refused(
                id,
                format!(
                    "{} is its author; approval must come from another analyst",
                    sig.analyst
                ),
            ));
        }
        self.log_event(
            "review_status",
            json!({
                "id": id, "from": step.from.as_str(), "to": step.to.as_str(),
                "reason": step.reason, "analyst": sig.analyst,
                "fingerprint": super::analyst::fingerprint(&sig.public_key),
            }),
        );
        self.store_review(id, |r| {
            r.status = step.to;
            r.reason = if step.to == ReviewStatus::Disputed {
                step.reason.clone()
            } else {
                String::new()
            };
            r.history.push(step);
        });
        Ok(())
    }

    /// The `finding_opened` entry that shows `name` (or `public_key`) saw the finding.
    fn opened_by(
        &self,
        id: &str,
        name: &str,
        public_key: &str,
    ) -> Result<Option<String>, CaseError> {
        let mut entries = super::log::read(&self.root)?;
        entries.extend(self.pending_log.iter().cloned());
        Ok(entries
            .into_iter()
            .find(|e| opened_entry(e, id, name, public_key))
            .map(|e| {
                format!(
                    "{} at {}",
                    e.detail["via"].as_str().unwrap_or("unknown"),
                    e.at.format("%Y-%m-%d %H:%M UTC")
                )
            }))
    }

    pub(super) fn add_blind_review(&mut self, id: &str, b: BlindReview) -> Result<(), CaseError> {
        let finding = self.finding(id)?.clone();
        let Some(location) = finding.location else {
            return Err(self.refused(id, "has no location to compare a blind one with".into()));
        };
        if b.signature.public_key != b.public_key || b.signature.analyst != b.analyst {
            return Err(self.refused(id, "the blind review is signed by someone else".into()));
        }
        self.ensure_holds(&finding, &b.signature, "blind_review", &blind_detail(&b))?;
        self.blind_refusal(id, &b.analyst, &b.public_key)?;
        let c = compare_blind(
            [location.lat, location.lon, location.precision_m],
            b.lat,
            b.lon,
            b.precision_m,
        );
        self.log_event(
            "blind_review",
            json!({
                "id": id, "analyst": b.analyst, "lat": b.lat, "lon": b.lon,
                "precision_m": b.precision_m, "distance_m": c.distance_m, "agrees": c.agrees(),
            }),
        );
        self.store_review(id, |r| r.blind.push(b));
        Ok(())
    }

    fn store_review(&mut self, id: &str, change: impl FnOnce(&mut super::review::Review)) {
        if let Some(f) = self.findings.get_mut(id) {
            change(&mut f.review);
            self.dirty.findings.insert(id.to_owned());
        }
    }

    /// An edit that changes an approved finding sends it back to draft (an unsigned,
    /// automatic step naming the fields that changed).
    pub(super) fn reset_review_if_changed(&mut self, finding: &mut Finding) {
        let Some(stored) = self.findings.get(&finding.id) else {
            return;
        };
        if stored.review.status != ReviewStatus::Approved
            || canonical_finding(stored) == canonical_finding(finding)
        {
            return;
        }
        let changed = changed_fields(
            &serde_json::to_value(stored).unwrap_or_default(),
            &serde_json::to_value(&*finding).unwrap_or_default(),
        );
        finding.review.history.push(ReviewStep {
            from: ReviewStatus::Approved,
            to: ReviewStatus::Draft,
            reason: "edited after approval".into(),
            by: "geoproof".into(),
            at: chrono::Utc::now(),
            signature: None,
        });
        finding.review.status = ReviewStatus::Draft;
        finding.review.reason.clear();
        self.log_event(
            "review_reset",
            json!({ "id": finding.id, "changed": changed }),
        );
    }

    /// The edit listing `signer` in the case, unless listed (the first signature does it).
    fn analyst_edit(&self, signer: &LocalAnalyst) -> Option<Edit> {
        (!self.is_listed(&signer.public_key_hex()))
            .then(|| Edit::AddAnalyst(Box::new(signer.entry())))
    }

    fn apply_all(&mut self, edits: Vec<Edit>) -> Result<(), CaseError> {
        for edit in edits {
            self.apply(edit)?;
        }
        Ok(())
    }

    /// The edits that sign finding `id` as its author, now: listing the analyst if
    /// needed, then the signature. The app queues these; nothing is changed here.
    pub fn sign_edits(&self, id: &str, signer: &LocalAnalyst) -> Result<Vec<Edit>, CaseError> {
        let finding = self.finding(id)?;
        let inputs = self.checked_inputs(finding)?;
        let sig = Statement {
            purpose: "author",
            finding,
            inputs,
            detail: Value::Null,
        }
        .sign(signer);
        Ok(self
            .analyst_edit(signer)
            .into_iter()
            .chain([Edit::AddSignature {
                id: id.to_owned(),
                signature: Box::new(sig),
            }])
            .collect())
    }

    /// Signs finding `id` as its author, now (the analyst is listed on first signature).
    pub fn sign_finding(
        &mut self,
        id: &str,
        signer: &LocalAnalyst,
    ) -> Result<FindingSignature, CaseError> {
        let edits = self.sign_edits(id, signer)?;
        let sig = match edits.last() {
            Some(Edit::AddSignature { signature, .. }) => (**signature).clone(),
            _ => return Err(self.refused(id, "nothing to sign".into())),
        };
        self.apply_all(edits)?;
        Ok(sig)
    }

    /// The edits that move finding `id` to `to`, signed by `signer`. An approval by
    /// the finding's author is refused here, before anything is queued.
    pub fn review_edits(
        &self,
        id: &str,
        signer: &LocalAnalyst,
        to: ReviewStatus,
        reason: &str,
    ) -> Result<Vec<Edit>, CaseError> {
        let finding = self.finding(id)?;
        if to == ReviewStatus::Approved
            && is_author(finding, &signer.name, &signer.public_key_hex())
        {
            return Err(self.refused(
                id,
                format!(
                    "{} is its author; approval must come from another analyst",
                    signer.name
                ),
            ));
        }
        let mut step = ReviewStep {
            from: finding.review.status,
            to,
            reason: reason.trim().to_owned(),
            by: signer.name.clone(),
            at: chrono::Utc::now(),
            signature: None,
        };
        let inputs = self.checked_inputs(finding)?;
        step.signature = Some(
            Statement {
                purpose: &step_purpose(to),
                finding,
                inputs,
                detail: step_detail(&step),
            }
            .sign(signer),
        );
        Ok(self
            .analyst_edit(signer)
            .into_iter()
            .chain([Edit::Review {
                id: id.to_owned(),
                step: Box::new(step),
            }])
            .collect())
    }

    /// Moves finding `id` to `to`, signed by `signer`.
    pub fn review_finding(
        &mut self,
        id: &str,
        signer: &LocalAnalyst,
        to: ReviewStatus,
        reason: &str,
    ) -> Result<ReviewStep, CaseError> {
        let edits = self.review_edits(id, signer, to, reason)?;
        let step = match edits.last() {
            Some(Edit::Review { step, .. }) => (**step).clone(),
            _ => return Err(self.refused(id, "no review step".into())),
        };
        self.apply_all(edits)?;
        Ok(step)
    }

    /// The findings ready for review that the analyst (`name`, `key`) could still
    /// review blind: located, not theirs, not reviewed blind by them, and not opened by
    /// them according to the case log (read once). The app hides their answers.
    pub fn awaiting_blind(&self, name: &str, key: &str) -> Result<Vec<String>, CaseError> {
        let mut entries = super::log::read(&self.root)?;
        entries.extend(self.pending_log.iter().cloned());
        let opened = |id: &str| entries.iter().any(|e| opened_entry(e, id, name, key));
        Ok(self
            .findings
            .values()
            .filter(|f| {
                f.review.status == ReviewStatus::Ready
                    && f.location.is_some()
                    && !is_author(f, name, key)
                    && !f.review.blind.iter().any(|b| b.public_key == key)
                    && !opened(&f.id)
            })
            .map(|f| f.id.clone())
            .collect())
    }

    /// Refused when the analyst (`name`, `key`) may not review finding `id` blind: its
    /// author, reviewed it blind already, or the case log shows they opened its answer.
    pub fn blind_refusal(&self, id: &str, name: &str, key: &str) -> Result<(), CaseError> {
        let finding = self.finding(id)?;
        if finding.location.is_none() {
            return Err(self.refused(id, "has no location to compare a blind one with".into()));
        }
        if is_author(finding, name, key) {
            return Err(self.refused(
                id,
                format!("{name} is its author and cannot review it blind"),
            ));
        }
        if finding.review.blind.iter().any(|x| x.public_key == key) {
            return Err(self.refused(id, format!("{name} has reviewed it blind already")));
        }
        if let Some(when) = self.opened_by(id, name, key)? {
            return Err(self.refused(
                id,
                format!(
                    "the case log shows {name} opened its answer ({when}); a blind review must come first"
                ),
            ));
        }
        Ok(())
    }

    /// The edits that record `signer`'s blind location for finding `id`.
    pub fn blind_review_edits(
        &self,
        id: &str,
        signer: &LocalAnalyst,
        lat: f64,
        lon: f64,
        precision_m: f64,
    ) -> Result<Vec<Edit>, CaseError> {
        let place_ok = (-90.0..=90.0).contains(&lat)
            && (-180.0..=180.0).contains(&lon)
            && precision_m.is_finite()
            && (0.0..=2.1e7).contains(&precision_m);
        if !place_ok {
            return Err(CaseError::InvalidValue {
                what: "blind location".into(),
                reason: Invalid::rule(
                    "blind location",
                    format!("{lat}, {lon} ±{precision_m} m is not a place and a distance"),
                ),
            });
        }
        self.blind_refusal(id, &signer.name, &signer.public_key_hex())?;
        let finding = self.finding(id)?;
        let inputs = self.checked_inputs(finding)?;
        let detail = json!({ "lat": lat, "lon": lon, "precision_m": precision_m });
        let review = BlindReview {
            analyst: signer.name.clone(),
            public_key: signer.public_key_hex(),
            lat,
            lon,
            precision_m,
            at: chrono::Utc::now(),
            signature: Statement {
                purpose: "blind_review",
                finding,
                inputs,
                detail,
            }
            .sign(signer),
        };
        Ok(self
            .analyst_edit(signer)
            .into_iter()
            .chain([Edit::AddBlindReview {
                id: id.to_owned(),
                review: Box::new(review),
            }])
            .collect())
    }

    /// The latest blind review by `public_key` of finding `id`, compared with the
    /// finding's location.
    pub fn blind_comparison(
        &self,
        id: &str,
        public_key: &str,
    ) -> Option<(&BlindReview, BlindComparison)> {
        let f = self.finding(id).ok()?;
        let l = f.location?;
        let b = f
            .review
            .blind
            .iter()
            .rev()
            .find(|b| b.public_key == public_key)?;
        let c = compare_blind([l.lat, l.lon, l.precision_m], b.lat, b.lon, b.precision_m);
        Some((b, c))
    }

    /// Records `signer`'s blind location for finding `id` and compares it with the
    /// finding's.
    pub fn blind_review(
        &mut self,
        id: &str,
        signer: &LocalAnalyst,
        lat: f64,
        lon: f64,
        precision_m: f64,
    ) -> Result<(BlindReview, BlindComparison), CaseError> {
        let edits = self.blind_review_edits(id, signer, lat, lon, precision_m)?;
        self.apply_all(edits)?;
        let (b, c) = self
            .blind_comparison(id, &signer.public_key_hex())
            .ok_or_else(|| self.refused(id, "the blind review was not stored".into()))?;
        Ok((b.clone(), c))
    }

    /// Every signature in the case, checked against the findings and inputs as they are.
    pub fn signature_checks(&self) -> Vec<SignatureCheck> {
        self.findings
            .values()
            .flat_map(|f| self.checks_of(f))
            .collect()
    }

    /// The signatures of finding `id` (author, review steps, blind reviews, in that
    /// order), checked as [`Case::signature_checks`] does.
    pub fn finding_signature_checks(&self, id: &str) -> Result<Vec<SignatureCheck>, CaseError> {
        Ok(self.checks_of(self.finding(id)?))
    }

    fn checks_of(&self, finding: &Finding) -> Vec<SignatureCheck> {
        let mut out = Vec::new();
        let inputs = self.finding_inputs(finding);
        let listed = |k: &str| self.is_listed(k);
        let r = &finding.review;
        for s in &r.signatures {
            out.push(check(s, finding, &inputs, listed));
        }
        for step in &r.history {
            if let Some(s) = &step.signature {
                let mut c = check(s, finding, &inputs, listed);
                if s.detail != step_detail(step) || s.purpose != step_purpose(step.to) {
                    c.valid = false;
                    c.problem = Some("the review step differs from what was signed".into());
                }
                out.push(c);
            }
        }
        for b in &r.blind {
            let mut c = check(&b.signature, finding, &inputs, listed);
            if b.signature.detail != blind_detail(b) || b.signature.public_key != b.public_key {
                c.valid = false;
                c.problem = Some("the blind review differs from what was signed".into());
            }
            out.push(c);
        }
        out
    }
}
