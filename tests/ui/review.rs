//! Second-analyst review in the app (egui_kittest): the inspector shows the review state
//! and its signed history, the list filters by state, the author's own approval is
//! refused, a blind review hides the author's answer until the reviewer's location is
//! recorded, and a blind review is refused once the reviewer has seen the answer.
#![allow(clippy::unwrap_used)]

use crate::util;

use std::path::{Path, PathBuf};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use geoproof::case::Case;
use geoproof::case::analyst::{self, LocalAnalyst};
use geoproof::case::review::ReviewStatus;
use geoproof::ui::{BoardCommand, MapCommand, ReviewCommand};
use geoproof::ui::{Command, Selection, Status};

use util::app::{Holder, app, click, default_harness, push};

const FINDING: &str = "F-demo-itaipu-georef";
const TITLE: &str = "Aerial frame over the Itaipu dam, georeferenced on Landsat 8";

/// A key for `name` in its own config folder under `dir`.
fn key(dir: &Path, name: &str) -> (PathBuf, LocalAnalyst) {
    let path = dir.join(name).join("geoproof").join(analyst::KEY_FILE);
    let made = analyst::init_at(&path, name).unwrap();
    (path, made)
}

fn use_key(h: &mut Harness<'static, Holder>, path: &Path) {
    let app = h.state_mut().app.as_mut().unwrap();
    app.state.review_mut().set_key_path(Some(path.to_owned()));
    h.run_steps(2);
}

fn status(h: &Harness<'_, Holder>) -> ReviewStatus {
    app(h)
        .state
        .case()
        .unwrap()
        .finding(FINDING)
        .unwrap()
        .review
        .status
}

fn status_line(h: &Harness<'_, Holder>) -> String {
    match app(h).state.shell().status.clone() {
        Some(Status::Info(m)) | Some(Status::Error(m)) => m,
        None => String::new(),
    }
}

fn select(h: &mut Harness<'static, Holder>) {
    push(h, Command::Select(Selection::Finding(FINDING.into())));
    h.run_steps(3);
}

/// The demo case with the finding made ready for review by Ana, its author.
fn ready_by(root: &Path, author: &LocalAnalyst) {
    let mut case = Case::open(root).unwrap();
    case.review_finding(FINDING, author, ReviewStatus::Ready, "")
        .unwrap();
    case.save().unwrap();
}

#[test]
fn review_states_are_shown_and_filtered_and_the_authors_approval_is_refused() {
    let (_demo, root) = util::demo_copy();
    let keys = tempfile::tempdir().unwrap();
    let (ana, _) = key(keys.path(), "Ana");
    let (bea, _) = key(keys.path(), "Bea");
    let mut h = default_harness(Some(Case::open(&root).unwrap()));
    h.run_steps(2);
    use_key(&mut h, &ana);
    select(&mut h);
    h.get_by_label(" draft ");
    h.get_by_label_contains("You: Ana (SHA256:");
    h.get_by_label("No review step yet; not signed by its author.");

    // Ana marks it ready: a signed step, shown in the history with its signature.
    h.get_by_label("Mark ready").click();
    h.run_steps(3);
    assert_eq!(status(&h), ReviewStatus::Ready);
    h.get_by_label_contains("from draft · Ana ·");
    h.get_by_label("✍ valid");

    // Her own approval is refused, in one line, and changes nothing.
    h.get_by_label("Approve").click();
    h.run_steps(3);
    let line = status_line(&h);
    assert!(
        line.contains("Ana is its author; approval must come from another analyst"),
        "{line}"
    );
    assert!(!line.contains('\n'));
    assert_eq!(status(&h), ReviewStatus::Ready);

    // Bea has not seen it: its answer is hidden until she chooses.
    use_key(&mut h, &bea);
    assert!(app(&h).state.hides_answer(FINDING));
    h.get_by_label_contains(&format!("◆ {TITLE} (answer hidden)"));
    h.get_by_label("Show the answer").click();
    h.run_steps(3);
    assert!(!app(&h).state.hides_answer(FINDING));
    h.get_by_label("Approve").click();
    h.run_steps(3);
    assert_eq!(status(&h), ReviewStatus::Approved, "{}", status_line(&h));
    h.get_by_label_contains("from ready · Bea ·");
    assert_eq!(h.query_all_by_label("✍ valid").count(), 2);

    // The list filters by review state: approved shows the two approved findings.
    assert!(h.query_by_label_contains("◆ Arrest site").is_some());
    h.get_by_label("in").click(); // the review-state picker over the list
    h.run_steps(2);
    h.get_by_label("approved").click();
    h.run_steps(3);
    assert!(h.query_by_label_contains("◆ Arrest site").is_none());
    h.get_by_label_contains(&format!("◆ {TITLE}"));
    h.get_by_label_contains("◆ Launch pad");

    // Saved: the case on disk holds both signed steps.
    let saved = Case::open_read_only(&root).unwrap();
    let r = &saved.finding(FINDING).unwrap().review;
    assert_eq!(r.history.len(), 2);
    assert!(saved.signature_checks().iter().all(|c| c.valid));
}

