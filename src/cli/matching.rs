//! The image-comparison commands: `match` (correspondences and a homography) and
//! `colours` (CIELAB profiles of two regions).

use anyhow::{Context, Result};

use geoproof::matching::{MatchOptions, Roi, match_images};

use super::inputs::load_still;
use super::output::{Outcome, print_json};

pub fn parse_roi(text: &str) -> std::result::Result<Roi, String> {
    Roi::parse(text).map_err(|e| e.to_string())
}

pub fn match_command(
    a: &std::path::Path,
    b: &std::path::Path,
    roi_a: Option<Roi>,
    roi_b: Option<Roi>,
    features: usize,
    json: bool,
) -> Result<Outcome> {
    let options = MatchOptions {
        max_features: features.max(10),
        ..MatchOptions::default()
    };
    // Decoded at about twice the working size: enough detail, far less memory.
    let load = |p: &std::path::Path| load_still(p, options.working_side * 2);
    let (image_a, wa, ha) = load(a)?;
    let (image_b, wb, hb) = load(b)?;
    let report = match_images(
        (&image_a, (wa, ha)),
        (&image_b, (wb, hb)),
        roi_a,
        roi_b,
        &options,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))
    .with_context(|| format!("{} vs {}", a.display(), b.display()))?;
    if json {
        print_json(&report)?;
    } else {
        println!(
            "keypoints: {} in A, {} in B; {} matches; {} inliers",
            report.keypoints_a, report.keypoints_b, report.matches, report.inliers
        );
        if let Some(h) = report.homography {
            println!("homography (A -> B):");
            for row in h {
                println!("  {:>14.6} {:>14.6} {:>14.6}", row[0], row[1], row[2]);
            }
        }
        println!("{}", report.summary);
    }
    Ok(Outcome::Success)
}

pub fn colours(
    a: &std::path::Path,
    b: &std::path::Path,
    roi_a: Option<Roi>,
    roi_b: Option<Roi>,
    json: bool,
) -> Result<Outcome> {
    use geoproof::matching::colour;
    // Full resolution: regions are given in full-image pixels.
    let load = |p: &std::path::Path| load_still(p, u32::MAX);
    let (image_a, _, _) = load(a)?;
    let (image_b, _, _) = load(b)?;
    let pa =
        colour::profile(&image_a, roi_a).map_err(|e| anyhow::anyhow!("{}: {e}", a.display()))?;
    let pb =
        colour::profile(&image_b, roi_b).map_err(|e| anyhow::anyhow!("{}: {e}", b.display()))?;
    let result = colour::compare(pa, pb);
    if json {
        print_json(&result)?;
    } else {
        println!(
            "colour similarity {:.2} (chroma {:.2}, lightness shape {:.2}); B is {:+.1} L* brighter",
            result.similarity,
            result.chroma_similarity,
            result.lightness_similarity,
            result.lightness_shift
        );
        for (name, p) in [("A", &result.a), ("B", &result.b)] {
            let swatches: Vec<String> = p
                .swatches
                .iter()
                .map(|s| {
                    format!(
                        "#{:02x}{:02x}{:02x} {:.0}%",
                        s.rgb[0],
                        s.rgb[1],
                        s.rgb[2],
                        s.share * 100.0
                    )
                })
                .collect();
            println!("{name}: {}", swatches.join(", "));
        }
    }
    Ok(Outcome::Success)
}
