//! The sun on the map: for a point (the selected finding or camera, else the map
//! centre) and a time, the direction of the sun and of shadows, the day's sun path with
//! hour ticks, and the sunrise and sunset directions; a time slider moves them live.
//! The numbers come from the domain (`sun`, NREL SPA); this module draws and edits.

use super::command::{Command, Selection};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use egui::{Align2, FontId, Pos2, RichText, Shape, Stroke, Ui, Vec2};

use crate::spatial::LatLon;
use crate::sun::{self, Atmosphere, SunPosition};

use super::theme;

/// Radius of the sky drawn around the point, screen points (the horizon).
const SKY_RADIUS: f32 = 110.0;
/// The day's path is sampled this often, minutes.
const PATH_STEP_MIN: i64 = 10;

/// What the sun view shows and the day it has computed.
pub struct SunView {
    pub enabled: bool,
    /// The instant shown.
    pub time_utc: DateTime<Utc>,
    /// The local date as typed (applied when it parses).
    date_text: String,
    error: Option<String>,
    /// The day's positions at the point, every ten minutes, and the day's events,
    /// computed once per point and date.
    day: Option<Day>,
    /// A measured shadow ratio (shadow ÷ height) and its tolerance, as typed.
    pub ratio_text: String,
    pub tolerance: f64,
    /// The shadow's direction if measured (`250` or `250±10`, degrees from true north).
    pub bearing_text: String,
    /// When that ratio fits at the point on the shown date (UTC windows), or why not.
    pub windows: Option<Result<Vec<sun::Window>, String>>,
    /// Where on Earth it fits at the shown instant: computed in the background.
    pub locus: Option<Locus>,
}

impl SunView {
    /// Takes a shadow measured on the board: its ratio (with tolerance) and/or bearing,
    /// and the time to look at; the map's solvers then use them.
    pub fn use_shadow(
        &mut self,
        ratio: Option<(f64, f64)>,
        bearing: Option<(f64, f64)>,
        time: Option<DateTime<Utc>>,
    ) {
        self.enabled = true;
        if let Some((r, tolerance)) = ratio {
            self.ratio_text = format!("{r:.4}");
            self.tolerance = tolerance.clamp(0.01, 0.5);
        }
        if let Some((b, e)) = bearing {
            self.bearing_text = format!("{b:.1}±{e:.1}");
        }
        if let Some(t) = time {
            self.time_utc = t;
            self.date_text.clear();
        }
        self.windows = None;
        self.locus = None;
    }
}

/// The places where the measured shadow fits at one instant, as map outlines.
pub enum Locus {
    Computing(super::jobs::Job<Result<geo::MultiPolygon<f64>, String>>),
    Ready {
        area: geo::MultiPolygon<f64>,
        time_utc: DateTime<Utc>,
    },
    Failed(String),
}

/// Grid of the locus drawn on the map, degrees.
const LOCUS_GRID_DEG: f64 = 0.25;

