//! Coordinates as analysts paste them, and every form they publish them in.
//!
//! Accepted: decimal degrees (`53.079839, 34.554344`, with signs or N/S/E/W),
//! degrees-minutes-seconds and degrees-decimal-minutes (`53°04'47.4"N 34°33'15.6"E`),
//! MGRS (`36UXU 12345 67890`), UTM (`36U 539350 5881550`), Google Maps and
//! OpenStreetMap URLs, and `geo:` URIs. Anything ambiguous or out of range is refused
//! with the reason, never guessed.

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

/// A WGS84 position in decimal degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

/// A latitude or longitude outside its range (or not a number), with the value.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum RangeError {
    #[error("latitude {0} is outside -90..90")]
    Latitude(f64),
    #[error("longitude {0} is outside -180..180")]
    Longitude(f64),
}

/// Why a text is not a coordinate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a coordinate: {reason}")]
pub struct CoordError {
    pub input: String,
    pub reason: String,
}

impl LatLon {
    /// A checked position: latitude within ±90°, longitude within ±180°.
    pub fn new(lat: f64, lon: f64) -> Result<LatLon, RangeError> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(RangeError::Latitude(lat));
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err(RangeError::Longitude(lon));
        }
        Ok(LatLon { lat, lon })
    }

    /// The `geo` point for this position (x = longitude).
    pub fn to_point(self) -> geo::Point<f64> {
        geo::Point::new(self.lon, self.lat)
    }

    /// `53.079839, 34.554344` — six decimals (about 0.1 m), latitude first.
    pub fn to_decimal(self) -> String {
        format!("{:.6}, {:.6}", self.lat, self.lon)
    }

    /// `53°04'47.4"N 34°33'15.6"E`.
    pub fn to_dms(self) -> String {
        format!(
            "{} {}",
            dms(self.lat, ['N', 'S'], 2),
            dms(self.lon, ['E', 'W'], 3)
        )
    }

    /// `53°04.7903'N 34°33.2606'E`.
    pub fn to_ddm(self) -> String {
        format!(
            "{} {}",
            ddm(self.lat, ['N', 'S'], 2),
            ddm(self.lon, ['E', 'W'], 3)
        )
    }

    /// MGRS at 1 m precision, grouped: `36U XU 12345 67890` (`None` where MGRS does not
    /// reach, which cannot happen for valid WGS84 input but is not assumed).
    pub fn to_mgrs(self) -> Option<String> {
        let ll = geoconvert::LatLon::create(self.lat, self.lon).ok()?;
        let compact = ll.to_mgrs(5).to_string();
        // compact = <zone+band or UPS letter><2 square letters><5 easting><5 northing>
        let split = compact.len().checked_sub(12)?;
        let (head, digits) = compact.split_at(split + 2);
        let (grid, square) = head.split_at(split);
        Some(format!("{grid} {square} {} {}", &digits[..5], &digits[5..]))
    }

    /// UTM (or UPS near the poles): `36U 539350 5881550`, metres, rounded to 1 m.
    pub fn to_utm(self) -> Option<String> {
        let ll = geoconvert::LatLon::create(self.lat, self.lon).ok()?;
        let utm = ll.to_utmups();
        let zone = utm.zone();
        Some(if zone == 0 {
            let hemi = if utm.is_north() { "N" } else { "S" };
            format!("UPS {hemi} {:.0} {:.0}", utm.easting(), utm.northing())
        } else {
            format!(
                "{zone}{} {:.0} {:.0}",
                latitude_band(self.lat),
                utm.easting().floor(),
                utm.northing().floor()
            )
        })
    }

    pub fn to_geo_uri(self) -> String {
        format!("geo:{:.6},{:.6}", self.lat, self.lon)
    }

    pub fn to_google_maps_url(self) -> String {
        format!(
            "https://www.google.com/maps/search/?api=1&query={:.6},{:.6}",
            self.lat, self.lon
        )
    }

    pub fn to_osm_url(self) -> String {
        format!(
            "https://www.openstreetmap.org/?mlat={0:.6}&mlon={1:.6}#map=16/{0:.6}/{1:.6}",
            self.lat, self.lon
        )
    }

    /// Every published form, keyed by name.
    pub fn all_formats(self) -> Vec<(&'static str, String)> {
        let mut out = vec![
            ("decimal", self.to_decimal()),
            ("dms", self.to_dms()),
            ("ddm", self.to_ddm()),
        ];
        if let Some(mgrs) = self.to_mgrs() {
            out.push(("mgrs", mgrs));
        }
        if let Some(utm) = self.to_utm() {
            out.push(("utm", utm));
        }
        out.push(("geo_uri", self.to_geo_uri()));
        out.push(("google_maps", self.to_google_maps_url()));
        out.push(("osm", self.to_osm_url()));
        out
    }
}

