//! The case folder loaded in memory: [`Case`] with its records, the lock it holds, what
//! changed since the last save, and the records that failed validation on open. The
//! edits, imports, video frames, stamps and verification are `impl Case` blocks in their
//! own files, which stand on this one.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use super::comparison::PanelSource;
use super::error::CaseError;
use super::invalid::Invalid;
use super::layout::{CACHE_DIR, CASE_FILE, EVIDENCE_DIR, FINDINGS_DIR, LOCK_FILE};
use super::log::LogEntry;
use super::model::{CaseMeta, EvidenceRecord, Extra, Finding, SCHEMA_VERSION, is_valid_finding_id};
use super::{limits, lock, store};

/// Whether this process may write the case.
#[derive(Debug)]
pub(super) enum Access {
    /// Holds the folder lock until dropped.
    ReadWrite {
        _lock: lock::FolderLock,
    },
    ReadOnly {
        reason: String,
    },
}

/// What changed in memory since the last save.
#[derive(Debug, Default)]
pub(super) struct Dirty {
    pub(super) meta: bool,
    pub(super) evidence: BTreeSet<String>,
    /// Findings to write, or to delete when no longer in the model.
    pub(super) findings: BTreeSet<String>,
}

/// A record file that could not be taken into the case: it is not loaded, not drawn,
/// not exported and cannot be edited until somebody repairs or removes the file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DamagedRecord {
    /// The file, relative to the case root (`findings/F-1.json`).
    pub file: String,
    pub cause: String,
}

impl std::fmt::Display for DamagedRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.cause)
    }
}

/// What a panel shows, resolved inside the case.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelFile {
    /// The image file; always inside the case folder.
    pub path: PathBuf,
    pub sha256: String,
    /// How to name it to people: the original's name, or "map snapshot (basemap)".
    pub name: String,
    /// `evidence` or `map_snapshot` (manifests and messages).
    pub kind: &'static str,
    /// Width and height after EXIF orientation, when the record says.
    pub oriented_size: Option<[u32; 2]>,
}

#[derive(Debug)]
pub struct Case {
    pub(super) root: PathBuf,
    pub(super) meta: CaseMeta,
    pub(super) evidence: BTreeMap<String, EvidenceRecord>,
    pub(super) findings: BTreeMap<String, Finding>,
    /// Record files that failed validation on open, in path order.
    pub(super) damaged: Vec<DamagedRecord>,
    /// Counts applied edits, so views derived from the case know when to refresh.
    pub(super) revision: u64,
    pub(super) access: Access,
    pub(super) dirty: Dirty,
    pub(super) pending_log: Vec<LogEntry>,
    /// Folders with originals renamed into place since the last save: synced by the
    /// next save before any record names them.
    pub(super) unsynced_dirs: BTreeSet<PathBuf>,
    /// Saves that wrote something, since the case was opened (one durable commit each).
    pub(super) saves: u64,
}

impl Case {
    /// Creates a new case folder (which must not exist, or be empty) and opens it.
    pub fn create(root: &Path, title: &str) -> Result<Case, CaseError> {
        let io_err = |path: &Path| {
            let path = path.to_owned();
            move |source| CaseError::Io { path, source }
        };
        if root.exists() {
            let empty_dir =
                root.is_dir() && fs::read_dir(root).map_err(io_err(root))?.next().is_none();
            if !empty_dir {
                return Err(CaseError::AlreadyExists {
                    path: root.to_owned(),
                });
            }
        }
        for dir in [EVIDENCE_DIR, FINDINGS_DIR] {
            let path = root.join(dir);
            fs::create_dir_all(&path).map_err(io_err(&path))?;
        }
        let lock = lock::FolderLock::acquire(root)?;
        let gitignore = root.join(".gitignore");
        store::write_atomic(
            &gitignore,
            format!("{CACHE_DIR}/\n{LOCK_FILE}\n").as_bytes(),
            false,
        )?;
        let mut case = Case {
            root: root.to_owned(),
            meta: CaseMeta {
                schema_version: SCHEMA_VERSION,
                title: title.to_owned(),
                created: chrono::Utc::now(),
                settings: BTreeMap::new(),
                imagery_layers: Vec::new(),
                elevation: Default::default(),
                analysts: Vec::new(),
                extra: Extra::new(),
            },
            evidence: BTreeMap::new(),
            findings: BTreeMap::new(),
            damaged: Vec::new(),
            revision: 0,
            access: Access::ReadWrite { _lock: lock },
            dirty: Dirty {
                meta: true,
                ..Dirty::default()
            },
            pending_log: vec![LogEntry::new(
                "case_created",
                serde_json::json!({ "title": title }),
            )],
            unsynced_dirs: BTreeSet::new(),
            saves: 0,
        };
        case.save()?;
        Ok(case)
    }

