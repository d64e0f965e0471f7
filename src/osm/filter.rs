//! Tag filters and distances as analysts write them: `amenity=fuel`, `building` (present),
//! `name~^Св`, `religion=christian|orthodox`, `maxspeed>=60`, `height>20m`,
//! `building:levels>=9`, several joined by commas (all must hold), or a preset name
//! (`place_of_worship`, `railway_bridge`…). Numbers compare in base units: lengths in
//! metres (`m`, `km`, `ft`, `mi`), speeds in km/h (`mph`, `knots`), so an OSM value of
//! `50 mph` passes `maxspeed>=60`.

use regex::Regex;

use super::OsmError;

/// What analysts look for, as filters.
pub const PRESETS: &[(&str, &str)] = &[
    ("place_of_worship", "amenity=place_of_worship"),
    ("fuel", "amenity=fuel"),
    (
        "railway_bridge",
        "railway=rail|light_rail|narrow_gauge,bridge=yes|viaduct",
    ),
    ("level_crossing", "railway=level_crossing|crossing"),
    ("power_tower", "power=tower"),
    ("water_tower", "man_made=water_tower"),
    ("communications_mast", "man_made=mast|communications_tower"),
    ("bus_stop", "highway=bus_stop"),
    ("pharmacy", "amenity=pharmacy"),
    ("school", "amenity=school"),
    ("stadium", "leisure=stadium"),
    ("roundabout", "junction=roundabout"),
    ("dam", "waterway=dam"),
];

#[derive(Debug, Clone)]
enum Test {
    Present,
    Values(Vec<String>),
    Pattern(Regex),
    Compare(Cmp, f64, Quantity),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
}

/// What a number measures: its unit decides how an OSM value is read.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Quantity {
    Length,
    Speed,
    Plain,
}

#[derive(Debug, Clone)]
struct Condition {
    key: String,
    test: Test,
}

/// One feature to look for: every condition must hold.
#[derive(Debug, Clone)]
pub struct TagFilter {
    text: String,
    conditions: Vec<Condition>,
}

