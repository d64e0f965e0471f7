//! `geoproof terrain …`: elevation, profiles and line of sight, viewsheds, horizons,
//! the skyline a camera would see and the camera that fits a traced one, from DEM
//! files (`--dem FILE`, repeatable). Every command either succeeds or fails with one
//! error (no partial outcome).

use std::path::PathBuf;

mod common;
mod fit;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use serde_json::json;

use geoproof::terrain::{Dem, horizon, profile, skyline, viewshed};

use super::output::print_json;
use common::{CameraArgs, Common, point};

#[derive(Debug, Args)]
pub struct TerrainArgs {
    #[command(subcommand)]
    command: TerrainCommand,
}

#[derive(Debug, Subcommand)]
enum TerrainCommand {
    /// Bilinear elevation in metres at points (null outside the data or on nodata).
    Elevation {
        #[command(flatten)]
        common: Common,
        /// A point in any form `coords` takes (repeatable).
        #[arg(
            long = "at",
            value_name = "LAT,LON",
            required = true,
            allow_hyphen_values = true
        )]
        at: Vec<String>,
    },
    /// Elevation profile between two points and whether the end can be seen from the start.
    Profile {
        #[command(flatten)]
        common: Common,
        #[arg(long, value_name = "LAT,LON", allow_hyphen_values = true)]
        from: String,
        #[arg(long, value_name = "LAT,LON", allow_hyphen_values = true)]
        to: String,
        /// Metres between samples (default: the DEM's cell size).
        #[arg(long, value_name = "M")]
        step: Option<f64>,
        #[arg(
            long,
            value_name = "M",
            default_value_t = 1.7,
            allow_hyphen_values = true
        )]
        observer_height: f64,
        #[arg(
            long,
            value_name = "M",
            default_value_t = 0.0,
            allow_hyphen_values = true
        )]
        target_height: f64,
        /// Write the samples as CSV.
        #[arg(long, value_name = "OUT.csv")]
        csv: Option<PathBuf>,
    },
    /// Visible ground around a point as a GeoTIFF: 255 visible, 0 hidden, nodata 128
    /// outside the radius or field of view.
    Viewshed(ViewshedArgs),
    /// The horizon all round a point: per azimuth its elevation angle and distance.
    Horizon(HorizonArgs),
    /// The skyline a camera would see, in the frame's pixels (and drawn over a
    /// transparent PNG with --out).
    Skyline(SkylineArgs),
    /// The camera (heading, pitch, roll, field of view near the given ones) whose
    /// skyline fits a traced one best, and its score (mean angular distance).
    Fit(fit::FitArgs),
    /// Candidate sites (--sites CSV or --grid) ranked by their best skyline fit.
    Scan(fit::ScanArgs),
    /// A proposed skyline trace from a frame's edges (to check and edit before fitting).
    Suggest(fit::SuggestArgs),
}

#[derive(Debug, Args)]
struct ViewshedArgs {
    #[command(flatten)]
    common: Common,
    #[arg(long, value_name = "LAT,LON", allow_hyphen_values = true)]
    at: String,
    #[arg(long, value_name = "M", allow_hyphen_values = true)]
    observer_height: f64,
    /// Height above the ground of what is to be seen.
    #[arg(
        long,
        value_name = "M",
        default_value_t = 0.0,
        allow_hyphen_values = true
    )]
    target_height: f64,
    #[arg(long, value_name = "M")]
    radius: Option<f64>,
    /// Only ground within heading ± fov/2 (degrees from true north).
    #[arg(long, value_name = "D", requires = "fov", allow_hyphen_values = true)]
    heading: Option<f64>,
    #[arg(
        long,
        value_name = "D",
        requires = "heading",
        allow_hyphen_values = true
    )]
    fov: Option<f64>,
    #[arg(long, value_name = "OUT.tif")]
    out: PathBuf,
}

