//! Find it everywhere on the board (#35): a region of a photo panel, or of a video panel
//! at its frame, searched for in the whole case. The case's search index is a job of
//! the app's registry (built on the first search, refreshed after imports, rebuilt
//! when deleted or of another version; progress and cancel); the search is another.
//! Results are proposals: only pictures the domain verified (enough inliers of one
//! homography) are listed, and opening one puts it beside the query with the matcher's
//! correspondences offered in the proposal view, to accept one by one. A link accepted
//! there records the search that led to it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::board::{geometry, ops};
use crate::case::comparison::{FrameRef, PanelSource, SearchOrigin};
use crate::case::{Case, EvidenceKind, EvidenceRecord, Finding, OpenVideo};
use crate::matching::{self, MatchError, MatchOptions, MatchReport, Roi};
use crate::search::{
    DEFAULT_EVERY_S, IndexOptions, IndexReport, Query, SearchError, SearchIndex, SearchOptions,
    SearchReport, refresh_items,
};
use crate::ui::command::Status;
use crate::ui::jobs::{Job, Jobs, Worker};

/// Longer side of a result's thumbnail, pixels.
pub const THUMB_SIDE: u32 = 160;

/// The region searched for: which panel and annotation, and what they stand on.
#[derive(Clone)]
pub struct QuerySpec {
    pub panel: String,
    pub annotation: String,
    pub record: EvidenceRecord,
    pub path: PathBuf,
    /// For a video: the frame the region was drawn on.
    pub frame: Option<FrameRef>,
    /// The annotation's bounds, image pixels: x0, y0, x1, y1.
    pub bounds: [f64; 4],
}

/// A finished search: the domain's report, the query it answered, and per hit the
/// evidence's name and a thumbnail (with its scale from full pixels).
pub struct FindResults {
    pub query: QuerySpec,
    pub report: SearchReport,
    pub names: Vec<String>,
    pub thumbs: Vec<Option<(egui::ColorImage, f64)>>,
    /// What indexing this search needed first, in a line (`None`: the index was current).
    pub indexed: Option<String>,
    /// The index searched, kept for the next search while it stays current.
    pub index: Arc<SearchIndex>,
}

/// The search of the case on the board: the index job, the search job, the results.
#[derive(Default)]
pub struct FindState {
    pub index_job: Option<Job<Result<IndexReport, SearchError>>>,
    /// What the last indexing did, in a line.
    pub index_note: Option<String>,
    /// Evidence arrived: refresh an existing index at the next frame.
    pub evidence_changed: bool,
    /// A search waiting for the index job to end.
    pub pending: Option<QuerySpec>,
    pub search_job: Option<Job<Result<FindResults, String>>>,
    pub results: Option<FindResults>,
    /// Thumbnails as textures, by result rank (0 first).
    pub textures: HashMap<usize, egui::TextureHandle>,
    /// Why the last search found nothing to show (a refusal or a failure).
    pub error: Option<String>,
    /// The result opened beside the query: its panels (query, result) and its origin,
    /// recorded on links accepted between them.
    pub opened: Option<((String, String), SearchOrigin)>,
    /// The index as last loaded (reading a large one takes seconds): reused while it
    /// covers the case's evidence and no indexing ran since.
    pub loaded: Option<Arc<SearchIndex>>,
}

/// The case's evidence and their files (what a worker needs, without the case).
fn items_of(case: &crate::case::Case) -> Vec<(EvidenceRecord, PathBuf)> {
    case.evidence()
        .map(|r| (r.clone(), case.evidence_path(r)))
        .collect()
}

/// Refreshes the index of the case at `root` on a worker, reporting progress.
fn index_work(
    w: &Worker,
    root: &Path,
    items: &[(EvidenceRecord, PathBuf)],
) -> Result<IndexReport, SearchError> {
    refresh_items(root, items, IndexOptions::default(), &mut |p| {
        let fraction = if p.total == 0 {
            1.0
        } else {
            p.done as f32 / p.total as f32
        };
        w.progress(
            Some(fraction),
            format!("indexing {} of {}: {}", p.done + 1, p.total, p.current),
        );
        !w.cancelled()
    })
}

