//! The built-in style: each feature of a known schema (the Protomaps basemap layers,
//! OpenMapTiles) is sorted into a [`Class`], and the class, with the theme and the zoom,
//! gives how it is painted. An unknown schema is drawn by geometry alone (areas, lines)
//! with a note saying so.

use std::collections::HashMap;

use mvt_reader::feature::Value;

/// RGBA, not premultiplied.
pub type Rgba = [u8; 4];

/// Light (paper) or dark (night) colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    #[default]
    Light,
    Dark,
}

/// Which layer naming a vector archive follows, told from its layer names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// Protomaps basemap (`earth`, `water`, `roads`, `landuse`, `buildings`…).
    Protomaps,
    /// OpenMapTiles (`water`, `transportation`, `landcover`, `building`…).
    OpenMapTiles,
    /// Anything else: areas and lines in neutral colours.
    Generic,
}

impl Schema {
    pub fn detect<'a>(layers: impl IntoIterator<Item = &'a str>) -> Schema {
        let names: Vec<&str> = layers.into_iter().collect();
        let has = |n: &str| names.contains(&n);
        if has("transportation") || has("building") || has("landcover") || has("waterway") {
            Schema::OpenMapTiles
        } else if has("roads") || has("earth") || has("buildings") || has("transit") {
            Schema::Protomaps
        } else {
            Schema::Generic
        }
    }
    /// Said beside the map when the schema is not one the style knows.
    pub fn note(self) -> Option<&'static str> {
        (self == Schema::Generic).then_some(
            "unknown vector schema (neither Protomaps nor OpenMapTiles): drawn with a generic style",
        )
    }
}

/// Road classes, most important first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Road {
    Motorway,
    Major,
    Minor,
    Service,
    Path,
}

/// What a feature is, as far as the style cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Land,
    Water,
    Waterway,
    Park,
    Wood,
    Grass,
    Farmland,
    Residential,
    Industrial,
    Building,
    Road(Road),
    Rail,
    Boundary,
    GenericArea,
    GenericLine,
}

/// How one class is painted at one zoom: drawn in `order`, an area fill or a line of
/// `width` pixels with an optional casing (wider line drawn under every road fill).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Paint {
    Fill {
        color: Rgba,
        order: u16,
    },
    Line {
        color: Rgba,
        width: f32,
        order: u16,
        casing: Option<(Rgba, f32)>,
        dashed: bool,
    },
}

type Props = HashMap<String, Value>;

fn text<'a>(props: Option<&'a Props>, key: &str) -> &'a str {
    match props.and_then(|p| p.get(key)) {
        Some(Value::String(s)) => s,
        _ => "",
    }
}

/// The class of a feature of `layer`, `None` for what the style leaves out (labels,
/// POIs, unknown layers of a known schema).
pub fn classify(schema: Schema, layer: &str, props: Option<&Props>, area: bool) -> Option<Class> {
    match schema {
        Schema::Protomaps => protomaps(layer, props, area),
        Schema::OpenMapTiles => openmaptiles(layer, props, area),
        Schema::Generic => Some(if area {
            Class::GenericArea
        } else {
            Class::GenericLine
        }),
    }
}

fn landuse_kind(kind: &str) -> Option<Class> {
    Some(match kind {
        "park" | "garden" | "playground" | "nature_reserve" | "national_park" | "pitch"
        | "golf_course" | "cemetery" | "recreation_ground" => Class::Park,
        "forest" | "wood" => Class::Wood,
        "grass" | "grassland" | "meadow" | "scrub" | "heath" | "village_green" => Class::Grass,
        "farmland" | "farm" | "orchard" | "vineyard" | "allotments" => Class::Farmland,
        "residential" | "neighbourhood" | "suburb" => Class::Residential,
        "industrial" | "commercial" | "retail" | "railway" | "military" | "quarry"
        | "brownfield" | "construction" => Class::Industrial,
        "water" | "lake" | "basin" | "reservoir" | "riverbank" | "wetland" => Class::Water,
        _ => return None,
    })
}

