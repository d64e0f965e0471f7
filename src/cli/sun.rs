//! `sun` and `shadow`: chronolocation from the command line.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

use geoproof::spatial;
use geoproof::sun::{self, Atmosphere, BearingMeasure, RatioMeasure};

use super::Outcome;
use super::output::print_json;

pub fn sun_command(point: &str, time: &str, elevation_m: f64, json: bool) -> Result<Outcome> {
    let p = spatial::parse_coordinate(point)?;
    let instant = sun::parse_instant(time, Some(p))?;
    let position = sun::sun_at(p, elevation_m, instant, None, Atmosphere::default())?;
    let zone = sun::zone_or_utc(p);
    let zone_name = zone.name();
    let date = instant.with_timezone(&zone).date_naive();
    let day = sun::day_events(p, date, &zone)?;
    let ratio = position.shadow_ratio();
    let below = (ratio.is_none()).then_some("the sun is below the horizon: no shadow");
    if json {
        print_json(&json!({
            "point": p,
            "time_utc": instant,
            "time_zone": zone_name,
            "azimuth_deg": position.azimuth_deg,
            "elevation_deg": position.elevation_deg,
            "apparent_elevation_deg": position.apparent_elevation_deg,
            "shadow_ratio": ratio,
            "shadow_bearing_deg": ratio.map(|_| position.shadow_bearing_deg()),
            "shadow_note": below,
            "local_date": day.date,
            "sunrise_utc": day.sunrise_utc,
            "solar_noon_utc": day.solar_noon_utc,
            "sunset_utc": day.sunset_utc,
            "no_sunrise_reason": day.polar,
            "delta_t_s": sun::delta_t(instant),
            "method": "NREL SPA (Reda & Andreas 2003), refraction for 1013.25 hPa and 15 °C",
        }))?;
    } else {
        println!("point      {p} ({zone_name})");
        println!("time       {}", instant.to_rfc3339());
        println!(
            "sun        azimuth {:.4}°, elevation {:.4}° (apparent {:.4}°)",
            position.azimuth_deg, position.elevation_deg, position.apparent_elevation_deg
        );
        match ratio {
            Some(r) => println!(
                "shadow     {r:.4} × the object's height, pointing {:.2}°",
                position.shadow_bearing_deg()
            ),
            None => println!("shadow     none: the sun is below the horizon"),
        }
        match day.polar {
            Some(reason) => println!("{}  {reason}: no sunrise or sunset", day.date),
            None => println!(
                "{}  sunrise {}, solar noon {}, sunset {} (UTC)",
                day.date,
                hm(day.sunrise_utc),
                hm(day.solar_noon_utc),
                hm(day.sunset_utc)
            ),
        }
    }
    Ok(Outcome::Success)
}

fn hm(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(|| "—".into(), |t| t.format("%H:%M:%S").to_string())
}

/// What `shadow` was asked.
#[derive(Debug, clap::Args)]
pub struct ShadowArgs {
    /// Shadow length divided by the object's height.
    #[arg(long, allow_hyphen_values = true)]
    ratio: f64,
    /// Relative tolerance of the ratio (default 0.05 for times, 0.2 for places).
    #[arg(long)]
    tolerance: Option<f64>,
    /// The place (any coordinate form).
    #[arg(long, allow_hyphen_values = true)]
    at: Option<String>,
    /// The local date at the place, YYYY-MM-DD.
    #[arg(long)]
    date: Option<String>,
    /// The instant (RFC 3339 with an offset).
    #[arg(long)]
    time: Option<String>,
    /// The shadow's bearing in degrees from true north, e.g. 250 or 250±10.
    #[arg(long, allow_hyphen_values = true)]
    bearing: Option<String>,
    /// Grid of the locus, degrees.
    #[arg(long, default_value_t = 0.1)]
    grid_deg: f64,
    /// Where to write the locus (GeoJSON, longitude first).
    #[arg(long, value_name = "OUT")]
    geojson: Option<PathBuf>,
    #[arg(long)]
    json: bool,
}

