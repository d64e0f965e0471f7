//! Building and refreshing the index: stills in parallel, videos frame by frame from one
//! decoder each; only evidence not yet indexed is read, and entries of evidence no longer
//! in the case are dropped. Interruptible: `progress` returning `false` stops the work
//! and what was finished is kept (saved every half minute and at the end).

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use super::base::{
    DEFAULT_EVERY_S, FEATURES_PER_PICTURE, Feature, SearchError, WORKING_SIDE, features_of,
    working_gray,
};
use super::store::{self, Entry, ItemStatus, Manifest, Picture};
use crate::case::{Case, EvidenceKind, EvidenceRecord};
use crate::evidence::load_oriented;

/// Work is saved at least this often (seconds), so a stop keeps it.
const SAVE_EVERY_S: u64 = 30;

#[derive(Debug, Clone, Copy)]
pub struct IndexOptions {
    /// Seconds between sampled video frames (besides the scene changes).
    pub every_s: f64,
}

impl Default for IndexOptions {
    fn default() -> IndexOptions {
        IndexOptions {
            every_s: DEFAULT_EVERY_S,
        }
    }
}

/// Where the work is: items done of the total, and the one being read.
#[derive(Debug, Clone, Serialize)]
pub struct IndexProgress {
    pub done: usize,
    pub total: usize,
    pub current: String,
}

/// What a refresh did.
#[derive(Debug, Clone, Serialize)]
pub struct IndexReport {
    /// Why the previous index was not reused (`None`: it was, and only new items read).
    pub rebuilt: Option<String>,
    /// Items read this time, with what could not be indexed in each.
    pub added: Vec<ItemStatus>,
    /// Items dropped because they left the case.
    pub removed: usize,
    pub items: usize,
    pub entries: usize,
    pub elapsed_s: f64,
    pub cancelled: bool,
}

/// Refreshes the index of `case` (see [`refresh_items`]).
pub fn refresh_index(
    case: &Case,
    options: IndexOptions,
    progress: &mut dyn FnMut(&IndexProgress) -> bool,
) -> Result<IndexReport, SearchError> {
    let items: Vec<(EvidenceRecord, PathBuf)> = case
        .evidence()
        .map(|r| (r.clone(), case.evidence_path(r)))
        .collect();
    refresh_items(case.root(), &items, options, progress)
}

/// Brings the index of the case at `root` up to date with `items` (records and their
/// files), needing no `Case`, so a worker thread can run it.
pub fn refresh_items(
    root: &Path,
    items: &[(EvidenceRecord, PathBuf)],
    options: IndexOptions,
    progress: &mut dyn FnMut(&IndexProgress) -> bool,
) -> Result<IndexReport, SearchError> {
    if !(options.every_s.is_finite() && options.every_s > 0.0) {
        return Err(SearchError::Invalid {
            what: "video sampling interval".into(),
            reason: format!("{} s: must be more than 0", options.every_s),
        });
    }
    let started = Instant::now();
    let dir = store::index_dir(root);
    let (mut manifest, mut features, rebuilt) = match store::load(&dir) {
        Ok((m, _)) if (m.every_s - options.every_s).abs() > 1e-9 => (
            Manifest::empty(options.every_s),
            Vec::new(),
            Some(store::Stale::OtherInterval(m.every_s).to_string()),
        ),
        Ok((m, f)) => (m, f, None),
        Err(stale) => (
            Manifest::empty(options.every_s),
            Vec::new(),
            Some(stale.to_string()),
        ),
    };
    let wanted: HashSet<&str> = items.iter().map(|(r, _)| r.sha256.as_str()).collect();
    let removed = drop_missing(&mut manifest, &mut features, &wanted);
    let known: BTreeSet<String> = manifest.items.iter().map(|i| i.sha256.clone()).collect();
    let todo: Vec<&(EvidenceRecord, PathBuf)> = items
        .iter()
        .filter(|(r, _)| !known.contains(&r.sha256))
        .collect();
    let mut report = IndexReport {
        rebuilt,
        added: Vec::new(),
        removed,
        items: 0,
        entries: 0,
        elapsed_s: 0.0,
        cancelled: false,
    };
    let total = todo.len();
    let mut done = 0usize;
    let mut last_save = Instant::now();
    let (stills, videos): (Vec<_>, Vec<_>) = todo
        .into_iter()
        .partition(|(r, _)| r.kind() == EvidenceKind::Photo);
    // Stills a few at a time across the cores, then saved.
    for batch in stills.chunks(16) {
        let current = batch[0].0.original_name.clone();
        if !progress(&IndexProgress {
            done,
            total,
            current,
        }) {
            report.cancelled = true;
            break;
        }
        let results: Vec<(ItemStatus, Vec<Picture>)> =
            batch.par_iter().map(|(r, p)| index_still(r, p)).collect();
        for (status, pictures) in results {
            add(&mut manifest, &mut features, status, pictures, &mut report);
        }
        done += batch.len();
        if last_save.elapsed().as_secs() >= SAVE_EVERY_S {
            store::save(&dir, &manifest, &features)?;
            last_save = Instant::now();
        }
    }
    for (record, path) in videos {
        if report.cancelled {
            break;
        }
        let mut cancelled = false;
        let mut tick = |fraction: f64| {
            let ok = progress(&IndexProgress {
                done,
                total,
                current: format!("{} ({:.0}%)", record.original_name, fraction * 100.0),
            });
            cancelled |= !ok;
            ok
        };
        let (status, pictures) = index_video(record, path, options.every_s, &mut tick);
        if cancelled {
            report.cancelled = true;
            break;
        }
        add(&mut manifest, &mut features, status, pictures, &mut report);
        done += 1;
        if last_save.elapsed().as_secs() >= SAVE_EVERY_S {
            store::save(&dir, &manifest, &features)?;
            last_save = Instant::now();
        }
    }
    let changed = report.rebuilt.is_some() || report.removed > 0 || !report.added.is_empty();
    if changed {
        store::save(&dir, &manifest, &features)?;
    }
    progress(&IndexProgress {
        done,
        total,
        current: String::new(),
    });
    report.items = manifest.items.len();
    report.entries = manifest.entries.len();
    report.elapsed_s = started.elapsed().as_secs_f64();
    Ok(report)
}

