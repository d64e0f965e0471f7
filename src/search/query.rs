//! Searching the index with a region of a picture: the region's features (and those of
//! its mirror image) vote through the inverted file; the best-scored pictures are
//! matched feature to feature and verified by a RANSAC homography. Only pictures with
//! at least [`MIN_INLIERS`] inliers whose region maps to a sound quadrilateral are
//! reported.

use std::path::Path;
use std::time::Instant;

use image::DynamicImage;
use rayon::prelude::*;
use serde::Serialize;

use super::base::{
    Feature, INDEX_VERSION, MIN_QUERY_FEATURES, QUERY_FEATURES, SearchError, WORKING_SIDE,
    features_of,
};
use super::store::{self, Entry, Manifest, Stale};
use super::words::InvertedFile;
use crate::matching::homography::{Point, project, ransac};
use crate::matching::{MIN_INLIERS, Roi, match_descriptors};

/// The index loaded for searching.
pub struct SearchIndex {
    pub manifest: Manifest,
    features: Vec<Feature>,
    inverted: InvertedFile,
    /// Time to read the files and build the inverted file, seconds.
    pub load_s: f64,
}

/// What to search with: a picture (oriented; possibly reduced, standing for `full`
/// pixels), a region of it in full pixels, and the picture itself to leave out.
pub struct Query<'a> {
    pub image: &'a DynamicImage,
    pub full: (u32, u32),
    pub region: Option<Roi>,
    /// The query's own evidence item and, for a video, its time: that picture (and the
    /// frames of the clip within one sampling interval of it) is not a result.
    pub exclude: Option<(String, Option<f64>)>,
}

#[derive(Debug, Clone, Copy)]
pub struct SearchOptions {
    /// Results to report at most.
    pub limit: usize,
    /// Pictures from the first pass verified (per orientation).
    pub candidates: usize,
}

impl Default for SearchOptions {
    fn default() -> SearchOptions {
        SearchOptions {
            limit: 20,
            candidates: 60,
        }
    }
}

/// One verified result, as a proposal.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub sha256: String,
    /// For a video: the frame and its time after the start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_s: Option<f64>,
    /// Why that frame was indexed (`scene`, `every 2 s`, …).
    pub why: String,
    /// First-pass score (shared visual words) and its rank among all pictures, in the
    /// orientation (straight or mirrored) the hit was verified in: never above the
    /// number of candidates verified.
    pub score: f64,
    pub first_pass_rank: usize,
    /// Correspondences that agree with the homography, of those matched.
    pub inliers: usize,
    pub matches: usize,
    /// The match was found with the query mirrored (a flipped repost).
    pub mirrored: bool,
    /// The query region's corners mapped into the result, full pixels (clockwise from
    /// the top left of the region), and their bounding box clipped to the picture.
    pub corners: [[f64; 2]; 4],
    pub region: Roi,
}

/// What a search found.
#[derive(Debug, Clone, Serialize)]
pub struct SearchReport {
    pub index_version: u32,
    pub pictures: usize,
    pub query_region: Roi,
    pub query_features: usize,
    /// Pictures verified and how many held up.
    pub verified: usize,
    pub first_pass_s: f64,
    pub verify_s: f64,
    pub hits: Vec<Hit>,
    /// One plain sentence.
    pub summary: String,
}

/// The query's features in its working frame and how to return to full pixels.
struct QueryFeatures {
    straight: Vec<Feature>,
    mirrored: Vec<Feature>,
    /// Full pixel = offset + working / scale.
    offset: [f64; 2],
    scale: f64,
    region: Roi,
}

impl SearchIndex {
    /// Loads the index of the case at `root`; `Err` says why there is none to use.
    pub fn open(root: &Path) -> Result<SearchIndex, Stale> {
        let started = Instant::now();
        let (manifest, features) = store::load(&store::index_dir(root))?;
        Ok(SearchIndex::from_parts(manifest, features, started))
    }

    fn from_parts(manifest: Manifest, features: Vec<Feature>, started: Instant) -> SearchIndex {
        let ranges: Vec<_> = manifest.entries.iter().map(range).collect();
        let inverted = InvertedFile::build(&features, &ranges);
        SearchIndex {
            manifest,
            features,
            inverted,
            load_s: started.elapsed().as_secs_f64(),
        }
    }

    fn entry_features(&self, e: &Entry) -> &[Feature] {
        &self.features[range(e)]
    }

