//! Analysts, signed findings, review states and blind review (#34), through the real
//! binary. Each analyst has their own config folder (`GEOPROOF_CONFIG_DIR`), so no test
//! touches the real home.
#![allow(clippy::unwrap_used)]

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

use geoproof::case::{Case, Edit, Finding, FindingKind, FindingLocation};
use util::{Run, data, snapshot};

/// An analyst: a config folder holding their key.
struct Analyst {
    _dir: tempfile::TempDir,
    config: PathBuf,
}

impl Analyst {
    fn new(name: &str) -> Analyst {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        let a = Analyst { _dir: dir, config };
        a.run(&["analyst", "init", "--name", name]).assert_ok();
        a
    }

    fn run(&self, args: &[&str]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_geoproof"))
            .args(args)
            .env("GEOPROOF_CONFIG_DIR", &self.config)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap();
        Run {
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn key_file(&self) -> PathBuf {
        self.config.join("geoproof/analyst.key")
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A case with one photo and a geolocation finding showing it (Sofia, ±1 km); its id.
fn case_with_finding(author: &str) -> (tempfile::TempDir, PathBuf, String) {
    let (dir, root, _) = util::add_to_new_case(&data("coffee-no-gps.jpg"));
    let mut case = Case::open(&root).unwrap();
    let sha = case.evidence().next().unwrap().sha256.clone();
    let mut f = Finding::new(FindingKind::Geolocation, "Café terrace");
    f.author = author.into();
    f.verdict = "The café on Vitosha Boulevard".into();
    f.location = Some(FindingLocation {
        lat: 42.698334,
        lon: 23.319941,
        precision_m: 1000.0,
    });
    f.add_panel(geoproof::case::comparison::PanelSource::Evidence { sha256: sha });
    let id = f.id.clone();
    case.apply(Edit::PutFinding(Box::new(f))).unwrap();
    case.save().unwrap();
    (dir, root, id)
}

fn edit(root: &Path, id: &str, change: impl FnOnce(&mut Finding)) {
    let mut case = Case::open(root).unwrap();
    let mut f = case.finding(id).unwrap().clone();
    change(&mut f);
    case.apply(Edit::PutFinding(Box::new(f))).unwrap();
    case.save().unwrap();
}

fn verify(a: &Analyst, root: &Path) -> (Run, serde_json::Value) {
    let run = a.run(&["verify", s(root), "--json"]);
    let json = run.json();
    (run, json)
}

#[test]
fn sign_edit_verify_names_the_fields_that_changed() {
    let alice = Analyst::new("Alice");
    let (_d, root, id) = case_with_finding("Alice");
    let run = alice.run(&["sign", s(&root), &id, "--json"]);
    run.assert_ok();
    assert_eq!(run.json()["inputs"].as_array().unwrap().len(), 1);
    let (run, v) = verify(&alice, &root);
    run.assert_ok();
    let sig = &v["signatures"][0];
    assert_eq!(sig["valid"], true, "{v}");
    assert_eq!(sig["key_listed"], true, "{v}");
    assert_eq!(sig["changed_fields"].as_array().unwrap().len(), 0, "{v}");

    edit(&root, &id, |f| {
        f.location.as_mut().unwrap().lat = 42.7;
        f.verdict = "Another café".into();
    });
    let (run, v) = verify(&alice, &root);
    run.assert_ok();
    let sig = &v["signatures"][0];
    assert_eq!(sig["valid"], true, "{v}");
    let changed: Vec<&str> = sig["changed_fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(changed, ["location.lat", "verdict"]);
    let text = alice.run(&["verify", s(&root)]);
    assert!(
        text.stdout
            .contains("the finding changed after it was signed (location.lat, verdict)"),
        "{}",
        text.stdout
    );
}

#[test]
fn a_tampered_signature_is_reported_invalid() {
    let alice = Analyst::new("Alice");
    let (_d, root, id) = case_with_finding("Alice");
    alice.run(&["sign", s(&root), &id]).assert_ok();
    let file = root.join(format!("findings/{id}.json"));
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    // The signed copy of the finding is changed to agree with a forged verdict.
    let signed = json["review"]["signatures"][0]["finding"]
        .as_str()
        .unwrap()
        .replace("Vitosha Boulevard", "somewhere else");
    json["review"]["signatures"][0]["finding"] = signed.into();
    json["verdict"] = "The café on somewhere else".into();
    std::fs::write(&file, serde_json::to_vec_pretty(&json).unwrap()).unwrap();
    let (run, v) = verify(&alice, &root);
    run.assert_failed();
    assert_eq!(v["signatures"][0]["valid"], false, "{v}");
    let text = alice.run(&["verify", s(&root)]);
    assert!(text.stdout.contains("INVALID"), "{}", text.stdout);
    assert!(text.stdout.contains("tampered"), "{}", text.stdout);
}

#[test]
fn a_signature_by_a_key_the_case_does_not_list_is_reported() {
    let alice = Analyst::new("Alice");
    let (_d, root, id) = case_with_finding("Alice");
    alice.run(&["sign", s(&root), &id]).assert_ok();
    let case_file = root.join("case.json");
    let mut meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&case_file).unwrap()).unwrap();
    assert_eq!(meta["analysts"].as_array().unwrap().len(), 1);
    meta.as_object_mut().unwrap().remove("analysts");
    std::fs::write(&case_file, serde_json::to_vec_pretty(&meta).unwrap()).unwrap();
    let (run, v) = verify(&alice, &root);
    run.assert_failed();
    assert_eq!(v["signatures"][0]["valid"], true);
    assert_eq!(v["signatures"][0]["key_listed"], false);
    let text = alice.run(&["verify", s(&root)]);
    assert!(
        text.stdout
            .contains("signed by a key this case does not list"),
        "{}",
        text.stdout
    );
}

#[cfg(unix)]
#[test]
fn a_key_file_others_can_read_is_refused_and_nothing_changes() {
    use std::os::unix::fs::PermissionsExt;
    let alice = Analyst::new("Alice");
    let mode = std::fs::metadata(alice.key_file())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    std::fs::set_permissions(alice.key_file(), std::fs::Permissions::from_mode(0o644)).unwrap();
    let (_d, root, id) = case_with_finding("Alice");
    let before = snapshot(&root);
    let run = alice.run(&["sign", s(&root), &id]);
    run.assert_failed();
    assert!(
        run.stderr.contains("mode 644") && run.stderr.contains("refused"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    assert_eq!(snapshot(&root), before);
}

#[test]
fn the_author_cannot_approve_and_an_edit_sends_an_approval_back_to_draft() {
    let (alice, bob) = (Analyst::new("Alice"), Analyst::new("Bob"));
    let (_d, root, id) = case_with_finding("Alice");
    let review = |a: &Analyst, status: &str| a.run(&["review", s(&root), &id, "--status", status]);
    // Approval straight from draft is not a move the rules allow.
    let run = review(&bob, "approved");
    run.assert_failed();
    assert!(
        run.stderr.contains("cannot go from draft to approved"),
        "{}",
        run.stderr
    );
    review(&alice, "ready").assert_ok();
    let run = review(&alice, "approved");
    run.assert_failed();
    assert!(run.stderr.contains("Alice is its author"), "{}", run.stderr);
    let run = bob.run(&["review", s(&root), &id, "--status", "disputed"]);
    run.assert_failed();
    assert!(run.stderr.contains("needs a reason"), "{}", run.stderr);
    review(&bob, "approved").assert_ok();

    let listed = |state: &str| {
        let v = bob
            .run(&["list", s(&root), "--review", state, "--json"])
            .json();
        v["findings"].as_array().unwrap().len()
    };
    assert_eq!((listed("approved"), listed("draft")), (1, 0));
    let (run, v) = verify(&bob, &root);
    run.assert_ok();
    assert_eq!(v["signatures"].as_array().unwrap().len(), 2, "{v}");

    edit(&root, &id, |f| f.notes = "a new note".into());
    assert_eq!((listed("approved"), listed("draft")), (0, 1));
    let log = std::fs::read_to_string(root.join("log.jsonl")).unwrap();
    assert!(log.contains("\"review_reset\""), "{log}");
    // The approval is kept in the history and now says what changed since.
    let text = bob.run(&["verify", s(&root)]);
    assert!(
        text.stdout.contains("review:approved by Bob")
            && text.stdout.contains("changed after it was signed (notes)"),
        "{}",
        text.stdout
    );
    // A dispute with its reason, from the draft again: ready first.
    review(&alice, "ready").assert_ok();
    bob.run(&[
        "review",
        s(&root),
        &id,
        "--status",
        "disputed",
        "--reason",
        "wrong side of the street",
    ])
    .assert_ok();
    let shown = bob.run(&["show", s(&root), &id]);
    assert!(
        shown.stdout.contains("disputed: wrong side of the street"),
        "{}",
        shown.stdout
    );
}

#[test]
fn blind_review_prints_the_geodesic_distance_and_is_refused_after_seeing_the_answer() {
    let (alice, bob, carol) = (
        Analyst::new("Alice"),
        Analyst::new("Bob"),
        Analyst::new("Carol"),
    );
    let (_d, root, id) = case_with_finding("Alice");
    // Plovdiv, ±500 m: GeographicLib gives 132675.501859 m from the author's Sofia point.
    let run = bob.run(&[
        "review",
        s(&root),
        &id,
        "--blind-location",
        "42.136097, 24.742168",
        "--precision",
        "500",
        "--json",
    ]);
    run.assert_ok();
    let v = run.json();
    let d = v["distance_m"].as_f64().unwrap();
    assert!((d - 132_675.501_859).abs() < 1e-3, "{d}");
    assert_eq!(v["reviewer_in_author_circle"], false);
    assert_eq!(v["author_in_reviewer_circle"], false);
    // Bob has now seen the answer: a second blind review is refused.
    let again = bob.run(&["review", s(&root), &id, "--blind-location", "42.7,23.32"]);
    again.assert_failed();
    assert!(
        again.stderr.contains("reviewed it blind already"),
        "{}",
        again.stderr
    );

    // Carol looks at the finding first: her blind review is refused, nothing recorded.
    carol.run(&["show", s(&root), &id]).assert_ok();
    let run = carol.run(&[
        "review",
        s(&root),
        &id,
        "--blind-location",
        "42.6984,23.3200",
    ]);
    run.assert_failed();
    assert!(
        run.stderr
            .contains("the case log shows Carol opened its answer (cli show"),
        "{}",
        run.stderr
    );
    // The author cannot review her own finding blind.
    let run = alice.run(&[
        "review",
        s(&root),
        &id,
        "--blind-location",
        "42.6984,23.3200",
    ]);
    run.assert_failed();
    assert!(run.stderr.contains("Alice is its author"), "{}", run.stderr);

    let summary = bob.run(&["review", s(&root), "--summary", "--json"]).json();
    assert_eq!(summary["blind_reviews"], 1);
    assert_eq!(summary["blind_agreement_rate"], 0.0);
    assert!((summary["median_blind_distance_m"].as_f64().unwrap() - 132_675.501_859).abs() < 1e-3);
    let (run, v) = verify(&bob, &root);
    run.assert_ok();
    assert_eq!(v["signatures"][0]["purpose"], "blind_review", "{v}");
    assert_eq!(v["signatures"][0]["valid"], true, "{v}");
}

#[test]
fn a_finding_written_before_review_existed_loads_and_a_same_conclusion_on_class_features_warns() {
    use geoproof::case::comparison::{Assessment, FeatureClass};
    use geoproof::case::conclusion::{Conclusion, ConclusionScale, warnings};
    // A comparison link as older geoproofs wrote it: no class, no quality limits;
    // "not_assessable" is read as the older "unclear".
    let old = r#"{"id":"F-1","kind":"comparison","title":"t","created":"2024-03-22T00:00:00Z",
        "updated":"2024-03-22T00:00:00Z","confidence":"likely"}"#;
    let f: Finding = serde_json::from_str(old).unwrap();
    assert_eq!(f.review, Default::default());
    assert!(f.conclusion.is_none());
    let link: geoproof::case::comparison::LinkedFeature =
        serde_json::from_str(r#"{"number":1,"a":"A1","b":"A2","assessment":"not_assessable"}"#)
            .unwrap();
    assert_eq!(link.assessment, Assessment::Unclear);
    assert_eq!(link.assessment.label(), "not assessable");
    let mut class = link.clone();
    class.assessment = Assessment::Consistent;
    class.feature_class = Some(FeatureClass::Class);
    let same = Conclusion {
        scale: ConclusionScale::StrongSupportSame,
        note: String::new(),
    };
    let w = warnings(Some(&same), std::slice::from_ref(&class));
    assert!(w[0].contains("rests on class features only"), "{w:?}");
    assert!(
        ConclusionScale::StrongSupportSame
            .wording()
            .contains("strong support")
    );
}

#[test]
fn the_methods_report_is_self_contained_and_names_every_input_hash_and_signature() {
    let (alice, bob) = (Analyst::new("Alice"), Analyst::new("Bob"));
    let (dir, root, id) = case_with_finding("Alice");
    alice.run(&["sign", s(&root), &id]).assert_ok();
    alice
        .run(&["review", s(&root), &id, "--status", "ready"])
        .assert_ok();
    bob.run(&["review", s(&root), &id, "--status", "approved"])
        .assert_ok();
    let out = dir.path().join("report.html");
    let run = bob.run(&["report", s(&root), &id, "--html", s(&out), "--json"]);
    run.assert_ok();
    let html = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        run.json()["sha256"],
        geoproof::evidence::sha256_hex(html.as_bytes())
    );
    // Every resource the document loads is embedded: no src/href leads anywhere else.
    for attr in ["src=\"", "href=\"", "url("] {
        for (at, _) in html.match_indices(attr) {
            let target = &html[at + attr.len()..];
            assert!(
                target.starts_with("data:"),
                "{attr}{}",
                &target[..40.min(target.len())]
            );
        }
    }
    assert!(html.contains("src=\"data:image/png;base64,"));
    let case = Case::open_read_only(&root).unwrap();
    let finding = case.finding(&id).unwrap();
    let inputs = case.finding_inputs(finding);
    assert!(!inputs.is_empty());
    for input in inputs {
        let sha = input.sha256.unwrap();
        assert!(
            html.contains(&format!("<code>{sha}</code>")),
            "{sha} missing"
        );
    }
    let checks = case.signature_checks();
    assert_eq!(checks.len(), 3);
    for c in checks {
        assert!(html.contains(&c.fingerprint), "{} missing", c.fingerprint);
    }
    assert!(html.contains("State: <b>approved</b>"));
    assert!(html.contains(geoproof::assets::VERSION));
    assert!(html.contains("42.698334, 23.319941 ± 1000 m"));
}

#[test]
fn a_signature_covers_the_osm_extract_the_candidates_came_from() {
    let alice = Analyst::new("Alice");
    let (dir, root, id) = case_with_finding("Alice");
    let extract = data("real/osm/vaduz.osm.pbf");
    let results = dir.path().join("results.json");
    let run = alice.run(&[
        "osm-search",
        s(&extract),
        "--find",
        "place_of_worship",
        "--json",
        "--index-dir",
        s(&dir.path().join("idx")),
    ]);
    run.assert_ok();
    let sha = geoproof::evidence::sha256_file(&extract).unwrap();
    assert_eq!(run.json()["source"]["sha256"], sha.as_str());
    std::fs::write(&results, &run.stdout).unwrap();
    alice
        .run(&["candidates", s(&root), &id, "--add-from", s(&results)])
        .assert_ok();
    let run = alice.run(&["sign", s(&root), &id, "--json"]);
    run.assert_ok();
    let inputs = run.json()["inputs"].clone();
    let osm: Vec<&serde_json::Value> = inputs
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "osm_extract")
        .collect();
    assert_eq!(osm.len(), 1, "{inputs}");
    assert_eq!(osm[0]["id"], "vaduz.osm.pbf");
    assert_eq!(osm[0]["sha256"], sha.as_str());
    let (run, v) = verify(&alice, &root);
    run.assert_ok();
    assert_eq!(v["signatures"][0]["valid"], true, "{v}");
    // The finding now names another extract: the signature no longer matches it.
    edit(&root, &id, |f| {
        for c in &mut f.candidates {
            c.origin.extract.as_mut().unwrap().sha256 = "0".repeat(64);
        }
    });
    let (_, v) = verify(&alice, &root);
    let sig = &v["signatures"][0];
    assert_eq!(sig["valid"], true, "{v}");
    let inputs = sig["changed_inputs"].to_string();
    assert!(
        inputs.contains("osm_extract") && inputs.contains("no longer as signed"),
        "{v}"
    );
    assert!(
        sig["changed_fields"].to_string().contains("candidates"),
        "{v}"
    );
}
