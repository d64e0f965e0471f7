//! The Skyline tool on the board (#33) driven like a user would: a case whose elevation
//! layer is a synthetic DEM and whose evidence is a frame painted from the skyline that
//! DEM shows a known camera. The tool is opened, the camera dragged and moved, the
//! skyline suggested and accepted, **Fit** recovers the camera's heading, and **Save**
//! keeps the fit in the finding with the DEM's SHA-256. **Scan** ranks the finding's
//! candidate sites (the true camera first), lists and draws the ranking on the map, and
//! a scan over a grid can be cancelled.
#![allow(clippy::unwrap_used)]

use crate::util;

use std::time::Duration;

use egui::Key;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use geoproof::board::ops;
use geoproof::case::candidates::{Candidate, CandidateOrigin, CandidateStatus};
use geoproof::case::comparison::PanelSource;
use geoproof::case::{Case, Edit, Finding, FindingKind, FindingLocation, ImportOptions};
use geoproof::terrain::skyline::{self, Camera};
use geoproof::terrain::{Curvature, Dem, ElevationFileRef, ElevationLayers, HeightRef, Site};
use geoproof::ui::{BoardCommand, Command, ShellCommand, Status, Workspace};
use util::app::{Holder, app, click, default_harness, drag, push, run_until};
use util::dem::{hills, synthetic, to_latlon, to_local};

const LIMIT: Duration = Duration::from_secs(120);

/// The camera the frame was "shot" with.
fn truth() -> Camera {
    Camera {
        site: Site {
            at: to_latlon(-1000.0, -500.0),
            height_m: 2.0,
            reference: HeightRef::AboveGround,
        },
        heading_deg: 100.0,
        pitch_deg: 2.0,
        roll_deg: 1.0,
        fov_deg: 60.0,
        width: 800,
        height: 500,
    }
}

/// A frame painted from the skyline's polylines: sky above, textured ground below.
pub fn painted(lines: &[Vec<[f64; 2]>], w: u32, h: u32) -> image::RgbImage {
    let mut top: Vec<Option<f64>> = vec![None; w as usize];
    for pair in lines.iter().flat_map(|l| l.windows(2)) {
        let (a, b) = (pair[0], pair[1]);
        for x in (a[0].min(b[0]).ceil() as i64)..=(a[0].max(b[0]).floor() as i64) {
            if (0..i64::from(w)).contains(&x) {
                let t = if b[0] == a[0] {
                    0.0
                } else {
                    (x as f64 - a[0]) / (b[0] - a[0])
                };
                let y = a[1] + (b[1] - a[1]) * t;
                let slot = &mut top[x as usize];
                *slot = Some(slot.map_or(y, |old: f64| old.min(y)));
            }
        }
    }
    image::RgbImage::from_fn(w, h, |x, y| match top[x as usize] {
        Some(t) if f64::from(y) + 0.5 < t => image::Rgb([190, 210, 235]),
        Some(_) => {
            let n = ((x * 7 + y * 13) % 17) as u8;
            image::Rgb([70 + n, 80 + n, 50 + n])
        }
        None => image::Rgb([190, 210, 235]),
    })
}

struct Scene {
    dir: tempfile::TempDir,
    finding: String,
    frame_sha: String,
    dem_sha: String,
}

