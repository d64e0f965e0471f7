//! **Scan** in the Skyline tool (#33): the finding's candidate sites (those not ruled
//! out) or, when it has none, a grid over its place's precision circle, ranked by the
//! best fit of the traced skyline from each (`terrain::fit::scan`, the same ranking as
//! `geoproof terrain scan`). It runs as a job with progress and a Cancel; the ranking is
//! kept per finding for the session, listed in the inspector and drawn on the map.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::case::Finding;
use crate::case::candidates::CandidateStatus;
use crate::spatial::LatLon;
use crate::spatial::framing::Extent;
use crate::terrain::fit::{self, FitOptions, Ranges, Ranked, ScanOptions, Trace};
use crate::terrain::skyline::Camera;
use crate::terrain::{Dem, ElevationFileRef, Site, TerrainError, metres_per_degree};
use crate::ui::command::{Command, Status};
use crate::ui::jobs::{Job, Jobs};

/// Sites along each side of the grid over a finding's precision circle, at most.
pub const GRID_SIDE: usize = 15;
/// The closest the grid's sites stand, metres.
pub const MIN_GRID_STEP_M: f64 = 10.0;
/// Ground shown around the ranked sites on the map: a part of their spread, and at
/// least this many metres.
const MAP_MARGIN: f64 = 0.2;
const MIN_MAP_MARGIN_M: f64 = 60.0;
/// Worker threads of a scan (the figure is for two cores).
pub const THREADS: usize = 2;

/// The sites a scan takes, with a name for each and where they came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub sites: Vec<Site>,
    /// Per site: the candidate's id, or `G` and the grid number.
    pub names: Vec<String>,
    /// "3 candidate sites", "grid of 177 sites every 43 m within 300 m of the finding's
    /// place".
    pub from: String,
    /// The sites are the finding's candidates (the map draws their own markers).
    pub candidates: bool,
}

/// A finished scan: the sites ranked best first, and what they were ranked with.
#[derive(Debug, Clone)]
pub struct Ranking {
    pub ranked: Vec<Ranked>,
    /// Per site, in the order scanned (`Ranked::index`).
    pub names: Vec<String>,
    pub from: String,
    pub candidates: bool,
    pub trace: Trace,
    pub ranges: Ranges,
    pub dem: Vec<ElevationFileRef>,
}

impl Ranking {
    /// The site's name as listed.
    pub fn name(&self, r: &Ranked) -> &str {
        self.names.get(r.index).map_or("", String::as_str)
    }

    /// Sites with a fit, best first.
    pub fn fitted(&self) -> impl Iterator<Item = &Ranked> {
        self.ranked.iter().filter(|r| r.fit.is_some())
    }
}

/// What a scan ranks with: the case's elevation files (where the case finds them), the
/// sites, the camera whose orientation and frame the search starts from (its own place
/// is not used), the traced skyline and the search ranges.
pub struct ScanInput {
    pub files: Vec<(PathBuf, ElevationFileRef)>,
    pub plan: Plan,
    pub template: Camera,
    pub trace: Trace,
    pub ranges: Ranges,
}

/// A scan running for a finding.
struct Running {
    finding: String,
    job: Job<Result<Vec<Ranked>, String>>,
    ranking: Ranking,
}

/// What Scan remembers: the scan running, and the last ranking of each finding (for the
/// session).
pub struct ScanState {
    running: Option<Running>,
    rankings: HashMap<String, Ranking>,
    /// The site picked in the list (its rank).
    pub chosen: Option<usize>,
    /// Search the heading all round at each site (else ± the search range around the
    /// camera's heading).
    pub all_round: bool,
}

impl Default for ScanState {
    fn default() -> ScanState {
        ScanState {
            running: None,
            rankings: HashMap::new(),
            chosen: None,
            all_round: true,
        }
    }
}

impl ScanState {
    /// The last ranking of `finding`.
    pub fn ranking(&self, finding: &str) -> Option<&Ranking> {
        self.rankings.get(finding)
    }

    /// The scan's progress while one runs for `finding`.
    pub fn progress(&self, finding: &str) -> Option<(Option<f32>, String)> {
        self.running
            .as_ref()
            .filter(|r| r.finding == finding)
            .map(|r| r.job.progress())
    }

    /// The box that shows `finding`'s ranked sites on the map, with some ground around
    /// them (**Show on map** asks the map to fly there); `None` without fitted sites.
    pub fn map_extent(&self, finding: &str) -> Option<Extent> {
        let sites: Vec<LatLon> = self
            .ranking(finding)
            .into_iter()
            .flat_map(Ranking::fitted)
            .map(|r| r.site.at)
            .collect();
        // Room for the labels, which stand to the right of their sites.
        let margin = Extent::around(sites.iter().map(|&p| (p, 0.0))).map_or(0.0, |e| {
            let (m_lon, m_lat) = metres_per_degree((e.south + e.north) / 2.0);
            ((e.north - e.south) * m_lat).max((e.east - e.west) * m_lon) * MAP_MARGIN
        });
        let margin = margin.max(MIN_MAP_MARGIN_M);
        Extent::around(sites.into_iter().map(|p| (p, margin)))
    }

