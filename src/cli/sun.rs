//! `sun` and `shadow`: chronolocation from the command line.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

use geoproof::case::{Case, Chronolocation, Edit, Finding, chronolocation};
use geoproof::spatial;
use geoproof::sun::{self, Atmosphere, BearingMeasure, RatioMeasure};

use super::output::{Outcome, print_json};

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
    /// Another shadow at another instant, RATIO@INSTANT (repeatable): the places where
    /// every shadow fits (the loci intersected).
    #[arg(long, value_name = "RATIO@INSTANT")]
    also: Vec<String>,
    /// Save the result in this case as a chronolocation finding.
    #[arg(long, value_name = "CASE")]
    save: Option<PathBuf>,
    /// Title of the saved finding.
    #[arg(long, requires = "save")]
    title: Option<String>,
    #[arg(long)]
    json: bool,
}

pub fn shadow_command(args: ShadowArgs) -> Result<Outcome> {
    let bearing = args
        .bearing
        .as_deref()
        .map(BearingMeasure::parse)
        .transpose()?;
    let save = args
        .save
        .as_deref()
        .map(|case| (case, args.title.as_deref()));
    match (&args.at, &args.date, &args.time) {
        (Some(at), Some(date), None) => {
            if !args.also.is_empty() {
                bail!("--also combines shadows at other instants: it goes with --time");
            }
            let measure = RatioMeasure::new(args.ratio, args.tolerance.unwrap_or(0.05))?;
            windows(at, date, measure, bearing, save, args.json)
        }
        (None, None, Some(time)) => {
            let tolerance = args.tolerance.unwrap_or(0.2);
            let measure = RatioMeasure::new(args.ratio, tolerance)?;
            let others = args
                .also
                .iter()
                .map(|text| parse_also(text, tolerance))
                .collect::<Result<Vec<_>>>()?;
            if args.geojson.is_none() && save.is_none() {
                bail!("give --geojson OUT (or --save CASE) for the locus");
            }
            let request = LocusRequest {
                time,
                measure,
                bearing,
                others,
                grid_deg: args.grid_deg,
            };
            locus(&request, args.geojson.as_deref(), save, args.json)
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
    save: Option<(&std::path::Path, Option<&str>)>,
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
    if let Some((case, title)) = save {
        let record = Chronolocation::times_at_place(
            p,
            date,
            zone_name,
            chronolocation::shadow_input(measure, bearing, None),
            &found,
        );
        save_finding(case, record.into_finding(title))?;
    }
    Ok(Outcome::Success)
}

/// Writes a chronolocation finding into `case` and says so on stderr.
fn save_finding(case: &std::path::Path, finding: Finding) -> Result<()> {
    let mut opened = Case::open(case)?;
    let id = finding.id.clone();
    opened.apply(Edit::PutFinding(Box::new(finding)))?;
    opened.save()?;
    eprintln!("saved as finding {id} in {}", case.display());
    Ok(())
}

/// `0.8@2024-03-22T11:30:00Z` → a ratio measure and its instant.
fn parse_also(text: &str, tolerance: f64) -> Result<(RatioMeasure, DateTime<Utc>)> {
    let (ratio, time) = text
        .split_once('@')
        .with_context(|| format!("--also {text:?}: give RATIO@INSTANT"))?;
    let ratio: f64 = ratio
        .trim()
        .parse()
        .with_context(|| format!("--also {text:?}: {ratio:?} is not a number"))?;
    Ok((
        RatioMeasure::new(ratio, tolerance)?,
        sun::parse_instant(time.trim(), None)?,
    ))
}

/// What `locus` is asked: a shadow at an instant, and others at other instants.
struct LocusRequest<'a> {
    time: &'a str,
    measure: RatioMeasure,
    bearing: Option<BearingMeasure>,
    others: Vec<(RatioMeasure, DateTime<Utc>)>,
    grid_deg: f64,
}

fn locus(
    request: &LocusRequest,
    out: Option<&std::path::Path>,
    save: Option<(&std::path::Path, Option<&str>)>,
    json: bool,
) -> Result<Outcome> {
    use geo::BooleanOps;
    let instant = sun::parse_instant(request.time, None)?;
    let grid_deg = request.grid_deg;
    let first = sun::locus(
        instant,
        request.measure,
        request.bearing,
        grid_deg,
        Atmosphere::default(),
    )?;
    let mut area = first.area;
    let mut cells = first.cells;
    for (measure, at) in &request.others {
        let other = sun::locus(*at, *measure, None, grid_deg, Atmosphere::default())?;
        cells = cells.min(other.cells);
        area = area.intersection(&other.area);
    }
    let polygons = chronolocation::locus_coordinates(&area);
    let mut shadows = vec![chronolocation::shadow_input(
        request.measure,
        request.bearing,
        Some(instant),
    )];
    shadows.extend(
        request
            .others
            .iter()
            .map(|(m, at)| chronolocation::shadow_input(*m, None, Some(*at))),
    );
    let document = json!({
        "type": "FeatureCollection",
        "features": [{
            "type": "Feature",
            "geometry": { "type": "MultiPolygon", "coordinates": polygons },
            "properties": {
                "time_utc": instant,
                "shadow_ratio": request.measure.ratio,
                "tolerance": request.measure.tolerance,
                "shadow_bearing_deg": request.bearing.map(|b| b.bearing_deg),
                "bearing_tolerance_deg": request.bearing.map(|b| b.tolerance_deg),
                "shadows": shadows,
                "grid_deg": grid_deg,
                "cells": first.cells,
                "method": "NREL SPA at every grid-cell centre; apparent elevation, standard atmosphere; flat ground, vertical object; several shadows: the loci intersected",
            },
        }],
    });
    if let Some(out) = out {
        let bytes = geoproof::case::store::to_json_bytes(&document)?;
        geoproof::case::store::write_atomic(out, &bytes, false)?;
    }
    if json {
        print_json(&json!({
            "geojson": out,
            "time_utc": instant,
            "cells": first.cells,
            "polygons": area.0.len(),
        }))?;
    } else if let Some(out) = out {
        println!(
            "wrote {} ({} cells of {grid_deg}°, {} polygons)",
            out.display(),
            first.cells,
            area.0.len()
        );
    }
    if cells == 0 || area.0.is_empty() {
        bail!(
            "nowhere on Earth do{} the shadow{} fit at {}",
            if request.others.is_empty() { "es" } else { "" },
            if request.others.is_empty() {
                ""
            } else {
                "s all"
            },
            instant.to_rfc3339()
        );
    }
    if let Some((case, title)) = save {
        let record = Chronolocation::places_at_time(shadows, grid_deg, &area);
        save_finding(case, record.into_finding(title))?;
    }
    Ok(Outcome::Success)
}
