//! The bundled demo case opens, is intact, and shows the whole workflow.
#![allow(clippy::unwrap_used)]

use geoproof::case::{Case, EvidenceKind};

#[test]
fn bundled_demo_case_is_intact_and_complete() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo-case");
    let case = Case::open_read_only(&root).unwrap();
    let report = case.verify().unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert!(
        case.evidence()
            .any(|e| e.exif.lat.is_some() && e.exif.direction_deg.is_some())
    );
    assert!(case.findings().any(|f| f.location.is_some()));
}

#[test]
fn demo_case_has_a_finished_identity_comparison_and_geolocation() {
    use geoproof::case::comparison::Assessment;
    use geoproof::case::{Confidence, FindingKind};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo-case");
    let case = Case::open_read_only(&root).unwrap();
    for f in case.findings() {
        assert!(f.check().is_ok(), "{}: {:?}", f.id, f.check());
        for sha in f.evidence_ids() {
            case.find_evidence(sha).unwrap();
        }
    }
    let comparison = case
        .findings()
        .find(|f| f.kind == FindingKind::Comparison)
        .expect("an identity comparison");
    assert_eq!(
        comparison.evidence_ids().len(),
        2,
        "two photos side by side"
    );
    let described = comparison
        .links
        .iter()
        .filter(|l| l.assessment == Assessment::Consistent && !l.description.is_empty())
        .count();
    assert!(described >= 3, "at least three described linked features");
    assert_ne!(comparison.confidence, Confidence::Unverified);
    assert!(case.findings().any(|f| f.kind == FindingKind::Geolocation
        && f.location.is_some()
        && !f.verdict.is_empty()));
}

#[test]
fn demo_case_has_footage_a_frame_grab_and_a_solved_shadow() {
    use geoproof::case::FindingKind;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo-case");
    let case = Case::open_read_only(&root).unwrap();
    let video = case
        .evidence()
        .find(|e| e.kind() == EvidenceKind::Video)
        .expect("a video");
    let grab = case
        .evidence()
        .find(|e| {
            e.derived_from
                .as_ref()
                .is_some_and(|d| d.sha256 == video.sha256)
        })
        .expect("a frame grab of it");
    assert!(
        case.findings()
            .any(|f| f.evidence_ids().contains(&grab.sha256.as_str())),
        "the grab is compared in a finding"
    );
    let when = case.finding("F-demo-shadow-when").unwrap();
    assert_eq!(when.kind, FindingKind::Chronolocation);
    let (ratio, _) = when.shadows[0].ratio().unwrap();
    let solved = when.chronolocation.as_ref().unwrap();
    assert!(
        (solved.shadows[0].ratio - ratio).abs() < 1e-3,
        "solved from the measured shadow"
    );
    assert_eq!(solved.windows.len(), 2);
    let where_ = case.finding("F-demo-shadow-where").unwrap();
    let locus = where_
        .chronolocation
        .as_ref()
        .unwrap()
        .locus
        .as_ref()
        .unwrap();
    use geo::Contains;
    let area = geo::MultiPolygon(
        locus
            .iter()
            .map(|rings| {
                let ring = |r: &Vec<[f64; 2]>| {
                    geo::LineString::from(r.iter().map(|[x, y]| (*x, *y)).collect::<Vec<_>>())
                };
                geo::Polygon::new(ring(&rings[0]), rings[1..].iter().map(ring).collect())
            })
            .collect(),
    );
    assert!(
        area.contains(&geo::point!(x: 34.554344, y: 53.079839)),
        "the arrest site is in the locus"
    );
}

#[test]
fn demo_case_has_an_imported_channel_export() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo-case");
    let case = Case::open_read_only(&root).unwrap();
    let posts: Vec<_> = case
        .evidence()
        .flat_map(|e| e.sources.iter().map(move |s| (e, s)))
        .collect();
    assert_eq!(posts.len(), 2);
    assert!(posts.iter().all(|(_, s)| s.kind == "telegram"
        && s.chat.as_deref() == Some("geoproof demo channel")
        && s.posted_utc.is_some()));
    let (video, post) = posts
        .iter()
        .find(|(e, _)| e.kind() == EvidenceKind::Video)
        .unwrap();
    assert_eq!(post.message_id, Some(101));
    assert_eq!(video.original_name, "rocket-pan.mp4");
    assert!(posts.iter().any(|(_, s)| s.forwarded_from.is_some()));
    let log = std::fs::read_to_string(root.join("log.jsonl")).unwrap();
    assert!(log.contains("\"collection_imported\""));
}