    /// Opens a case for editing, taking the folder lock. A case written by a newer
    /// geoproof opens read-only, with the reason in [`Case::read_only_reason`].
    pub fn open(root: &Path) -> Result<Case, CaseError> {
        let meta = load_meta(root)?;
        let access = if meta.schema_version > SCHEMA_VERSION {
            Access::ReadOnly {
                reason: format!(
                    "written by a newer geoproof (schema version {}, this build knows {}); \
                     opened read-only so nothing is lost",
                    meta.schema_version, SCHEMA_VERSION
                ),
            }
        } else {
            match lock::FolderLock::acquire(root) {
                Ok(lock) => Access::ReadWrite { _lock: lock },
                // A DVD, a write-protected stick, a share mounted read-only: still readable.
                Err(CaseError::Io { source, .. })
                    if matches!(
                        source.kind(),
                        std::io::ErrorKind::ReadOnlyFilesystem
                            | std::io::ErrorKind::PermissionDenied
                    ) =>
                {
                    Access::ReadOnly {
                        reason: format!(
                            "the folder cannot be written (read-only medium or no \
                             permission: {source}); opened read-only"
                        ),
                    }
                }
                Err(e) => return Err(e),
            }
        };
        // A save a crash interrupted after its commit point is completed first.
        let completed = match &access {
            Access::ReadWrite { .. } => super::journal::complete_interrupted(root)?,
            Access::ReadOnly { .. } => 0,
        };
        let mut case = Self::load(root, meta, access)?;
        if completed > 0 {
            case.log_event(
                "save_completed",
                serde_json::json!({ "records": completed, "after": "an interrupted save" }),
            );
        }
        if let Access::ReadWrite { _lock: lock } = &case.access {
            if let Some(previous) = lock.took_over() {
                let previous = previous.to_owned();
                ::log::warn!(
                    "{}: took over the lock left by {previous}, which is no longer running",
                    root.display()
                );
                case.log_event(
                    "lock_taken_over",
                    serde_json::json!({ "previous_holder": previous }),
                );
            }
            lock::remove_interrupted_writes(root);
        }
        Ok(case)
    }

    /// Opens a case for reading only; takes no lock, so it works while another process
    /// edits the case.
    pub fn open_read_only(root: &Path) -> Result<Case, CaseError> {
        let meta = load_meta(root)?;
        let access = Access::ReadOnly {
            reason: "opened for reading".to_owned(),
        };
        Self::load(root, meta, access)
    }

    /// Reads every record, checking each like an edit. A record that fails is listed
    /// in [`Case::damaged`] and left out; it never stops the case from opening.
    fn load(root: &Path, meta: CaseMeta, access: Access) -> Result<Case, CaseError> {
        let mut case = Case {
            root: root.to_owned(),
            meta,
            evidence: BTreeMap::new(),
            findings: BTreeMap::new(),
            damaged: Vec::new(),
            revision: 0,
            access,
            dirty: Dirty::default(),
            pending_log: Vec::new(),
            unsynced_dirs: BTreeSet::new(),
            saves: 0,
        };
        for path in json_files(&root.join(EVIDENCE_DIR))? {
            match read_record::<EvidenceRecord>(&path).and_then(|r| {
                validate_evidence_record(root, &path, &r)
                    .map(|()| r)
                    .map_err(|e| e.to_string())
            }) {
                Ok(record) => {
                    case.evidence.insert(record.sha256.clone(), record);
                }
                Err(cause) => case.mark_damaged(&path, cause),
            }
        }
        for path in json_files(&root.join(FINDINGS_DIR))? {
            let finding = read_record::<Finding>(&path).and_then(|f| {
                case.check_loaded_finding(&path, f)
                    .map_err(|e| e.to_string())
            });
            match finding {
                Ok(finding) => {
                    case.findings.insert(finding.id.clone(), finding);
                }
                Err(cause) => case.mark_damaged(&path, cause),
            }
        }
        for d in &case.damaged {
            ::log::warn!("{}: damaged record not loaded: {d}", root.display());
        }
        Ok(case)
    }

