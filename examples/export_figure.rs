//! Exports the demo case's identity comparison as a publication figure (PNG and SVG with
//! a provenance manifest), the way `geoproof export --finding` does.
//!
//! `cargo run --release --example export_figure [OUT_DIR]` (default: a new temporary
//! folder, kept and printed, so running it never writes into the current folder)

use geoproof::case::Case;
use geoproof::export::figure::{self, FigureOptions};

fn main() -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let out = std::env::args_os().nth(1).map_or_else(
        || {
            tempfile::Builder::new()
                .prefix("geoproof-figure-")
                .tempdir()
                .map(tempfile::TempDir::keep)
        },
        |dir| Ok(dir.into()),
    )?;
    println!("writing into {}", out.display());
    let root = tmp.path().join("demo-case");
    geoproof::assets::write_demo_case(&root)?;
    let mut case = Case::open(&root)?;
    let options = FigureOptions {
        width: 1600,
        insets: vec!["A1".into(), "A2".into()],
        credits: vec!["Portrait: NASA (public domain)".into()],
        ..FigureOptions::default()
    };
    let png = out.join("demo-figure.png");
    let svg = out.join("demo-figure.svg");
    let done = figure::export(
        &mut case,
        "F-demo-astronaut-repost",
        Some(&png),
        Some(&svg),
        &options,
        false,
    )
    .map_err(|e| anyhow::anyhow!(e))?;
    for (path, sha) in &done.outputs {
        println!("wrote {} (sha256 {sha})", path.display());
    }
    println!("manifest {}", done.manifest.display());
    Ok(())
}