/// One line on what an indexing run did.
pub fn index_summary(r: &IndexReport) -> String {
    let problems: usize = r.added.iter().map(|i| i.problems.len()).sum();
    let mut line = format!(
        "search index: {} items, {} pictures ({} added, {} removed) in {:.1} s",
        r.items,
        r.entries,
        r.added.len(),
        r.removed,
        r.elapsed_s
    );
    if r.cancelled {
        line.push_str("; stopped before the end (what was read is kept)");
    }
    if problems > 0 {
        line.push_str(&format!("; {problems} part(s) could not be indexed"));
    }
    if let Some(why) = &r.rebuilt {
        line = format!("{why}; {line}");
    }
    line
}

/// Whether `index` covers exactly `items` at the default interval.
fn is_current(index: &SearchIndex, items: &[(EvidenceRecord, PathBuf)]) -> bool {
    let indexed: std::collections::BTreeSet<&str> = index
        .manifest
        .items
        .iter()
        .map(|i| i.sha256.as_str())
        .collect();
    let wanted: std::collections::BTreeSet<&str> =
        items.iter().map(|(r, _)| r.sha256.as_str()).collect();
    (index.manifest.every_s - DEFAULT_EVERY_S).abs() < 1e-9 && indexed == wanted
}

/// The index when it is current for `items`: the one loaded before, else the stored one.
fn open_current(
    root: &Path,
    items: &[(EvidenceRecord, PathBuf)],
    loaded: Option<Arc<SearchIndex>>,
) -> Option<Arc<SearchIndex>> {
    if let Some(index) = loaded.filter(|i| is_current(i, items)) {
        return Some(index);
    }
    let index = SearchIndex::open(root).ok()?;
    is_current(&index, items).then(|| Arc::new(index))
}

/// Videos opened for decoding (each one's frame table read once), by SHA-256.
#[derive(Default)]
struct Videos(HashMap<String, OpenVideo>);

impl Videos {
    fn open(&mut self, record: &EvidenceRecord, path: &Path) -> Result<&OpenVideo, String> {
        if !self.0.contains_key(&record.sha256) {
            let video =
                OpenVideo::open(record.clone(), path.to_owned()).map_err(|e| e.to_string())?;
            self.0.insert(record.sha256.clone(), video);
        }
        self.0
            .get(&record.sha256)
            .ok_or_else(|| format!("{}: not opened", record.original_name))
    }
}

/// A picture of the case, at most `max_side` pixels (its full size returned with it): a
/// still (oriented) or a video's frame.
fn load_picture(
    videos: &mut Videos,
    record: &EvidenceRecord,
    path: &Path,
    frame: Option<u64>,
    max_side: u32,
) -> Result<(image::DynamicImage, (u32, u32)), String> {
    match (record.kind(), frame) {
        (EvidenceKind::Video, Some(index)) => {
            let video = videos.open(record, path)?;
            let frame = video.decode(index as usize).map_err(|e| e.to_string())?;
            let full = (frame.image.width(), frame.image.height());
            let image = image::DynamicImage::ImageRgba8(frame.image);
            let long = full.0.max(full.1);
            let image = if long > max_side {
                image.resize(max_side, max_side, image::imageops::FilterType::Triangle)
            } else {
                image
            };
            Ok((image, full))
        }
        (EvidenceKind::Video, None) => Err(format!(
            "{}: a video; search from a frame of it",
            record.original_name
        )),
        _ => crate::evidence::load_oriented(path, max_side)
            .map(|l| (l.image, (l.width, l.height)))
            .map_err(|e| e.to_string()),
    }
}

