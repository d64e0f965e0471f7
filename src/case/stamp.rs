//! Trusted timestamps of the case: a canonical manifest (sorted `sha256  path` lines of
//! every evidence original, evidence record and finding, kept byte for byte) whose hash
//! the analyst sends to timestamp authorities of their choice; responses are stored
//! beside it. `verify` checks every stored token offline and says which evidence it
//! covers and whether that evidence is unchanged since. Timestamps that came with a
//! collection (auto-archiver) are checked the same way.

use std::path::PathBuf;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Case, CaseError, EVIDENCE_DIR, FINDINGS_DIR, store};
use crate::timestamp::{self, VerifiedStamp};

pub const TIMESTAMPS_DIR: &str = "timestamps";

/// What one authority answered to one stamp request.
#[derive(Debug, Clone)]
pub struct AuthorityReply {
    pub url: String,
    pub request: Vec<u8>,
    pub response: Result<Vec<u8>, String>,
}

/// One token's check.
#[derive(Debug, Clone, Serialize)]
pub struct StampCheck {
    /// `timestamps/<id>` for a case stamp, or the evidence and post for a collection's.
    pub what: String,
    pub authority: String,
    /// Valid: the stamp's time, signer and root; else why not.
    pub valid: bool,
    pub time: Option<DateTime<Utc>>,
    pub signer: Option<String>,
    pub root: Option<String>,
    pub problem: Option<String>,
    /// Evidence originals the stamped data names, and how many are unchanged today.
    pub covers: usize,
    pub unchanged: usize,
    pub changed: Vec<String>,
}

impl StampCheck {
    fn new(what: String, authority: String, result: Result<VerifiedStamp, String>) -> StampCheck {
        let (valid, time, signer, root, problem) = match result {
            Ok(v) => (true, Some(v.time), Some(v.signer), Some(v.root), None),
            Err(e) => (false, None, None, None, Some(e)),
        };
        StampCheck {
            what,
            authority,
            valid,
            time,
            signer,
            root,
            problem,
            covers: 0,
            unchanged: 0,
            changed: Vec::new(),
        }
    }

    /// One line for people.
    pub fn summary(&self) -> String {
        match (&self.time, &self.problem) {
            (Some(t), _) => format!(
                "{}: {} stamped {} ({}, root {}): covers {} evidence item(s), {} unchanged since{}",
                self.what,
                self.authority,
                t.format("%Y-%m-%d %H:%M:%S UTC"),
                self.signer.as_deref().unwrap_or("?"),
                self.root.as_deref().unwrap_or("?"),
                self.covers,
                self.unchanged,
                if self.changed.is_empty() {
                    String::new()
                } else {
                    format!("; CHANGED since: {}", self.changed.join(", "))
                }
            ),
            (None, Some(p)) => format!("{}: {}: NOT VALID: {p}", self.what, self.authority),
            (None, None) => format!("{}: {}: not checked", self.what, self.authority),
        }
    }
}

/// Certificates kept beside token `n` of a stamp: `<n>-chain.pem` (the token's own,
/// or the authority's chain put there for a token that carries none) and `chain.pem`
/// (a chain given for the whole stamp).
fn chain_beside(stamp: &std::path::Path, n: u64) -> Result<Vec<Vec<u8>>, String> {
    let mut chain = Vec::new();
    for name in [format!("{n}-chain.pem"), "chain.pem".to_owned()] {
        let path = stamp.join(&name);
        if let Ok(bytes) = std::fs::read(&path) {
            chain.extend(
                timestamp::read_chain(&bytes, &path.display().to_string())
                    .map_err(|e| e.to_string())?,
            );
        }
    }
    Ok(chain)
}

impl Case {
    /// The canonical manifest of the case as saved: `sha256  path` per line, sorted by
    /// path, `\n` line ends. Originals are named by their recorded hash (which `verify`
    /// checks); record and finding files by the hash of their bytes on disk.
    pub fn stamp_manifest(&mut self) -> Result<String, CaseError> {
        self.save()?;
        let mut lines: Vec<(String, String)> = Vec::new();
        for r in self.evidence.values() {
            lines.push((r.file.clone(), r.sha256.clone()));
            let record = format!("{EVIDENCE_DIR}/{}.json", r.sha256);
            lines.push((record.clone(), self.hash_of(&record)?));
        }
        for id in self.findings.keys() {
            let file = format!("{FINDINGS_DIR}/{id}.json");
            lines.push((file.clone(), self.hash_of(&file)?));
        }
        lines.sort();
        Ok(lines
            .into_iter()
            .map(|(path, sha)| format!("{sha}  {path}\n"))
            .collect())
    }

    fn hash_of(&self, relative: &str) -> Result<String, CaseError> {
        let path = self.root.join(relative);
        crate::evidence::sha256_file(&path).map_err(|source| CaseError::Io { path, source })
    }

    /// Stores a stamp: the manifest's exact bytes, each request and response (and the
    /// certificates each response carries, as PEM), and `stamp.json`; logs it.
    pub fn store_stamp(
        &mut self,
        manifest: &str,
        replies: &[AuthorityReply],
    ) -> Result<PathBuf, CaseError> {
        self.store_stamp_with_chain(manifest, replies, &[])
    }