impl TagFilter {
    /// Parses a filter or a preset name; the error says what is wrong with which part.
    pub fn parse(text: &str) -> Result<TagFilter, OsmError> {
        let trimmed = text.trim();
        let expanded = PRESETS
            .iter()
            .find(|(name, _)| *name == trimmed)
            .map_or(trimmed, |(_, f)| *f);
        if expanded.is_empty() {
            return Err(OsmError::EmptyFilter);
        }
        let conditions = expanded
            .split(',')
            .map(|part| {
                condition(part.trim()).map_err(|e| OsmError::Filter {
                    filter: text.to_owned(),
                    cause: Box::new(e),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TagFilter {
            text: trimmed.to_owned(),
            conditions,
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether a feature with these tags passes.
    pub fn matches<'a>(&self, tag: impl Fn(&str) -> Option<&'a str>) -> bool {
        self.conditions.iter().all(|c| {
            let Some(value) = tag(&c.key) else {
                return false;
            };
            match &c.test {
                Test::Present => true,
                Test::Values(vs) => value.split(';').any(|v| vs.iter().any(|w| w == v.trim())),
                Test::Pattern(re) => re.is_match(value),
                Test::Compare(cmp, limit, quantity) => {
                    osm_number(value, *quantity).is_some_and(|v| match cmp {
                        Cmp::Lt => v < *limit,
                        Cmp::Le => v <= *limit,
                        Cmp::Gt => v > *limit,
                        Cmp::Ge => v >= *limit,
                    })
                }
            }
        })
    }

    /// The keys every matching feature has (to skip features quickly).
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.conditions.iter().map(|c| c.key.as_str())
    }
}

/// Parameters of a SQL statement, as text (`$1`, `$2`…), so that no tag text is ever
/// spliced into SQL.
#[derive(Debug, Default)]
pub struct SqlParams(pub Vec<String>);

impl SqlParams {
    /// Adds a value and says where it is (`$n::text`).
    pub fn push(&mut self, value: &str) -> String {
        self.0.push(value.to_owned());
        format!("${}::text", self.0.len())
    }
}

impl TagFilter {
    /// A SQL condition on an hstore column `tags` that every matching feature passes:
    /// exact for presence and value lists, only the key's presence for patterns and
    /// numbers (PostgreSQL's regular expressions and number reading differ from these),
    /// so rows are checked again with [`TagFilter::matches`].
    pub fn sql_prefilter(&self, tags: &str, params: &mut SqlParams) -> String {
        let parts: Vec<String> = self
            .conditions
            .iter()
            .map(|c| {
                let key = params.push(&c.key);
                match &c.test {
                    Test::Values(values) => {
                        let list: Vec<String> = values.iter().map(|v| params.push(v)).collect();
                        format!(
                            "EXISTS (SELECT 1 FROM unnest(string_to_array({tags} -> {key}, ';')) AS v \
                             WHERE btrim(v) IN ({}))",
                            list.join(", ")
                        )
                    }
                    Test::Present | Test::Pattern(_) | Test::Compare(..) => {
                        format!("{tags} ? {key}")
                    }
                }
            })
            .collect();
        format!("({})", parts.join(" AND "))
    }
}

fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | ':' | '-' | '.'))
}

fn condition(part: &str) -> Result<Condition, OsmError> {
    for (op, cmp) in [
        (">=", Cmp::Ge),
        ("<=", Cmp::Le),
        (">", Cmp::Gt),
        ("<", Cmp::Lt),
    ] {
        if let Some((key, number)) = part.split_once(op) {
            let key = key.trim();
            if !valid_key(key) {
                return Err(OsmError::NotAKey {
                    key: key.to_owned(),
                });
            }
            let (value, quantity) = number_with_unit(number.trim())?;
            return Ok(Condition {
                key: key.to_owned(),
                test: Test::Compare(cmp, value, quantity),
            });
        }
    }
    if let Some((key, pattern)) = part.split_once('~') {
        let key = key.trim();
        if !valid_key(key) {
            return Err(OsmError::NotAKey {
                key: key.to_owned(),
            });
        }
        let re = Regex::new(pattern.trim()).map_err(|source| OsmError::Pattern {
            pattern: pattern.to_owned(),
            source,
        })?;
        return Ok(Condition {
            key: key.to_owned(),
            test: Test::Pattern(re),
        });
    }
    if let Some((key, values)) = part.split_once('=') {
        let key = key.trim();
        if !valid_key(key) {
            return Err(OsmError::NotAKey {
                key: key.to_owned(),
            });
        }
        let values: Vec<String> = values.split('|').map(|v| v.trim().to_owned()).collect();
        if values.iter().any(String::is_empty) {
            return Err(OsmError::EmptyValue {
                part: part.to_owned(),
            });
        }
        return Ok(Condition {
            key: key.to_owned(),
            test: Test::Values(values),
        });
    }
    if valid_key(part) {
        return Ok(Condition {
            key: part.to_owned(),
            test: Test::Present,
        });
    }
    Err(OsmError::NotACondition {
        part: part.to_owned(),
    })
}

/// Splits `20m`, `1.5 km`, `60`, `50mph` into a base-unit number and what it measures.
fn number_with_unit(text: &str) -> Result<(f64, Quantity), OsmError> {
    let not_a_number = || OsmError::NotANumber {
        text: text.to_owned(),
    };
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number.parse().map_err(|_| not_a_number())?;
    if !value.is_finite() {
        return Err(not_a_number());
    }
    let unit = unit.trim();
    if unit.is_empty() {
        return Ok((value, Quantity::Plain));
    }
    if let Some(m) = length_unit(unit) {
        return Ok((value * m, Quantity::Length));
    }
    if let Some(k) = speed_unit(unit) {
        return Ok((value * k, Quantity::Speed));
    }
    Err(OsmError::UnknownUnit {
        text: text.to_owned(),
        unit: unit.to_owned(),
    })
}

fn length_unit(unit: &str) -> Option<f64> {
    match unit {
        "m" | "metre" | "metres" | "meter" | "meters" => Some(1.0),
        "km" => Some(1000.0),
        "ft" | "'" | "feet" => Some(0.3048),
        "mi" | "mile" | "miles" => Some(1609.344),
        _ => None,
    }
}

fn speed_unit(unit: &str) -> Option<f64> {
    match unit {
        "km/h" | "kmh" | "kph" => Some(1.0),
        "mph" => Some(1.609_344),
        "knots" | "kn" => Some(1.852),
        _ => None,
    }
}

/// An OSM tag value as a number in base units: `25`, `25 m`, `82 ft`, `50 mph`; a plain
/// number is metres for a length and km/h for a speed, as OSM's defaults are.
fn osm_number(value: &str, quantity: Quantity) -> Option<f64> {
    let value = value.trim();
    let split = value
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(split);
    let n: f64 = number.parse().ok()?;
    let unit = unit.trim();
    if unit.is_empty() {
        return Some(n);
    }
    match quantity {
        Quantity::Length => length_unit(unit).map(|k| n * k),
        Quantity::Speed => speed_unit(unit).map(|k| n * k),
        Quantity::Plain => None,
    }
}

/// A distance such as `200m`, `1.5 km`, `300ft`, in metres.
pub fn parse_distance(text: &str) -> Result<f64, OsmError> {
    let owned = || text.to_owned();
    let (value, quantity) = number_with_unit(text.trim())?;
    match quantity {
        Quantity::Length if value > 0.0 => Ok(value),
        Quantity::Length => Err(OsmError::DistanceNotPositive { text: owned() }),
        Quantity::Plain => Err(OsmError::DistanceWithoutUnit { text: owned() }),
        Quantity::Speed => Err(OsmError::SpeedNotDistance { text: owned() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<&'a str> {
        move |k| pairs.iter().find(|(key, _)| *key == k).map(|(_, v)| *v)
    }

    #[test]
    fn filters_read_like_analysts_write_them() {
        let f = TagFilter::parse("amenity=place_of_worship").unwrap();
        assert!(f.matches(tags(&[("amenity", "place_of_worship")])));
        assert!(!f.matches(tags(&[("amenity", "fuel")])));
        let present = TagFilter::parse("building").unwrap();
        assert!(present.matches(tags(&[("building", "yes")])));
        assert!(!present.matches(tags(&[("amenity", "yes")])));
        let list = TagFilter::parse("religion=christian|muslim").unwrap();
        assert!(list.matches(tags(&[("religion", "muslim")])));
        let pattern = TagFilter::parse("name~^Vad").unwrap();
        assert!(pattern.matches(tags(&[("name", "Vaduz")])));
        let both = TagFilter::parse("amenity=fuel, brand~Shell").unwrap();
        assert!(both.matches(tags(&[("amenity", "fuel"), ("brand", "Shell")])));
        assert!(!both.matches(tags(&[("amenity", "fuel")])));
        let preset = TagFilter::parse("railway_bridge").unwrap();
        assert!(preset.matches(tags(&[("railway", "rail"), ("bridge", "viaduct")])));
    }

    #[test]
    fn numbers_compare_in_base_units() {
        let speed = TagFilter::parse("maxspeed>=60").unwrap();
        assert!(speed.matches(tags(&[("maxspeed", "80")])));
        assert!(!speed.matches(tags(&[("maxspeed", "50")])));
        assert!(!speed.matches(tags(&[("maxspeed", "none")])));
        let speed_kmh = TagFilter::parse("maxspeed>=60km/h").unwrap();
        assert!(
            speed_kmh.matches(tags(&[("maxspeed", "50 mph")])),
            "50 mph is 80 km/h"
        );
        let height = TagFilter::parse("height>20m").unwrap();
        assert!(height.matches(tags(&[("height", "25")])));
        assert!(height.matches(tags(&[("height", "82 ft")])));
        assert!(!height.matches(tags(&[("height", "60 ft")])));
        let levels = TagFilter::parse("building:levels>=9").unwrap();
        assert!(levels.matches(tags(&[("building:levels", "12")])));
    }

    #[test]
    fn bad_filters_and_distances_say_what_is_wrong() {
        assert!(
            TagFilter::parse("")
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
        assert!(
            TagFilter::parse("a b=c")
                .unwrap_err()
                .to_string()
                .contains("not an OSM key")
        );
        assert!(
            TagFilter::parse("name~(")
                .unwrap_err()
                .to_string()
                .contains("pattern")
        );
        assert!(
            TagFilter::parse("height>tall")
                .unwrap_err()
                .to_string()
                .contains("not a number")
        );
        assert_eq!(parse_distance("200m").unwrap(), 200.0);
        assert_eq!(parse_distance("1.5 km").unwrap(), 1500.0);
        assert!((parse_distance("300ft").unwrap() - 91.44).abs() < 1e-9);
        let e = parse_distance("200 parsecs").unwrap_err().to_string();
        assert!(e.contains("unknown unit \"parsecs\""), "{e}");
        assert!(
            parse_distance("200")
                .unwrap_err()
                .to_string()
                .contains("give the unit")
        );
        assert!(parse_distance("-5m").is_err());
    }
}
