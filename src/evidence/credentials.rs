//! Content credentials (C2PA manifests) read and validated offline at intake.
//!
//! The `c2pa` crate is built without its HTTP features and without
//! `fetch_remote_manifests`, so nothing here can reach the network: a manifest that is
//! only referenced by URL is reported as such, never fetched. geoproof configures no
//! trust list, so a manifest whose signature and hashes check is "valid, signer not on a
//! trust list": the signer named is what the certificate says, not a confirmed identity.

use std::io::{Cursor, Read, Seek};
use std::path::Path;

use c2pa::validation_results::ValidationState;
use serde::{Deserialize, Serialize};

/// The C2PA SDK and version that validated the manifest, recorded with the result.
pub const VALIDATOR: &str = "c2pa-rs 0.90.22";

/// What intake found about an item's content credentials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ContentCredentials {
    /// The file carries no C2PA manifest.
    None,
    /// A manifest whose signature and hashes check, by a signer on a trust list.
    Valid(CredentialSummary),
    /// A manifest whose signature and hashes check, by a signer on no trust list
    /// geoproof knows (it has none configured): who signed is what the certificate says.
    Untrusted(CredentialSummary),
    /// A manifest that fails validation (content changed after signing, bad signature…);
    /// the summary's `failures` say why.
    Invalid(CredentialSummary),
    /// A manifest is present but cannot be read at all, or only referenced remotely.
    Unreadable { reason: String },
    /// The C2PA reader does not handle this container.
    Unsupported { media_type: String },
}

/// The readable parts of the active manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct CredentialSummary {
    /// The signing certificate's subject common name, as the certificate states it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// The signing certificate's subject organisation (what the SDK calls `issuer`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// The signing time the manifest states (a time-stamp's, when present).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_generator: Option<String>,
    /// Action names in order (`c2pa.opened`, `c2pa.color_adjustments`…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ingredients: Vec<CredentialIngredient>,
    /// Failure codes with the validator's explanation, e.g.
    /// `assertion.dataHash.mismatch: …`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<String>,
    pub validator: String,
}

/// One ingredient the manifest names (a parent or component file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct CredentialIngredient {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub relationship: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

impl ContentCredentials {
    /// One line for listings: `none`, `valid, signer not on a trust list (…)`, …
    pub fn one_line(&self) -> String {
        match self {
            ContentCredentials::None => "none".into(),
            ContentCredentials::Valid(s) => format!("valid ({})", s.who()),
            ContentCredentials::Untrusted(s) => {
                format!("valid, signer not on a trust list ({})", s.who())
            }
            ContentCredentials::Invalid(s) => {
                format!("invalid: {} ({})", s.failures.join("; "), s.who())
            }
            ContentCredentials::Unreadable { reason } => format!("unreadable manifest: {reason}"),
            ContentCredentials::Unsupported { media_type } => {
                format!("not checked: the C2PA reader does not handle {media_type}")
            }
        }
    }

    /// The manifest's summary, when one could be read.
    pub fn summary(&self) -> Option<&CredentialSummary> {
        match self {
            ContentCredentials::Valid(s)
            | ContentCredentials::Untrusted(s)
            | ContentCredentials::Invalid(s) => Some(s),
            _ => None,
        }
    }
}

impl CredentialSummary {
    fn who(&self) -> String {
        let signer = self.signer.as_deref().unwrap_or("signer unknown");
        match &self.claim_generator {
            Some(g) => format!("signed by {signer}, made with {g}"),
            None => format!("signed by {signer}"),
        }
    }
}

/// Reads the credentials of image bytes in memory (`mime` from the sniffer).
pub fn read_bytes(bytes: &[u8], mime: &str) -> ContentCredentials {
    read_stream(Cursor::new(bytes), mime)
}

/// Reads the credentials of a file on disk (videos: the file is streamed, not loaded).
pub fn read_file(path: &Path, mime: &str) -> ContentCredentials {
    match std::fs::File::open(path) {
        Ok(file) => read_stream(std::io::BufReader::new(file), mime),
        Err(e) => ContentCredentials::Unreadable {
            reason: format!("cannot open {}: {e}", path.display()),
        },
    }
}

fn read_stream(stream: impl Read + Seek + Send, mime: &str) -> ContentCredentials {
    let context = match offline_context() {
        Ok(c) => c,
        Err(e) => {
            return ContentCredentials::Unreadable {
                reason: format!("validator settings refused: {e}"),
            };
        }
    };
    match c2pa::Reader::from_context(context).with_stream(mime, stream) {
        Ok(reader) => from_reader(&reader),
        Err(e) => from_error(e, mime),
    }
}