impl fmt::Display for LatLon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_decimal())
    }
}

/// The MGRS/UTM latitude band letter (C–X, omitting I and O).
fn latitude_band(lat: f64) -> char {
    const BANDS: &[u8] = b"CDEFGHJKLMNPQRSTUVWX";
    let index = (((lat + 80.0) / 8.0).floor() as i32).clamp(0, 19) as usize;
    char::from(BANDS[index])
}

fn dms(value: f64, hemis: [char; 2], width: usize) -> String {
    let hemi = if value < 0.0 { hemis[1] } else { hemis[0] };
    // Round once at the displayed precision (0.1″) so 59.96″ never prints as 60.0″.
    let tenths = (value.abs() * 36_000.0).round() as u64;
    let (deg, rest) = (tenths / 36_000, tenths % 36_000);
    let (min, sec_tenths) = (rest / 600, rest % 600);
    format!(
        "{deg:0width$}°{min:02}'{:02}.{}\"{hemi}",
        sec_tenths / 10,
        sec_tenths % 10
    )
}

fn ddm(value: f64, hemis: [char; 2], width: usize) -> String {
    let hemi = if value < 0.0 { hemis[1] } else { hemis[0] };
    let units = (value.abs() * 600_000.0).round() as u64; // 1e-4 minute
    let (deg, rest) = (units / 600_000, units % 600_000);
    format!(
        "{deg:0width$}°{:02}.{:04}'{hemi}",
        rest / 10_000,
        rest % 10_000
    )
}

/// Parses any accepted coordinate form.
pub fn parse_coordinate(text: &str) -> Result<LatLon, CoordError> {
    let fail = |reason: String| CoordError {
        input: text.to_owned(),
        reason,
    };
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(fail("empty input".into()));
    }
    let result = if let Some(rest) = strip_prefix_ci(trimmed, "geo:") {
        parse_geo_uri(rest)
    } else if looks_like_url(trimmed) {
        parse_map_url(trimmed)
    } else if let Some(result) = parse_grid(trimmed) {
        result
    } else {
        parse_angles(trimmed)
    };
    result.map_err(fail)
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

fn looks_like_url(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("www.")
        || lower.starts_with("google.")
        || lower.starts_with("maps.google.")
        || lower.starts_with("openstreetmap.")
}

/// `geo:lat,lon[,alt][;crs=wgs84][;u=unc]` (RFC 5870).
fn parse_geo_uri(rest: &str) -> Result<LatLon, String> {
    let coords = rest.split(';').next().unwrap_or_default();
    if let Some(crs) = rest
        .split(';')
        .skip(1)
        .find_map(|p| strip_prefix_ci(p.trim(), "crs="))
        && !crs.eq_ignore_ascii_case("wgs84")
    {
        return Err(format!("geo: URI uses crs={crs}; only WGS84 is supported"));
    }
    let parts: Vec<&str> = coords.split(',').collect();
    if !(2..=3).contains(&parts.len()) {
        return Err("a geo: URI needs latitude,longitude".into());
    }
    LatLon::new(number(parts[0])?, number(parts[1])?).map_err(|e| e.to_string())
}

fn number(text: &str) -> Result<f64, String> {
    let t = text.trim();
    t.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("{t:?} is not a number"))
}