    /// Searches the index with `query`.
    pub fn search(
        &self,
        query: &Query,
        options: &SearchOptions,
    ) -> Result<SearchReport, SearchError> {
        let q = query_features(query)?;
        let started = Instant::now();
        let excluded = |e: &Entry| match &query.exclude {
            Some((sha, time)) if *sha == e.sha256 => match (time, e.time_s) {
                (Some(t), Some(et)) => (t - et).abs() < self.manifest.every_s,
                _ => true,
            },
            _ => false,
        };
        let descriptors = |f: &[Feature]| f.iter().map(Feature::descriptor).collect::<Vec<_>>();
        let (qd, md) = (descriptors(&q.straight), descriptors(&q.mirrored));
        let scores = [self.inverted.score(&qd), self.inverted.score(&md)];
        let searched: Vec<usize> = (0..scores[0].len())
            .filter(|&i| !excluded(&self.manifest.entries[i]))
            .collect();
        // The best candidates of each orientation, each with its rank in that orientation
        // (what the hit reports is the orientation it was verified in).
        let mut candidates: Vec<(usize, bool, usize)> = Vec::new();
        for (flip, s) in scores.iter().enumerate() {
            let mut mine = searched.clone();
            mine.sort_by(|&a, &b| s[b].total_cmp(&s[a]).then(a.cmp(&b)));
            candidates.extend(
                mine.into_iter()
                    .take(options.candidates)
                    .enumerate()
                    .filter(|&(_, i)| s[i] > 0.0)
                    .map(|(at, i)| (i, flip == 1, at + 1)),
            );
        }
        let first_pass_s = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let verified = candidates.len();
        let mut hits: Vec<Hit> = candidates
            .par_iter()
            .filter_map(|&(i, mirrored, rank)| {
                let entry = &self.manifest.entries[i];
                let features = if mirrored { &q.mirrored } else { &q.straight };
                let mut hit = verify(&q, features, entry, self.entry_features(entry))?;
                hit.mirrored = mirrored;
                hit.score = f64::from(scores[usize::from(mirrored)][i]);
                hit.first_pass_rank = rank;
                Some(hit)
            })
            .collect();
        // One hit per picture: the orientation with more inliers.
        hits.sort_by(|a, b| b.inliers.cmp(&a.inliers).then(b.score.total_cmp(&a.score)));
        let mut seen = std::collections::HashSet::new();
        hits.retain(|h| seen.insert((h.sha256.clone(), h.frame)));
        hits.truncate(options.limit);
        let verify_s = started.elapsed().as_secs_f64();
        let summary = if hits.is_empty() {
            format!(
                "no picture of the {} indexed shows the region: none of the {verified} best \
                 first-pass candidates has {MIN_INLIERS} correspondences agreeing on one homography",
                self.manifest.entries.len()
            )
        } else {
            format!(
                "{} picture(s) with at least {MIN_INLIERS} correspondences agreeing on one \
                 homography with the region: proposals to review, not conclusions",
                hits.len()
            )
        };
        Ok(SearchReport {
            index_version: INDEX_VERSION,
            pictures: self.manifest.entries.len(),
            query_region: q.region,
            query_features: q.straight.len(),
            verified,
            first_pass_s,
            verify_s,
            hits,
            summary,
        })
    }
}

fn range(e: &Entry) -> std::ops::Range<usize> {
    e.first_feature as usize..e.first_feature as usize + e.feature_count as usize
}

/// The region's features at a working size (longer side at most the index's working
/// side times two, never enlarged), straight and mirrored.
fn query_features(query: &Query) -> Result<QueryFeatures, SearchError> {
    let (fw, fh) = query.full;
    let region = query.region.unwrap_or(Roi {
        x: 0,
        y: 0,
        w: fw,
        h: fh,
    });
    if region.x.saturating_add(region.w) > fw || region.y.saturating_add(region.h) > fh {
        return Err(crate::matching::RoiError::Outside {
            roi: region,
            width: fw,
            height: fh,
        }
        .into());
    }
    let image = query.image;
    let s = f64::from(image.width()) / f64::from(fw.max(1));
    let cx = (f64::from(region.x) * s).floor() as u32;
    let cy = (f64::from(region.y) * s).floor() as u32;
    let cw = ((f64::from(region.w) * s).round() as u32)
        .clamp(1, image.width().saturating_sub(cx).max(1));
    let ch = ((f64::from(region.h) * s).round() as u32)
        .clamp(1, image.height().saturating_sub(cy).max(1));
    let crop = image.crop_imm(cx, cy, cw, ch).to_luma8();
    let side = WORKING_SIDE * 2;
    let long = cw.max(ch);
    let gray = if long > side {
        let f = f64::from(side) / f64::from(long);
        let (w, h) = (
            ((f64::from(cw) * f).round() as u32).max(1),
            ((f64::from(ch) * f).round() as u32).max(1),
        );
        image::imageops::resize(&crop, w, h, image::imageops::FilterType::Triangle)
    } else {
        crop
    };
    // working = (full - offset) * scale
    let scale = f64::from(gray.width()) / (f64::from(cw) / s);
    let offset = [f64::from(cx) / s, f64::from(cy) / s];
    let straight = features_of(&gray, QUERY_FEATURES);
    let region_text = format!("{},{},{},{}", region.x, region.y, region.w, region.h);
    if straight.len() < MIN_QUERY_FEATURES {
        return Err(SearchError::TooFewFeatures {
            region: region_text,
            found: straight.len(),
        });
    }
    let flipped = image::imageops::flip_horizontal(&gray);
    let right = f64::from(gray.width()) - 1.0;
    let mirrored = features_of(&flipped, QUERY_FEATURES)
        .into_iter()
        .map(|f| {
            let [x, y] = f.xy();
            Feature::new(right - x, y, f.descriptor())
        })
        .collect();
    Ok(QueryFeatures {
        straight,
        mirrored,
        offset,
        scale,
        region,
    })
}