/// The annotation's bounds as a region inside a picture of `full` pixels.
fn region_in(bounds: [f64; 4], full: (u32, u32)) -> Roi {
    let x0 = bounds[0].clamp(0.0, f64::from(full.0)).floor() as u32;
    let y0 = bounds[1].clamp(0.0, f64::from(full.1)).floor() as u32;
    let x1 = bounds[2].clamp(0.0, f64::from(full.0)).ceil() as u32;
    let y1 = bounds[3].clamp(0.0, f64::from(full.1)).ceil() as u32;
    Roi {
        x: x0,
        y: y0,
        w: x1.saturating_sub(x0),
        h: y1.saturating_sub(y0),
    }
}

/// The search on a worker: the index brought up to date if it is not, the region's
/// features searched for, and thumbnails of the verified results.
fn search_work(
    w: &Worker,
    root: &Path,
    items: &[(EvidenceRecord, PathBuf)],
    spec: QuerySpec,
    loaded: Option<Arc<SearchIndex>>,
) -> Result<FindResults, String> {
    let mut indexed = None;
    w.progress(None, "reading the search index");
    let index = match open_current(root, items, loaded) {
        Some(index) => index,
        None => {
            let report = index_work(w, root, items).map_err(|e| e.to_string())?;
            if report.cancelled {
                return Err("search cancelled while indexing".into());
            }
            indexed = Some(index_summary(&report));
            SearchIndex::open(root)
                .map(Arc::new)
                .map_err(|stale| format!("{}: {stale}", root.display()))?
        }
    };
    w.progress(
        None,
        format!("searching {} pictures", index.manifest.entries.len()),
    );
    let frame = spec.frame.map(|f| f.index);
    let mut videos = Videos::default();
    let (image, full) = load_picture(&mut videos, &spec.record, &spec.path, frame, u32::MAX)?;
    let query = Query {
        image: &image,
        full,
        region: Some(region_in(spec.bounds, full)),
        exclude: Some((spec.record.sha256.clone(), spec.frame.map(|f| f.time_s))),
    };
    let report = index
        .search(&query, &SearchOptions::default())
        .map_err(|e| e.to_string())?;
    let mut names = Vec::new();
    let mut thumbs = Vec::new();
    for (n, hit) in report.hits.iter().enumerate() {
        if w.cancelled() {
            return Err("search cancelled".into());
        }
        w.progress(
            Some(n as f32 / report.hits.len() as f32),
            format!("thumbnails {} of {}", n + 1, report.hits.len()),
        );
        let item = items.iter().find(|(r, _)| r.sha256 == hit.sha256);
        names.push(item.map_or_else(|| hit.sha256.clone(), |(r, _)| r.original_name.clone()));
        let thumb = item
            .and_then(|(r, p)| load_picture(&mut videos, r, p, hit.frame, THUMB_SIDE).ok())
            .map(|(image, full)| {
                let rgba = image.to_rgba8();
                let scale = f64::from(rgba.width()) / f64::from(full.0.max(1));
                let size = [rgba.width() as usize, rgba.height() as usize];
                (
                    egui::ColorImage::from_rgba_unmultiplied(size, rgba.as_raw()),
                    scale,
                )
            });
        thumbs.push(thumb);
    }
    Ok(FindResults {
        query: spec,
        report,
        names,
        thumbs,
        indexed,
        index,
    })
}