#[test]
fn a_blind_review_hides_the_answer_records_the_location_and_reveals_the_distance() {
    let (_demo, root) = util::demo_copy();
    let keys = tempfile::tempdir().unwrap();
    let (_, ana) = key(keys.path(), "Ana");
    let (bea, _) = key(keys.path(), "Bea");
    ready_by(&root, &ana);
    let author = Case::open_read_only(&root)
        .unwrap()
        .finding(FINDING)
        .unwrap()
        .location
        .unwrap();
    let mut h = default_harness(Some(Case::open(&root).unwrap()));
    h.run_steps(2);
    use_key(&mut h, &bea);
    select(&mut h);
    h.get_by_label("Review blind").click();
    h.run_steps(4);
    assert!(app(&h).state.review().blind.is_some());

    // Hidden: no candidates or georeference on the map, no marker, no verdict or
    // coordinates in the inspector.
    let drawn = app(&h).state.map().overlays_drawn();
    assert_eq!((drawn.candidates, drawn.georef_triangles), (0, 0));
    // Looking right at the place: no marker there.
    let at = geoproof::spatial::LatLon {
        lat: author.lat,
        lon: author.lon,
    };
    push(&mut h, Command::Map(MapCommand::CenterOn(at, Some(12.0))));
    h.run_steps(3);
    let drawn = geoproof::ui::map_marks::last_drawn(&h.ctx);
    assert!(!drawn.labels.iter().any(|(t, _)| t.contains("Itaipu")));
    let extent = app(&h).state.map().view.unwrap();
    assert!(
        extent
            .rect
            .contains(extent.to_screen(author.lat, author.lon))
    );
    let at = extent.to_screen(author.lat, author.lon);
    assert!(
        drawn.groups.iter().all(|(p, _)| p.distance(at) > 4.0),
        "no marker where the author put it: {:?}",
        drawn.groups
    );
    assert!(
        h.query_by_label_contains("The frame fits the dam")
            .is_none()
    );
    assert!(h.query_by_label_contains("-25.44").is_none());
    h.get_by_label("Click the map to place your location.");

    // Bea clicks her own location, about 40 m east of the author's.
    let mine = geoproof::spatial::LatLon {
        lat: author.lat,
        lon: author.lon + 0.0004,
    };
    push(&mut h, Command::Map(MapCommand::CenterOn(mine, Some(17.0))));
    h.run_steps(3);
    let extent = app(&h).state.map().view.unwrap();
    click(&mut h, extent.to_screen(mine.lat, mine.lon));
    let placed = app(&h)
        .state
        .review()
        .blind
        .as_ref()
        .unwrap()
        .point
        .unwrap();
    assert!((placed.lat - mine.lat).abs() < 1e-4 && (placed.lon - mine.lon).abs() < 1e-4);
    h.get_by_label_contains("Your location: -25.44");
    assert!(app(&h).state.hides_answer(FINDING));

    // Recorded, signed and saved; then both places are shown with the distance.
    h.get_by_label("Record my location").click();
    h.run_steps(3);
    assert!(!app(&h).state.hides_answer(FINDING), "{}", status_line(&h));
    let saved = Case::open_read_only(&root).unwrap();
    let b = &saved.finding(FINDING).unwrap().review.blind;
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].analyst, "Bea");
    let (_, c) = saved.blind_comparison(FINDING, &b[0].public_key).unwrap();
    assert!(
        c.distance_m > 20.0 && c.distance_m < 60.0,
        "{}",
        c.distance_m
    );
    h.get_by_label("Blind review recorded");
    h.get_by_label(&format!("{:.1} m", c.distance_m));
    h.get_by_label_contains("The frame fits the dam");
    assert!(status_line(&h).contains("m from the author's"));
}