#[derive(Debug, Args)]
struct HorizonArgs {
    #[command(flatten)]
    common: Common,
    #[arg(long, value_name = "LAT,LON", allow_hyphen_values = true)]
    at: String,
    #[arg(long, value_name = "M", allow_hyphen_values = true)]
    observer_height: f64,
    #[arg(long, value_name = "D", default_value_t = 1.0)]
    step_deg: f64,
    #[arg(long, value_name = "M", default_value_t = 50_000.0)]
    max_distance: f64,
}

#[derive(Debug, Args)]
struct SkylineArgs {
    #[command(flatten)]
    common: Common,
    #[command(flatten)]
    camera: CameraArgs,
    #[arg(long, value_name = "M", default_value_t = 50_000.0)]
    max_distance: f64,
    #[arg(long, value_name = "OUT.png")]
    out: Option<PathBuf>,
}

pub fn terrain_command(args: TerrainArgs) -> Result<()> {
    match args.command {
        TerrainCommand::Elevation { common, at } => elevation(&common, &at),
        TerrainCommand::Profile {
            common,
            from,
            to,
            step,
            observer_height,
            target_height,
            csv,
        } => {
            let (dem, curvature) = common.open()?;
            let observer = common.site(point(&from)?, observer_height);
            let target = common.site(point(&to)?, target_height);
            let p = profile::profile(&dem, observer, target, step, curvature)?;
            if let Some(out) = &csv {
                geoproof::fsio::write_atomic(out, profile::to_csv(&p).as_bytes(), false)?;
            }
            print_profile(&p, &dem, common.json)
        }
        TerrainCommand::Viewshed(args) => viewshed_command(args),
        TerrainCommand::Horizon(args) => horizon_command(args),
        TerrainCommand::Skyline(args) => skyline_command(args),
        TerrainCommand::Fit(args) => fit::fit_command(args),
        TerrainCommand::Scan(args) => fit::scan_command(args),
        TerrainCommand::Suggest(args) => fit::suggest_command(args),
    }
}

fn viewshed_command(args: ViewshedArgs) -> Result<()> {
    let ViewshedArgs {
        common,
        at,
        observer_height,
        target_height,
        radius,
        heading,
        fov,
        out,
    } = args;
    let (dem, curvature) = common.open()?;
    if common.dems.iter().any(|d| same_file(d, &out)) {
        bail!(
            "{}: refusing to write over an elevation file",
            out.display()
        );
    }
    let options = viewshed::ViewshedOptions {
        target_m: target_height,
        radius_m: radius,
        wedge: heading.zip(fov),
        curvature,
    };
    let site = common.site(point(&at)?, observer_height);
    let v = viewshed::viewshed(&dem, site, &options)?;
    viewshed::write_geotiff(&v, dem.wkt(), &out)?;
    let analysed = v.visible + v.hidden;
    let document = json!({
        "out": out,
        "crs": dem.crs(),
        "width": v.width, "height": v.height,
        "geotransform": v.geotransform,
        "observer_ground_m": v.observer_ground_m,
        "observer_m": v.observer_m,
        "visible_cells": v.visible, "hidden_cells": v.hidden, "nodata_cells": v.nodata,
        "visible_fraction": if analysed > 0 { v.visible as f64 / analysed as f64 } else { 0.0 },
        "curvature": curvature,
        "method": "Wang, Robinson & White (2000) reference planes",
    });
    if common.json {
        print_json(&document)?;
    } else {
        println!(
            "{}: {}×{} cells, {} visible, {} hidden, {} without data or out of range",
            out.display(),
            v.width,
            v.height,
            v.visible,
            v.hidden,
            v.nodata
        );
    }
    Ok(())
}