struct Day {
    key: (i64, i64, NaiveDate),
    zone: chrono_tz::Tz,
    /// The sun's path over the day, every [`PATH_STEP_MIN`] minutes: computed when the
    /// sun is first drawn (not while the panel only follows the map centre as it pans).
    path: std::cell::OnceCell<Vec<(DateTime<Utc>, SunPosition)>>,
    events: Option<sun::DayEvents>,
    /// Where the sun rises and sets: azimuths, degrees, with the word to draw.
    horizon: Vec<(f64, &'static str)>,
}

impl Default for SunView {
    fn default() -> SunView {
        let now = Utc::now();
        SunView {
            enabled: false,
            time_utc: now
                .with_second(0)
                .and_then(|t| t.with_nanosecond(0))
                .unwrap_or(now),
            date_text: String::new(),
            error: None,
            day: None,
            ratio_text: String::new(),
            bearing_text: String::new(),
            tolerance: 0.05,
            windows: None,
            locus: None,
        }
    }
}

/// Degrees to a hashable key (a millionth of a degree).
fn key_of(p: LatLon) -> (i64, i64) {
    ((p.lat * 1e6).round() as i64, (p.lon * 1e6).round() as i64)
}

impl SunView {
    /// The day at `p` containing the shown instant, computed if not already.
    fn day(&mut self, p: LatLon) -> &Day {
        let zone = sun::zone_or_utc(p);
        let date = self.time_utc.with_timezone(&zone).date_naive();
        let (lat, lon) = key_of(p);
        let key = (lat, lon, date);
        if self.day.as_ref().is_some_and(|d| d.key != key) {
            self.day = None;
        }
        self.day.get_or_insert_with(|| {
            let events = sun::day_events(p, date, &zone).ok();
            let horizon = events
                .iter()
                .flat_map(|e| [(e.sunrise_utc, "sunrise"), (e.sunset_utc, "sunset")])
                .filter_map(|(t, word)| {
                    let s = sun::sun_at(p, 0.0, t?, None, Atmosphere::default()).ok()?;
                    Some((s.azimuth_deg, word))
                })
                .collect();
            Day {
                key,
                zone,
                path: std::cell::OnceCell::new(),
                events,
                horizon,
            }
        })
    }
}

impl Day {
    /// The sun's path over the day at `p` (the place this day is of).
    fn path(&self, p: LatLon) -> &[(DateTime<Utc>, SunPosition)] {
        self.path.get_or_init(|| {
            let start = local_midnight(self.key.2, self.zone);
            (0..=(24 * 60 / PATH_STEP_MIN))
                .filter_map(|i| {
                    let t = start + Duration::minutes(i * PATH_STEP_MIN);
                    sun::sun_at(p, 0.0, t, None, Atmosphere::default())
                        .ok()
                        .map(|s| (t, s))
                })
                .collect()
        })
    }
}

fn local_midnight(date: NaiveDate, zone: chrono_tz::Tz) -> DateTime<Utc> {
    let midnight = date.and_time(NaiveTime::MIN);
    zone.from_local_datetime(&midnight)
        .earliest()
        .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}

fn local_label(t: DateTime<Utc>, zone: chrono_tz::Tz, format: &str) -> String {
    t.with_timezone(&zone).format(format).to_string()
}

/// The "Sun and shadows" section of the map inspector: the switch, the date, the time
/// slider, and what the sun does at the point.
pub fn sun_panel_ui(
    ui: &mut Ui,
    view: &mut SunView,
    point: Option<(LatLon, String)>,
    observed_at: Option<DateTime<Utc>>,
    commands: &mut Vec<Command>,
) {
    ui.separator();
    egui::CollapsingHeader::new("Sun and shadows")
        .id_salt("sun-panel")
        .default_open(true)
        .show(ui, |ui| {
            ui.checkbox(&mut view.enabled, "Show the sun on the map");
            let Some((p, what)) = point else {
                ui.label("Select a finding or a camera with a position.");
                return;
            };
            ui.label(RichText::new(format!("at {what}")).small());
            if let Some(t) = observed_at
                && ui
                    .button("Use the finding's time")
                    .on_hover_text(t.to_rfc3339())
                    .clicked()
            {
                view.time_utc = t;
                view.date_text.clear();
            }
            let zone = view.day(p).zone;
            date_time_ui(ui, view, zone);
            if let Some(e) = &view.error {
                ui.label(RichText::new(e).color(theme::ERROR));
            }
            sun_numbers_ui(ui, view, p);
            day_events_ui(ui, view, p, zone);
            solve_ui(ui, view, p, zone, commands);
            ui.label(
                RichText::new(
                    "Flat ground and a vertical object assumed; SPA with standard refraction.",
                )
                .small()
                .italics(),
            );
        });
}

/// The date field and the local-time slider, in the point's time zone.
fn date_time_ui(ui: &mut Ui, view: &mut SunView, zone: chrono_tz::Tz) {
    let zone_name = zone.name();
    let shown = view.time_utc.with_timezone(&zone).naive_local();
    if view.date_text.is_empty() {
        view.date_text = shown.date().to_string();
    }
    ui.horizontal(|ui| {
        let label = ui.label("Date");
        let edit = ui
            .add(egui::TextEdit::singleline(&mut view.date_text).desired_width(90.0))
            .labelled_by(label.id);
        if edit.lost_focus() || ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            match NaiveDate::parse_from_str(view.date_text.trim(), "%Y-%m-%d") {
                // A time of day that a daylight-saving change skips or repeats on
                // the new date is refused with both candidates, never guessed.
                Ok(date) => match sun::local_to_utc(date.and_time(shown.time()), &zone) {
                    Ok(t) => {
                        view.time_utc = t;
                        view.error = None;
                    }
                    Err(e) => view.error = Some(e.to_string()),
                },
                Err(_) => view.error = Some(format!("{:?} is not YYYY-MM-DD", view.date_text)),
            }
        }
        ui.label(RichText::new(zone_name).small());
    });
    let mut minutes = shown.time().num_seconds_from_midnight() / 60;
    let slider = ui.add(
        egui::Slider::new(&mut minutes, 0..=24 * 60 - 1)
            .text("local time")
            .custom_formatter(|m, _| format!("{:02}:{:02}", m as u32 / 60, m as u32 % 60)),
    );
    if slider.changed() {
        let midnight = local_midnight(shown.date(), zone);
        view.time_utc = midnight + Duration::minutes(i64::from(minutes));
    }
}

