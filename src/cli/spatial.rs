//! The spatial commands: `coords`, `measure` and `border-distance`.

use anyhow::{Context, Result};
use serde_json::json;

use geoproof::spatial::{self, BorderFilter, Borders, LatLon};

use super::output::{self, Outcome, print_json};

pub fn coords(text: &str, json: bool) -> Result<Outcome> {
    let p = spatial::parse_coordinate(text)?;
    let borders = Borders::bundled()?;
    let country = borders.country_at(p);
    if json {
        let mut value = json!({ "lat": p.lat, "lon": p.lon, "country": country });
        for (name, text) in p.all_formats() {
            value[name] = json!(text);
        }
        print_json(&value)?;
    } else {
        for (name, text) in p.all_formats() {
            println!("{name:<12} {text}");
        }
        println!(
            "{:<12} {}",
            "country",
            country.map_or("none (sea or unclaimed)".to_owned(), |c| format!(
                "{} ({})",
                c.name_en, c.iso_a3
            ))
        );
    }
    Ok(Outcome::Success)
}

pub fn measure(a: &str, b: &str, json: bool) -> Result<Outcome> {
    let (pa, pb) = (spatial::parse_coordinate(a)?, spatial::parse_coordinate(b)?);
    let m = spatial::measure(pa, pb);
    if json {
        print_json(&json!({
            "a": pa, "b": pb,
            "distance_m": m.distance_m,
            "azimuth_deg": m.azimuth_deg,
            "back_azimuth_deg": m.back_azimuth_deg,
        }))?;
    } else {
        println!("from      {pa}\nto        {pb}");
        println!("distance  {}", output::distance_text(m.distance_m));
        println!(
            "azimuth   {:.6}° (back {:.6}°), true north",
            m.azimuth_deg, m.back_azimuth_deg
        );
    }
    Ok(Outcome::Success)
}

pub fn border_distance(point: &str, country: Option<&str>, json: bool) -> Result<Outcome> {
    let p: LatLon = spatial::parse_coordinate(point)?;
    let borders = Borders::bundled()?;
    let filter = match country {
        Some(code) => BorderFilter::Country(borders.country_index(code).with_context(|| {
            format!("unknown country code {code:?} (use ISO 3166 alpha-3, e.g. UKR)")
        })?),
        None => BorderFilter::International,
    };
    let hit = borders
        .nearest_border(p, filter)
        .context("no border found for this query")?;
    let inside = borders.country_at(p);
    if json {
        print_json(&json!({
            "point": p,
            "inside": inside.map(|c| &c.iso_a3),
            "distance_m": hit.distance_m,
            "nearest": hit.nearest,
            "between": hit.between,
            "between_iso3": hit.between_iso3,
            "source": "Natural Earth 1:10m admin-0 countries 5.1.1",
        }))?;
    } else {
        println!(
            "point     {p} ({})",
            inside.map_or("outside any country".to_owned(), |c| c.name_en.clone())
        );
        println!("distance  {}", output::distance_text(hit.distance_m));
        println!("nearest   {}", hit.nearest);
        println!("border    {}", hit.between.join(" | "));
        println!("(Natural Earth 1:10m borders: positional accuracy is a few hundred metres)");
    }
    Ok(Outcome::Success)
}