/// Settings that keep the validator offline: no remote manifest, no OCSP fetch. Trust
/// is still evaluated (against an empty list), so a good signature by an unlisted
/// signer comes back as untrusted rather than trusted.
fn offline_context() -> c2pa::Result<c2pa::Context> {
    let settings = c2pa::Settings::new()
        .with_value("verify.remote_manifest_fetch", false)?
        .with_value("verify.ocsp_fetch", false)?
        .with_value("verify.verify_trust", true)?;
    c2pa::Context::new().with_settings(settings)
}

fn from_error(e: c2pa::Error, mime: &str) -> ContentCredentials {
    match e {
        c2pa::Error::JumbfNotFound | c2pa::Error::ProvenanceMissing => ContentCredentials::None,
        c2pa::Error::UnsupportedType => ContentCredentials::Unsupported {
            media_type: mime.to_owned(),
        },
        c2pa::Error::RemoteManifestUrl(url) | c2pa::Error::RemoteManifestFetch(url) => {
            ContentCredentials::Unreadable {
                reason: format!("the manifest is only referenced remotely ({url}); not fetched"),
            }
        }
        other => ContentCredentials::Unreadable {
            reason: other.to_string(),
        },
    }
}

fn from_reader(reader: &c2pa::Reader) -> ContentCredentials {
    let Some(manifest) = reader.active_manifest() else {
        return ContentCredentials::Unreadable {
            reason: "a manifest store without an active manifest".into(),
        };
    };
    let failures = failures(reader);
    let summary = summarise(manifest, failures);
    match reader.validation_state() {
        ValidationState::Trusted => ContentCredentials::Valid(summary),
        ValidationState::Valid => ContentCredentials::Untrusted(summary),
        ValidationState::Invalid => ContentCredentials::Invalid(summary),
    }
}

/// The active manifest's failure codes other than the untrusted signer (which the
/// status itself states), each with the validator's explanation.
fn failures(reader: &c2pa::Reader) -> Vec<String> {
    let statuses: Vec<&c2pa::validation_status::ValidationStatus> =
        match reader.validation_results() {
            Some(results) => results
                .active_manifest()
                .map(|codes| codes.failure().iter().collect())
                .unwrap_or_default(),
            None => reader
                .validation_status()
                .map(|s| s.iter().collect())
                .unwrap_or_default(),
        };
    statuses
        .into_iter()
        .filter(|s| s.code() != c2pa::validation_status::SIGNING_CREDENTIAL_UNTRUSTED)
        .map(|s| match s.explanation() {
            Some(why) => format!("{}: {why}", s.code()),
            None => s.code().to_owned(),
        })
        .collect()
}

fn summarise(manifest: &c2pa::Manifest, failures: Vec<String>) -> CredentialSummary {
    let signature = manifest.signature_info();
    CredentialSummary {
        signer: signature.and_then(|s| s.common_name.clone()),
        organisation: signature.and_then(|s| s.issuer.clone()),
        signed_at: signature.and_then(|s| s.time.clone()),
        claim_generator: manifest.claim_generator().map(str::to_owned).or_else(|| {
            manifest
                .claim_generator_info
                .as_ref()
                .and_then(|infos| infos.first())
                .map(|i| i.name.clone())
        }),
        actions: actions(manifest),
        ingredients: manifest
            .ingredients()
            .iter()
            .map(|i| CredentialIngredient {
                title: i.title().map(str::to_owned),
                relationship: relationship(i.relationship()),
                format: i.format().map(str::to_owned),
            })
            .collect(),
        failures,
        validator: VALIDATOR.into(),
    }
}

fn actions(manifest: &c2pa::Manifest) -> Vec<String> {
    manifest
        .assertions()
        .iter()
        .filter(|a| {
            a.label() == c2pa::assertions::Actions::LABEL
                || a.label() == c2pa::assertions::Actions::LABEL_VERSIONED
        })
        .filter_map(|a| a.to_assertion::<c2pa::assertions::Actions>().ok())
        .flat_map(|list| {
            list.actions()
                .iter()
                .map(|action| action.action().to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn relationship(r: &c2pa::Relationship) -> String {
    match r {
        c2pa::Relationship::ParentOf => "parentOf".into(),
        c2pa::Relationship::ComponentOf => "componentOf".into(),
        c2pa::Relationship::InputTo => "inputTo".into(),
    }
}