/// Where the sun is at the point at the shown instant, and the shadow it casts.
fn sun_numbers_ui(ui: &mut Ui, view: &SunView, p: LatLon) {
    match sun::sun_at(p, 0.0, view.time_utc, None, Atmosphere::default()) {
        Ok(s) => {
            egui::Grid::new("sun-numbers")
                .num_columns(2)
                .show(ui, |ui| {
                    ui.label("UTC");
                    ui.label(view.time_utc.format("%Y-%m-%d %H:%M").to_string());
                    ui.end_row();
                    ui.label("Azimuth");
                    ui.label(format!("{:.2}°", s.azimuth_deg));
                    ui.end_row();
                    ui.label("Elevation");
                    ui.label(format!(
                        "{:.2}° (apparent {:.2}°)",
                        s.elevation_deg, s.apparent_elevation_deg
                    ));
                    ui.end_row();
                    ui.label("Shadow");
                    ui.label(match s.shadow_ratio() {
                        Some(r) => {
                            format!("{r:.3} × height, toward {:.1}°", s.shadow_bearing_deg())
                        }
                        None => "none: the sun is below the horizon".into(),
                    });
                    ui.end_row();
                });
        }
        Err(e) => {
            ui.label(RichText::new(e.to_string()).color(theme::ERROR));
        }
    }
}

/// Sunrise, solar noon and sunset at the point on the shown day.
fn day_events_ui(ui: &mut Ui, view: &mut SunView, p: LatLon, zone: chrono_tz::Tz) {
    let zone_name = zone.name();
    if let Some(events) = view.day(p).events.clone() {
        let t =
            |x: Option<DateTime<Utc>>| x.map_or("—".into(), |x| local_label(x, zone, "%H:%M"));
        ui.label(match events.polar {
            Some(reason) => format!("{reason}: no sunrise or sunset"),
            None => format!(
                "Sunrise {} · noon {} · sunset {} ({zone_name})",
                t(events.sunrise_utc),
                t(events.solar_noon_utc),
                t(events.sunset_utc)
            ),
        });
    }
}