/// The case: the DEM as its elevation layer, the painted frame as evidence, and a
/// geolocation finding placed where the camera stood, with the frame as its panel.
fn scene() -> (Scene, Case) {
    let dir = tempfile::tempdir().unwrap();
    let tif = synthetic(dir.path(), "hills.tif", 401, 25.0, hills);
    let dem = Dem::open(std::slice::from_ref(&tif)).unwrap();
    let truth = truth();
    let s = skyline::skyline(&dem, truth, 50_000.0, Curvature::default()).unwrap();
    let png = dir.path().join("frame.png");
    painted(&s.polylines, truth.width, truth.height)
        .save(&png)
        .unwrap();

    let mut case = Case::create(&dir.path().join("c"), "Skyline UI test").unwrap();
    let frame_sha = match case.import(&png, &ImportOptions::default()).unwrap() {
        geoproof::case::ImportOutcome::Added(r) | geoproof::case::ImportOutcome::Duplicate(r) => {
            r.sha256
        }
    };
    let file = ElevationFileRef::hash(&tif, &tif).unwrap();
    let dem_sha = file.sha256.clone();
    let layers = ElevationLayers {
        files: vec![file],
        ..ElevationLayers::default()
    };
    case.apply(Edit::SetElevation(Box::new(layers))).unwrap();
    let mut f = Finding::new(FindingKind::Geolocation, "Where was the frame shot?");
    f.location = Some(FindingLocation {
        lat: truth.site.at.lat,
        lon: truth.site.at.lon,
        precision_m: 50.0,
    });
    ops::add_panel(
        &mut f,
        PanelSource::Evidence {
            sha256: frame_sha.clone(),
        },
    );
    let finding = f.id.clone();
    case.apply(Edit::PutFinding(Box::new(f))).unwrap();
    case.save().unwrap();
    let scene = Scene {
        dir,
        finding,
        frame_sha,
        dem_sha,
    };
    (scene, case)
}

fn camera(h: &Harness<'static, Holder>) -> Camera {
    app(h)
        .state
        .board()
        .skyline
        .camera
        .expect("the tool has a camera")
}

fn wait_idle(h: &mut Harness<'static, Holder>, what: &str) {
    run_until(h, what, LIMIT, |h| {
        let s = &app(h).state.board().skyline;
        s.idle() && s.current_table().is_some()
    });
    // The inspector is drawn before the board takes in the work: one more frame shows it.
    h.run_steps(2);
}

/// Clicks the button `label` as a user does: the pointer comes to it, then presses.
fn press(h: &mut Harness<'static, Holder>, label: &str) {
    // What the board took in last frame shows in the inspector on the next.
    h.run_steps(1);
    let at = h.get_by_label(label).rect().center();
    click(h, at);
}

/// Types `text` into the inspector's number field `label` and commits it.
fn set_value(h: &mut Harness<'static, Holder>, label: &str, text: &str) {
    h.get_by_role_and_label(Role::SpinButton, label).focus();
    h.run_steps(1);
    h.get_by_role_and_label(Role::SpinButton, label)
        .type_text(text);
    h.run_steps(1);
    h.key_press(Key::Enter);
    h.run_steps(2);
}

