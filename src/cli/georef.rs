//! `geoproof georef`: fit an image to the ground from control points and report the fit
//! (method, matrix, residuals in metres and pixels, RMS, leave-one-out), or where a pixel
//! lies (`--at X,Y`).

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use geoproof::spatial::georef::{self, ControlPoint, Method};

use super::output::Outcome;

#[derive(Debug, Args)]
pub struct GeorefArgs {
    /// The image the pixels are in (EXIF orientation applied, as viewers show it).
    image: PathBuf,
    /// A control point: image pixel X,Y and the place LAT,LON it shows (repeatable).
    #[arg(
        long = "gcp",
        value_name = "X,Y,LAT,LON",
        allow_hyphen_values = true,
        required = true
    )]
    gcps: Vec<String>,
    /// helmert (≥ 2 points), affine (≥ 3) or projective (≥ 4).
    #[arg(long, default_value = "affine")]
    method: String,
    /// Also print where this pixel lies.
    #[arg(long, value_name = "X,Y", allow_hyphen_values = true)]
    at: Option<String>,
    #[arg(long)]
    json: bool,
    /// Write the image warped onto a latitude/longitude grid (EPSG:4326) as a GeoTIFF.
    #[arg(long, value_name = "OUT.tif")]
    geotiff: Option<PathBuf>,
    /// Write a KML GroundOverlay (gx:LatLonQuad) and the image beside it as OUT.png.
    #[arg(long, value_name = "OUT.kml")]
    kml: Option<PathBuf>,
    /// Write the control points and their residuals as GeoJSON.
    #[arg(long, value_name = "OUT.geojson")]
    gcp_geojson: Option<PathBuf>,
}

fn numbers(flag: &str, text: &str, n: usize) -> Result<Vec<f64>> {
    let v: Vec<f64> = text
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| {
            anyhow::anyhow!("--{flag} {text:?}: expected {n} numbers separated by commas")
        })?;
    if v.len() != n || v.iter().any(|x| !x.is_finite()) {
        bail!("--{flag} {text:?}: expected {n} finite numbers separated by commas");
    }
    Ok(v)
}

pub fn georef_command(args: GeorefArgs) -> Result<Outcome> {
    let Some(method) = Method::parse(&args.method) else {
        bail!(
            "--method {:?}: use helmert, affine or projective",
            args.method
        );
    };
    for out in [&args.geotiff, &args.kml, &args.gcp_geojson]
        .into_iter()
        .flatten()
    {
        if same_file(out, &args.image) {
            bail!("{}: refusing to write over the input image", out.display());
        }
    }
    // Decoded once: in full when an export needs the pixels, else small (for the size).
    let needs_pixels = args.geotiff.is_some() || args.kml.is_some();
    let (image, width, height) =
        super::inputs::load_still(&args.image, if needs_pixels { u32::MAX } else { 64 })?;
    let pixels = needs_pixels.then(|| image.into_rgb8());
    let mut points = Vec::new();
    for text in &args.gcps {
        let v = numbers("gcp", text, 4)?;
        if v[0] < 0.0 || v[1] < 0.0 || v[0] > f64::from(width) || v[1] > f64::from(height) {
            bail!(
                "{}: --gcp {text}: pixel {},{} is outside the {width}×{height} image",
                args.image.display(),
                v[0],
                v[1]
            );
        }
        points.push(ControlPoint {
            x: v[0],
            y: v[1],
            lat: v[2],
            lon: v[3],
        });
    }
    let fit = georef::fit(&points, method)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.image.display()))?;
    let at = match &args.at {
        Some(text) => {
            let v = numbers("at", text, 2)?;
            Some(
                fit.image_to_geo(v[0], v[1])
                    .ok_or_else(|| anyhow::anyhow!("--at {text}: beyond the horizon of the fit"))?,
            )
        }
        None => None,
    };
    write_exports(&args, &fit, &points, pixels.as_ref())?;
    if args.json {
        super::output::print_json(&serde_json::json!({
            "image": args.image,
            "method": fit.method,
            "minimum_points": method.minimum(),
            "local_frame_origin": [fit.frame.lat0, fit.frame.lon0],
            "matrix_image_to_local_m": fit.matrix,
            "points": points.iter().zip(&fit.residuals).map(|(p, r)| serde_json::json!({
                "x": p.x, "y": p.y, "lat": p.lat, "lon": p.lon,
                "residual_m": r.residual_m, "residual_px": r.residual_px,
                "leave_one_out_m": r.leave_one_out_m,
            })).collect::<Vec<_>>(),
            "rms_m": fit.rms_m,
            "warnings": fit.warnings,
            "at": at.map(|(lat, lon)| serde_json::json!({"lat": lat, "lon": lon})),
        }))?;
        return Ok(Outcome::Success);
    }
    println!("{:?} fit of {} points", fit.method, points.len());
    for (i, (p, r)) in points.iter().zip(&fit.residuals).enumerate() {
        println!(
            "  {}: {:.1},{:.1} → {:.6}, {:.6}: residual {:.2} m / {:.2} px, leave-one-out {}",
            i + 1,
            p.x,
            p.y,
            p.lat,
            p.lon,
            r.residual_m,
            r.residual_px,
            r.leave_one_out_m
                .map_or("n/a".into(), |m| format!("{m:.2} m"))
        );
    }
    match fit.rms_m {
        Some(rms) => println!("RMS error {rms:.2} m"),
        None => println!("RMS error: none (no redundancy)"),
    }
    for w in &fit.warnings {
        println!("warning: {w}");
    }
    if let Some((lat, lon)) = at {
        println!(
            "pixel {}: {lat:.6}, {lon:.6}",
            args.at.as_deref().unwrap_or("")
        );
    }
    Ok(Outcome::Success)
}

fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Writes the GeoTIFF, KML (+ PNG) and control-point GeoJSON asked for.
fn write_exports(
    args: &GeorefArgs,
    fit: &georef::Fit,
    points: &[ControlPoint],
    pixels: Option<&image::RgbImage>,
) -> Result<()> {
    use geoproof::case::store::write_atomic;
    use geoproof::export::georef as export;
    if let (Some(out), Some(pixels)) = (&args.geotiff, pixels) {
        let warped = export::warp(pixels, fit, export::MAX_WARP_SIDE)
            .map_err(|e| anyhow::anyhow!("{}: {e}", args.image.display()))?;
        export::write_geotiff(&warped, out)?;
        eprintln!(
            "wrote {} ({}×{} px, {:.2} m per pixel at the control points)",
            out.display(),
            warped.image.width(),
            warped.image.height(),
            warped.resolution_m
        );
    }
    if let (Some(out), Some(pixels)) = (&args.kml, pixels) {
        let png_path = out.with_extension("png");
        let href = png_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = args
            .image
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = export::kml(
            &name,
            fit,
            points,
            pixels.width(),
            pixels.height(),
            &href,
            1.0,
        )
        .map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
        let png = geoproof::export::redact::encode_png(pixels)?;
        write_atomic(&png_path, &png, false)?;
        write_atomic(out, text.as_bytes(), false)?;
        eprintln!("wrote {} and {}", out.display(), png_path.display());
    }
    if let Some(out) = &args.gcp_geojson {
        write_atomic(
            out,
            export::control_points_geojson(fit, points).as_bytes(),
            false,
        )?;
        eprintln!("wrote {}", out.display());
    }
    Ok(())
}