fn protomaps(layer: &str, props: Option<&Props>, area: bool) -> Option<Class> {
    let kind = match text(props, "kind") {
        "" => text(props, "pmap:kind"),
        k => k,
    };
    Some(match layer {
        "earth" | "land" => Class::Land,
        "water" if area => Class::Water,
        "water" | "physical_line" => Class::Waterway,
        "landuse" | "landcover" | "natural" if area => landuse_kind(kind)?,
        "buildings" if area => Class::Building,
        "roads" if !area => Class::Road(match kind {
            "highway" => Road::Motorway,
            "major_road" => Road::Major,
            "minor_road" => Road::Minor,
            "path" => Road::Path,
            _ => Road::Service,
        }),
        "transit" if !area && matches!(kind, "rail" | "train" | "") => Class::Rail,
        "boundaries" if !area => Class::Boundary,
        _ => return None,
    })
}

fn openmaptiles(layer: &str, props: Option<&Props>, area: bool) -> Option<Class> {
    let class = text(props, "class");
    Some(match layer {
        "water" if area => Class::Water,
        "waterway" if !area => Class::Waterway,
        "landcover" | "landuse" | "park" if area => {
            if layer == "park" {
                Class::Park
            } else {
                landuse_kind(class)?
            }
        }
        "building" if area => Class::Building,
        "transportation" if !area => match class {
            "motorway" | "trunk" => Class::Road(Road::Motorway),
            "primary" | "secondary" | "tertiary" => Class::Road(Road::Major),
            "minor" | "residential" | "unclassified" => Class::Road(Road::Minor),
            "path" | "track" | "footway" | "cycleway" => Class::Road(Road::Path),
            "rail" | "transit" => Class::Rail,
            _ => Class::Road(Road::Service),
        },
        "boundary" if !area => Class::Boundary,
        _ => return None,
    })
}

/// The class of an OpenStreetMap feature from its tags (`tag` gives a key's value), for
/// the street map drawn from an extract's index: the same classes, so the same style,
/// as the vector tiles built from OSM. `None` for what the street map leaves out.
pub fn classify_osm<'a>(tag: impl Fn(&str) -> Option<&'a str>, area: bool) -> Option<Class> {
    if !area {
        if let Some(h) = tag("highway") {
            return osm_road(h);
        }
        if let Some(r) = tag("railway") {
            return matches!(
                r,
                "rail" | "light_rail" | "narrow_gauge" | "tram" | "subway"
            )
            .then_some(Class::Rail);
        }
        return match tag("waterway") {
            Some("river" | "stream" | "canal" | "ditch" | "drain" | "brook") => {
                Some(Class::Waterway)
            }
            _ => None,
        };
    }
    if tag("building").is_some_and(|b| b != "no") {
        return Some(Class::Building);
    }
    if tag("natural") == Some("water")
        || tag("waterway") == Some("riverbank")
        || matches!(tag("landuse"), Some("reservoir" | "basin"))
    {
        return Some(Class::Water);
    }
    ["leisure", "landuse", "natural"]
        .iter()
        .find_map(|k| tag(k).and_then(landuse_kind))
}

fn osm_road(highway: &str) -> Option<Class> {
    let base = highway.strip_suffix("_link").unwrap_or(highway);
    Some(Class::Road(match base {
        "motorway" | "trunk" => Road::Motorway,
        "primary" | "secondary" | "tertiary" => Road::Major,
        "residential" | "unclassified" | "living_street" | "road" => Road::Minor,
        "service" | "busway" => Road::Service,
        "footway" | "path" | "cycleway" | "steps" | "track" | "pedestrian" | "bridleway" => {
            Road::Path
        }
        // Planned, disused and other non-roads (proposed, construction, platform…).
        _ => return None,
    }))
}

/// The paper colour under everything.
pub fn background(theme: Theme) -> Rgba {
    match theme {
        Theme::Light => [242, 239, 233, 255],
        Theme::Dark => [32, 34, 38, 255],
    }
}