pub fn shadow_command(args: ShadowArgs) -> Result<Outcome> {
    let bearing = args
        .bearing
        .as_deref()
        .map(BearingMeasure::parse)
        .transpose()?;
    match (&args.at, &args.date, &args.time) {
        (Some(at), Some(date), None) => {
            let measure = RatioMeasure::new(args.ratio, args.tolerance.unwrap_or(0.05))?;
            windows(at, date, measure, bearing, args.json)
        }
        (None, None, Some(time)) => {
            let measure = RatioMeasure::new(args.ratio, args.tolerance.unwrap_or(0.2))?;
            let out = args
                .geojson
                .as_deref()
                .context("give --geojson OUT for the locus")?;
            locus(time, measure, bearing, args.grid_deg, out, args.json)
        }
        _ => bail!(
            "give --at POINT --date YYYY-MM-DD (when, at a place) or --time INSTANT --geojson OUT \
             (where, at a time)"
        ),
    }
}

fn windows(
    at: &str,
    date: &str,
    measure: RatioMeasure,
    bearing: Option<BearingMeasure>,
    json: bool,
) -> Result<Outcome> {
    let p = spatial::parse_coordinate(at)?;
    let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
        .with_context(|| format!("{date:?} is not a date (YYYY-MM-DD)"))?;
    let zone = sun::zone_or_utc(p);
    let found = sun::windows_on(p, date, &zone, measure, bearing, Atmosphere::default())?;
    let zone_name = zone.name();
    if json {
        print_json(&json!({
            "point": p,
            "local_date": date,
            "time_zone": zone_name,
            "ratio": measure.ratio,
            "tolerance": measure.tolerance,
            "bearing": bearing,
            "windows": found,
        }))?;
    } else {
        for w in &found {
            let fits = match w.bearing_fits {
                Some(true) => ", bearing fits",
                Some(false) => ", bearing does not fit",
                None => "",
            };
            println!(
                "{} – {} UTC (shadow toward {:.1}°{fits})",
                w.start_utc.format("%Y-%m-%d %H:%M:%S"),
                w.end_utc.format("%H:%M:%S"),
                w.shadow_bearing_deg
            );
        }
    }
    if found.is_empty() {
        bail!(
            "no time on {date} ({zone_name}) at {p} gives a shadow ratio of {} ± {:.0} %",
            measure.ratio,
            measure.tolerance * 100.0
        );
    }
    if bearing.is_some() && !found.iter().any(|w| w.bearing_fits == Some(true)) {
        bail!("the shadow ratio fits on {date}, but at no such time does the bearing");
    }
    Ok(Outcome::Success)
}

fn locus(
    time: &str,
    measure: RatioMeasure,
    bearing: Option<BearingMeasure>,
    grid_deg: f64,
    out: &std::path::Path,
    json: bool,
) -> Result<Outcome> {
    let instant = sun::parse_instant(time, None)?;
    let locus = sun::locus(instant, measure, bearing, grid_deg, Atmosphere::default())?;
    let polygons: Vec<serde_json::Value> = locus
        .area
        .iter()
        .map(|poly| {
            let ring = |r: &geo::LineString<f64>| {
                r.coords()
                    .map(|c| json!([round6(c.x), round6(c.y)]))
                    .collect::<Vec<_>>()
            };
            let mut rings = vec![ring(poly.exterior())];
            rings.extend(poly.interiors().iter().map(ring));
            json!(rings)
        })
        .collect();
    let document = json!({
        "type": "FeatureCollection",
        "features": [{
            "type": "Feature",
            "geometry": { "type": "MultiPolygon", "coordinates": polygons },
            "properties": {
                "time_utc": instant,
                "shadow_ratio": measure.ratio,
                "tolerance": measure.tolerance,
                "shadow_bearing_deg": bearing.map(|b| b.bearing_deg),
                "bearing_tolerance_deg": bearing.map(|b| b.tolerance_deg),
                "grid_deg": grid_deg,
                "cells": locus.cells,
                "method": "NREL SPA at every grid-cell centre; apparent elevation, standard atmosphere; flat ground, vertical object",
            },
        }],
    });
    let bytes = geoproof::case::store::to_json_bytes(&document)?;
    geoproof::case::store::write_atomic(out, &bytes, false)?;
    if json {
        print_json(&json!({
            "geojson": out,
            "time_utc": instant,
            "cells": locus.cells,
            "polygons": locus.area.0.len(),
        }))?;
    } else {
        println!(
            "wrote {} ({} cells of {grid_deg}°, {} polygons)",
            out.display(),
            locus.cells,
            locus.area.0.len()
        );
    }
    if locus.cells == 0 {
        bail!(
            "nowhere on Earth does the sun give that shadow at {}",
            instant.to_rfc3339()
        );
    }
    Ok(Outcome::Success)
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}