/// A measured shadow: when it fits at the point that day, and where on Earth it fits at
/// the shown instant.
fn solve_ui(
    ui: &mut Ui,
    view: &mut SunView,
    p: LatLon,
    zone: chrono_tz::Tz,
    commands: &mut Vec<Command>,
) {
    let measure = measure_ui(ui, view);
    ui.horizontal(|ui| {
        if ui.button("When, this day?").clicked() {
            let date = view.time_utc.with_timezone(&zone).date_naive();
            view.windows = Some(measure.clone().and_then(|(m, b)| {
                sun::windows_on(p, date, &zone, m, b, Atmosphere::default())
                    .map_err(|e| e.to_string())
            }));
        }
        if ui.button("Where, at this time?").clicked() {
            view.locus = Some(match measure.clone() {
                Ok((m, b)) => Locus::Computing(start_locus(ui.ctx(), view.time_utc, m, b)),
                Err(e) => Locus::Failed(e),
            });
        }
    });
    windows_ui(ui, view, p, zone, &measure, commands);
    locus_ui(ui, view, &measure, commands);
}

/// The measured shadow: its ratio to the height, the tolerance and the bearing if any.
fn measure_ui(
    ui: &mut Ui,
    view: &mut SunView,
) -> Result<(sun::RatioMeasure, Option<sun::BearingMeasure>), String> {
    ui.separator();
    ui.label(RichText::new("A measured shadow").strong());
    ui.horizontal(|ui| {
        let label = ui.label("Shadow ÷ height");
        ui.add(egui::TextEdit::singleline(&mut view.ratio_text).desired_width(60.0))
            .labelled_by(label.id);
        let label = ui.label("±");
        ui.add(
            egui::DragValue::new(&mut view.tolerance)
                .range(0.01..=0.5)
                .speed(0.005)
                .custom_formatter(|v, _| format!("{:.0} %", v * 100.0)),
        )
        .labelled_by(label.id);
    });
    ui.horizontal(|ui| {
        let label = ui.label("Shadow toward (°, optional)");
        ui.add(
            egui::TextEdit::singleline(&mut view.bearing_text)
                .hint_text("250±10")
                .desired_width(70.0),
        )
        .labelled_by(label.id);
    });
    let bearing = match view.bearing_text.trim() {
        "" => Ok(None),
        text => sun::BearingMeasure::parse(text)
            .map(Some)
            .map_err(|e| e.to_string()),
    };
    view.ratio_text
        .trim()
        .parse::<f64>()
        .map_err(|_| format!("{:?} is not a number", view.ratio_text.trim()))
        .and_then(|r| sun::RatioMeasure::new(r, view.tolerance).map_err(|e| e.to_string()))
        .and_then(|m| bearing.map(|b| (m, b)))
}

/// The times of the shown day when the shadow fits, and saving them as a finding.
fn windows_ui(
    ui: &mut Ui,
    view: &mut SunView,
    p: LatLon,
    zone: chrono_tz::Tz,
    measure: &Result<(sun::RatioMeasure, Option<sun::BearingMeasure>), String>,
    commands: &mut Vec<Command>,
) {
    match &view.windows {
        Some(Ok(windows)) if windows.is_empty() => {
            ui.label("No time that day gives this shadow.");
        }
        Some(Ok(windows)) => {
            let mut pick = None;
            for w in windows {
                let fits = match w.bearing_fits {
                    Some(true) => ", bearing fits",
                    Some(false) => ", bearing does not fit",
                    None => "",
                };
                let span = format!(
                    "{} – {} (shadow toward {:.0}°{fits})",
                    local_label(w.start_utc, zone, "%H:%M:%S"),
                    local_label(w.end_utc, zone, "%H:%M:%S"),
                    w.shadow_bearing_deg
                );
                if ui
                    .link(span)
                    .on_hover_text("Show the middle of this window")
                    .clicked()
                {
                    pick = Some(w.start_utc + (w.end_utc - w.start_utc) / 2);
                }
            }
            if let Some(t) = pick {
                view.time_utc = t;
            }
            if let Ok((m, b)) = measure
                && ui
                    .button("Save as a chronolocation finding")
                    .on_hover_text("Record the shadow, the place, the date and these windows")
                    .clicked()
            {
                let date = view.time_utc.with_timezone(&zone).date_naive();
                let record = crate::case::Chronolocation::times_at_place(
                    p,
                    date,
                    zone.name(),
                    crate::case::chronolocation::shadow_input(*m, *b, None),
                    windows,
                );
                save_finding(commands, record.into_finding(None));
            }
        }
        Some(Err(e)) => {
            ui.label(RichText::new(e).color(theme::ERROR));
        }
        None => {}
    }
}

