//! A copied binary works on its own: the fonts, borders, basemap and demo case travel
//! inside it. The copy runs from an empty folder with `GEOPROOF_ASSETS` unset and, where
//! the machine allows a private mount namespace (root, as in CI), with the source tree
//! covered by an empty tmpfs so that any read of it fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

/// Runs `script` (POSIX sh) in `work` with the copied binary as `$BIN`; returns
/// (hidden, status, stdout, stderr) where `hidden` says whether the source tree was
/// covered.
fn run_away_from_source(work: &Path, script: &str) -> (bool, i32, String, String) {
    let src = env!("CARGO_MANIFEST_DIR");
    let bin = work.join("bin/geoproof");
    std::fs::create_dir_all(bin.parent().unwrap()).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_geoproof"), &bin).unwrap();
    let hide = format!(
        "mount -t tmpfs geoproof-hidden \"$SRC\" && test ! -e \"$SRC/Cargo.toml\" && {script}"
    );
    let can_hide = Command::new("unshare")
        .args(["-m", "sh", "-c", "mount -t tmpfs x /mnt"])
        .output()
        .is_ok_and(|o| o.status.success());
    if std::env::var_os("CI").is_some() {
        assert!(
            can_hide,
            "CI must be able to hide the source tree (unshare -m as root)"
        );
    }
    let mut cmd = if can_hide {
        let mut c = Command::new("unshare");
        c.args(["-m", "sh", "-ec", &hide]);
        c
    } else {
        let mut c = Command::new("sh");
        c.args(["-ec", script]);
        c
    };
    let out = cmd
        .current_dir(work)
        .env_remove("GEOPROOF_ASSETS")
        .env("SRC", src)
        .env("BIN", &bin)
        .env("HOME", work.join("home"))
        .env("XDG_DATA_HOME", work.join("data"))
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    (
        can_hide,
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_copied_binary_exports_figures_measures_borders_and_writes_the_demo_case() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    let script = r#"
        "$BIN" --version
        CASE=$("$BIN" demo)
        echo "case=$CASE"
        "$BIN" verify "$CASE"
        "$BIN" export "$CASE" --finding F-demo-astronaut-repost --png figure.png --width 900
        "$BIN" border-distance "53.079839, 34.554344" --json > border.json
    "#;
    let (hidden, status, stdout, stderr) = run_away_from_source(work, script);
    assert_eq!(status, 0, "stdout:\n{stdout}\nstderr:\n{stderr}");
    eprintln!("source tree hidden: {hidden}");

    assert!(
        stdout.starts_with(concat!(
            "geoproof ",
            env!("CARGO_PKG_VERSION"),
            " (features: "
        )),
        "{stdout}"
    );
    // First launch wrote the demo case into the user's data folder, whole.
    let case = work.join("data/geoproof/demo-case");
    assert!(
        stdout.contains(&format!("case={}", case.display())),
        "{stdout}"
    );
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo-case");
    for sub in ["case.json", "findings/F-demo-astronaut-repost.json"] {
        assert_eq!(
            std::fs::read(case.join(sub)).unwrap(),
            std::fs::read(bundled.join(sub)).unwrap(),
            "{sub}"
        );
    }
    // The figure was drawn with the embedded fonts and images.
    let figure = image::open(work.join("figure.png")).expect("figure decodes");
    assert_eq!(figure.width(), 900);
    // The embedded borders: the arrest site is about 100 km from Ukraine.
    let border: serde_json::Value =
        serde_json::from_slice(&std::fs::read(work.join("border.json")).unwrap()).unwrap();
    let km = border["distance_m"].as_f64().expect("distance_m") / 1000.0;
    assert!((50.0..150.0).contains(&km), "{border}");
}

#[test]
fn version_names_the_features_compiled_in() {
    let out = Command::new(env!("CARGO_BIN_EXE_geoproof"))
        .arg("--version")
        .output()
        .unwrap();
    let line = String::from_utf8(out.stdout).unwrap();
    let features = if cfg!(feature = "gui") { "gui" } else { "none" };
    assert_eq!(
        line.trim(),
        format!(
            "geoproof {} (features: {features})",
            env!("CARGO_PKG_VERSION")
        )
    );
}