/// Google Maps and OpenStreetMap links. A place's own coordinates (`!3d…!4d…`,
/// `mlat/mlon`, `q=`) win over the map view centre (`@…`, `#map=`), which only shows
/// where the map was looking.
fn parse_map_url(url: &str) -> Result<LatLon, String> {
    static NUM: &str = r"(-?\d+(?:\.\d+)?)";
    static PATTERNS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
        [
            format!(r"!3d{NUM}!4d{NUM}"),
            format!(r"[?&#]mlat={NUM}&mlon={NUM}"),
            format!(r"[?&](?:q|query|ll|center|destination|daddr)=(?:loc:)?{NUM}\s*,\s*{NUM}"),
            format!(r"[?&]lat={NUM}&(?:lon|lng)={NUM}"),
            format!(r"/@{NUM},{NUM}"),
            format!(r"#map=\d+(?:\.\d+)?/{NUM}/{NUM}"),
            format!(r"/(?:place|search|dir)/{NUM}\s*,\s*{NUM}"),
        ]
        .iter()
        .filter_map(|p| Regex::new(p).ok())
        .collect()
    });
    let decoded = url
        .replace("%2C", ",")
        .replace("%2c", ",")
        .replace("%20", " ")
        .replace('+', " ");
    for pattern in PATTERNS.iter() {
        if let Some(caps) = pattern.captures(&decoded) {
            let lat = number(&caps[1])?;
            let lon = number(&caps[2])?;
            return LatLon::new(lat, lon).map_err(|e| e.to_string());
        }
    }
    Err("no coordinates found in this link (short links such as maps.app.goo.gl must be opened first)".into())
}

/// MGRS or UTM, recognised by their shape. `None` when the text is neither.
fn parse_grid(text: &str) -> Option<Result<LatLon, String>> {
    static MGRS: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r"^(?i)(\d{1,2}[C-HJ-NP-X]|[ABYZ])\s*([A-HJ-NP-Z][A-HJ-NP-V])\s*(\d+)\s*(\d*)$")
            .ok()
    });
    static UTM: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(
            r"^(?i)(\d{1,2})\s*([C-HJ-NP-X]|north|south)\s+(\d+(?:\.\d+)?)\s*(?:m\s*)?E?\s+(\d+(?:\.\d+)?)\s*(?:m\s*)?N?$",
        )
        .ok()
    });
    if let Some(caps) = MGRS.as_ref()?.captures(text) {
        return Some(parse_mgrs(&caps[1], &caps[2], &caps[3], &caps[4]));
    }
    let caps = UTM.as_ref()?.captures(text)?;
    Some(parse_utm(&caps[1], &caps[2], &caps[3], &caps[4]))
}

fn parse_mgrs(grid: &str, square: &str, east: &str, north: &str) -> Result<LatLon, String> {
    let digits = if north.is_empty() {
        if !east.len().is_multiple_of(2) {
            return Err(format!(
                "MGRS digits {east:?} have odd length; easting and northing need the same number of digits"
            ));
        }
        east.to_owned()
    } else {
        if east.len() != north.len() {
            return Err(format!(
                "MGRS easting {east:?} and northing {north:?} have different precision"
            ));
        }
        format!("{east}{north}")
    };
    if digits.len() > 10 {
        return Err("MGRS has more than 5 digits per axis".into());
    }
    let compact = format!("{}{}{}", grid, square, digits).to_ascii_uppercase();
    let mgrs = geoconvert::Mgrs::parse_str(&compact).map_err(|e| format!("invalid MGRS: {e}"))?;
    let ll = mgrs.to_latlon();
    LatLon::new(ll.latitude(), ll.longitude()).map_err(|e| e.to_string())
}

fn parse_utm(zone: &str, band: &str, east: &str, north: &str) -> Result<LatLon, String> {
    let zone: i32 = zone.parse().map_err(|_| format!("UTM zone {zone:?}"))?;
    if !(1..=60).contains(&zone) {
        return Err(format!("UTM zone {zone} is outside 1..60"));
    }
    let band = band.to_ascii_uppercase();
    let north_hemisphere = match band.as_str() {
        "NORTH" => true,
        "SOUTH" => false,
        // Band S (32–40°N) and hemisphere S read the same; refuse rather than guess.
        "S" => {
            return Err(
                "'S' could be latitude band S (northern) or the southern hemisphere; write the zone with 'north' or 'south'".into(),
            );
        }
        b => b.as_bytes()[0] >= b'N',
    };
    let easting = number(east)?;
    let northing = number(north)?;
    let utm = geoconvert::UtmUps::create(zone, north_hemisphere, easting, northing)
        .map_err(|e| format!("invalid UTM: {e}"))?;
    let ll = utm.to_latlon();
    let position = LatLon::new(ll.latitude(), ll.longitude()).map_err(|e| e.to_string())?;
    if band.len() == 1 && latitude_band(position.lat).to_string() != band {
        return Err(format!(
            "northing {northing} lies in latitude band {}, not {band}",
            latitude_band(position.lat)
        ));
    }
    Ok(position)
}

