//! The Skyline tool's **Scan** part of the inspector: the button (or the progress and
//! Cancel while a scan runs), and the finding's ranking as a list; clicking a site puts
//! the tool's camera there with its best heading, pitch, roll and field of view, so the
//! analyst can inspect it and save it.

use egui::{RichText, Ui};

use super::scan::{self, ScanInput};
use super::state::SkylineState;
use super::work;
use crate::case::{Case, Finding};
use crate::terrain::fit::Ranked;
use crate::terrain::skyline::Camera;
use crate::ui::command::{Command, MapCommand, ShellCommand, Status, Workspace};

/// Ranked sites listed in the inspector, at most (the map draws them all).
const LISTED: usize = 100;

/// What the scan part reads and changes.
pub struct ScanCtx<'a> {
    pub case: &'a Case,
    pub finding: &'a Finding,
    pub skyline: &'a mut SkylineState,
    /// Messages for the status line, and **Show on map**'s requests.
    pub commands: &'a mut Vec<Command>,
}

/// Starts **Scan** for the finding, or says in one line why it cannot.
pub fn start_scan(
    ctx: &egui::Context,
    case: &Case,
    finding: &Finding,
    s: &mut SkylineState,
) -> Result<(), String> {
    let files = work::elevation_files(case);
    if files.is_empty() {
        return Err("add elevation files to the case first (Map → Basemap → Elevation…)".into());
    }
    if s.trace.polylines.iter().all(Vec::is_empty) {
        return Err("trace the frame's skyline first (click along it, or Suggest)".into());
    }
    let template = s
        .camera
        .ok_or("no camera yet: place the finding on the map first")?;
    if s.scan.running() {
        return Err("a scan is already running: cancel it first".into());
    }
    let plan = scan::plan(finding, &template)?;
    let input = ScanInput {
        files,
        plan,
        template,
        trace: s.trace.clone(),
        ranges: s.ranges,
    };
    s.scan.start(ctx, &finding.id, input);
    Ok(())
}

/// Puts the tool's camera on the ranked site `rank` of the finding's ranking, with the
/// orientation that fitted best there.
pub fn choose(s: &mut SkylineState, finding: &str, rank: usize) {
    let Some(fit) = s
        .scan
        .ranking(finding)
        .and_then(|r| r.ranked.iter().find(|x| x.rank == rank))
        .and_then(|r| r.fit)
    else {
        return;
    };
    let size = s.camera.map_or([fit.camera.width, fit.camera.height], |c| {
        [c.width, c.height]
    });
    s.set_camera(Camera {
        width: size[0],
        height: size[1],
        ..fit.camera
    });
    s.place_source = "a scanned site";
    s.scan.chosen = Some(rank);
}

/// The scan part of the Skyline section.
pub fn scan_ui(ui: &mut Ui, cx: ScanCtx<'_>) {
    let ScanCtx {
        case,
        finding,
        skyline: s,
        commands,
    } = cx;
    ui.separator();
    ui.label(RichText::new("Scan").strong());
    ui.checkbox(&mut s.scan.all_round, "Heading all round at each site")
        .on_hover_text("Otherwise the heading is searched ± its range above around the camera's");
    if let Some((fraction, text)) = s.scan.progress(&finding.id) {
        ui.horizontal(|ui| {
            ui.add(
                egui::ProgressBar::new(fraction.unwrap_or(0.0))
                    .text(text)
                    .desired_width(200.0),
            );
            if ui.button("Cancel scan").clicked() {
                s.scan.cancel(commands);
            }
        });
    } else if s.scan.running() {
        ui.horizontal(|ui| {
            ui.label("A scan runs for another finding.");
            if ui.button("Cancel scan").clicked() {
                s.scan.cancel(commands);
            }
        });
    } else if ui
        .button("Scan sites")
        .on_hover_text(
            "Rank the finding's candidate sites (not ruled out) — or, without any, a grid over \
             its place's precision circle — by the best fit of the traced skyline from each",
        )
        .clicked()
        && let Err(e) = start_scan(ui.ctx(), case, finding, s)
    {
        commands.push(Command::notify(Status::Error(format!("skyline scan: {e}"))));
    }
    ranking_ui(ui, finding, s, commands);
}

fn row_text(r: &Ranked, name: &str) -> String {
    match &r.fit {
        Some(f) => format!(
            "#{} {name} · {:.3}° · heading {:.1}°",
            r.rank, f.score.mean_deg, f.camera.heading_deg
        ),
        None => format!("– {name}: not fitted"),
    }
}

fn ranking_ui(ui: &mut Ui, finding: &Finding, s: &mut SkylineState, commands: &mut Vec<Command>) {
    let Some(ranking) = s.scan.ranking(&finding.id) else {
        return;
    };
    ui.label(RichText::new(format!("Ranked: {}", ranking.from)).weak());
    if ranking.trace != s.trace {
        ui.label(RichText::new("Scanned with an earlier trace: scan again to update.").weak());
    }
    let rows: Vec<(usize, String)> = ranking
        .fitted()
        .take(LISTED)
        .map(|r| (r.rank, row_text(r, ranking.name(r))))
        .collect();
    let unfitted = ranking.ranked.len() - ranking.fitted().count();
    let show = ui
        .add_enabled(!rows.is_empty(), egui::Button::new("Show on map"))
        .on_hover_text("The ranked sites on the map, numbered, the best highlighted")
        .clicked();
    let mut chosen = None;
    egui::ScrollArea::vertical()
        .id_salt("skyline-ranking")
        .max_height(220.0)
        .show(ui, |ui| {
            for (rank, text) in rows {
                if ui
                    .selectable_label(s.scan.chosen == Some(rank), text)
                    .on_hover_text("Put the camera here, as it fitted best")
                    .clicked()
                {
                    chosen = Some(rank);
                }
            }
        });
    if unfitted > 0 {
        ui.label(
            RichText::new(format!(
                "{unfitted} site(s) not fitted (outside the elevation data or below the ground)"
            ))
            .weak(),
        );
    }
    ui.label(
        RichText::new(
            "A fit score measures agreement with the terrain; it is not proof of a place.",
        )
        .weak(),
    );
    if let Some(rank) = chosen {
        choose(s, &finding.id, rank);
    }
    if let Some(extent) = show.then(|| s.scan.map_extent(&finding.id)).flatten() {
        commands.push(Command::Shell(ShellCommand::SetWorkspace(Workspace::Map)));
        commands.push(Command::Map(MapCommand::FrameExtent(extent)));
    }
}