/// The places where the shadow fits at the shown instant (a job), and saving them.
fn locus_ui(
    ui: &mut Ui,
    view: &mut SunView,
    measure: &Result<(sun::RatioMeasure, Option<sun::BearingMeasure>), String>,
    commands: &mut Vec<Command>,
) {
    if let Some(Locus::Computing(job)) = &mut view.locus {
        let next = match job.take_flat() {
            Some(Ok(area)) => Some(Locus::Ready {
                area,
                time_utc: view.time_utc,
            }),
            Some(Err(e)) => Some(Locus::Failed(e)),
            None => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Finding the places…");
                });
                None
            }
        };
        if let Some(next) = next {
            view.locus = Some(next);
        }
    }
    let mut clear = false;
    match &view.locus {
        Some(Locus::Ready { area, time_utc }) => {
            ui.label(format!(
                "Drawn on the map: {} area(s) where this shadow fits at {} UTC ({LOCUS_GRID_DEG}° grid).",
                area.0.len(),
                time_utc.format("%Y-%m-%d %H:%M")
            ));
            clear = ui.button("Clear the places").clicked();
            if let Ok((m, b)) = measure
                && ui
                    .button("Save these places as a chronolocation finding")
                    .clicked()
            {
                let record = crate::case::Chronolocation::places_at_time(
                    vec![crate::case::chronolocation::shadow_input(
                        *m,
                        *b,
                        Some(*time_utc),
                    )],
                    LOCUS_GRID_DEG,
                    area,
                );
                save_finding(commands, record.into_finding(None));
            }
        }
        Some(Locus::Failed(e)) => {
            ui.label(RichText::new(e).color(theme::ERROR));
        }
        _ => {}
    }
    if clear {
        view.locus = None;
    }
}

/// The locus of a measured shadow at `time`, as a job.
fn start_locus(
    ctx: &egui::Context,
    time: DateTime<Utc>,
    measure: sun::RatioMeasure,
    bearing: Option<sun::BearingMeasure>,
) -> super::jobs::Job<Result<geo::MultiPolygon<f64>, String>> {
    super::jobs::Jobs::of(ctx).spawn(Some(ctx), "the shadow locus", move |_| {
        sun::locus(
            time,
            measure,
            bearing,
            LOCUS_GRID_DEG,
            Atmosphere::default(),
        )
        .map(|l| l.area)
        .map_err(|e| e.to_string())
    })
}

/// Outlines the places where the measured shadow fits.
pub fn draw_locus(painter: &egui::Painter, view: &SunView, project: impl Fn(LatLon) -> Pos2) {
    let Some(Locus::Ready { area, .. }) = &view.locus else {
        return;
    };
    for poly in area {
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            let points: Vec<Pos2> = ring
                .coords()
                .map(|c| project(LatLon { lat: c.y, lon: c.x }))
                .collect();
            painter.add(Shape::closed_line(points, Stroke::new(2.0, theme::SUN)));
        }
    }
}