/// The region to search with: the selected annotation of `finding`, on an evidence
/// panel (for a video, at the frame it was drawn on or the panel shows).
pub fn find_query(
    case: Option<&Case>,
    finding: Option<&Finding>,
    selected: Option<&str>,
    video_frames: &HashMap<String, FrameRef>,
) -> Result<QuerySpec, String> {
    let case = case.ok_or("no case is open")?;
    let f = finding.ok_or("no finding on the board")?;
    let selected = selected.ok_or(
        "select a region (draw a rectangle) on a photo or video panel to search the case for it",
    )?;
    let a = f
        .annotations
        .iter()
        .find(|a| a.id == selected)
        .ok_or("the selected annotation is gone")?;
    let panel = f
        .panels
        .iter()
        .find(|p| p.id == a.panel)
        .ok_or("the annotation's panel is gone")?;
    let PanelSource::Evidence { sha256 } = &panel.source else {
        return Err("search from a photo or a video panel, not a map snapshot".into());
    };
    let record = case
        .find_evidence(sha256)
        .map_err(|e| e.to_string())?
        .clone();
    let frame = match record.kind() {
        EvidenceKind::Video => Some(
            a.frame
                .or_else(|| video_frames.get(&panel.id).copied())
                .or(panel.frame)
                .ok_or("the video panel has not shown a frame yet")?,
        ),
        _ => None,
    };
    Ok(QuerySpec {
        panel: panel.id.clone(),
        annotation: a.id.clone(),
        path: case.evidence_path(&record),
        record,
        frame,
        bounds: geometry::bounds(&a.shape),
    })
}

/// A result opened beside its query: the new panel (and the frame it shows), and the
/// matching job between the two regions, for the board to take over.
pub struct Opened {
    pub panel: String,
    pub frame: Option<FrameRef>,
    pub panels: (String, String),
    pub query_annotation: String,
    pub job: Job<Result<MatchReport, MatchError>>,
}

impl FindState {
    /// *Find in case* with `spec`, building the index first if the case has none
    /// current.
    pub fn start_find(
        &mut self,
        ctx: &egui::Context,
        case: &Case,
        spec: QuerySpec,
    ) -> Result<(), String> {
        self.results = None;
        self.textures.clear();
        self.error = None;
        if self.index_job.is_some() {
            // The running refresh ends first; the search starts when it does.
            self.pending = Some(spec);
            return Ok(());
        }
        self.spawn_search(ctx, case, spec);
        Ok(())
    }

    fn spawn_search(&mut self, ctx: &egui::Context, case: &Case, spec: QuerySpec) {
        let root = case.root().to_owned();
        let items = items_of(case);
        let loaded = self.loaded.clone();
        let job = Jobs::of(ctx).spawn(Some(ctx), "find in case", move |w| {
            search_work(w, &root, &items, spec, loaded)
        });
        self.search_job = Some(job);
    }

    /// Refreshes the case's search index in the background (progress and cancel). One
    /// writer at a time: while a search (which may be indexing) runs, the refresh waits
    /// for it.
    pub fn start_indexing(&mut self, ctx: &egui::Context, case: &Case) {
        if self.index_job.is_some() {
            return;
        }
        if self.search_job.is_some() {
            self.evidence_changed = true;
            return;
        }
        let root = case.root().to_owned();
        let items = items_of(case);
        self.loaded = None;
        let job = Jobs::of(ctx).spawn(Some(ctx), "search index", move |w| {
            index_work(w, &root, &items)
        });
        self.index_job = Some(job);
    }

    /// Once per frame: collects the index and search jobs, starts a waiting search, and
    /// refreshes an existing index when evidence arrived. Returns what to tell the
    /// analyst (the caller pushes it as a command).
    pub fn poll(&mut self, ctx: &egui::Context, case: Option<&Case>) -> Option<Status> {
        let mut note = None;
        if let Some(job) = &mut self.index_job
            && let Some(result) = job.take_flat()
        {
            self.index_job = None;
            match result {
                Ok(report) => self.index_note = Some(index_summary(&report)),
                Err(e) => note = Some(Status::Error(format!("search index: {e}"))),
            }
            if let (Some(spec), Some(case)) = (self.pending.take(), case) {
                self.spawn_search(ctx, case, spec);
            }
        }
        if let Some(job) = &mut self.search_job
            && let Some(result) = job.take_flat()
        {
            self.search_job = None;
            note = Some(self.finish_search(ctx, result));
        }
        if self.evidence_changed && self.index_job.is_none() && self.search_job.is_none() {
            self.evidence_changed = false;
            if let Some(case) = case
                && crate::search::index_dir(case.root())
                    .join(crate::search::MANIFEST_FILE)
                    .exists()
            {
                self.start_indexing(ctx, case);
            }
        }
        note
    }

