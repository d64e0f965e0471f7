//! Opens a case (the bundled demo case, written into a temporary folder, or the folder
//! given) and prints its findings, with any record that failed validation.
//!
//! `cargo run --example list_findings [CASE]`

use geoproof::case::Case;

fn main() -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let root = match std::env::args_os().nth(1) {
        Some(path) => path.into(),
        None => {
            let root = tmp.path().join("demo-case");
            geoproof::assets::write_demo_case(&root)?;
            root
        }
    };
    let case = Case::open_read_only(&root)?;
    println!(
        "{} — {} evidence items",
        case.meta().title,
        case.evidence().count()
    );
    for f in case.findings() {
        let place = f.location.map_or_else(
            || "no location".to_owned(),
            |l| format!("{:.6}, {:.6} ±{} m", l.lat, l.lon, l.precision_m),
        );
        println!(
            "{}  [{}, {}]  {}  ({place}; {} panels, {} annotations)",
            f.id,
            f.kind.as_str(),
            f.confidence.as_str(),
            f.title,
            f.panels.len(),
            f.annotations.len()
        );
    }
    for d in case.damaged() {
        println!("damaged: {d}");
    }
    Ok(())
}