/// How `class` is painted at display zoom `zoom` in `theme`.
pub fn paint(class: Class, theme: Theme, zoom: f32) -> Option<Paint> {
    let dark = theme == Theme::Dark;
    let pick = |l: Rgba, d: Rgba| if dark { d } else { l };
    let fill = |l, d, order| {
        Some(Paint::Fill {
            color: pick(l, d),
            order,
        })
    };
    // Widths grow with zoom (about ×1.4 per level), as on familiar web maps.
    let w = |at14: f32, min: f32| (at14 * 1.4f32.powf(zoom - 14.0)).clamp(min, at14 * 6.0);
    let line = |l, d, width: f32, order, casing: Option<(Rgba, Rgba, f32)>| {
        Some(Paint::Line {
            color: pick(l, d),
            width,
            order,
            casing: casing.map(|(cl, cd, extra)| (pick(cl, cd), width + extra)),
            dashed: false,
        })
    };
    match class {
        Class::Land => fill(background(Theme::Light), background(Theme::Dark), 0),
        Class::Residential => fill([232, 226, 222, 255], [40, 40, 44, 255], 1),
        Class::Industrial => fill([235, 219, 232, 255], [44, 40, 48, 255], 1),
        Class::Farmland => fill([238, 240, 213, 255], [38, 44, 36, 255], 1),
        Class::Grass => fill([205, 235, 176, 255], [36, 52, 38, 255], 2),
        Class::Wood => fill([173, 209, 158, 255], [30, 52, 36, 255], 2),
        Class::Park => fill([200, 250, 204, 255], [34, 58, 40, 255], 3),
        Class::Water => fill([170, 211, 223, 255], [22, 44, 66, 255], 4),
        Class::Waterway => line(
            [170, 211, 223, 255],
            [22, 44, 66, 255],
            w(2.0, 0.8),
            5,
            None,
        ),
        Class::GenericArea => fill([220, 220, 215, 255], [52, 54, 58, 255], 1),
        Class::Building if zoom >= 13.0 => fill([217, 208, 201, 255], [62, 60, 66, 255], 6),
        Class::Building => None,
        Class::Boundary => Some(Paint::Line {
            color: pick([150, 120, 160, 255], [150, 120, 170, 255]),
            width: 1.2,
            order: 7,
            casing: None,
            dashed: true,
        }),
        Class::GenericLine => line([140, 140, 140, 255], [150, 150, 150, 255], 1.0, 8, None),
        Class::Rail => line(
            [120, 120, 120, 255],
            [130, 130, 130, 255],
            w(1.5, 0.6),
            9,
            None,
        ),
        Class::Road(r) => road(r, zoom, dark, w),
    }
}

fn road(r: Road, zoom: f32, dark: bool, w: impl Fn(f32, f32) -> f32) -> Option<Paint> {
    let (light, night, at14, min_zoom, order) = match r {
        Road::Motorway => ([233, 144, 160, 255], [160, 90, 90, 255], 6.0, 0.0, 14),
        Road::Major => ([252, 214, 164, 255], [130, 110, 80, 255], 5.0, 7.0, 13),
        Road::Minor => ([255, 255, 255, 255], [88, 88, 92, 255], 3.5, 11.0, 12),
        Road::Service => ([255, 255, 255, 255], [76, 76, 80, 255], 2.0, 13.0, 11),
        Road::Path => ([250, 128, 114, 255], [140, 96, 90, 255], 1.2, 14.0, 10),
    };
    if zoom < min_zoom {
        return None;
    }
    let color = if dark { night } else { light };
    let width = w(at14, 0.7);
    let casing = (r != Road::Path && zoom >= 12.0).then(|| {
        let c = if dark {
            [20, 20, 22, 255]
        } else {
            [160, 150, 140, 255]
        };
        (c, width + 1.5)
    });
    Some(Paint::Line {
        color,
        width,
        order,
        casing,
        dashed: r == Road::Path,
    })
}