    /// The running scan's progress, whatever finding it is for (the status bar).
    pub fn running_progress(&self) -> Option<(Option<f32>, String)> {
        self.running.as_ref().map(|r| r.job.progress())
    }

    /// Whether a scan runs (for any finding).
    pub fn running(&self) -> bool {
        self.running.is_some()
    }

    /// Stops the running scan (between two sites); the ranking before it stays.
    pub fn cancel(&mut self, commands: &mut Vec<Command>) {
        if self.running.take().is_some() {
            commands.push(Command::notify(Status::Info(
                "skyline scan cancelled".into(),
            )));
        }
    }

    /// Takes in a finished scan (called where the app drains its jobs); what came of it
    /// goes to the status line as a command.
    pub fn take_result(&mut self, commands: &mut Vec<Command>) {
        let Some(result) = self.running.as_mut().and_then(|r| r.job.take_flat()) else {
            return;
        };
        let Some(Running {
            finding,
            mut ranking,
            ..
        }) = self.running.take()
        else {
            return;
        };
        match result {
            Ok(ranked) => {
                ranking.ranked = ranked;
                commands.push(Command::notify(Status::Info(summary(&ranking))));
                self.chosen = None;
                self.rankings.insert(finding, ranking);
            }
            Err(e) => commands.push(Command::notify(Status::Error(format!("skyline scan: {e}")))),
        }
    }

    /// Starts ranking the input's sites for `finding`.
    pub fn start(&mut self, ctx: &egui::Context, finding: &str, input: ScanInput) {
        let ScanInput {
            files,
            plan,
            template,
            trace,
            ranges,
        } = input;
        let ranges = Ranges {
            heading_deg: if self.all_round {
                180.0
            } else {
                ranges.heading_deg
            },
            ..ranges
        };
        let ranking = Ranking {
            ranked: Vec::new(),
            names: plan.names,
            from: plan.from,
            candidates: plan.candidates,
            trace: trace.clone(),
            ranges,
            dem: files.iter().map(|(_, f)| f.clone()).collect(),
        };
        let sites = plan.sites;
        let job = Jobs::of(ctx).spawn(Some(ctx), "skyline scan", move |w| {
            w.progress(Some(0.0), "opening the elevation files");
            let dem = files
                .iter()
                .try_for_each(|(path, r)| r.verify(path))
                .and_then(|()| Dem::open(&files.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>()))
                .map_err(|e| e.to_string())?;
            w.progress(Some(0.0), format!("scanning {} sites", sites.len()));
            let options = ScanOptions {
                fit: FitOptions::default(),
                ranges,
                threads: THREADS,
            };
            let progress = |done: usize, total: usize| {
                w.progress(
                    Some(done as f32 / total.max(1) as f32),
                    format!("scanned {done} of {total} sites"),
                );
            };
            fit::scan(
                &dem,
                &sites,
                template,
                &trace,
                &options,
                &progress,
                w.cancel_token(),
            )
            .map_err(|e| match e {
                TerrainError::Cancelled => "cancelled".to_owned(),
                e => e.to_string(),
            })
        });
        self.running = Some(Running {
            finding: finding.to_owned(),
            job,
            ranking,
        });
    }
}

/// The status line after a scan: the best site and how many were ranked.
fn summary(ranking: &Ranking) -> String {
    let fitted = ranking.fitted().count();
    let failed = ranking.ranked.len() - fitted;
    let not = if failed > 0 {
        format!(", {failed} not fitted (outside the elevation or below the ground)")
    } else {
        String::new()
    };
    match ranking.fitted().next().and_then(|r| Some((r, r.fit?))) {
        Some((r, f)) => format!(
            "skyline scan: best {} at {:.3}° mean distance, heading {:.1}° ({fitted} of {} sites ranked{not})",
            ranking.name(r),
            f.score.mean_deg,
            f.camera.heading_deg,
            ranking.ranked.len()
        ),
        None => format!(
            "skyline scan: no site could be fitted ({} sites{not})",
            ranking.ranked.len()
        ),
    }
}