#[test]
fn the_skyline_tool_fits_the_camera_and_saves_it_in_the_finding() {
    let (scene, case) = scene();
    let mut h = default_harness(Some(case));
    h.run_steps(2);
    push(
        &mut h,
        Command::Board(BoardCommand::Open(scene.finding.clone())),
    );
    run_until(&mut h, "the frame decodes", LIMIT, |h| {
        !app(h).board_images.loading() && app(h).board_images.texture_count() > 0
    });
    h.get_by_label("Skyline").click();
    h.run_steps(2);
    wait_idle(&mut h, "the horizon around the finding's place");
    // The camera starts at the finding's place, level, with the default field of view
    // (the frame has no focal length), sized to the frame.
    let c = camera(&h);
    assert_eq!(c.site.at, truth().site.at);
    assert_eq!(
        (c.width, c.height, c.fov_deg, c.heading_deg),
        (800, 500, 60.0, 0.0)
    );

    // Dragging right turns the camera left so the rendered skyline follows the pointer.
    let panel = app(&h).state.board().skyline.panel.clone().unwrap();
    let t = app(&h).state.board().transforms[&panel];
    let from = egui::pos2(t.origin[0] as f32, t.origin[1] as f32);
    let to = from + egui::vec2(120.0, 0.0);
    drag(&mut h, from, to);
    let dx = t.to_image([f64::from(to.x), f64::from(to.y)])[0]
        - t.to_image([f64::from(from.x), f64::from(from.y)])[0];
    let focal = 400.0 / 30f64.to_radians().tan();
    let expected = (-(dx / focal).atan().to_degrees()).rem_euclid(360.0);
    let c = camera(&h);
    assert!(
        (c.heading_deg - expected).abs() < 0.05,
        "{} vs {expected}",
        c.heading_deg
    );
    assert!(
        c.pitch_deg.abs() < 0.05,
        "a horizontal drag keeps the pitch: {}",
        c.pitch_deg
    );

    // The arrow keys move the camera 10 m along its heading (Shift: 100 m), and back.
    let before = to_local(c.site.at);
    h.key_press(Key::ArrowUp);
    h.run_steps(1);
    let after = to_local(camera(&h).site.at);
    let (de, dn) = (after.0 - before.0, after.1 - before.1);
    assert!((de.hypot(dn) - 10.0).abs() < 0.05, "moved {de}, {dn}");
    let bearing = de.atan2(dn).to_degrees().rem_euclid(360.0);
    assert!(
        (bearing - c.heading_deg).abs() < 0.1,
        "{bearing} vs {}",
        c.heading_deg
    );
    h.key_press(Key::ArrowDown);
    h.run_steps(1);
    let back = to_local(camera(&h).site.at);
    assert!((back.0 - before.0).hypot(back.1 - before.1) < 0.01);
    wait_idle(&mut h, "the horizon where the camera stands again");

    // Suggest: a proposal (not the trace until accepted).
    press(&mut h, "Suggest");
    run_until(&mut h, "the suggestion", LIMIT, |h| {
        app(h).state.board().skyline.proposal.is_some()
    });
    assert!(app(&h).state.board().skyline.trace.polylines.is_empty());
    press(&mut h, "Accept proposal");
    h.run_steps(2);
    let points: usize = app(&h)
        .state
        .board()
        .skyline
        .trace
        .polylines
        .iter()
        .map(Vec::len)
        .sum();
    assert!(points > 300, "{points} traced points");
    h.get_by_label_contains("Fit score:");

    // Start 3° off in heading and fit: the search (±10° by default) finds the camera.
    set_value(&mut h, "Heading", "97");
    assert!(
        (camera(&h).heading_deg - 97.0).abs() < 1e-9,
        "{:?}",
        camera(&h)
    );
    press(&mut h, "Fit camera");
    h.run_steps(1);
    wait_idle(&mut h, "the fit");
    let fit = app(&h)
        .state
        .board()
        .skyline
        .last_fit
        .expect("the fit was applied");
    let c = camera(&h);
    assert_eq!(c, fit.camera);
    assert!((c.heading_deg - 100.0).abs() < 0.5, "{c:?}");
    assert!((c.pitch_deg - 2.0).abs() < 0.5, "{c:?}");
    assert!(fit.score.mean_deg < 0.1, "{:?}", fit.score);
    assert!(fit.start_score.mean_deg > fit.score.mean_deg);

    // Save: the finding keeps the camera, the trace, the score and the DEM's hash.
    press(&mut h, "Save to finding");
    h.run_steps(3);
    let saved = Case::open_read_only(&scene.dir.path().join("c"))
        .unwrap()
        .finding(&scene.finding)
        .unwrap()
        .clone();
    let s = saved.skyline_fit.expect("the fit is saved in the finding");
    assert_eq!(s.evidence, scene.frame_sha);
    assert_eq!(s.camera, c);
    assert_eq!(s.score, fit.score);
    assert_eq!(s.dem.len(), 1);
    assert_eq!(s.dem[0].sha256, scene.dem_sha);
    assert_eq!(s.trace, app(&h).state.board().skyline.trace);
    h.get_by_label_contains("Saved:");
}

