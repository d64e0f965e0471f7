//! Proposes correspondences between the demo case's portrait and its mirrored repost and
//! fits a homography — a proposal for the analyst to review, never a conclusion.
//!
//! `cargo run --release --example match_images [A B]`

use geoproof::matching::{MatchOptions, match_images};

fn main() -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let mut args = std::env::args_os().skip(1);
    let (a, b) = match (args.next(), args.next()) {
        (Some(a), Some(b)) => (a.into(), b.into()),
        _ => {
            let root = tmp.path().join("demo-case");
            geoproof::assets::write_demo_case(&root)?;
            let case = geoproof::case::Case::open_read_only(&root)?;
            let path = |prefix: &str| -> anyhow::Result<std::path::PathBuf> {
                Ok(case.evidence_path(case.find_evidence(prefix)?))
            };
            // The portrait (astronaut-south-magnetic.jpg) and its mirrored repost.
            (path("0ff431043126")?, path("74460213a34a")?)
        }
    };
    let options = MatchOptions::default();
    let load = |p: &std::path::PathBuf| {
        geoproof::evidence::load_oriented(p, options.working_side * 2)
            .map(|l| (l.image, l.width, l.height))
            .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))
    };
    let (ia, wa, ha) = load(&a)?;
    let (ib, wb, hb) = load(&b)?;
    let report = match_images((&ia, (wa, ha)), (&ib, (wb, hb)), None, None, &options)
        .map_err(|e| anyhow::anyhow!(e))?;
    println!("{}", report.summary);
    println!(
        "{} and {} keypoints, {} matches, {} inliers{}",
        report.keypoints_a,
        report.keypoints_b,
        report.matches,
        report.inliers,
        if report.mirrored { ", B mirrored" } else { "" }
    );
    Ok(())
}