/// The sites to scan for `finding`: its candidate sites not ruled out, else a grid over
/// its place's precision circle, each at the camera's height.
pub fn plan(finding: &Finding, camera: &Camera) -> Result<Plan, String> {
    let height = |at: LatLon| Site { at, ..camera.site };
    if !finding.candidates.is_empty() {
        let open: Vec<_> = finding
            .candidates
            .iter()
            .filter(|c| c.status != CandidateStatus::RuledOut)
            .filter_map(|c| Some((c.id.clone(), LatLon::new(c.lat, c.lon).ok()?)))
            .collect();
        if open.is_empty() {
            return Err("every candidate site of the finding is ruled out: nothing to scan".into());
        }
        let ruled_out = finding.candidates.len() - open.len();
        let from = format!(
            "{} candidate site{}{}",
            open.len(),
            if open.len() == 1 { "" } else { "s" },
            if ruled_out > 0 {
                format!(" ({ruled_out} ruled out left out)")
            } else {
                String::new()
            }
        );
        let (names, sites) = open.into_iter().map(|(id, at)| (id, height(at))).unzip();
        return Ok(Plan {
            sites,
            names,
            from,
            candidates: true,
        });
    }
    let Some(l) = finding.location.filter(|l| l.precision_m > 0.0) else {
        return Err(
            "no sites to scan: add candidate sites to the finding, or place it on the map with a precision"
                .into(),
        );
    };
    let r = l.precision_m;
    let step = (2.0 * r / (GRID_SIDE - 1) as f64).max(MIN_GRID_STEP_M);
    let (m_lon, m_lat) = metres_per_degree(l.lat);
    let (dlat, dlon) = (r / m_lat, r / m_lon.max(1e-6));
    let bbox = [l.lon - dlon, l.lat - dlat, l.lon + dlon, l.lat + dlat];
    let grid = fit::grid_sites(bbox, step, camera.site.height_m).map_err(|e| e.to_string())?;
    let sites: Vec<Site> = grid
        .into_iter()
        .filter(|s| {
            let (de, dn) = ((s.at.lon - l.lon) * m_lon, (s.at.lat - l.lat) * m_lat);
            de.hypot(dn) <= r * 1.000_001
        })
        .map(|s| height(s.at))
        .collect();
    let names = (1..=sites.len()).map(|i| format!("G{i}")).collect();
    let from = format!(
        "grid of {} sites every {step:.0} m within {r:.0} m of the finding's place",
        sites.len()
    );
    Ok(Plan {
        sites,
        names,
        from,
        candidates: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{FindingKind, FindingLocation};
    use crate::terrain::HeightRef;

    fn camera() -> Camera {
        Camera {
            site: Site {
                at: LatLon::new(45.0, 15.0).unwrap(),
                height_m: 3.0,
                reference: HeightRef::AboveGround,
            },
            heading_deg: 0.0,
            pitch_deg: 0.0,
            roll_deg: 0.0,
            fov_deg: 60.0,
            width: 100,
            height: 50,
        }
    }

    #[test]
    fn a_grid_covers_the_precision_circle_at_the_camera_height() {
        let mut f = Finding::new(FindingKind::Geolocation, "t");
        assert!(plan(&f, &camera()).unwrap_err().contains("no sites"));
        f.location = Some(FindingLocation {
            lat: 45.0,
            lon: 15.0,
            precision_m: 700.0,
        });
        let p = plan(&f, &camera()).unwrap();
        // 15 × 15 nodes 100 m apart, those within 700 m of the centre: about π/4 of them.
        assert!((140..=180).contains(&p.sites.len()), "{}", p.sites.len());
        assert_eq!(p.names.len(), p.sites.len());
        assert!(p.sites.iter().all(|s| s.height_m == 3.0));
        assert!(p.from.contains("every 100 m"), "{}", p.from);
        let (m_lon, m_lat) = metres_per_degree(45.0);
        let far = p
            .sites
            .iter()
            .map(|s| ((s.at.lon - 15.0) * m_lon).hypot((s.at.lat - 45.0) * m_lat))
            .fold(0.0, f64::max);
        assert!(far <= 700.001 && far > 600.0, "{far}");
    }

    #[test]
    fn candidates_not_ruled_out_are_the_sites() {
        use crate::case::candidates::{Candidate, CandidateOrigin};
        let mut f = Finding::new(FindingKind::Geolocation, "t");
        // Candidates win over the place's circle.
        f.location = Some(FindingLocation {
            lat: 45.0,
            lon: 15.0,
            precision_m: 700.0,
        });
        let c = |id: &str, lat: f64, status| Candidate {
            id: id.into(),
            lat,
            lon: 15.0,
            outline: None,
            label: String::new(),
            origin: CandidateOrigin {
                kind: "manual".into(),
                query: None,
                osm: None,
                extract: None,
            },
            status,
            reason: String::new(),
            by: String::new(),
            at: chrono::Utc::now(),
        };
        f.candidates = vec![
            c("C1", 45.1, CandidateStatus::Unchecked),
            c("C2", 45.2, CandidateStatus::RuledOut),
            c("C3", 45.3, CandidateStatus::Likely),
        ];
        let p = plan(&f, &camera()).unwrap();
        assert_eq!(p.names, ["C1", "C3"]);
        assert_eq!(p.sites[1].at.lat, 45.3);
        assert!(p.sites.iter().all(|s| s.height_m == 3.0));
        assert_eq!(p.from, "2 candidate sites (1 ruled out left out)");
        for x in &mut f.candidates {
            x.status = CandidateStatus::RuledOut;
        }
        assert!(plan(&f, &camera()).unwrap_err().contains("ruled out"));
    }
}