#[test]
fn the_skyline_tool_needs_elevation() {
    let (scene, mut case) = scene();
    case.apply(Edit::SetElevation(Box::default())).unwrap();
    let mut h = default_harness(Some(case));
    h.run_steps(2);
    push(
        &mut h,
        Command::Board(BoardCommand::Open(scene.finding.clone())),
    );
    h.run_steps(3);
    h.get_by_label("Skyline").click();
    h.run_steps(2);
    assert_ne!(
        app(&h).state.board().tool(),
        geoproof::ui::BoardTool::Skyline
    );
    h.key_press(Key::K);
    h.run_steps(1);
    assert_ne!(
        app(&h).state.board().tool(),
        geoproof::ui::BoardTool::Skyline
    );
}

/// A candidate site of the finding at local metres (east, north) from the DEM's centre.
fn candidate(id: &str, east: f64, north: f64) -> Candidate {
    let at = to_latlon(east, north);
    Candidate {
        id: id.into(),
        lat: at.lat,
        lon: at.lon,
        outline: None,
        label: String::new(),
        origin: CandidateOrigin {
            kind: "manual".into(),
            query: None,
            osm: None,
            extract: None,
        },
        status: CandidateStatus::Unchecked,
        reason: String::new(),
        by: String::new(),
        at: chrono::Utc::now(),
    }
}

/// The app on the scene's board with the Skyline tool chosen, its horizon computed.
fn skyline_tool(scene: &Scene, case: Case) -> Harness<'static, Holder> {
    let mut h = default_harness(Some(case));
    h.run_steps(2);
    push(
        &mut h,
        Command::Board(BoardCommand::Open(scene.finding.clone())),
    );
    run_until(&mut h, "the frame decodes", LIMIT, |h| {
        !app(h).board_images.loading() && app(h).board_images.texture_count() > 0
    });
    h.get_by_label("Skyline").click();
    h.run_steps(2);
    wait_idle(&mut h, "the horizon around the finding's place");
    h
}

/// Traces the frame's skyline as an analyst would: Suggest, then accept it.
fn trace_by_suggestion(h: &mut Harness<'static, Holder>) {
    press(h, "Suggest");
    run_until(h, "the suggestion", LIMIT, |h| {
        app(h).state.board().skyline.proposal.is_some()
    });
    press(h, "Accept proposal");
    h.run_steps(2);
    assert!(!app(h).state.board().skyline.trace.polylines.is_empty());
}

/// Clicks the one element whose label contains `text` (a row of the ranking).
fn press_row(h: &mut Harness<'static, Holder>, text: &str) {
    h.run_steps(1);
    let at = h.get_by_label_contains(text).rect().center();
    click(h, at);
}

fn status(h: &Harness<'static, Holder>) -> String {
    match &app(h).state.shell().status {
        Some(Status::Info(t) | Status::Error(t)) => t.clone(),
        None => String::new(),
    }
}

