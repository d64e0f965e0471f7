//! Assisted matching on the board: correspondences between two panels (whole images or
//! an annotated region in each) found in the background, cancellable, and offered as
//! candidate links that the analyst accepts or rejects one by one. Nothing is ever
//! linked without the analyst's click, and nothing is labelled a confirmed match.

use egui::Ui;

use super::BoardCtx;
use super::match_state::{MatchJob, Proposals};
use crate::board::{geometry, ops};
use crate::case::comparison::{Category, Shape};
use crate::matching::{self, MatchError, MatchOptions, Roi};
use crate::ui::command::BoardCommand;
use crate::ui::command::{Command, Status};
use crate::ui::jobs::Jobs;

/// Proposals offered at most, spread over the image.
const MAX_PROPOSALS: usize = 12;

fn roi_of(f: &crate::case::Finding, id: Option<&str>) -> Option<Roi> {
    let a = f.annotations.iter().find(|a| Some(a.id.as_str()) == id)?;
    let b = geometry::bounds(&a.shape);
    Some(Roi {
        x: b[0].max(0.0) as u32,
        y: b[1].max(0.0) as u32,
        w: (b[2] - b[0]).max(1.0) as u32,
        h: (b[3] - b[1]).max(1.0) as u32,
    })
}

impl BoardCtx<'_> {
    /// Starts matching the chosen panels in the background.
    pub(crate) fn start_matching(&mut self, ctx: &egui::Context) -> Result<(), String> {
        let case = self.case.as_ref().ok_or("no case is open")?;
        let f = self
            .board
            .working
            .as_ref()
            .ok_or("no finding on the board")?;
        let choice = self.board.match_choice.clone();
        let (Some(pa), Some(pb)) = (choice.panel_a.clone(), choice.panel_b.clone()) else {
            return Err("choose two panels to match".into());
        };
        if pa == pb {
            return Err("choose two different panels".into());
        }
        let path_of = |id: &str| -> Result<std::path::PathBuf, String> {
            let panel = f
                .panels
                .iter()
                .find(|p| p.id == id)
                .ok_or("unknown panel")?;
            case.panel_file(&panel.source)
                .map(|f| f.path)
                .map_err(|e| e.to_string())
        };
        let (path_a, path_b) = (path_of(&pa)?, path_of(&pb)?);
        let (roi_a, roi_b) = (
            roi_of(f, choice.region_a.as_deref()),
            roi_of(f, choice.region_b.as_deref()),
        );
        let job = Jobs::of(ctx).spawn(Some(ctx), "matching", move |w| {
            let options = MatchOptions::default();
            let load = |path: &std::path::Path| {
                // The case record carries the decoders' warnings (inspector).
                crate::evidence::load_oriented(path, options.working_side * 2)
                    .map(|l| (l.image, l.width, l.height))
                    .map_err(|e| MatchError::Failed(e.to_string()))
            };
            let (ia, wa, ha) = load(&path_a)?;
            if w.cancelled() {
                return Err(MatchError::Cancelled);
            }
            let (ib, wb, hb) = load(&path_b)?;
            matching::match_images_with_progress(
                (&ia, (wa, ha)),
                (&ib, (wb, hb)),
                roi_a,
                roi_b,
                &options,
                &|stage, at| {
                    w.progress(Some(at), stage);
                    w.repaint();
                    !w.cancelled()
                },
            )
        });
        self.board.proposals = None;
        self.board.match_job = Some(MatchJob {
            job,
            panels: (pa, pb),
        });
        Ok(())
    }

    /// Collects a finished match.
    pub(crate) fn poll_matching(&mut self) {
        let Some(job) = &mut self.board.match_job else {
            return;
        };
        let result = match job.job.take() {
            Some(Ok(r)) => r,
            None => return,
            Some(Err(panic)) => Err(MatchError::Failed(panic)),
        };
        let panels = job.panels.clone();
        self.board.match_job = None;
        match result {
            Ok(report) => {
                let spacing = 20.0;
                let items = matching::spread_proposals(&report, MAX_PROPOSALS, spacing)
                    .into_iter()
                    .zip(1..)
                    .map(|(c, n)| (n, c))
                    .collect();
                self.board.proposals = Some(Proposals {
                    panels,
                    summary: report.summary.clone(),
                    inliers: report.inliers,
                    mean_error_px: report.mean_reprojection_error_px,
                    items,
                });
            }
            Err(MatchError::Cancelled) => self
                .commands
                .push(Command::notify(Status::Info("matching cancelled".into()))),
            Err(e) => self.commands.push(Command::notify(Status::Error(format!(
                "matching failed: {e}"
            )))),
        }
    }

    /// Turns proposal `n` into two points linked as a feature to assess.
    pub(crate) fn accept_proposal(&mut self, n: u32) {
        let Some(p) = &mut self.board.proposals else {
            return;
        };
        let Some(pos) = p.items.iter().position(|(k, _)| *k == n) else {
            return;
        };
        let (_, c) = p.items.remove(pos);
        let mut description = format!(
            "proposed by feature matching ({} inliers, mean reprojection error {}); check by eye",
            p.inliers,
            p.mean_error_px
                .map_or("n/a".into(), |e| format!("{e:.2} px"))
        );
        let (pa, pb) = p.panels.clone();
        // A pair from a search result opened beside its query records that search.
        let search = match &self.board.find.opened {
            Some((panels, origin)) if *panels == (pa.clone(), pb.clone()) => Some(origin.clone()),
            _ => None,
        };
        if let Some(s) = &search {
            description = format!(
                "found by a search of the case (result {}), {description}",
                s.rank
            );
        }
        let frames = &self.board.video_frames;
        let frame_a = search
            .as_ref()
            .and_then(|s| s.query_frame)
            .or_else(|| frames.get(&pa).copied());
        let frame_b = search
            .as_ref()
            .and_then(|s| s.result_frame)
            .or_else(|| frames.get(&pb).copied());
        let Some(f) = self.board.working.as_mut() else {
            return;
        };
        let mut point = |panel: &str, xy: [f64; 2], frame| {
            let id = ops::add_annotation(
                f,
                panel,
                Shape::Point { x: xy[0], y: xy[1] },
                Category::Other,
            );
            if let Some(a) = ops::annotation_mut(f, &id) {
                a.frame = frame;
            }
            id
        };
        let a = point(&pa, c.a, frame_a);
        let b = point(&pb, c.b, frame_b);
        if let Ok(number) = ops::link(f, &a, &b)
            && let Some(l) = f.links.iter_mut().find(|l| l.number == number)
        {
            l.description = description;
            l.search = search;
        }
        self.commands.push(Command::Board(BoardCommand::Commit));
    }
}