    fn mark_damaged(&mut self, path: &Path, cause: String) {
        let file = path
            .strip_prefix(&self.root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        self.damaged.push(DamagedRecord { file, cause });
    }

    fn check_loaded_finding(&self, path: &Path, finding: Finding) -> Result<Finding, Invalid> {
        if path.file_stem().and_then(|s| s.to_str()) != Some(finding.id.as_str()) {
            return Err(Invalid::rule(
                "finding id",
                format!(
                    "finding id {:?} does not match its file name",
                    super::invalid::truncated(&finding.id)
                ),
            ));
        }
        self.check_finding(&finding)?;
        for panel in &finding.panels {
            if let PanelSource::MapSnapshot { .. } = &panel.source {
                self.panel_file(&panel.source).map_err(|e| {
                    let problem = match e {
                        CaseError::InvalidValue { reason, .. } => reason,
                        other => Invalid::rule("panel file", other.to_string()),
                    };
                    problem.within(format!("panel {}", panel.id))
                })?;
            }
        }
        Ok(finding)
    }

    /// The rules a finding meets in this case, on open and on every edit: its own
    /// structure, and every evidence item it shows present in the case.
    pub fn check_finding(&self, finding: &Finding) -> Result<(), Invalid> {
        finding.check()?;
        for sha256 in finding.evidence_ids() {
            if !self.evidence.contains_key(sha256) {
                return Err(Invalid::rule(
                    "panel evidence",
                    format!("a panel shows evidence {sha256} that is not in the case"),
                ));
            }
        }
        Ok(())
    }

    /// The one way from a panel to a file: the evidence original or the map snapshot it
    /// shows, resolved inside the case folder (never outside, whatever the record says).
    pub fn panel_file(&self, source: &PanelSource) -> Result<PanelFile, CaseError> {
        let outside = |reason: Invalid| CaseError::InvalidValue {
            what: "panel".into(),
            reason,
        };
        source.check().map_err(outside)?;
        match source {
            PanelSource::Evidence { sha256 } => {
                let record =
                    self.evidence
                        .get(sha256)
                        .ok_or_else(|| CaseError::UnknownEvidence {
                            case: self.root.clone(),
                            id: sha256.clone(),
                        })?;
                Ok(PanelFile {
                    path: store::resolve_inside(&self.root, &record.file).map_err(outside)?,
                    sha256: sha256.clone(),
                    name: record.original_name.clone(),
                    kind: "evidence",
                    oriented_size: Some([record.width, record.height]),
                })
            }
            PanelSource::MapSnapshot {
                file,
                sha256,
                basemap,
                ..
            } => Ok(PanelFile {
                path: store::resolve_inside(&self.root, file).map_err(outside)?,
                sha256: sha256.clone(),
                name: format!("map snapshot ({basemap})"),
                kind: "map_snapshot",
                oriented_size: None,
            }),
        }
    }

    /// Who held the case's lock before this process took it, when that process ended
    /// without letting go (killed, crashed, power lost).
    pub fn took_over_lock(&self) -> Option<&str> {
        match &self.access {
            Access::ReadWrite { _lock: lock } => lock.took_over(),
            Access::ReadOnly { .. } => None,
        }
    }

    /// Changes with every applied edit (and only then).
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Record files that failed validation on open (not loaded).
    pub fn damaged(&self) -> &[DamagedRecord] {
        &self.damaged
    }

    /// Refuses an edit of a record whose file is damaged: it must be repaired first,
    /// or the edit would silently replace what is in it.
    pub(super) fn ensure_not_damaged(&self, file: &str) -> Result<(), CaseError> {
        match self.damaged.iter().find(|d| d.file == file) {
            Some(d) => Err(CaseError::InvalidRecord {
                path: self.root.join(file),
                reason: format!("damaged ({}); repair or remove the file first", d.cause),
            }),
            None => Ok(()),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where an imagery layer's file is: relative paths are inside the case folder.
    pub fn imagery_path(&self, layer: &crate::imagery::ImageryLayerRef) -> PathBuf {
        if layer.path.is_absolute() {
            layer.path.clone()
        } else {
            self.root.join(&layer.path)
        }
    }

    /// Where an elevation file is: relative paths are inside the case folder.
    pub fn elevation_path(&self, file: &crate::terrain::ElevationFileRef) -> PathBuf {
        if file.path.is_absolute() {
            file.path.clone()
        } else {
            self.root.join(&file.path)
        }
    }

    pub fn meta(&self) -> &CaseMeta {
        &self.meta
    }

    pub fn evidence(&self) -> impl Iterator<Item = &EvidenceRecord> {
        self.evidence.values()
    }

    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.values()
    }

    /// How many evidence items the case holds (without walking them).
    pub fn evidence_count(&self) -> usize {
        self.evidence.len()
    }

    /// How many findings the case holds (without walking them).
    pub fn finding_count(&self) -> usize {
        self.findings.len()
    }

    pub fn finding(&self, id: &str) -> Result<&Finding, CaseError> {
        if let Some(finding) = self.findings.get(id) {
            return Ok(finding);
        }
        // A damaged finding is named with its cause rather than called unknown.
        if is_valid_finding_id(id) {
            self.ensure_not_damaged(&format!("{FINDINGS_DIR}/{id}.json"))?;
        }
        Err(CaseError::UnknownFinding {
            case: self.root.clone(),
            id: id.to_owned(),
        })
    }

    /// Finds evidence by full id or by a unique prefix of at least 6 hex digits.
    pub fn find_evidence(&self, id_or_prefix: &str) -> Result<&EvidenceRecord, CaseError> {
        let prefix = id_or_prefix.to_ascii_lowercase();
        if let Some(record) = self.evidence.get(&prefix) {
            return Ok(record);
        }
        let unknown = || CaseError::UnknownEvidence {
            case: self.root.clone(),
            id: id_or_prefix.to_owned(),
        };
        if prefix.len() < 6 {
            return Err(CaseError::ShortEvidencePrefix {
                case: self.root.clone(),
                id: id_or_prefix.to_owned(),
            });
        }
        let mut matches = self
            .evidence
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix));
        match (matches.next(), matches.next()) {
            (Some((_, record)), None) => Ok(record),
            (None, _) => Err(unknown()),
            (Some(_), Some(_)) => Err(CaseError::AmbiguousEvidence {
                case: self.root.clone(),
                id: id_or_prefix.to_owned(),
                count: 2 + matches.count(),
            }),
        }
    }

