//! Working through candidate sites beside the evidence (egui_kittest): stepping with the
//! keyboard flies the map to each one, ruling out needs a reason, each action is one
//! saved and undoable edit, and the candidates are drawn on the map.
#![allow(clippy::unwrap_used)]

use crate::util;

use egui::vec2;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use geoproof::case::Case;
use geoproof::case::candidates::CandidateStatus;
use geoproof::ui::{BesideCommand, BoardCommand};
use geoproof::ui::{Command, Selection, Workspace};

use util::app::{Holder, app, app_harness, push};

const FINDING: &str = "F-demo-itaipu-georef";

fn saved(root: &std::path::Path) -> Vec<geoproof::case::candidates::Candidate> {
    Case::open_read_only(root)
        .unwrap()
        .finding(FINDING)
        .unwrap()
        .candidates
        .clone()
}

fn centre(h: &Harness<'_, Holder>) -> (f64, f64) {
    let p = app(h).state.map().memory.detached().unwrap();
    (p.y(), p.x())
}

fn key(h: &mut Harness<'static, Holder>, k: egui::Key) {
    h.key_press(k);
    h.run_steps(2);
}

#[test]
fn stepping_ruling_out_and_confirming_candidates_beside_the_evidence() {
    let (_demo, root) = util::demo_copy();
    // Start from a case where every candidate is unchecked.
    {
        let mut case = Case::open(&root).unwrap();
        let mut f = case.finding(FINDING).unwrap().clone();
        for c in &mut f.candidates {
            c.status = CandidateStatus::Unchecked;
            c.reason.clear();
        }
        case.apply(geoproof::case::Edit::PutFinding(Box::new(f)))
            .unwrap();
        case.save().unwrap();
    }
    let before = saved(&root);
    let case = Case::open(&root).unwrap();
    let mut h = app_harness(Some(case), vec2(1400.0, 860.0));
    h.run_steps(2);
    push(&mut h, Command::Select(Selection::Finding(FINDING.into())));
    h.run_steps(2);
    push(
        &mut h,
        Command::Beside(BesideCommand::StartCandidates(FINDING.into())),
    );
    h.run_steps(3);
    assert_eq!(app(&h).state.shell().workspace, Workspace::Map);
    let (lat, lon) = centre(&h);
    assert!((lat - before[0].lat).abs() < 1e-6 && (lon - before[0].lon).abs() < 1e-6);
    assert_eq!(
        app(&h).state.map().overlays_drawn().candidates,
        4,
        "all four on the map"
    );

    // N steps to the second and flies there; P comes back; N again.
    key(&mut h, egui::Key::N);
    assert_eq!(app(&h).state.candidate_session().unwrap().current, 1);
    let (lat, lon) = centre(&h);
    assert!((lat - before[1].lat).abs() < 1e-6 && (lon - before[1].lon).abs() < 1e-6);
    key(&mut h, egui::Key::P);
    assert_eq!(app(&h).state.candidate_session().unwrap().current, 0);
    key(&mut h, egui::Key::N);

    // R without a reason changes nothing and says why.
    key(&mut h, egui::Key::R);
    assert_eq!(saved(&root)[1].status, CandidateStatus::Unchecked);
    assert!(
        matches!(&app(&h).state.shell().status, Some(geoproof::ui::Status::Error(e)) if e.contains("reason"))
    );
    // With a reason: ruled out, one saved edit.
    h.state_mut()
        .app
        .as_mut()
        .unwrap()
        .state
        .candidate_session_mut()
        .unwrap()
        .reason = "flat embankment, no islands".into();
    key(&mut h, egui::Key::R);
    let after = saved(&root);
    assert_eq!(after[1].status, CandidateStatus::RuledOut);
    assert_eq!(after[1].reason, "flat embankment, no islands");
    assert_eq!(after[0], before[0], "the others untouched");

    // Back to the first, confirm it, promote it to the finding's location.
    key(&mut h, egui::Key::P);
    key(&mut h, egui::Key::C);
    assert_eq!(saved(&root)[0].status, CandidateStatus::Confirmed);
    h.state_mut()
        .app
        .as_mut()
        .unwrap()
        .state
        .candidate_ctx()
        .promote_candidate();
    h.run_steps(2);
    let location = Case::open_read_only(&root)
        .unwrap()
        .finding(FINDING)
        .unwrap()
        .location
        .unwrap();
    assert_eq!((location.lat, location.lon), (before[0].lat, before[0].lon));

    // Undo takes back the promotion, then the confirmation.
    push(&mut h, Command::Board(BoardCommand::Undo));
    h.run_steps(2);
    push(&mut h, Command::Board(BoardCommand::Undo));
    h.run_steps(2);
    assert_eq!(saved(&root)[0].status, CandidateStatus::Unchecked);
    assert_eq!(saved(&root)[1].status, CandidateStatus::RuledOut);
}

/// The georeference view and the candidate session share the place beside the map:
/// opening the georeference view while candidates are stepped shows the georeference
/// view (it replaces the session), not a session drawn over an invisible view.
#[test]
fn opening_the_georeference_view_while_stepping_candidates_shows_it() {
    let (_demo, root) = util::demo_copy();
    let case = Case::open(&root).unwrap();
    let mut h = app_harness(Some(case), vec2(1400.0, 860.0));
    h.run_steps(2);
    push(&mut h, Command::Select(Selection::Finding(FINDING.into())));
    h.run_steps(2);
    push(
        &mut h,
        Command::Beside(BesideCommand::StartCandidates(FINDING.into())),
    );
    h.run_steps(3);
    assert!(app(&h).state.candidate_session().is_some());
    assert!(h.query_by_label("Candidate sites").is_some());

    // The finding is open on the board (unshown): georeference its image panel.
    let panel = app(&h).state.board().working.as_ref().unwrap().panels[0]
        .id
        .clone();
    push(
        &mut h,
        Command::Beside(BesideCommand::StartGeoref { panel }),
    );
    h.run_steps(3);
    let s = &app(&h).state;
    assert_eq!(s.shell().workspace, Workspace::Map);
    assert!(s.candidate_session().is_none(), "the session gave way");
    let georef = s.georef().expect("the georeference view is open");
    assert!(
        georef.image_rect.is_some(),
        "its image half was drawn this frame"
    );
    assert!(h.query_by_label("Georeference").is_some());
    assert!(h.query_by_label("Candidate sites").is_none());
}