#[test]
fn a_scan_ranks_the_true_site_first_shows_it_on_the_map_and_puts_the_camera_there() {
    let (scene, mut case) = scene();
    let mut f = case.finding(&scene.finding).unwrap().clone();
    // The true camera is the second of four candidates; the others stand 1.5–2.3 km off.
    f.candidates = vec![
        candidate("C1", 1500.0, 500.0),
        candidate("C2", -1000.0, -500.0),
        candidate("C3", 0.0, -1500.0),
        candidate("C4", -2000.0, 1500.0),
    ];
    case.apply(Edit::PutFinding(Box::new(f))).unwrap();
    let mut h = skyline_tool(&scene, case);

    // Without a traced skyline there is nothing to rank: one line says so.
    press(&mut h, "Scan sites");
    h.run_steps(1);
    assert!(
        status(&h).contains("trace the frame's skyline first"),
        "{}",
        status(&h)
    );
    assert!(!app(&h).state.board().skyline.scan.running());

    trace_by_suggestion(&mut h);
    // The frame's field of view is known (the default 60°): no need to search it.
    press(&mut h, "Search ranges");
    set_value(&mut h, "Field of view ±", "0");
    assert_eq!(app(&h).state.board().skyline.ranges.fov_deg, 0.0);
    press(&mut h, "Scan sites");
    h.run_steps(1);
    assert!(app(&h).state.board().skyline.scan.running());
    run_until(&mut h, "the scan", LIMIT * 3, |h| {
        !app(h).state.board().skyline.scan.running()
    });
    h.run_steps(2);
    let ranking = app(&h)
        .state
        .board()
        .skyline
        .scan
        .ranking(&scene.finding)
        .expect("the ranking is kept for the finding")
        .clone();
    let ranked: Vec<(&str, f64)> = ranking
        .ranked
        .iter()
        .map(|r| {
            (
                ranking.name(r),
                r.fit.map_or(f64::NAN, |f| f.score.mean_deg),
            )
        })
        .collect();
    assert_eq!(ranking.ranked.len(), 4, "{ranked:?}");
    assert_eq!(ranked[0].0, "C2", "{ranked:?}");
    assert!(ranked[0].1 < 0.1, "{ranked:?}");
    assert!(ranked[1].1 > 3.0 * ranked[0].1, "{ranked:?}");
    let best = ranking.ranked[0].fit.unwrap();
    assert!((best.camera.heading_deg - 100.0).abs() < 0.5, "{best:?}");
    assert!(status(&h).contains("best C2"), "{}", status(&h));

    // Clicking a site in the list puts the camera there as it fitted; then the best.
    let second = ranking.ranked[1].fit.unwrap().camera;
    press_row(&mut h, &format!("#2 {} ", ranked[1].0));
    h.run_steps(1);
    assert_eq!(camera(&h), second);
    h.get_by_label_contains(&format!("#1 C2 · {:.3}°", ranked[0].1));
    press_row(&mut h, &format!("#1 C2 · {:.3}°", ranked[0].1));
    h.run_steps(1);
    assert_eq!(camera(&h), best.camera);
    wait_idle(&mut h, "the horizon at the best site");
    h.get_by_label_contains("Fit score:");

    // On the map: the four sites where the map's projection puts them, the best first.
    press(&mut h, "Show on map");
    h.run_steps(1);
    assert_eq!(app(&h).state.shell().workspace, Workspace::Map);
    // The map flies to show them all.
    run_until(&mut h, "the map shows the four sites", LIMIT, |h| {
        let (map, drawn) = (
            app(h).state.map(),
            &app(h).state.map().overlays_drawn().skyline_sites,
        );
        map.view
            .is_some_and(|v| drawn.len() == 4 && drawn.iter().all(|m| v.rect.contains(m.at)))
    });
    h.run_steps(3);
    let extent = app(&h).state.map().view.expect("the map was drawn");
    let drawn = app(&h).state.map().overlays_drawn().skyline_sites.clone();
    assert_eq!(drawn.len(), 4, "{drawn:?}");
    assert_eq!(
        drawn.iter().map(|m| m.rank).collect::<Vec<_>>(),
        vec![1, 2, 3, 4]
    );
    assert!(drawn[0].best && drawn[1..].iter().all(|m| !m.best));
    for (mark, r) in drawn.iter().zip(&ranking.ranked) {
        let want = extent.to_screen(r.site.at.lat, r.site.at.lon);
        assert!(mark.at.distance(want) < 0.5, "{mark:?} vs {want:?}");
        assert!(
            extent.rect.contains(mark.at),
            "{mark:?} in {:?}",
            extent.rect
        );
    }
    assert_eq!(
        drawn[0].label.as_deref(),
        Some(format!("#1 C2 {:.3}°", ranked[0].1).as_str())
    );
    let truth_at = truth().site.at;
    assert!(
        drawn[0]
            .at
            .distance(extent.to_screen(truth_at.lat, truth_at.lon))
            < 0.5
    );

    // The ranking stays for the session: back on the board it is still listed.
    push(
        &mut h,
        Command::Shell(ShellCommand::SetWorkspace(Workspace::Board)),
    );
    h.run_steps(2);
    h.get_by_label_contains("#1 C2");
}