#[test]
fn demo_case_has_a_frame_georeferenced_on_its_own_landsat_layer() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo-case");
    let case = geoproof::case::Case::open_read_only(&root).unwrap();
    let layer = &case.meta().imagery_layers[0];
    let reader = geoproof::imagery::ImageryReader::open(&case.imagery_path(layer)).unwrap();
    assert!(reader.info().crs.contains("3857"), "{}", reader.info().crs);
    let f = case.finding("F-demo-itaipu-georef").unwrap();
    let g = f.georeference.as_ref().unwrap();
    let fit = g.fit().unwrap();
    // Points placed on 30 m imagery: residuals of metres to tens of metres, not zero.
    let rms = fit.rms_m.unwrap();
    assert!(rms > 1.0 && rms < 30.0, "{rms}");
    // The stored camera is what the points and the field of view give.
    let record = case.find_evidence(f.evidence_ids()[0]).unwrap();
    let pose = geoproof::spatial::camera_pose::estimate(
        &g.points,
        f64::from(record.width),
        f64::from(record.height),
        record.fov_deg.unwrap(),
    )
    .unwrap();
    let c = g.camera.as_ref().unwrap();
    let frame = geoproof::spatial::georef::LocalFrame::at(c.lat, c.lon);
    let d = frame.to_local(pose.lat, pose.lon);
    assert!(d[0].hypot(d[1]) < 5.0, "{pose:?}");
    // The frame was rendered from 2500 m, looking 15° east of north: the estimate finds it.
    assert!((pose.height_m - 2500.0).abs() < 100.0, "{pose:?}");
    assert!((pose.heading_deg - 15.0).abs() < 2.0, "{pose:?}");
}

#[test]
fn demo_case_has_a_review_history_and_a_finding_approved_by_a_second_demo_analyst() {
    use geoproof::case::review::ReviewStatus;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo-case");
    let case = Case::open_read_only(&root).unwrap();
    let analysts = &case.meta().analysts;
    assert_eq!(analysts.len(), 2, "two demo analysts");
    for a in analysts {
        // Nobody mistakes them for people or for keys that prove anything.
        assert!(a.name.contains("demo key"), "{}", a.name);
    }
    let approved = case
        .findings()
        .find(|f| f.review.status == ReviewStatus::Approved)
        .expect("an approved finding");
    let approval = approved
        .review
        .history
        .iter()
        .rfind(|s| s.to == ReviewStatus::Approved)
        .unwrap();
    assert_ne!(
        approval.by, approved.author,
        "approved by the second analyst"
    );
    assert!(
        !approved.review.signatures.is_empty(),
        "signed by its author"
    );
    let checks = case.signature_checks();
    assert!(checks.len() >= 3, "{checks:?}");
    for c in &checks {
        assert!(
            c.valid && c.key_listed && c.changed_fields.is_empty() && c.changed_inputs.is_empty(),
            "{c:?}"
        );
    }
    assert!(
        case.findings()
            .any(|f| f.review.status == ReviewStatus::Disputed)
    );
    let summary = geoproof::case::review_rules::summary(case.findings());
    assert!(summary.blind_reviews >= 1, "{summary:?}");
}

/// The demo's Vaduz finding sits in the bundled street map (vector tiles made from the
/// Liechtenstein OpenStreetMap extract), which draws streets and buildings there at
/// zoom 15 from the binary alone.
#[test]
fn demo_case_has_a_vaduz_finding_inside_the_bundled_street_map() {
    use geoproof::vector::snapshot::{View, render};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo-case");
    let case = geoproof::case::Case::open(&root).unwrap();
    let f = case.finding("F-demo-vaduz-street").unwrap();
    let at = f.location.unwrap();
    let rel = geoproof::assets::path::DEMO_STREETS;
    let bytes = geoproof::assets::embedded_bytes(rel).unwrap();
    assert!(
        bytes.len() < 4 << 20,
        "{} bytes: keep it small",
        bytes.len()
    );
    let archive =
        geoproof::vector::Archive::from_pmtiles_bytes(std::path::Path::new(rel), bytes.into())
            .unwrap();
    let [w, s, e, n] = archive.bounds().unwrap();
    assert!((w..e).contains(&at.lon) && (s..n).contains(&at.lat));
    assert_eq!((archive.min_zoom(), archive.max_zoom()), (12, 15));
    let view = View {
        center: [at.lat, at.lon],
        zoom: 15.0,
        size: [512, 512],
        theme: geoproof::vector::Theme::Light,
    };
    let snap = render(&archive, &view).unwrap();
    assert!(snap.tile_errors.is_empty(), "{:?}", snap.tile_errors);
    let count = |c: [u8; 4]| snap.image.pixels().filter(|p| p.0 == c).count();
    let (roads, buildings) = (count([255, 255, 255, 255]), count([217, 208, 201, 255]));
    assert!(
        roads > 5000 && buildings > 2000,
        "{roads} road, {buildings} building pixels"
    );
}