    /// `Some(reason)` when this case cannot be written.
    pub fn read_only_reason(&self) -> Option<&str> {
        match &self.access {
            Access::ReadOnly { reason } => Some(reason),
            Access::ReadWrite { .. } => None,
        }
    }

    /// Absolute path of a stored original.
    pub fn evidence_path(&self, record: &EvidenceRecord) -> PathBuf {
        self.root.join(&record.file)
    }

    /// Where the cached preview of an evidence item lives (may not exist yet).
    pub fn thumbnail_path(&self, sha256: &str) -> PathBuf {
        self.root
            .join(CACHE_DIR)
            .join("thumbnails")
            .join(format!("{sha256}.png"))
    }

    /// Whether there are changes not yet saved.
    pub fn is_dirty(&self) -> bool {
        self.dirty.meta || !self.dirty.evidence.is_empty() || !self.dirty.findings.is_empty()
    }

    /// Refuses changes to a case opened read-only (a newer format, a damaged record).
    pub fn ensure_writable(&self) -> Result<(), CaseError> {
        match &self.access {
            Access::ReadOnly { reason } => Err(CaseError::ReadOnly {
                path: self.root.clone(),
                reason: reason.clone(),
            }),
            Access::ReadWrite { .. } => Ok(()),
        }
    }

    /// Queues an audit-log entry to be written with the next save.
    pub fn log_event(&mut self, event: &str, detail: serde_json::Value) {
        self.pending_log.push(LogEntry::new(event, detail));
    }
}

fn load_meta(root: &Path) -> Result<CaseMeta, CaseError> {
    let path = root.join(CASE_FILE);
    if !path.is_file() {
        return Err(CaseError::NotACase {
            path: root.to_owned(),
        });
    }
    let meta: CaseMeta = store::read_json(&path)?;
    for layer in &meta.imagery_layers {
        layer.check().map_err(|e| CaseError::InvalidValue {
            what: format!("{} imagery layer", path.display()),
            reason: e.into(),
        })?;
    }
    meta.elevation
        .check()
        .map_err(|e| CaseError::InvalidValue {
            what: format!("{} elevation", path.display()),
            reason: Invalid::rule("elevation", e.to_string()),
        })?;
    limits::count("analysts", meta.analysts.len())
        .and_then(|()| meta.analysts.iter().try_for_each(|a| a.check()))
        .map_err(|reason| CaseError::InvalidValue {
            what: format!("{} analyst", path.display()),
            reason,
        })?;
    Ok(meta)
}

/// The `*.json` files of a case sub-folder, sorted; a missing folder has none.
/// Leftover temp files from an interrupted save are not records and are skipped.
fn json_files(dir: &Path) -> Result<Vec<PathBuf>, CaseError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(CaseError::Io {
                path: dir.to_owned(),
                source,
            });
        }
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| CaseError::Io {
            path: dir.to_owned(),
            source,
        })?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.ends_with(".json") && !name.starts_with('.') && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Reads a record file with [`store::read_json`]; the cause of a failure without the
/// path (the damaged-record list names the file).
fn read_record<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, String> {
    store::read_json(path).map_err(|e| match e {
        CaseError::Io { source, .. } => source.to_string(),
        CaseError::Json { source, .. } => format!("malformed JSON: {source}"),
        CaseError::InvalidRecord { reason, .. } => reason,
        other => other.to_string(),
    })
}

/// A record must be well formed, named after its hash, and point at
/// `evidence/<sha256>.<ext>` inside the case — never at a path that leaves the folder.
fn validate_evidence_record(
    root: &Path,
    path: &Path,
    record: &EvidenceRecord,
) -> Result<(), Invalid> {
    record.check()?;
    if path.file_stem().and_then(|s| s.to_str()) != Some(record.sha256.as_str()) {
        return Err(Invalid::rule(
            "file name",
            "file name does not match the record's sha256",
        ));
    }
    store::resolve_inside(root, &record.file)?;
    Ok(())
}
