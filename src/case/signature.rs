//! Signed findings: what exactly an analyst's Ed25519 signature covers, and how it is
//! checked again later.
//!
//! **Canonical form of a finding.** The finding as JSON (the same fields as its file)
//! without `updated` (bookkeeping) and `review` (the signatures and review steps
//! themselves), written with every object's keys sorted by their UTF-8 bytes, no
//! whitespace, strings escaped as serde_json writes them and numbers in serde_json's
//! shortest round-trip form. Each signature keeps that text (`finding`), so a later
//! check can say which fields changed after it was signed.
//!
//! **What is signed.** The canonical JSON (same rules) of the statement
//! `{"format", "purpose", "finding_id", "finding_sha256", "inputs", "analyst",
//! "public_key", "signed_at", "detail"}`: `finding_sha256` is the SHA-256 of the
//! canonical form, `inputs` the SHA-256 of every file the finding uses (evidence shown
//! on its panels, the video a frame grab came from, map snapshots, the OSM extracts its
//! candidates were queried from, and for a geolocation the case's imagery layers inside
//! the case folder), `detail` what the
//! purpose adds (a review's status and reason, a blind reviewer's location).

use std::collections::BTreeSet;
use std::path::Path;

use chrono::{DateTime, Utc};
use ed25519_dalek::Verifier;
use serde::Serialize;
use serde_json::Value;

use super::comparison::PanelSource;
use super::model::{EvidenceRecord, Finding, FindingKind};
use super::review::{FindingSignature, SignedInput};

/// Names the statement layout, so a later change of it cannot be mistaken for this one.
pub const SIGNATURE_FORMAT: &str = "geoproof-finding-signature/1";

/// Canonical JSON: keys sorted, no whitespace (see the module notes).
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(&map[k.as_str()], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The finding as a JSON value without the fields a signature does not cover.
fn signed_value(finding: &Finding) -> Value {
    let mut value = serde_json::to_value(finding).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.remove("updated");
        map.remove("review");
    }
    value
}

/// The canonical form of a finding (see the module notes).
pub fn canonical_finding(finding: &Finding) -> String {
    canonical_json(&signed_value(finding))
}

/// The files `finding` uses, sorted. Evidence is named by its SHA-256 (the case
/// re-hashes originals in `verify`); an imagery layer inside the case is hashed now.
pub fn finding_inputs<'a>(
    finding: &Finding,
    evidence: impl Fn(&str) -> Option<&'a EvidenceRecord>,
    root: &Path,
    layers: &[crate::imagery::ImageryLayerRef],
) -> Vec<SignedInput> {
    let mut inputs = BTreeSet::new();
    let input = |kind: &str, id: &str, sha256: Option<String>| SignedInput {
        kind: kind.into(),
        id: id.into(),
        sha256,
    };
    for panel in &finding.panels {
        match &panel.source {
            PanelSource::Evidence { sha256 } => {
                inputs.insert(input("evidence", sha256, Some(sha256.clone())));
                if let Some(d) = evidence(sha256).and_then(|r| r.derived_from.as_ref()) {
                    inputs.insert(input("source_video", &d.sha256, Some(d.sha256.clone())));
                }
            }
            PanelSource::MapSnapshot { file, sha256, .. } => {
                inputs.insert(input("map_snapshot", file, Some(sha256.clone())));
            }
        }
    }
    // The OSM extracts candidates were found in, by the SHA-256 recorded at the query.
    for extract in finding
        .candidates
        .iter()
        .filter_map(|c| c.origin.extract.as_ref())
    {
        inputs.insert(input(
            "osm_extract",
            &extract.name,
            Some(extract.sha256.clone()),
        ));
    }
    // The elevation files a skyline fit was rendered from, by their recorded SHA-256.
    for file in finding.skyline_fit.iter().flat_map(|f| &f.dem) {
        let stored = file.path.to_string_lossy().replace('\\', "/");
        inputs.insert(input("elevation", &stored, Some(file.sha256.clone())));
    }
    if finding.kind == FindingKind::Geolocation {
        for layer in layers {
            let stored = layer.path.to_string_lossy().replace('\\', "/");
            // Only a file inside the case is read: a case names paths, it does not get
            // to make geoproof read the rest of the disk.
            let sha256 = (!layer.path.is_absolute())
                .then(|| super::store::resolve_inside(root, &stored).ok())
                .flatten()
                .and_then(|p| crate::fingerprint::sha256_file(&p).ok());
            inputs.insert(input("imagery_layer", &stored, sha256));
        }
    }
    inputs.into_iter().collect()
}

/// What a signature is over, before it is signed.
pub struct Statement<'a> {
    pub purpose: &'a str,
    pub finding: &'a Finding,
    pub inputs: Vec<SignedInput>,
    pub detail: Value,
}

impl Statement<'_> {
    /// Signs the statement as `signer`, now.
    pub fn sign(self, signer: &super::analyst::LocalAnalyst) -> FindingSignature {
        let mut signature = FindingSignature {
            purpose: self.purpose.to_owned(),
            analyst: signer.name.clone(),
            public_key: signer.public_key_hex(),
            signed_at: Utc::now(),
            inputs: self.inputs,
            detail: self.detail,
            finding: canonical_finding(self.finding),
            signature: String::new(),
        };
        signature.signature = signer.sign(message(&signature, &self.finding.id).as_bytes());
        signature
    }
}

/// The exact bytes signed (see the module notes).
fn message(s: &FindingSignature, finding_id: &str) -> String {
    canonical_json(&serde_json::json!({
        "format": SIGNATURE_FORMAT,
        "purpose": s.purpose,
        "finding_id": finding_id,
        "finding_sha256": crate::fingerprint::sha256_hex(s.finding.as_bytes()),
        "inputs": s.inputs,
        "analyst": s.analyst,
        "public_key": s.public_key,
        "signed_at": s.signed_at,
        "detail": s.detail,
    }))
}