/// One token of a degrees/minutes/seconds text.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Token {
    Number(f64, bool), // value, has a fractional part
    Degree,
    Minute,
    Second,
    Hemisphere(char),
    Separator,
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let normalised = text
        .replace("''", "\"")
        .replace(['′', '’', '‘', '´', '`'], "'")
        .replace(['″', '”', '“'], "\"")
        .replace(['º', '˚'], "°");
    let chars: Vec<char> = normalised.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => {}
            ',' | ';' => tokens.push(Token::Separator),
            '°' => tokens.push(Token::Degree),
            '\'' => tokens.push(Token::Minute),
            '"' => tokens.push(Token::Second),
            'N' | 'S' | 'E' | 'W' | 'n' | 's' | 'e' | 'w' => {
                tokens.push(Token::Hemisphere(c.to_ascii_uppercase()))
            }
            '+' | '-' | '0'..='9' | '.' => {
                let start = i;
                i += 1;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                let value = number(&text)?;
                tokens.push(Token::Number(value, text.contains('.')));
                continue;
            }
            other => return Err(format!("unexpected character {other:?}")),
        }
        i += 1;
    }
    Ok(tokens)
}

/// One half of a pair: the numbers with their unit marks and an optional hemisphere.
#[derive(Debug, Default, Clone)]
struct Part {
    numbers: Vec<(f64, bool, Option<Token>)>,
    hemisphere: Option<char>,
}

fn split_parts(tokens: &[Token]) -> Result<Vec<Part>, String> {
    let mut parts: Vec<Part> = Vec::new();
    let mut current = Part::default();
    let has_hemispheres = tokens.iter().any(|t| matches!(t, Token::Hemisphere(_)));
    let has_separators = tokens.contains(&Token::Separator);
    let close = |current: &mut Part, parts: &mut Vec<Part>| {
        if !current.numbers.is_empty() || current.hemisphere.is_some() {
            parts.push(std::mem::take(current));
        }
    };
    for (i, token) in tokens.iter().enumerate() {
        match *token {
            Token::Hemisphere(h) => {
                if !current.numbers.is_empty() && current.hemisphere.is_none() {
                    current.hemisphere = Some(h);
                    close(&mut current, &mut parts);
                } else {
                    close(&mut current, &mut parts);
                    current.hemisphere = Some(h);
                }
            }
            Token::Separator => close(&mut current, &mut parts),
            Token::Number(v, frac) => {
                let unit = match tokens.get(i + 1) {
                    Some(t @ (Token::Degree | Token::Minute | Token::Second)) => Some(*t),
                    _ => None,
                };
                // Without letters or commas, a new degree value starts the second half.
                let starts_new = !has_hemispheres
                    && !has_separators
                    && !current.numbers.is_empty()
                    && (unit == Some(Token::Degree)
                        || (unit.is_none()
                            && current.numbers.iter().all(|n| n.2.is_none())
                            && current.numbers[0].1));
                if starts_new {
                    close(&mut current, &mut parts);
                }
                current.numbers.push((v, frac, unit));
            }
            Token::Degree | Token::Minute | Token::Second => {
                if !matches!(tokens.get(i.wrapping_sub(1)), Some(Token::Number(..))) {
                    return Err("a unit mark (° ' \") without a number".into());
                }
            }
        }
    }
    close(&mut current, &mut parts);
    // Bare integers with no marks at all ("53 04 47 34 33 15"): split in half.
    if parts.len() == 1 && !has_hemispheres && !has_separators {
        let only = &parts[0];
        let n = only.numbers.len();
        if only.numbers.iter().all(|x| x.2.is_none()) && n.is_multiple_of(2) && n <= 6 {
            let (a, b) = only.numbers.split_at(n / 2);
            return Ok(vec![
                Part {
                    numbers: a.to_vec(),
                    hemisphere: None,
                },
                Part {
                    numbers: b.to_vec(),
                    hemisphere: None,
                },
            ]);
        }
    }
    Ok(parts)
}

