//! Georeferencing a frame: the demo case's aerial frame over the Itaipu dam is pinned to
//! the Landsat 8 scene by eight control points. Prints the projective fit's residuals
//! (metres and pixels, leave-one-out), where the camera stood (from the fit and the
//! frame's field of view), and writes the frame warped onto the map as a GeoTIFF.
//!
//! `cargo run --release --example georeference_frame [OUT.tif]`

use geoproof::case::Case;
use geoproof::export::georef;
use geoproof::spatial::camera_pose;

fn main() -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let root = tmp.path().join("demo-case");
    geoproof::assets::write_demo_case(&root)?;
    let case = Case::open_read_only(&root)?;
    let finding = case.finding("F-demo-itaipu-georef")?;
    let g = finding
        .georeference
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("the demo finding has no georeference"))?;
    let fit = g.fit().map_err(anyhow::Error::msg)?;
    println!("{}", georef::describe(&fit, g.points.len()));
    for (i, (p, r)) in g.points.iter().zip(&fit.residuals).enumerate() {
        println!(
            "  {}: pixel {:>6.1},{:>6.1} → {:.6}, {:.6}  residual {:>5.1} m / {:>4.1} px, leave-one-out {}",
            i + 1,
            p.x,
            p.y,
            p.lat,
            p.lon,
            r.residual_m,
            r.residual_px,
            r.leave_one_out_m
                .map_or("—".into(), |m| format!("{m:.1} m"))
        );
    }
    let evidence = finding.evidence_ids()[0];
    let record = case.find_evidence(evidence)?;
    let fov = record.fov_deg.unwrap_or(camera_pose::DEFAULT_FOV_DEG);
    let pose = camera_pose::estimate(
        &g.points,
        f64::from(record.width),
        f64::from(record.height),
        fov,
    )
    .map_err(anyhow::Error::msg)?;
    println!(
        "camera (estimated): {:.6}, {:.6} ±{:.0} m, {:.0} m above the ground, heading {:.1}°, \
         {:.1}° below the horizon",
        pose.lat, pose.lon, pose.uncertainty_m, pose.height_m, pose.heading_deg, pose.tilt_deg
    );
    let out = std::env::args_os().nth(1).map_or_else(
        || -> anyhow::Result<_> {
            // The case folder above is deleted on exit; the GeoTIFF is kept.
            let kept = tempfile::Builder::new()
                .prefix("geoproof-georef-")
                .tempdir()?
                .keep();
            Ok(kept.join("itaipu-frame.tif"))
        },
        |path| Ok(path.into()),
    )?;
    let file = case.panel_file(&geoproof::case::comparison::PanelSource::Evidence {
        sha256: evidence.to_owned(),
    })?;
    let image = geoproof::evidence::load_oriented(&file.path, u32::MAX)?.image;
    let warped = georef::warp(&image.into_rgb8(), &fit, georef::MAX_WARP_SIDE)
        .map_err(anyhow::Error::msg)?;
    georef::write_geotiff(&warped, &out).map_err(anyhow::Error::msg)?;
    println!(
        "wrote {} ({}×{} px, {:.1} m per pixel at the control points)",
        out.display(),
        warped.image.width(),
        warped.image.height(),
        warped.resolution_m
    );
    Ok(())
}