/// Matches the query's features with one picture's and fits a homography; `None` below
/// the threshold or when the region maps to a quadrilateral no camera could see.
fn verify(
    q: &QueryFeatures,
    query: &[Feature],
    entry: &Entry,
    features: &[Feature],
) -> Option<Hit> {
    let qd: Vec<[u64; 4]> = query.iter().map(Feature::descriptor).collect();
    let ed: Vec<[u64; 4]> = features.iter().map(Feature::descriptor).collect();
    let pairs = match_descriptors(&qd, &ed, 0.8);
    if pairs.len() < MIN_INLIERS {
        return None;
    }
    let from: Vec<Point> = pairs.iter().map(|&(i, _, _)| query[i].xy()).collect();
    let to: Vec<Point> = pairs.iter().map(|&(_, j, _)| features[j].xy()).collect();
    let fit = ransac(&from, &to, 3.0, 2000)?;
    if fit.inliers.len() < MIN_INLIERS {
        return None;
    }
    // Region corners: full query pixels -> query working -> entry working -> entry full.
    let r = q.region;
    let corners_full = [
        [r.x, r.y],
        [r.x + r.w, r.y],
        [r.x + r.w, r.y + r.h],
        [r.x, r.y + r.h],
    ];
    let mut corners = [[0.0; 2]; 4];
    for (c, p) in corners.iter_mut().zip(corners_full) {
        let w = [
            (f64::from(p[0]) - q.offset[0]) * q.scale,
            (f64::from(p[1]) - q.offset[1]) * q.scale,
        ];
        let m = project(&fit.h, w)?;
        *c = [m[0] / entry.scale, m[1] / entry.scale];
    }
    if !sound_quad(&corners, entry) {
        return None;
    }
    let clip = |v: f64, max: u32| v.clamp(0.0, f64::from(max));
    let xs = corners.map(|c| clip(c[0], entry.width));
    let ys = corners.map(|c| clip(c[1], entry.height));
    let (x0, x1) = (
        xs.iter().copied().fold(f64::MAX, f64::min),
        xs.iter().copied().fold(f64::MIN, f64::max),
    );
    let (y0, y1) = (
        ys.iter().copied().fold(f64::MAX, f64::min),
        ys.iter().copied().fold(f64::MIN, f64::max),
    );
    Some(Hit {
        sha256: entry.sha256.clone(),
        frame: entry.frame,
        time_s: entry.time_s,
        why: entry.why.clone(),
        score: 0.0,
        first_pass_rank: 0,
        inliers: fit.inliers.len(),
        matches: pairs.len(),
        mirrored: false,
        corners,
        region: Roi {
            x: x0.floor() as u32,
            y: y0.floor() as u32,
            w: (x1 - x0).ceil() as u32,
            h: (y1 - y0).ceil() as u32,
        },
    })
}

/// A mapped region must be a simple convex quadrilateral (one orientation, either sense
/// for a mirror), neither a sliver nor vastly larger than the picture.
fn sound_quad(c: &[[f64; 2]; 4], entry: &Entry) -> bool {
    let cross = |o: [f64; 2], a: [f64; 2], b: [f64; 2]| {
        (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
    };
    let turns: Vec<f64> = (0..4)
        .map(|i| cross(c[i], c[(i + 1) % 4], c[(i + 2) % 4]))
        .collect();
    let convex = turns.iter().all(|&t| t > 0.0) || turns.iter().all(|&t| t < 0.0);
    let area = 0.5
        * (0..4)
            .map(|i| c[i][0] * c[(i + 1) % 4][1] - c[(i + 1) % 4][0] * c[i][1])
            .sum::<f64>()
            .abs();
    let picture = f64::from(entry.width) * f64::from(entry.height);
    convex && area > 64.0 && area < picture * 50.0
}