    fn finish_search(
        &mut self,
        ctx: &egui::Context,
        result: Result<FindResults, String>,
    ) -> Status {
        match result {
            Ok(mut results) => {
                if let Some(note) = &results.indexed {
                    self.index_note = Some(note.clone());
                }
                for (n, thumb) in results.thumbs.iter_mut().enumerate() {
                    if let Some((image, _)) = thumb {
                        let image = std::mem::take(image);
                        let texture =
                            ctx.load_texture(format!("find-result-{n}"), image, Default::default());
                        self.textures.insert(n, texture);
                    }
                }
                let status = Status::Info(results.report.summary.clone());
                self.loaded = Some(results.index.clone());
                self.results = Some(results);
                status
            }
            Err(e) => {
                self.error = Some(e.clone());
                Status::Error(format!("find in case: {e}"))
            }
        }
    }

    /// Opens result `rank` (0 first) beside the query in `finding` (a new panel, a
    /// video at its frame) and starts looking for the correspondences between the two
    /// regions; the link accepted from them records [`FindState::opened`].
    pub fn open_result(
        &mut self,
        ctx: &egui::Context,
        case: &Case,
        finding: &mut Finding,
        rank: usize,
    ) -> Result<Opened, String> {
        let results = self.results.as_ref().ok_or("no search results")?;
        let hit = results
            .report
            .hits
            .get(rank)
            .ok_or("no such result")?
            .clone();
        let query = results.query.clone();
        let record = case
            .find_evidence(&hit.sha256)
            .map_err(|e| e.to_string())?
            .clone();
        let frame = hit
            .frame
            .zip(hit.time_s)
            .map(|(index, time_s)| FrameRef { index, time_s });
        let panel = ops::add_panel(
            finding,
            PanelSource::Evidence {
                sha256: hit.sha256.clone(),
            },
        );
        if let Some(p) = finding.panels.iter_mut().find(|p| p.id == panel) {
            p.frame = frame;
        }
        let query_region = results.report.query_region;
        let origin = SearchOrigin {
            query_sha256: query.record.sha256.clone(),
            query_frame: query.frame,
            region: [
                query_region.x,
                query_region.y,
                query_region.w,
                query_region.h,
            ],
            index_version: results.report.index_version,
            rank: rank + 1,
            result_sha256: hit.sha256.clone(),
            result_frame: frame,
            inliers: hit.inliers,
            mirrored: hit.mirrored,
        };
        let panels = (query.panel.clone(), panel.clone());
        self.opened = Some((panels.clone(), origin));
        let path = case.evidence_path(&record);
        let query_annotation = query.annotation.clone();
        let job = Jobs::of(ctx).spawn(Some(ctx), "matching", move |w| {
            let options = MatchOptions::default();
            let side = options.working_side * 2;
            let query_frame = query.frame.map(|f| f.index);
            let mut videos = Videos::default();
            let (ia, fa) = load_picture(&mut videos, &query.record, &query.path, query_frame, side)
                .map_err(MatchError::Failed)?;
            if w.cancelled() {
                return Err(MatchError::Cancelled);
            }
            let (ib, fb) = load_picture(&mut videos, &record, &path, hit.frame, side)
                .map_err(MatchError::Failed)?;
            matching::match_images_with_progress(
                (&ia, fa),
                (&ib, fb),
                Some(query_region),
                Some(hit.region),
                &options,
                &|stage, at| {
                    w.progress(Some(at), stage);
                    w.repaint();
                    !w.cancelled()
                },
            )
        });
        Ok(Opened {
            panel,
            frame,
            panels,
            query_annotation,
            job,
        })
    }
}
