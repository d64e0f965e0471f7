//! Chronolocation findings built from the solver's answers, the same way from the
//! command line and the app: the record keeps the inputs, the method and the result, and
//! the finding gets a title, a verdict and (for times at a place) the place.

use chrono::{DateTime, NaiveDate, Utc};

use super::model::{
    ChronoWindow, Chronolocation, Finding, FindingKind, FindingLocation, ShadowInput,
};
use crate::spatial::LatLon;
use crate::sun::{BearingMeasure, RatioMeasure, Window};

/// The solar model and its assumptions, recorded with every result.
pub const SOLVER: &str = "NREL SPA (Reda & Andreas 2003) via solar-positioning; apparent \
                          elevation with standard refraction; level ground, vertical object";

/// A shadow as the solver took it.
pub fn shadow_input(
    measure: RatioMeasure,
    bearing: Option<BearingMeasure>,
    time: Option<DateTime<Utc>>,
) -> ShadowInput {
    ShadowInput {
        ratio: measure.ratio,
        tolerance: measure.tolerance,
        bearing_deg: bearing.map(|b| b.bearing_deg),
        bearing_tolerance_deg: bearing.map(|b| b.tolerance_deg),
        time_utc: time,
        source: None,
    }
}

/// Polygons as GeoJSON coordinates (longitude first, six decimals).
pub fn locus_coordinates(area: &geo::MultiPolygon<f64>) -> Vec<Vec<Vec<[f64; 2]>>> {
    let round6 = |v: f64| (v * 1e6).round() / 1e6;
    area.iter()
        .map(|poly| {
            let ring = |r: &geo::LineString<f64>| {
                r.coords()
                    .map(|c| [round6(c.x), round6(c.y)])
                    .collect::<Vec<_>>()
            };
            let mut rings = vec![ring(poly.exterior())];
            rings.extend(poly.interiors().iter().map(ring));
            rings
        })
        .collect()
}

impl Chronolocation {
    /// When, at a known place: the windows of one local date.
    pub fn times_at_place(
        p: LatLon,
        date: NaiveDate,
        zone: &str,
        shadow: ShadowInput,
        windows: &[Window],
    ) -> Chronolocation {
        Chronolocation {
            method: "times_at_place".into(),
            shadows: vec![shadow],
            place: Some([p.lat, p.lon]),
            local_date: Some(date),
            time_zone: Some(zone.to_owned()),
            windows: windows
                .iter()
                .map(|w| ChronoWindow {
                    start_utc: w.start_utc,
                    end_utc: w.end_utc,
                    shadow_bearing_deg: w.shadow_bearing_deg,
                    bearing_fits: w.bearing_fits,
                })
                .collect(),
            grid_deg: None,
            locus: None,
            solver: SOLVER.into(),
        }
    }

    /// Where, at known instants: the places where every shadow fits.
    pub fn places_at_time(
        shadows: Vec<ShadowInput>,
        grid_deg: f64,
        area: &geo::MultiPolygon<f64>,
    ) -> Chronolocation {
        Chronolocation {
            method: "places_at_time".into(),
            shadows,
            place: None,
            local_date: None,
            time_zone: None,
            windows: Vec::new(),
            grid_deg: Some(grid_deg),
            locus: Some(locus_coordinates(area)),
            solver: SOLVER.into(),
        }
    }

    /// What it says, in a sentence.
    pub fn verdict(&self) -> String {
        let first = self.shadows.first();
        let shadow = first.map_or_else(String::new, |s| {
            format!(
                "A shadow {:.3} × the object's height (± {:.0} %)",
                s.ratio,
                s.tolerance * 100.0
            )
        });
        match (self.method.as_str(), self.place, self.local_date) {
            ("times_at_place", Some([lat, lon]), Some(date)) => {
                let spans: Vec<String> = self
                    .windows
                    .iter()
                    .filter(|w| w.bearing_fits != Some(false))
                    .map(|w| {
                        format!(
                            "{}–{}",
                            w.start_utc.format("%H:%M"),
                            w.end_utc.format("%H:%M")
                        )
                    })
                    .collect();
                format!(
                    "{shadow} fits at {lat:.6}, {lon:.6} on {date} from {} UTC.",
                    spans.join(" and ")
                )
            }
            _ => {
                let areas = self.locus.as_ref().map_or(0, Vec::len);
                let when: Vec<String> = self
                    .shadows
                    .iter()
                    .filter_map(|s| s.time_utc)
                    .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                    .collect();
                format!(
                    "{shadow}{} fits in {areas} area{} of the {}° grid at {}.",
                    if self.shadows.len() > 1 {
                        format!(" and {} more", self.shadows.len() - 1)
                    } else {
                        String::new()
                    },
                    if areas == 1 { "" } else { "s" },
                    self.grid_deg.unwrap_or_default(),
                    when.join(" and ")
                )
            }
        }
    }

    /// A finding holding this result.
    pub fn into_finding(self, title: Option<&str>) -> Finding {
        let default_title = match (self.place, self.local_date, self.shadows.first()) {
            (Some([lat, lon]), Some(date), Some(s)) => {
                format!("Shadow {:.3} at {lat:.5}, {lon:.5} on {date}", s.ratio)
            }
            (_, _, Some(s)) => format!(
                "Where a shadow {:.3} fits{}",
                s.ratio,
                s.time_utc
                    .map(|t| t.format(" at %Y-%m-%d %H:%M UTC").to_string())
                    .unwrap_or_default()
            ),
            _ => "Chronolocation".into(),
        };
        let mut finding =
            Finding::new(FindingKind::Chronolocation, title.unwrap_or(&default_title));
        finding.verdict = self.verdict();
        if let Some([lat, lon]) = self.place {
            finding.location = Some(FindingLocation {
                lat,
                lon,
                precision_m: 0.0,
            });
        }
        if self.place.is_none() {
            finding.observed_at = self
                .shadows
                .first()
                .and_then(|s| s.time_utc)
                .map(|t| t.fixed_offset());
        }
        finding.chronolocation = Some(self);
        finding
    }
}