    /// As [`Case::store_stamp`], with the authorities' certificates (DER) kept as
    /// `chain.pem` beside the tokens, for tokens that carry none.
    pub fn store_stamp_with_chain(
        &mut self,
        manifest: &str,
        replies: &[AuthorityReply],
        chain: &[Vec<u8>],
    ) -> Result<PathBuf, CaseError> {
        self.ensure_writable()?;
        let created = Utc::now();
        let id = created.format("%Y%m%dT%H%M%S%3fZ").to_string();
        let dir = self.root.join(TIMESTAMPS_DIR).join(&id);
        std::fs::create_dir_all(&dir).map_err(|source| CaseError::Io {
            path: dir.clone(),
            source,
        })?;
        store::write_atomic(&dir.join("manifest.txt"), manifest.as_bytes(), true)?;
        if !chain.is_empty() {
            let pem = timestamp::pem(chain);
            store::write_atomic(&dir.join("chain.pem"), pem.as_bytes(), true)?;
        }
        let mut authorities = Vec::new();
        for (n, reply) in replies.iter().enumerate() {
            let n = n + 1;
            store::write_atomic(&dir.join(format!("{n}.tsq")), &reply.request, true)?;
            let entry = match &reply.response {
                Ok(bytes) => {
                    store::write_atomic(&dir.join(format!("{n}.tsr")), bytes, true)?;
                    let pem = timestamp::certificates_pem(bytes);
                    if !pem.is_empty() {
                        store::write_atomic(
                            &dir.join(format!("{n}-chain.pem")),
                            pem.as_bytes(),
                            true,
                        )?;
                    }
                    serde_json::json!({"n": n, "url": reply.url, "response": format!("{n}.tsr")})
                }
                Err(e) => serde_json::json!({"n": n, "url": reply.url, "error": e}),
            };
            authorities.push(entry);
        }
        let stamp = serde_json::json!({
            "created": created,
            "manifest": "manifest.txt",
            "manifest_sha256": crate::evidence::sha256_hex(manifest.as_bytes()),
            "authorities": authorities,
        });
        store::write_json(&dir.join("stamp.json"), &stamp)?;
        self.log_event(
            "case_stamped",
            serde_json::json!({"stamp": format!("{TIMESTAMPS_DIR}/{id}"), "authorities": stamp["authorities"],
                "manifest_sha256": stamp["manifest_sha256"]}),
        );
        self.save()?;
        Ok(dir)
    }

    /// Checks every stored token offline: the case's stamps and the timestamps that came
    /// with collections.
    pub fn verify_stamps(&self) -> Vec<StampCheck> {
        let mut checks = Vec::new();
        let dir = self.root.join(TIMESTAMPS_DIR);
        let mut stamps: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                    .map(|e| e.path())
                    .collect()
            })
            .unwrap_or_default();
        stamps.sort();
        for stamp in stamps {
            let what = format!(
                "{TIMESTAMPS_DIR}/{}",
                stamp.file_name().unwrap_or_default().to_string_lossy()
            );
            let described = std::fs::read(stamp.join("stamp.json"))
                .ok()
                .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
            let manifest = std::fs::read(stamp.join("manifest.txt"));
            let (Some(described), Ok(manifest)) = (described, manifest) else {
                checks.push(StampCheck::new(
                    what,
                    "?".into(),
                    Err("stamp.json or manifest.txt is missing or unreadable".into()),
                ));
                continue;
            };
            for a in described["authorities"].as_array().into_iter().flatten() {
                let url = a["url"].as_str().unwrap_or("?").to_owned();
                let Some(n) = a["n"].as_u64().filter(|_| a.get("response").is_some()) else {
                    continue;
                };
                let result = std::fs::read(stamp.join(format!("{n}.tsr")))
                    .map_err(|e| e.to_string())
                    .and_then(|token| {
                        let chain = chain_beside(&stamp, n)?;
                        timestamp::verify_at(
                            &token,
                            &manifest,
                            &chain,
                            timestamp::shipped_roots(),
                            None,
                        )
                        .map_err(|e| e.to_string())
                    });
                let mut check = StampCheck::new(what.clone(), url, result);
                self.coverage(&String::from_utf8_lossy(&manifest), &mut check);
                checks.push(check);
            }
        }
        for r in self.evidence.values() {
            for s in &r.sources {
                for t in &s.timestamps {
                    let result = base64::engine::general_purpose::STANDARD
                        .decode(&t.token_base64)
                        .map_err(|e| e.to_string())
                        .and_then(|token| {
                            let chain = if t.chain_pem.is_empty() {
                                Vec::new()
                            } else {
                                timestamp::read_chain(t.chain_pem.as_bytes(), "the kept chain")
                                    .map_err(|e| e.to_string())?
                            };
                            timestamp::verify_at(
                                &token,
                                t.stamped_text.as_bytes(),
                                &chain,
                                timestamp::shipped_roots(),
                                None,
                            )
                            .map_err(|e| e.to_string())
                        });
                    let what = format!("{} from {}", r.short_id(), s.title());
                    let mut check = StampCheck::new(what, t.authority.clone(), result);
                    // The collection stamped its own hash list: does it name this file?
                    let named = t.stamped_text.lines().any(|l| l.trim() == r.sha256);
                    check.covers = usize::from(named);
                    check.unchanged = usize::from(named);
                    checks.push(check);
                }
            }
        }
        checks
    }

    /// How many evidence originals a manifest names and which changed since.
    fn coverage(&self, manifest: &str, check: &mut StampCheck) {
        for line in manifest.lines() {
            let Some((sha, path)) = line.split_once("  ") else {
                continue;
            };
            let Some(name) = path.strip_prefix(&format!("{EVIDENCE_DIR}/")) else {
                continue;
            };
            if name.ends_with(".json") {
                continue;
            }
            check.covers += 1;
            let now = crate::evidence::sha256_file(&self.root.join(path)).ok();
            if now.as_deref() == Some(sha) {
                check.unchanged += 1;
            } else {
                check.changed.push(path.to_owned());
            }
        }
    }
}