/// Degrees (+ minutes (+ seconds)) → signed decimal degrees, hemisphere not yet applied.
fn part_value(part: &Part) -> Result<f64, String> {
    let n = &part.numbers;
    if n.is_empty() {
        return Err("a hemisphere letter without a number".into());
    }
    if n.len() > 3 {
        return Err(format!("{} numbers in one coordinate", n.len()));
    }
    let expected = [Token::Degree, Token::Minute, Token::Second];
    for (k, (_, frac, unit)) in n.iter().enumerate() {
        if let Some(u) = unit
            && *u != expected[k]
        {
            return Err("degrees, minutes and seconds are out of order".into());
        }
        if *frac && k + 1 < n.len() {
            return Err("only the last of degrees/minutes/seconds may have decimals".into());
        }
    }
    let degrees = n[0].0;
    let negative = degrees.is_sign_negative();
    let mut value = degrees.abs();
    for (k, (v, _, _)) in n.iter().enumerate().skip(1) {
        if *v < 0.0 {
            return Err("minutes and seconds cannot be negative".into());
        }
        if *v >= 60.0 {
            let name = if k == 1 { "minutes" } else { "seconds" };
            return Err(format!("{name} {v} must be below 60"));
        }
        value += v / if k == 1 { 60.0 } else { 3600.0 };
    }
    Ok(if negative { -value } else { value })
}