fn add(
    manifest: &mut Manifest,
    features: &mut Vec<Feature>,
    status: ItemStatus,
    pictures: Vec<Picture>,
    report: &mut IndexReport,
) {
    for (mut entry, f) in pictures {
        entry.first_feature = features.len() as u64;
        entry.feature_count = f.len() as u32;
        features.extend(f);
        manifest.entries.push(entry);
    }
    manifest.feature_total = features.len() as u64;
    manifest.items.push(status.clone());
    report.added.push(status);
}

/// Drops the entries of items no longer wanted, compacting the features.
fn drop_missing(
    manifest: &mut Manifest,
    features: &mut Vec<Feature>,
    wanted: &HashSet<&str>,
) -> usize {
    let before = manifest.items.len();
    manifest
        .items
        .retain(|i| wanted.contains(i.sha256.as_str()));
    let removed = before - manifest.items.len();
    if removed == 0 {
        return 0;
    }
    let mut kept = Vec::with_capacity(features.len());
    let mut entries = Vec::with_capacity(manifest.entries.len());
    for mut e in std::mem::take(&mut manifest.entries) {
        if !wanted.contains(e.sha256.as_str()) {
            continue;
        }
        let range = e.first_feature as usize..(e.first_feature as usize + e.feature_count as usize);
        e.first_feature = kept.len() as u64;
        kept.extend_from_slice(&features[range]);
        entries.push(e);
    }
    manifest.entries = entries;
    *features = kept;
    manifest.feature_total = features.len() as u64;
    removed
}

fn status(record: &EvidenceRecord, entries: usize, problems: Vec<String>) -> ItemStatus {
    ItemStatus {
        sha256: record.sha256.clone(),
        original_name: record.original_name.clone(),
        entries,
        problems,
    }
}

/// One still: decoded at the working size (JPEG scaled while decoding).
fn index_still(record: &EvidenceRecord, path: &Path) -> (ItemStatus, Vec<Picture>) {
    let loaded = match load_oriented(path, WORKING_SIDE) {
        Ok(l) => l,
        Err(e) => return (status(record, 0, vec![e.to_string()]), Vec::new()),
    };
    let (gray, scale) = working_gray(&loaded.image, loaded.width);
    let f = features_of(&gray, FEATURES_PER_PICTURE);
    let entry = Entry {
        sha256: record.sha256.clone(),
        frame: None,
        time_s: None,
        why: "still".into(),
        width: loaded.width,
        height: loaded.height,
        scale,
        first_feature: 0,
        feature_count: 0,
    };
    (status(record, 1, loaded.warnings), vec![(entry, f)])
}

/// One video (see [`super::video::index_video`]).
fn index_video(
    record: &EvidenceRecord,
    path: &Path,
    every_s: f64,
    tick: &mut dyn FnMut(f64) -> bool,
) -> (ItemStatus, Vec<Picture>) {
    match super::video::index_video(record, path, every_s, tick) {
        Ok((pictures, problems)) => (status(record, pictures.len(), problems), pictures),
        Err(problem) => (status(record, 0, vec![problem]), Vec::new()),
    }
}