/// The demo's terrain finding (#33), made by examples/demo_terrain.rs: a frame rendered
/// from an invented DEM at a known camera. Its saved fit is checked against that camera,
/// its trace is what the edge detector proposes on the stored frame, and the Fit run
/// again from a perturbed start recovers the camera. It says it is synthetic.
#[test]
fn demo_case_has_a_synthetic_skyline_scene_whose_fit_recovers_the_camera() {
    use geoproof::terrain::fit::{self, FitOptions, Ranges};
    use geoproof::terrain::{Dem, HeightRef};
    // The camera examples/demo_terrain.rs rendered the frame with.
    const HEADING: f64 = 12.0;
    const PITCH: f64 = 1.5;
    const ROLL: f64 = 0.8;
    const FOV: f64 = 55.0;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo-case");
    let case = Case::open_read_only(&root).unwrap();
    let f = case.finding("F-demo-skyline-synthetic").unwrap();
    assert!(f.title.starts_with("SYNTHETIC"), "{}", f.title);
    assert!(f.notes.starts_with("SYNTHETIC") && f.notes.contains("invented"));
    assert!(f.notes.contains("press K"), "{}", f.notes);
    assert!(
        f.verdict
            .starts_with("Synthetic test scene, not real footage")
    );
    let saved = f.skyline_fit.as_ref().unwrap();
    assert_eq!(f.evidence_ids(), vec![saved.evidence.as_str()]);
    let frame = case.find_evidence(&saved.evidence).unwrap();
    assert!(frame.original_name.contains("synthetic"));
    // The DEM is the case's elevation layer (the Skyline tool works on the finding as the
    // demo opens), unchanged since the fit.
    assert_eq!(saved.dem, case.meta().elevation.files);
    assert!(case.meta().elevation.visible);
    assert_eq!(saved.dem.len(), 1);
    assert_eq!(
        saved.dem[0].path,
        std::path::Path::new("layers/synthetic-mountains-dem.tif")
    );
    let paths: Vec<_> = saved.dem.iter().map(|d| case.elevation_path(d)).collect();
    for (d, p) in saved.dem.iter().zip(&paths) {
        d.verify(p).unwrap();
    }
    let dem = Dem::open(&paths).unwrap();
    let c = saved.camera;
    let truth_at = dem.to_wgs84(-600.0, -4000.0).unwrap();
    assert!(
        (c.site.at.lat - truth_at.lat).abs() < 1e-9 && (c.site.at.lon - truth_at.lon).abs() < 1e-9
    );
    assert_eq!(
        (c.site.height_m, c.site.reference),
        (2.0, HeightRef::AboveGround)
    );
    assert!((c.heading_deg - HEADING).abs() < 0.2, "{c:?}");
    assert!((c.pitch_deg - PITCH).abs() < 0.2, "{c:?}");
    assert!((c.roll_deg - ROLL).abs() < 0.3, "{c:?}");
    assert!((c.fov_deg - FOV).abs() < 0.5, "{c:?}");
    assert!(
        saved.score.mean_deg < 0.05 && saved.score.points >= 100,
        "{:?}",
        saved.score
    );
    // The trace is the edge detector's proposal on the stored frame, as it was.
    let image = image::open(case.evidence_path(frame)).unwrap();
    assert_eq!(fit::suggest_skyline(&image).unwrap().trace, saved.trace);
    // Fit again, from 4° of heading, 1.2° of pitch, 1.5° of roll and 4° of field of view
    // off the true camera: it comes back.
    let options = FitOptions {
        step_deg: saved.horizon_step_deg,
        max_distance_m: saved.max_distance_m,
        curvature: saved.curvature,
        ..FitOptions::default()
    };
    let start = geoproof::terrain::skyline::Camera {
        heading_deg: HEADING + 4.0,
        pitch_deg: PITCH - 1.2,
        roll_deg: ROLL - 1.5,
        fov_deg: FOV + 4.0,
        ..c
    };
    let ranges = Ranges {
        heading_deg: 8.0,
        pitch_deg: 3.0,
        roll_deg: 3.0,
        fov_deg: 8.0,
    };
    let again = fit::fit_camera(&dem, start, &saved.trace, ranges, &options).unwrap();
    assert!(again.start_score.mean_deg > 1.0, "{:?}", again.start_score);
    let r = again.camera;
    assert!((r.heading_deg - HEADING).abs() < 0.2, "{r:?}");
    assert!((r.pitch_deg - PITCH).abs() < 0.2, "{r:?}");
    assert!((r.roll_deg - ROLL).abs() < 0.3, "{r:?}");
    assert!((r.fov_deg - FOV).abs() < 0.5, "{r:?}");
    assert!((again.score.mean_deg - saved.score.mean_deg).abs() < 0.01);
}