#[test]
fn a_scan_over_the_finding_s_precision_circle_shows_progress_and_can_be_cancelled() {
    let (scene, case) = scene();
    let mut h = skyline_tool(&scene, case);
    trace_by_suggestion(&mut h);
    // No candidates: a grid over the finding's 50 m precision circle, 10 m apart.
    press(&mut h, "Scan sites");
    run_until(&mut h, "the scan's first site", LIMIT, |h| {
        app(h)
            .state
            .board()
            .skyline
            .scan
            .progress(&scene.finding)
            .is_some_and(|(_, text)| text.starts_with("scanned 1 of"))
    });
    let (fraction, text) = app(&h)
        .state
        .board()
        .skyline
        .scan
        .progress(&scene.finding)
        .unwrap();
    // 11 × 11 nodes 10 m apart, those within 50 m of the centre.
    let total: usize = text
        .rsplit(" of ")
        .next()
        .unwrap()
        .trim_end_matches(" sites")
        .parse()
        .unwrap();
    assert!((60..=90).contains(&total), "{text}");
    assert!(fraction.unwrap() < 0.5, "{fraction:?}");
    // The progress shows in the inspector and in the status bar.
    h.run_steps(1);
    assert_eq!(h.query_all_by_label_contains("scanned ").count(), 2);
    h.get_by_label_contains("Skyline scan: scanned ");
    press(&mut h, "Cancel scan");
    h.run_steps(1);
    assert!(!app(&h).state.board().skyline.scan.running());
    assert_eq!(status(&h), "skyline scan cancelled");
    // The worker stops between two sites, long before the grid is done.
    run_until(&mut h, "the scan's worker stops", LIMIT, |h| {
        !app(h)
            .jobs()
            .running()
            .iter()
            .any(|j| j.name == "skyline scan")
    });
    h.run_steps(2);
    assert!(
        app(&h)
            .state
            .board()
            .skyline
            .scan
            .ranking(&scene.finding)
            .is_none()
    );
    assert_eq!(status(&h), "skyline scan cancelled");
    h.get_by_label("Scan sites");
}

/// The Skyline tool's messages reach the status bar as a command (`ShellCommand::Notify`,
/// applied by the app): a refusal said when the button is pressed, and the result of the
/// suggestion job taken in frames later.
#[test]
fn the_tool_s_messages_reach_the_status_bar_through_the_command() {
    let (scene, case) = scene();
    let mut h = skyline_tool(&scene, case);
    assert_eq!(status(&h), "");
    let window = h.ctx.content_rect();
    let in_status_bar = |h: &Harness<'static, Holder>, text: &str| {
        let label = h.get_by_label_contains(text);
        // The status bar is the bottom strip of the window.
        assert!(
            label.rect().min.y > window.max.y - 40.0,
            "{text:?} at {:?}, not in the status bar of {window:?}",
            label.rect()
        );
    };

    // Fit without a traced skyline: refused, in red, in the status bar.
    press(&mut h, "Fit camera");
    h.run_steps(1);
    let Some(Status::Error(e)) = app(&h).state.shell().status.clone() else {
        panic!("no error: {:?}", app(&h).state.shell().status)
    };
    assert_eq!(
        e,
        "trace the frame's skyline first (click along it, or Suggest)"
    );
    assert!(app(&h).state.board().skyline.fitting().is_none());
    in_status_bar(&h, "trace the frame's skyline first");

    // The suggestion runs as a job; its result is told when the board takes it in.
    press(&mut h, "Suggest");
    run_until(&mut h, "the suggestion", LIMIT, |h| {
        app(h).state.board().skyline.proposal.is_some()
    });
    h.run_steps(1);
    let said = status(&h);
    assert!(
        said.starts_with("skyline proposed in ") && said.ends_with(": accept or discard it"),
        "{said}"
    );
    assert!(matches!(
        app(&h).state.shell().status,
        Some(Status::Info(_))
    ));
    in_status_bar(&h, &said);
}