#[test]
fn a_blind_review_is_refused_once_the_reviewer_has_seen_the_answer() {
    let (_demo, root) = util::demo_copy();
    let keys = tempfile::tempdir().unwrap();
    let (_, ana) = key(keys.path(), "Ana");
    let (bea, _) = key(keys.path(), "Bea");
    ready_by(&root, &ana);
    let mut h = default_harness(Some(Case::open(&root).unwrap()));
    h.run_steps(2);
    use_key(&mut h, &bea);
    select(&mut h);
    h.get_by_label("Show the answer").click();
    h.run_steps(3);
    h.get_by_label_contains("The frame fits the dam");
    h.get_by_label("Blind review").click();
    h.run_steps(3);
    let line = status_line(&h);
    assert!(line.contains("Bea opened its answer"), "{line}");
    assert!(app(&h).state.review().blind.is_none());
    // The opening is in the case log, through an edit.
    let log = std::fs::read_to_string(root.join("log.jsonl")).unwrap();
    assert!(
        log.lines()
            .any(|l| l.contains("finding_opened") && l.contains("Bea") && l.contains(FINDING)),
        "no opening logged"
    );
}

#[test]
fn without_a_key_the_inspector_says_how_to_make_one_and_makes_it() {
    let (_demo, root) = util::demo_copy();
    let keys = tempfile::tempdir().unwrap();
    let path = keys.path().join("geoproof").join(analyst::KEY_FILE);
    let mut h = default_harness(Some(Case::open(&root).unwrap()));
    h.run_steps(2);
    use_key(&mut h, &path);
    select(&mut h);
    h.get_by_label("No analyst key: signing and reviewing need one.");
    assert!(h.query_by_label("Mark ready").is_none());
    let field = h.get_by_label("Your name");
    field.focus();
    field.type_text("Cai");
    h.run_steps(2);
    h.get_by_label("Create key").click();
    h.run_steps(3);
    h.get_by_label_contains("You: Cai (SHA256:");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Signing as Cai: the case lists the key and the signature holds.
    h.get_by_label("Sign").click();
    h.run_steps(3);
    let saved = Case::open_read_only(&root).unwrap();
    assert!(saved.meta().analysts.iter().any(|a| a.name == "Cai"));
    let checks = saved.finding_signature_checks(FINDING).unwrap();
    assert_eq!(checks.len(), 1);
    assert!(checks[0].holds());
}

#[test]
fn the_evidence_inspector_shows_content_credentials_or_none() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/real/c2pa");
    let (_d, root, _) = util::add_to_new_case(&data.join("CA.jpg"));
    let run = util::geoproof([
        "add".as_ref(),
        root.as_os_str(),
        data.join("no_manifest.jpg").as_os_str(),
    ]);
    run.assert_ok();
    let case = Case::open(&root).unwrap();
    let id = |name: &str| {
        case.evidence()
            .find(|e| e.original_name == name)
            .unwrap()
            .sha256
            .clone()
    };
    let (signed, plain) = (id("CA.jpg"), id("no_manifest.jpg"));
    let mut h = default_harness(Some(case));
    h.run_steps(2);
    push(&mut h, Command::Select(Selection::Evidence(signed)));
    h.run_steps(3);
    h.get_by_label("Content credentials (C2PA)");
    h.get_by_label_contains("Status: valid, signer not on a trust list (signed by C2PA Signer");
    h.get_by_label("C2PA Signer");
    h.get_by_label("Made with");
    h.get_by_label("Actions");
    push(&mut h, Command::Select(Selection::Evidence(plain)));
    h.run_steps(3);
    h.get_by_label("Status: none");
    assert!(h.query_by_label("C2PA Signer").is_none());
}