/// How one signature stands today.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignatureCheck {
    pub finding: String,
    pub purpose: String,
    pub analyst: String,
    pub fingerprint: String,
    pub signed_at: DateTime<Utc>,
    /// The signature holds over what it says it signed.
    pub valid: bool,
    /// Why not, when it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// The case lists the key that made it.
    pub key_listed: bool,
    /// Fields of the finding that differ from what was signed (`location.lat`,
    /// `links[0].assessment`…); empty when unchanged.
    pub changed_fields: Vec<String>,
    /// Inputs added, removed or with another hash since signing.
    pub changed_inputs: Vec<String>,
}

impl SignatureCheck {
    /// Valid, by a listed key, over the finding and inputs as they are now.
    pub fn holds(&self) -> bool {
        self.valid
            && self.key_listed
            && self.changed_fields.is_empty()
            && self.changed_inputs.is_empty()
    }

    /// One line for people.
    pub fn summary(&self) -> String {
        let who = format!(
            "{} {} by {} ({}) at {}",
            self.finding,
            self.purpose,
            self.analyst,
            self.fingerprint,
            self.signed_at.format("%Y-%m-%d %H:%M:%S UTC")
        );
        let mut verdict = match (&self.problem, self.valid) {
            (Some(p), _) => format!("INVALID: {p}"),
            (None, false) => "INVALID".to_owned(),
            (None, true) => "valid".to_owned(),
        };
        if self.valid && !self.changed_fields.is_empty() {
            verdict = format!(
                "valid, but the finding changed after it was signed ({})",
                self.changed_fields.join(", ")
            );
        }
        if self.valid && !self.changed_inputs.is_empty() {
            verdict.push_str(&format!(
                "; inputs changed since: {}",
                self.changed_inputs.join(", ")
            ));
        }
        if !self.key_listed {
            verdict.push_str("; signed by a key this case does not list");
        }
        format!("{who}: {verdict}")
    }
}

/// Checks `s` against the finding and inputs as they are now. `listed` says whether
/// the case lists a public key.
pub fn check(
    s: &FindingSignature,
    finding: &Finding,
    inputs_now: &[SignedInput],
    listed: impl Fn(&str) -> bool,
) -> SignatureCheck {
    let problem = verify_bytes(s, &finding.id).err();
    let changed_fields = match serde_json::from_str::<Value>(&s.finding) {
        Ok(signed) => changed_fields(&signed, &signed_value(finding)),
        Err(_) => vec!["(the signed form is not JSON)".to_owned()],
    };
    let before: BTreeSet<&SignedInput> = s.inputs.iter().collect();
    let now: BTreeSet<&SignedInput> = inputs_now.iter().collect();
    let mut changed_inputs: Vec<String> = before
        .difference(&now)
        .map(|i| format!("{} {} no longer as signed", i.kind, short(&i.id)))
        .chain(
            now.difference(&before)
                .map(|i| format!("{} {} not signed", i.kind, short(&i.id))),
        )
        .collect();
    changed_inputs.dedup();
    SignatureCheck {
        finding: finding.id.clone(),
        purpose: s.purpose.clone(),
        analyst: s.analyst.clone(),
        fingerprint: super::analyst::fingerprint(&s.public_key),
        signed_at: s.signed_at,
        valid: problem.is_none(),
        problem,
        key_listed: listed(&s.public_key),
        changed_fields,
        changed_inputs,
    }
}

fn short(id: &str) -> &str {
    super::model::short_hash(id)
}

/// Whether the signature's bytes hold over its statement, with the reason when not.
fn verify_bytes(s: &FindingSignature, finding_id: &str) -> Result<(), String> {
    let key = super::analyst::parse_public_key(&s.public_key).map_err(|e| e.to_string())?;
    let bytes: [u8; 64] = hex::decode(&s.signature)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or("the signature is not 128 hex digits")?;
    key.verify(
        message(s, finding_id).as_bytes(),
        &ed25519_dalek::Signature::from_bytes(&bytes),
    )
    .map_err(|_| "the signature does not match what it claims to sign (tampered)".to_owned())
}

/// Paths of the leaves that differ between two JSON values, at most 40.
pub fn changed_fields(before: &Value, after: &Value) -> Vec<String> {
    let mut out = Vec::new();
    diff(before, after, String::new(), &mut out);
    out.truncate(40);
    out
}

fn diff(a: &Value, b: &Value, path: String, out: &mut Vec<String>) {
    if a == b || out.len() >= 40 {
        return;
    }
    let join = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let (va, vb) = (
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                );
                diff(va, vb, join(k), out);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                diff(va, vb, format!("{path}[{i}]"), out);
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            out.push(format!("{path} ({} items, now {})", x.len(), y.len()));
        }
        _ => out.push(if path.is_empty() {
            "(all)".into()
        } else {
            path
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_sorts_keys_and_drops_whitespace() {
        let v = serde_json::json!({"b": [1, {"z": 1.5, "a": "x\"y"}], "a": null});
        assert_eq!(
            canonical_json(&v),
            r#"{"a":null,"b":[1,{"a":"x\"y","z":1.5}]}"#
        );
    }

    #[test]
    fn diffs_name_the_leaves_that_changed() {
        let a =
            serde_json::json!({"location": {"lat": 1.0, "lon": 2.0}, "links": [1, 2], "t": "x"});
        let b = serde_json::json!({"location": {"lat": 1.5, "lon": 2.0}, "links": [1], "t": "x"});
        assert_eq!(
            changed_fields(&a, &b),
            ["links (2 items, now 1)", "location.lat"]
        );
    }
}
