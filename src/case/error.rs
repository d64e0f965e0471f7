use std::io;
use std::path::PathBuf;

/// Everything that can go wrong with a case folder. Each variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{}: malformed JSON: {source}", path.display())]
    Json {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("{}: not a geoproof case (no case.json)", path.display())]
    NotACase { path: PathBuf },
    #[error("{}: already exists and is not empty; choose a new folder", path.display())]
    AlreadyExists { path: PathBuf },
    #[error("{}: case is open in another geoproof process ({holder}; lock {})", path.display(), lock.display())]
    Locked {
        path: PathBuf,
        lock: PathBuf,
        /// Who holds it, as the holder wrote into the lock file.
        holder: String,
    },
    #[error("{}: case is read-only: {reason}", path.display())]
    ReadOnly { path: PathBuf, reason: String },
    #[error("{}: invalid record: {reason}", path.display())]
    InvalidRecord { path: PathBuf, reason: String },
    #[error("no evidence {id:?} in {}", case.display())]
    UnknownEvidence { case: PathBuf, id: String },
    #[error(
        "evidence id {id:?} is too short for {}: give the full SHA-256 or at least 6 of its \
         first hex digits",
        case.display()
    )]
    ShortEvidencePrefix { case: PathBuf, id: String },
    #[error("evidence id prefix {id:?} matches {count} items in {}; give more digits", case.display())]
    AmbiguousEvidence {
        case: PathBuf,
        id: String,
        count: usize,
    },
    #[error("no finding {id:?} in {}", case.display())]
    UnknownFinding { case: PathBuf, id: String },
    /// A record (or a value for one) that breaks a rule; `what` names the record.
    #[error("invalid {what}: {reason}")]
    InvalidValue {
        what: String,
        reason: super::invalid::Invalid,
    },
    #[error("invalid finding id {id:?} (letters, digits, '-' and '_' only)")]
    InvalidFindingId { id: String },
    /// A signature, review step or blind review that the rules do not allow.
    #[error("finding {finding}: {reason}")]
    Refused { finding: String, reason: String },
}

impl From<crate::fsio::FileError> for CaseError {
    fn from(e: crate::fsio::FileError) -> CaseError {
        CaseError::Io {
            path: e.path,
            source: e.source,
        }
    }
}
