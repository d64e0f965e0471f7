//! Candidate sites of a geolocation finding: the places an analyst works through, each
//! with where it came from (by hand, an OSM query with its text, an import), a status
//! from *unchecked* to *confirmed* or *ruled out*, the reason, and who decided when.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::invalid::Invalid;
use crate::osm::OsmType;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateStatus {
    #[default]
    Unchecked,
    Possible,
    Likely,
    RuledOut,
    Confirmed,
}

impl CandidateStatus {
    pub const ALL: [CandidateStatus; 5] = [
        CandidateStatus::Unchecked,
        CandidateStatus::Possible,
        CandidateStatus::Likely,
        CandidateStatus::RuledOut,
        CandidateStatus::Confirmed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CandidateStatus::Unchecked => "unchecked",
            CandidateStatus::Possible => "possible",
            CandidateStatus::Likely => "likely",
            CandidateStatus::RuledOut => "ruled_out",
            CandidateStatus::Confirmed => "confirmed",
        }
    }

    pub fn parse(text: &str) -> Option<CandidateStatus> {
        let t = text.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        CandidateStatus::ALL.into_iter().find(|s| s.as_str() == t)
    }
}

/// An OSM feature a candidate came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsmRef {
    pub osm_type: OsmType,
    pub osm_id: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateOrigin {
    /// `manual`, `osm_query` or `import`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub osm: Option<OsmRef>,
    /// The OSM extract the query ran on: signatures of the finding cover its SHA-256.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extract: Option<OsmExtractRef>,
}

/// An `.osm.pbf` extract named by its file name and the SHA-256 of its bytes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OsmExtractRef {
    pub name: String,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// `C1`, `C2`… unique in the finding.
    pub id: String,
    pub lat: f64,
    pub lon: f64,
    /// An outline (longitude, latitude), when the place is an area.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outline: Option<Vec<[f64; 2]>>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    pub origin: CandidateOrigin,
    #[serde(default)]
    pub status: CandidateStatus,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub by: String,
    pub at: DateTime<Utc>,
}

impl Candidate {
    pub fn check(&self) -> Result<(), Invalid> {
        if !(1..=16).contains(&self.id.len())
            || !self
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(Invalid::rule(
                "candidate id",
                format!(
                    "candidate id {:?} is not 1–16 letters or digits",
                    super::invalid::truncated(&self.id)
                ),
            ));
        }
        let place_ok = (-90.0..=90.0).contains(&self.lat) && (-180.0..=180.0).contains(&self.lon);
        let outline_ok = self.outline.as_ref().is_none_or(|o| {
            o.len() <= 100_000
                && o.iter()
                    .all(|p| (-180.0..=180.0).contains(&p[0]) && (-90.0..=90.0).contains(&p[1]))
        });
        if !place_ok || !outline_ok {
            return Err(Invalid::rule(
                "candidate place",
                format!("candidate {} is not a valid place", self.id),
            ));
        }
        for (what, text, max) in [
            ("label", &self.label, 4096),
            ("reason", &self.reason, 1 << 16),
            ("by", &self.by, 256),
            ("origin", &self.origin.kind, 32),
        ] {
            if text.len() > max {
                return Err(Invalid::TooLong {
                    field: format!("candidate {} {what}", self.id),
                    len: text.len(),
                    max,
                });
            }
        }
        if self
            .origin
            .query
            .as_ref()
            .is_some_and(|q| q.len() > 1 << 16)
        {
            return Err(Invalid::TooLong {
                field: format!("candidate {} query", self.id),
                len: self.origin.query.as_ref().map_or(0, String::len),
                max: 1 << 16,
            });
        }
        if let Some(e) = &self.origin.extract {
            let hex = e.sha256.len() == 64 && e.sha256.bytes().all(|b| b.is_ascii_hexdigit());
            if !hex || e.name.is_empty() || e.name.len() > 1024 {
                return Err(Invalid::rule(
                    format!("candidate {} extract", self.id),
                    format!(
                        "candidate {} extract {:?}: not a file name with a SHA-256",
                        self.id, e.name
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// The next free `C<n>` id.
pub fn next_id(existing: &[Candidate]) -> String {
    let max = existing
        .iter()
        .filter_map(|c| c.id.strip_prefix('C')?.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    format!("C{}", max + 1)
}

/// Checks a finding's candidate list: each valid, ids unique.
pub fn check_all(candidates: &[Candidate]) -> Result<(), Invalid> {
    if candidates.len() > 100_000 {
        return Err(Invalid::TooMany {
            field: "candidates".into(),
            count: candidates.len(),
            max: 100_000,
        });
    }
    let mut ids = std::collections::HashSet::new();
    for c in candidates {
        c.check()?;
        if !ids.insert(c.id.as_str()) {
            return Err(Invalid::rule(
                "candidate id",
                format!("candidate id {} appears twice", c.id),
            ));
        }
    }
    Ok(())
}

/// Who is deciding: the account name (empty when the system does not say).
pub fn analyst() -> String {
    std::env::var("USER").unwrap_or_default()
}

/// Ruling a candidate out without saying why is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReasonMissing;

impl Candidate {
    /// Sets the status with its reason, signed by `by` now. Ruling out needs a reason.
    pub fn set_status(
        &mut self,
        status: CandidateStatus,
        reason: &str,
        by: String,
    ) -> Result<(), ReasonMissing> {
        if status == CandidateStatus::RuledOut && reason.trim().is_empty() {
            return Err(ReasonMissing);
        }
        self.status = status;
        reason.clone_into(&mut self.reason);
        self.by = by;
        self.at = Utc::now();
        Ok(())
    }
}

/// One feature an OpenStreetMap query found, as it becomes a candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct OsmResult {
    pub lat: f64,
    pub lon: f64,
    pub osm: OsmRef,
    pub name: Option<String>,
}

/// Adds query results as unchecked candidates (labelled by name, else by OSM type and
/// id), skipping features already there; returns how many were added.
pub fn add_osm_results(
    list: &mut Vec<Candidate>,
    results: impl IntoIterator<Item = OsmResult>,
    query: Option<&str>,
) -> usize {
    add_osm_results_from(list, results, query, None)
}

/// [`add_osm_results`] from a query on `extract`, which each candidate records.
pub fn add_osm_results_from(
    list: &mut Vec<Candidate>,
    results: impl IntoIterator<Item = OsmResult>,
    query: Option<&str>,
    extract: Option<OsmExtractRef>,
) -> usize {
    let (by, at) = (analyst(), Utc::now());
    let mut added = 0;
    for r in results {
        if list.iter().any(|c| c.origin.osm == Some(r.osm)) {
            continue;
        }
        let label = r
            .name
            .unwrap_or_else(|| format!("{:?} {}", r.osm.osm_type, r.osm.osm_id).to_lowercase());
        list.push(Candidate {
            id: next_id(list),
            lat: r.lat,
            lon: r.lon,
            outline: None,
            label,
            origin: CandidateOrigin {
                kind: "osm_query".into(),
                query: query.map(str::to_owned),
                osm: Some(r.osm),
                extract: extract.clone(),
            },
            status: CandidateStatus::Unchecked,
            reason: String::new(),
            by: by.clone(),
            at,
        });
        added += 1;
    }
    added
}