fn horizon_command(args: HorizonArgs) -> Result<()> {
    let HorizonArgs {
        common,
        at,
        observer_height,
        step_deg,
        max_distance,
    } = args;
    let (dem, curvature) = common.open()?;
    let site = common.site(point(&at)?, observer_height);
    let h = horizon::horizon(&dem, site, step_deg, max_distance, curvature)?;
    if common.json {
        print_json(&h)?;
    } else {
        println!(
            "observer {:.1} m (ground {:.1} m); horizon to {:.0} m:",
            h.observer.z_m, h.observer.ground_m, h.max_distance_m
        );
        for p in &h.points {
            match (p.elevation_deg, p.distance_m) {
                (Some(e), Some(d)) => println!(
                    "  {:7.2}°  {e:+7.3}°  {d:9.0} m{}",
                    p.azimuth_deg,
                    if p.complete {
                        ""
                    } else {
                        "  (data ran out: may be higher)"
                    }
                ),
                _ => println!("  {:7.2}°  no terrain", p.azimuth_deg),
            }
        }
    }
    Ok(())
}

fn skyline_command(args: SkylineArgs) -> Result<()> {
    let SkylineArgs {
        common,
        camera,
        max_distance,
        out,
    } = args;
    let (dem, curvature) = common.open()?;
    let cam = camera.camera(&common)?;
    let s = skyline::skyline(&dem, cam, max_distance, curvature)?;
    if let Some(out) = &out {
        let image = skyline::draw(&s, [255, 64, 32, 255]);
        let mut png = Vec::new();
        image::DynamicImage::ImageRgba8(image)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .with_context(|| format!("{}: cannot encode PNG", out.display()))?;
        geoproof::fsio::write_atomic(out, &png, false)?;
    }
    if common.json {
        print_json(&s)?;
    } else {
        let points: usize = s.polylines.iter().map(Vec::len).sum();
        println!(
            "skyline: {} run(s), {points} points in the {}×{} frame{}",
            s.polylines.len(),
            cam.width,
            cam.height,
            out.map(|o| format!(", drawn in {}", o.display()))
                .unwrap_or_default()
        );
        if s.incomplete_azimuths > 0 {
            println!(
                "warning: {} azimuths ran off the elevation data: the skyline there may be higher",
                s.incomplete_azimuths
            );
        }
    }
    Ok(())
}

fn elevation(common: &Common, at: &[String]) -> Result<()> {
    let (dem, _) = common.open()?;
    let mut points = Vec::new();
    for text in at {
        let p = point(text)?;
        points.push((p, dem.elevation(p)));
    }
    if common.json {
        print_json(&json!({
            "crs": dem.crs(),
            "tiles": dem.tiles(),
            "points": points.iter().map(|(p, e)| json!({
                "lat": p.lat, "lon": p.lon, "elevation_m": e,
            })).collect::<Vec<_>>(),
        }))?;
    } else {
        for (p, e) in &points {
            match e {
                Some(e) => println!("{}: {e:.2} m", p.to_decimal()),
                None => println!(
                    "{}: no elevation (outside the data or nodata)",
                    p.to_decimal()
                ),
            }
        }
    }
    Ok(())
}

fn print_profile(p: &profile::Profile, dem: &Dem, json: bool) -> Result<()> {
    if json {
        let mut document = serde_json::to_value(p)?;
        document["crs"] = json!(dem.crs());
        print_json(&document)?;
        return Ok(());
    }
    println!(
        "{:.0} m at {:.1}°, {} samples every {:.1} m; observer {:.1} m, target {:.1} m",
        p.distance_m,
        p.azimuth_deg,
        p.samples.len(),
        p.step_m,
        p.observer_m,
        p.target_m
    );
    match (&p.verdict, &p.first_obstruction) {
        (_, Some(o)) => println!(
            "hidden by terrain at {:.0} m ({}, {:.1} m, {:.1} m above the sight line)",
            o.distance_m,
            o.at.to_decimal(),
            o.elevation_m,
            o.above_sightline_m
        ),
        (profile::Verdict::Visible, None) => println!(
            "visible (least clearance {})",
            p.min_clearance_m
                .map_or("n/a".into(), |c| format!("{c:.1} m"))
        ),
        _ => println!("unknown: nothing obstructs where there is data, but the line crosses holes"),
    }
    for h in &p.holes {
        println!("no elevation from {:.0} m to {:.0} m", h.from_m, h.to_m);
    }
    Ok(())
}

fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