fn parse_angles(text: &str) -> Result<LatLon, String> {
    let tokens = tokenize(text)?;
    let parts = split_parts(&tokens)?;
    if parts.len() != 2 {
        return Err(format!(
            "expected latitude and longitude, found {} value{}",
            parts.len(),
            if parts.len() == 1 { "" } else { "s" }
        ));
    }
    let mut values = [0.0; 2];
    for (slot, part) in values.iter_mut().zip(&parts) {
        let mut v = part_value(part)?;
        if let Some(h) = part.hemisphere {
            if v < 0.0 {
                return Err(format!("both a minus sign and '{h}'"));
            }
            if h == 'S' || h == 'W' {
                v = -v;
            }
        }
        *slot = v;
    }
    let axis = |p: &Part| match p.hemisphere {
        Some('N' | 'S') => Some('y'),
        Some(_) => Some('x'),
        None => None,
    };
    let (lat, lon) = match (axis(&parts[0]), axis(&parts[1])) {
        (Some('x'), Some('x')) | (Some('y'), Some('y')) => {
            return Err("both values have the same kind of hemisphere letter".into());
        }
        (Some('x'), _) | (_, Some('y')) => (values[1], values[0]),
        _ => (values[0], values[1]),
    };
    if lat.abs() > 90.0 && lon.abs() <= 90.0 && parts.iter().all(|p| p.hemisphere.is_none()) {
        return Err(format!(
            "latitude {lat} is outside -90..90 (is this longitude, latitude? write latitude first)"
        ));
    }
    LatLon::new(lat, lon).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> LatLon {
        parse_coordinate(text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn close(a: LatLon, lat: f64, lon: f64, tol: f64) {
        assert!(
            (a.lat - lat).abs() < tol && (a.lon - lon).abs() < tol,
            "{a:?} != {lat}, {lon}"
        );
    }

    #[test]
    fn decimal_forms() {
        for text in [
            "53.079839, 34.554344",
            "53.079839 34.554344",
            "53.079839,34.554344",
            "53.079839N 34.554344E",
            "N53.079839 E34.554344",
            "34.554344E, 53.079839N",
            "+53.079839; +34.554344",
        ] {
            close(ok(text), 53.079839, 34.554344, 1e-9);
        }
        close(ok("-33.86882, 151.20929"), -33.86882, 151.20929, 1e-9);
        close(ok("33.86882S 151.20929E"), -33.86882, 151.20929, 1e-9);
        close(ok("28.56194 N, 80.57735 W"), 28.56194, -80.57735, 1e-9);
    }

    #[test]
    fn dms_and_ddm_forms() {
        close(
            ok("53°04'47.4\"N 34°33'15.6\"E"),
            53.079833,
            34.554333,
            1e-6,
        );
        close(ok("53°04′47.4″N, 34°33′15.6″E"), 53.079833, 34.554333, 1e-6);
        close(ok("53 04 47.4 N 34 33 15.6 E"), 53.079833, 34.554333, 1e-6);
        close(
            ok("N 53° 4.7903' E 34° 33.2606'"),
            53.079838,
            34.554343,
            1e-6,
        );
        close(ok("53°04.7903'N 34°33.2606'E"), 53.079838, 34.554343, 1e-6);
        close(
            ok("33°52'07.8\"S 151°12'33.4\"E"),
            -33.868833,
            151.209278,
            1e-6,
        );
        close(ok("53°N 34°E"), 53.0, 34.0, 1e-12);
    }

    #[test]
    fn urls_and_geo_uris() {
        let target = (53.079839, 34.554344);
        for text in [
            "geo:53.079839,34.554344",
            "geo:53.079839,34.554344,120;u=35",
            "https://www.google.com/maps/@53.079839,34.554344,17z",
            "https://www.google.com/maps/place/Some+Place/@53.07,34.55,15z/data=!3m1!4b1!4m5!3m4!1s0x0:0x0!8m2!3d53.079839!4d34.554344",
            "https://www.google.com/maps/search/?api=1&query=53.079839%2C34.554344",
            "https://maps.google.com/?q=53.079839,34.554344",
            "https://www.openstreetmap.org/?mlat=53.079839&mlon=34.554344#map=16/53.08/34.55",
            "https://www.openstreetmap.org/#map=18/53.079839/34.554344",
        ] {
            close(ok(text), target.0, target.1, 1e-9);
        }
    }

    #[test]
    fn grid_references() {
        // Reference values from GeographicLib's GeoConvert.
        close(ok("18TWL8566411315"), 40.748333, -73.985278, 2e-5);
        close(ok("18T WL 85664 11315"), 40.748333, -73.985278, 2e-5);
        close(ok("18T 585664 4511315"), 40.748333, -73.985278, 2e-5);
        close(ok("18 north 585664 4511315"), 40.748333, -73.985278, 2e-5);
    }

    #[test]
    fn formats_round_trip_through_the_parser() {
        let p = LatLon::new(53.079839, 34.554344).unwrap();
        for (name, text) in p.all_formats() {
            let back = parse_coordinate(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            let tol = match name {
                "dms" => 2e-5,
                "mgrs" | "utm" => 2e-5,
                _ => 1e-6,
            };
            close(back, p.lat, p.lon, tol);
        }
        assert_eq!(p.to_dms(), "53°04'47.4\"N 034°33'15.6\"E");
        assert_eq!(p.to_decimal(), "53.079839, 34.554344");
    }

    #[test]
    fn dms_rounding_never_prints_sixty_seconds() {
        let p = LatLon::new(10.999999, -0.5).unwrap();
        assert_eq!(p.to_dms(), "11°00'00.0\"N 000°30'00.0\"W");
    }

    #[test]
    fn refusals_name_the_reason() {
        let reason = |t: &str| parse_coordinate(t).unwrap_err().reason;
        assert!(reason("95.1, 34.5").contains("latitude 95.1"));
        assert!(reason("134.5, 53.0").contains("longitude, latitude"));
        assert!(reason("53.0, 190.0").contains("longitude 190"));
        assert!(reason("53.0").contains("found 1 value"));
        assert!(reason("53°61'N 34°E").contains("minutes 61"));
        assert!(reason("-53.0S 34.0E").contains("minus sign"));
        assert!(reason("53.0N 34.0N").contains("same kind"));
        assert!(reason("36S 500000 4000000").contains("could be latitude band"));
        assert!(reason("hello").contains("unexpected character"));
        assert!(reason("https://maps.app.goo.gl/abc").contains("short links"));
        assert!(reason("").contains("empty"));
        assert!(reason("1, 2, 3").contains("found 3 values"));
    }
}