/// Where the sun at `s` sits on the sky disc around `center` (zenith at the centre,
/// horizon on the rim, north up).
fn sky_point(center: Pos2, s: &SunPosition) -> Pos2 {
    let r = SKY_RADIUS * (90.0 - s.apparent_elevation_deg.max(0.0)) as f32 / 90.0;
    let a = (s.azimuth_deg as f32).to_radians();
    center + Vec2::new(a.sin(), -a.cos()) * r
}

fn direction(center: Pos2, bearing_deg: f64, length: f32) -> Pos2 {
    let a = (bearing_deg as f32).to_radians();
    center + Vec2::new(a.sin(), -a.cos()) * length
}

/// Draws the sun's day and the shown instant around `center` (the point on screen).
/// Saves a chronolocation as a new finding and selects it.
fn save_finding(commands: &mut Vec<Command>, finding: crate::case::Finding) {
    let id = finding.id.clone();
    commands.push(Command::Edit(crate::case::Edit::PutFinding(Box::new(
        finding,
    ))));
    commands.push(Command::Select(Selection::Finding(id)));
}

pub fn draw_sun(painter: &egui::Painter, center: Pos2, view: &mut SunView, p: LatLon) {
    let time = view.time_utc;
    let day = view.day(p);
    let zone = day.zone;
    painter.circle_stroke(
        center,
        SKY_RADIUS,
        Stroke::new(1.0, theme::SUN_PATH.gamma_multiply(0.5)),
    );
    // The day's path above the horizon, with hour ticks.
    let mut segment: Vec<Pos2> = Vec::new();
    let mut segments = Vec::new();
    for (t, s) in day.path(p) {
        if s.apparent_elevation_deg > 0.0 {
            let q = sky_point(center, s);
            segment.push(q);
            if t.with_timezone(&zone).minute() == 0 {
                painter.circle_filled(q, 2.5, theme::SUN_PATH);
                painter.text(
                    q + Vec2::new(4.0, -4.0),
                    Align2::LEFT_BOTTOM,
                    local_label(*t, zone, "%H"),
                    FontId::proportional(10.0),
                    theme::SUN_PATH,
                );
            }
        } else if !segment.is_empty() {
            segments.push(std::mem::take(&mut segment));
        }
    }
    segments.push(segment);
    for s in segments.into_iter().filter(|s| s.len() > 1) {
        painter.add(Shape::line(s, Stroke::new(1.5, theme::SUN_PATH)));
    }
    // Sunrise and sunset directions on the horizon.
    for &(azimuth, word) in &day.horizon {
        let rim = direction(center, azimuth, SKY_RADIUS);
        painter.extend(Shape::dashed_line(
            &[center, rim],
            Stroke::new(1.0, theme::SUN_PATH),
            4.0,
            3.0,
        ));
        painter.text(
            rim,
            Align2::CENTER_BOTTOM,
            word,
            FontId::proportional(10.0),
            theme::SUN_PATH,
        );
    }
    // The shown instant: the sun's direction and the shadow's.
    if let Ok(s) = sun::sun_at(p, 0.0, time, None, Atmosphere::default())
        && s.apparent_elevation_deg > 0.0
    {
        let at = sky_point(center, &s);
        painter.line_segment(
            [center, direction(center, s.azimuth_deg, SKY_RADIUS)],
            Stroke::new(2.0, theme::SUN),
        );
        painter.circle_filled(at, 7.0, theme::SUN);
        let ratio = s.shadow_ratio().unwrap_or(0.0).min(4.0) as f32;
        let tip = direction(
            center,
            s.shadow_bearing_deg(),
            SKY_RADIUS * 0.25 * ratio.max(0.2),
        );
        // Dark on a light halo: reads on any imagery.
        painter.line_segment([center, tip], Stroke::new(6.0, theme::SHADOW_HALO));
        painter.line_segment([center, tip], Stroke::new(3.0, theme::SHADOW));
        painter.text(
            tip,
            Align2::LEFT_TOP,
            "shadow",
            FontId::proportional(11.0),
            theme::SHADOW_HALO,
        );
    }
}