/// The inspector's "Assisted matching" section.
pub fn matching_ui(ui: &mut Ui, state: &mut BoardCtx<'_>) {
    let Some(f) = state.board.working.clone() else {
        return;
    };
    ui.heading("Assisted matching");
    if f.panels.len() < 2 {
        ui.label("Add a second panel to look for correspondences.");
        return;
    }
    let choice = &mut state.board.match_choice;
    if choice.panel_a.is_none() {
        choice.panel_a = f.panels.first().map(|p| p.id.clone());
        choice.panel_b = f.panels.get(1).map(|p| p.id.clone());
    }
    for (side, panel, region) in [
        ("Match panel", &mut choice.panel_a, &mut choice.region_a),
        ("with panel", &mut choice.panel_b, &mut choice.region_b),
    ] {
        ui.horizontal(|ui| {
            let label = ui.label(side);
            egui::ComboBox::from_id_salt(("match-panel", side))
                .selected_text(panel.clone().unwrap_or_default())
                .show_ui(ui, |ui| {
                    for p in &f.panels {
                        if ui
                            .selectable_label(panel.as_deref() == Some(&p.id), &p.id)
                            .clicked()
                        {
                            *panel = Some(p.id.clone());
                            *region = None;
                        }
                    }
                })
                .response
                .labelled_by(label.id);
            let label = ui.label("region");
            egui::ComboBox::from_id_salt(("match-region", side))
                .selected_text(region.clone().unwrap_or_else(|| "whole image".into()))
                .show_ui(ui, |ui| {
                    if ui
                        .selectable_label(region.is_none(), "whole image")
                        .clicked()
                    {
                        *region = None;
                    }
                    for a in f
                        .annotations
                        .iter()
                        .filter(|a| Some(&a.panel) == panel.as_ref())
                    {
                        let text = format!("{} {}", a.id, a.label);
                        if ui
                            .selectable_label(region.as_deref() == Some(&a.id), text.trim())
                            .clicked()
                        {
                            *region = Some(a.id.clone());
                        }
                    }
                })
                .response
                .labelled_by(label.id);
        });
    }
    if let Some(job) = &state.board.match_job {
        let (stage, at) = job.progress();
        if ui.button("Cancel matching").clicked() {
            job.cancel();
        }
        ui.add(egui::ProgressBar::new(at).text(format!("{stage}…")));
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(100));
    } else if ui
        .button("Propose correspondences")
        .on_hover_text("Keypoints, descriptor matching and a RANSAC homography; you decide")
        .clicked()
        && let Err(e) = state.start_matching(ui.ctx())
    {
        state.commands.push(Command::notify(Status::Error(e)));
    }
    let mut accept = None;
    let mut reject = None;
    let mut reject_all = false;
    if let Some(p) = &state.board.proposals {
        ui.label(egui::RichText::new(&p.summary).italics());
        if p.inliers == 0 {
            ui.label("No proposal: nothing to accept.");
        }
        for (n, c) in &p.items {
            ui.label(format!(
                "?{n}  {} ({:.0}, {:.0}) ↔ {} ({:.0}, {:.0})",
                p.panels.0, c.a[0], c.a[1], p.panels.1, c.b[0], c.b[1]
            ));
            ui.horizontal(|ui| {
                if ui.small_button(format!("Accept ?{n}")).clicked() {
                    accept = Some(*n);
                }
                if ui.small_button(format!("Reject ?{n}")).clicked() {
                    reject = Some(*n);
                }
            });
        }
        if !p.items.is_empty() && ui.button("Reject all proposals").clicked() {
            reject_all = true;
        }
    }
    if let Some(n) = accept {
        state.accept_proposal(n);
    }
    if let Some(p) = &mut state.board.proposals {
        if let Some(n) = reject {
            p.items.retain(|(k, _)| *k != n);
        }
        if reject_all {
            p.items.clear();
        }
    }
}