/// Scrolls the board inspector to `label` and clicks it.
fn click_in_view(h: &mut Harness<'static, Holder>, label: &str) {
    h.get_by_label(label).scroll_to_me();
    h.run_steps(2);
    h.get_by_label(label).click_accesskit();
    h.run_steps(2);
}

#[test]
fn a_comparison_states_its_scale_and_is_warned_when_same_rests_on_class_features() {
    const COMPARISON: &str = "F-demo-rocket-video";
    let (_demo, root) = util::demo_copy();
    let mut h = default_harness(Some(Case::open(&root).unwrap()));
    h.run_steps(2);
    push(
        &mut h,
        Command::Board(BoardCommand::Open(COMPARISON.into())),
    );
    h.run_steps(3);
    // Feature 1 is a class feature; the conclusion "support for same".
    click_in_view(&mut h, "Feature 1 is");
    h.get_by_label("a class feature").click();
    h.run_steps(2);
    click_in_view(&mut h, "On the scale");
    h.get_by_label("support for same").click();
    h.run_steps(2);
    h.get_by_label("The observations provide support that the items are the same.");
    h.get_by_label_contains("rests on class features only");
    h.get_by_label_contains("never a colour name as a finding");
    // A limit noted on feature 1.
    let limits = h.query_all_by_label("lighting").count();
    assert!(limits >= 1);
    h.get_all_by_label("lighting").next().unwrap().click();
    h.run_steps(2);
    push(&mut h, Command::Board(BoardCommand::Commit));
    h.run_steps(2);
    let saved = Case::open_read_only(&root).unwrap();
    let f = saved.finding(COMPARISON).unwrap();
    assert_eq!(
        f.conclusion.as_ref().map(|c| c.scale),
        Some(geoproof::case::conclusion::ConclusionScale::SupportSame)
    );
    use geoproof::case::comparison::FeatureClass;
    assert_eq!(f.links[0].feature_class, Some(FeatureClass::Class));
    assert_eq!(f.links[0].quality_limits, ["lighting"]);
    // An individualising feature found consistent lifts the class-only warning.
    click_in_view(&mut h, "Feature 2 is");
    h.get_by_label("an individualising feature").click();
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("rests on class features only")
            .is_none()
    );
}

#[test]
fn the_methods_report_is_written_from_the_app_and_logged() {
    let (_demo, root) = util::demo_copy();
    let out = tempfile::tempdir().unwrap();
    let (html, pdf) = (out.path().join("m.html"), out.path().join("m.pdf"));
    let mut h = default_harness(Some(Case::open(&root).unwrap()));
    h.run_steps(2);
    push(
        &mut h,
        Command::Select(Selection::Finding("F-demo-launch-pad".into())),
    );
    h.run_steps(2);
    h.get_by_label("Methods report…");
    push(
        &mut h,
        Command::Review(ReviewCommand::MethodsReport {
            finding: "F-demo-launch-pad".into(),
            html: Some(html.clone()),
            pdf: Some(pdf.clone()),
        }),
    );
    h.run_steps(3);
    assert!(
        status_line(&h).starts_with("methods report written"),
        "{}",
        status_line(&h)
    );
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(text.contains("Launch pad, Cape Canaveral SLC-40"));
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let sha = geoproof::evidence::sha256_hex(&bytes);
    let log = std::fs::read_to_string(root.join("log.jsonl")).unwrap();
    assert!(
        log.lines()
            .any(|l| l.contains("report_written") && l.contains(&sha)),
        "the PDF is logged with its SHA-256"
    );
}
