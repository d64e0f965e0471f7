//! What a finding records beyond its place: the panels it compares, the annotations drawn
//! on them, the features linked across panels, and the analyst's confidence. Positions
//! are in oriented image pixels (after EXIF orientation, before any viewing rotation), so
//! they stay put at every zoom, in every view and in exports.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::invalid::Invalid;

/// The analyst's confidence in a finding, strongest first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    Confirmed,
    Likely,
    Possible,
    #[default]
    Unverified,
    RuledOut,
}

impl Confidence {
    pub const ALL: [Confidence; 5] = [
        Confidence::Confirmed,
        Confidence::Likely,
        Confidence::Possible,
        Confidence::Unverified,
        Confidence::RuledOut,
    ];

    /// The name used in files, exports and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Confirmed => "confirmed",
            Confidence::Likely => "likely",
            Confidence::Possible => "possible",
            Confidence::Unverified => "unverified",
            Confidence::RuledOut => "ruled_out",
        }
    }

    pub fn parse(text: &str) -> Option<Confidence> {
        let text = text.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Confidence::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// One image side of a comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Panel {
    /// Unique within the finding, e.g. `P1`.
    pub id: String,
    pub source: PanelSource,
    /// How the panel was being viewed (restored when the finding is reopened).
    #[serde(default)]
    pub view: PanelView,
    /// On a video panel: the frame it shows (figures show this frame and the
    /// annotations drawn on it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame: Option<FrameRef>,
    /// A short line a figure prints under the panel (source and date, e.g. "Amaq News,
    /// 22 March 2024").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub caption: String,
}

/// What a panel shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PanelSource {
    /// An evidence item, by its SHA-256.
    Evidence { sha256: String },
    /// A snapshot of the map view, stored in the case as an image with its bounds.
    MapSnapshot {
        /// The image's path relative to the case root.
        file: String,
        sha256: String,
        west: f64,
        south: f64,
        east: f64,
        north: f64,
        zoom: f64,
        /// The basemap and its attribution at the moment of the snapshot.
        basemap: String,
        taken_at: DateTime<Utc>,
    },
}

/// Viewing state only: it never changes the evidence or the annotations' coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PanelView {
    /// Clockwise quarter turns, 0–3.
    pub quarter_turns: u8,
    pub flip_horizontal: bool,
    /// Image pixel at the panel's centre, and screen points per image pixel.
    pub center: [f64; 2],
    pub zoom: f64,
}

impl Default for PanelView {
    fn default() -> PanelView {
        PanelView {
            quarter_turns: 0,
            flip_horizontal: false,
            center: [0.0, 0.0],
            zoom: 0.0,
        }
    }
}

/// What an annotation marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Clothing,
    Footwear,
    Headwear,
    BagAccessory,
    FaceHair,
    Vehicle,
    Building,
    Road,
    Terrain,
    Vegetation,
    SignText,
    #[default]
    Other,
}

impl Category {
    /// Every category, in the order menus list them.
    pub const ALL: [Category; 12] = [
        Category::Clothing,
        Category::Footwear,
        Category::Headwear,
        Category::BagAccessory,
        Category::FaceHair,
        Category::Vehicle,
        Category::Building,
        Category::Road,
        Category::Terrain,
        Category::Vegetation,
        Category::SignText,
        Category::Other,
    ];

    /// The category as menus and the inspector name it.
    pub fn label(self) -> &'static str {
        match self {
            Category::Clothing => "clothing",
            Category::Footwear => "footwear",
            Category::Headwear => "headwear",
            Category::BagAccessory => "bag/accessory",
            Category::FaceHair => "face/hair",
            Category::Vehicle => "vehicle",
            Category::Building => "building",
            Category::Road => "road",
            Category::Terrain => "terrain",
            Category::Vegetation => "vegetation",
            Category::SignText => "sign/text",
            Category::Other => "other",
        }
    }
}

/// A shape in oriented image pixels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "shape", rename_all = "snake_case")]
pub enum Shape {
    Rectangle { x: f64, y: f64, w: f64, h: f64 },
    Ellipse { cx: f64, cy: f64, rx: f64, ry: f64 },
    Polygon { points: Vec<[f64; 2]> },
    Point { x: f64, y: f64 },
    Arrow { from: [f64; 2], to: [f64; 2] },
    Freehand { points: Vec<[f64; 2]> },
    Text { x: f64, y: f64, text: String },
}

impl Shape {
    fn numbers(&self) -> Vec<f64> {
        match self {
            Shape::Rectangle { x, y, w, h } => vec![*x, *y, *w, *h],
            Shape::Ellipse { cx, cy, rx, ry } => vec![*cx, *cy, *rx, *ry],
            Shape::Point { x, y } | Shape::Text { x, y, .. } => vec![*x, *y],
            Shape::Arrow { from, to } => vec![from[0], from[1], to[0], to[1]],
            Shape::Polygon { points } | Shape::Freehand { points } => {
                points.iter().flatten().copied().collect()
            }
        }
    }

    /// Sizes a hostile file could blow up: point counts, coordinates far off any image,
    /// text length.
    pub(crate) fn check_extent(&self) -> Result<(), Invalid> {
        use super::limits::{MAX_PIXEL_COORDINATE, MAX_SHORT_TEXT, count, text};
        if let Shape::Polygon { points } | Shape::Freehand { points } = self {
            count("points", points.len())?;
        }
        if let Shape::Text { text: t, .. } = self {
            text("text", t, MAX_SHORT_TEXT)?;
        }
        if self
            .numbers()
            .iter()
            .any(|v| v.is_finite() && v.abs() > MAX_PIXEL_COORDINATE)
        {
            return Err(Invalid::rule(
                "coordinate",
                format!("a coordinate is beyond {MAX_PIXEL_COORDINATE} px from the image"),
            ));
        }
        Ok(())
    }

    /// Finite coordinates and an area (or enough points) for shapes that need one.
    pub fn check(&self) -> Result<(), Invalid> {
        if self.numbers().iter().any(|v| !v.is_finite()) {
            return Err(Invalid::rule(
                "coordinate",
                "a coordinate is not a finite number",
            ));
        }
        match self {
            Shape::Rectangle { w, h, .. } if *w <= 0.0 || *h <= 0.0 => Err(Invalid::rule(
                "rectangle size",
                format!("rectangle of {w}×{h} px has no area"),
            )),
            Shape::Ellipse { rx, ry, .. } if *rx <= 0.0 || *ry <= 0.0 => Err(Invalid::rule(
                "ellipse radii",
                format!("ellipse with radii {rx}, {ry} px has no area"),
            )),
            Shape::Polygon { points } if points.len() < 3 => Err(Invalid::rule(
                "polygon points",
                format!("polygon has {} points; it needs at least 3", points.len()),
            )),
            Shape::Freehand { points } if points.len() < 2 => Err(Invalid::rule(
                "freehand points",
                "freehand stroke has fewer than 2 points",
            )),
            _ => Ok(()),
        }
    }
}

/// A mark on one panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Annotation {
    /// Unique within the finding, e.g. `A3`.
    pub id: String,
    pub panel: String,
    #[serde(flatten)]
    pub shape: Shape,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    #[serde(default)]
    pub category: Category,
    /// Drawing colour, RGB; `None` uses the linked feature's colour or the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<[u8; 3]>,
    /// On a video panel: the frame it was drawn on (shown only there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame: Option<FrameRef>,
    /// Set when this shape hides what is under it in every output instead of marking it
    /// (see `export::redact`); a redaction is never linked and draws no outline there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redaction: Option<Redaction>,
}

/// How a redaction hides its region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RedactMethod {
    /// A solid black box.
    Box,
    /// Blocks of one colour, at least 1/8 of the region's shorter side.
    #[default]
    Pixelate,
    /// The pixelation's blocks smoothly blended: looks blurred, holds no more than them.
    Blur,
}

impl RedactMethod {
    pub const ALL: [RedactMethod; 3] = [
        RedactMethod::Box,
        RedactMethod::Pixelate,
        RedactMethod::Blur,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RedactMethod::Box => "box",
            RedactMethod::Pixelate => "pixelate",
            RedactMethod::Blur => "blur",
        }
    }

    pub fn parse(text: &str) -> Option<RedactMethod> {
        let text = text.trim().to_ascii_lowercase();
        RedactMethod::ALL.into_iter().find(|m| m.as_str() == text)
    }
}

/// What makes an annotation a redaction.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Redaction {
    pub method: RedactMethod,
    /// A freehand brush stroke's width, image pixels (other shapes fill their area).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brush_px: Option<f64>,
}

impl Redaction {
    /// Whether `shape` can be a redaction with these settings.
    pub fn check(&self, shape: &Shape) -> Result<(), Invalid> {
        match shape {
            Shape::Rectangle { .. } | Shape::Ellipse { .. } | Shape::Polygon { .. } => Ok(()),
            Shape::Freehand { .. } => match self.brush_px {
                Some(w) if w.is_finite() && w > 0.0 && w <= super::limits::MAX_PIXEL_COORDINATE => {
                    Ok(())
                }
                Some(w) => Err(Invalid::rule(
                    "brush width",
                    format!("brush width {w} px is not a positive size"),
                )),
                None => Err(Invalid::rule(
                    "brush width",
                    "a freehand redaction needs a brush width",
                )),
            },
            _ => Err(Invalid::rule(
                "redaction shape",
                "only rectangles, ellipses, polygons and brush strokes can redact",
            )),
        }
    }
}

/// One frame of a video: its index in presentation order and its time after the start.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FrameRef {
    pub index: u64,
    pub time_s: f64,
}

impl Annotation {
    /// Whether the annotation shows on a panel showing `frame` (`None`: a still).
    pub fn shows_on(&self, frame: Option<u64>) -> bool {
        match (self.frame, frame) {
            (Some(own), Some(shown)) => own.index == shown,
            _ => true,
        }
    }
}

/// How a linked pair of features compares. `Unclear` is "not assessable" (the image
/// does not let it be judged); it is written `unclear` so older geoproofs read it, and
/// `not_assessable` is read as the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Assessment {
    Consistent,
    Inconsistent,
    #[default]
    #[serde(alias = "not_assessable")]
    Unclear,
}

/// What kind of feature a linked pair is (photographic comparison practice): a class
/// feature (type, colour, model: shared by many items, weak on its own) or an
/// individualising one (damage, wear, a unique print).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureClass {
    Class,
    Individualising,
}

impl FeatureClass {
    pub const ALL: [FeatureClass; 2] = [FeatureClass::Class, FeatureClass::Individualising];

    pub fn as_str(self) -> &'static str {
        match self {
            FeatureClass::Class => "class",
            FeatureClass::Individualising => "individualising",
        }
    }

    /// The word the inspector uses.
    pub fn label(self) -> &'static str {
        match self {
            FeatureClass::Class => "a class feature",
            FeatureClass::Individualising => "an individualising feature",
        }
    }

    pub fn parse(text: &str) -> Option<FeatureClass> {
        let t = text.trim().to_ascii_lowercase().replace("izing", "ising");
        FeatureClass::ALL.into_iter().find(|c| c.as_str() == t)
    }
}

impl Assessment {
    /// Every assessment, in the order menus list them.
    pub const ALL: [Assessment; 3] = [
        Assessment::Consistent,
        Assessment::Inconsistent,
        Assessment::Unclear,
    ];

    /// The word the inspector and figure legends use.
    pub fn label(self) -> &'static str {
        match self {
            Assessment::Consistent => "consistent",
            Assessment::Inconsistent => "inconsistent",
            Assessment::Unclear => "not assessable",
        }
    }
}

/// The same feature marked in two panels: numbered and coloured alike on both sides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkedFeature {
    /// Shown on both annotations; 1, 2, 3… unique within the finding.
    pub number: u32,
    pub a: String,
    pub b: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default)]
    pub assessment: Assessment,
    /// Class or individualising; `None`: not stated (older cases).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_class: Option<FeatureClass>,
    /// What in the images limits the comparison (resolution, compression, lighting,
    /// angle), as the analyst noted it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quality_limits: Vec<String>,
    /// The visual search that proposed this pair, when one did (#35).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<SearchOrigin>,
}

/// A search of the case by region that led to a link: which picture and region were
/// searched for, with which index, and where the result stood. A result is a proposal;
/// this keeps how it was found so a reader can run the search again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchOrigin {
    pub query_sha256: String,
    /// The query's frame, when it was a video.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_frame: Option<FrameRef>,
    /// The region searched for, in the query's oriented pixels: x, y, width, height.
    pub region: [u32; 4],
    pub index_version: u32,
    /// The result's place among the verified results, 1 first.
    pub rank: usize,
    pub result_sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_frame: Option<FrameRef>,
    /// Correspondences agreeing on one homography when the search verified it.
    pub inliers: usize,
    /// Found with the region mirrored (a flipped copy).
    #[serde(default)]
    pub mirrored: bool,
}

/// The next free id with `prefix` (`P1`, `P2`… or `A1`, `A2`…), never reusing a gap so a
/// deleted annotation's id is not silently taken by a new one.
pub fn next_id<'a>(prefix: &str, ids: impl Iterator<Item = &'a str>) -> String {
    let highest = ids
        .filter_map(|id| id.strip_prefix(prefix)?.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    format!("{prefix}{}", highest + 1)
}

/// The colour of linked feature `number`: distinct for neighbouring numbers and readable
/// on photographs (the Okabe–Ito palette, which also suits colour-blind readers).
pub fn link_color(number: u32) -> [u8; 3] {
    const PALETTE: [[u8; 3]; 8] = [
        [230, 159, 0],
        [86, 180, 233],
        [0, 158, 115],
        [240, 228, 66],
        [0, 114, 178],
        [213, 94, 0],
        [204, 121, 167],
        [255, 255, 255],
    ];
    PALETTE[(number.max(1) as usize - 1) % PALETTE.len()]
}

/// Checks that panels, annotations and links refer to each other consistently.
pub fn check_structure(
    panels: &[Panel],
    annotations: &[Annotation],
    links: &[LinkedFeature],
) -> Result<(), Invalid> {
    let mut panel_ids = std::collections::HashSet::new();
    for p in panels {
        if !panel_ids.insert(p.id.as_str()) {
            return Err(Invalid::rule(
                "panel id",
                format!("two panels are called {:?}", p.id),
            ));
        }
        if p.view.quarter_turns > 3 {
            return Err(Invalid::rule(
                "quarter turns",
                format!("{} quarter turns (0–3 allowed)", p.view.quarter_turns),
            )
            .within(format!("panel {}", p.id)));
        }
    }
    let mut annotation_panel = std::collections::HashMap::new();
    for a in annotations {
        if !panel_ids.contains(a.panel.as_str()) {
            return Err(Invalid::rule(
                "annotation panel",
                format!("annotation {} is on unknown panel {:?}", a.id, a.panel),
            ));
        }
        a.shape
            .check()
            .map_err(|e| e.within(format!("annotation {}", a.id)))?;
        if let Some(r) = &a.redaction {
            r.check(&a.shape)
                .map_err(|e| e.within(format!("redaction {}", a.id)))?;
        }
        if annotation_panel
            .insert(a.id.as_str(), a.panel.as_str())
            .is_some()
        {
            return Err(Invalid::rule(
                "annotation id",
                format!("two annotations are called {:?}", a.id),
            ));
        }
    }
    let mut numbers = std::collections::HashSet::new();
    for l in links {
        if l.number == 0 || !numbers.insert(l.number) {
            return Err(Invalid::rule(
                "linked feature number",
                format!("linked feature number {} is 0 or used twice", l.number),
            ));
        }
        let side = |id: &str| {
            annotation_panel.get(id).copied().ok_or_else(|| {
                Invalid::rule(
                    "linked feature annotation",
                    format!(
                        "linked feature {} refers to unknown annotation {id:?}",
                        l.number
                    ),
                )
            })
        };
        let redaction = |id: &str| {
            annotations
                .iter()
                .any(|a| a.id == id && a.redaction.is_some())
        };
        if redaction(&l.a) || redaction(&l.b) {
            return Err(Invalid::rule(
                "linked feature annotation",
                format!(
                    "linked feature {} joins a redaction; redactions are not features",
                    l.number
                ),
            ));
        }
        if side(&l.a)? == side(&l.b)? {
            return Err(Invalid::rule(
                "linked feature annotation",
                format!(
                    "linked feature {} joins two annotations on the same panel",
                    l.number
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect(id: &str, panel: &str) -> Annotation {
        Annotation {
            id: id.into(),
            panel: panel.into(),
            shape: Shape::Rectangle {
                x: 10.0,
                y: 20.0,
                w: 30.0,
                h: 40.0,
            },
            label: String::new(),
            category: Category::Clothing,
            frame: None,
            color: None,
            redaction: None,
        }
    }

    fn panel(id: &str) -> Panel {
        Panel {
            id: id.into(),
            source: PanelSource::Evidence {
                sha256: "a".repeat(64),
            },
            view: PanelView::default(),
            frame: None,
            caption: String::new(),
        }
    }

    #[test]
    fn links_must_join_annotations_on_different_panels() {
        let panels = [panel("P1"), panel("P2")];
        let annotations = [rect("A1", "P1"), rect("A2", "P2"), rect("A3", "P1")];
        let link = |a: &str, b: &str, number| LinkedFeature {
            number,
            a: a.into(),
            b: b.into(),
            description: String::new(),
            assessment: Assessment::Consistent,
            feature_class: None,
            quality_limits: Vec::new(),
            search: None,
        };
        assert!(check_structure(&panels, &annotations, &[link("A1", "A2", 1)]).is_ok());
        let err = check_structure(&panels, &annotations, &[link("A1", "A3", 1)]).unwrap_err();
        assert!(err.to_string().contains("same panel"), "{err}");
        let err = check_structure(&panels, &annotations, &[link("A1", "A9", 1)]).unwrap_err();
        assert!(
            err.to_string().contains("unknown annotation \"A9\""),
            "{err}"
        );
        let err = check_structure(
            &panels,
            &annotations,
            &[link("A1", "A2", 2), link("A3", "A2", 2)],
        )
        .unwrap_err();
        assert!(err.to_string().contains("used twice"), "{err}");
        let err = check_structure(&panels, &[rect("A1", "P7")], &[]).unwrap_err();
        assert!(err.to_string().contains("unknown panel"), "{err}");
    }

    #[test]
    fn shapes_without_area_or_with_nan_are_refused() {
        let mut a = rect("A1", "P1");
        a.shape = Shape::Rectangle {
            x: 0.0,
            y: 0.0,
            w: 0.0,
            h: 5.0,
        };
        assert!(check_structure(&[panel("P1")], &[a.clone()], &[]).is_err());
        a.shape = Shape::Point {
            x: f64::NAN,
            y: 1.0,
        };
        assert!(check_structure(&[panel("P1")], &[a.clone()], &[]).is_err());
        a.shape = Shape::Polygon {
            points: vec![[0.0, 0.0], [1.0, 1.0]],
        };
        assert!(check_structure(&[panel("P1")], &[a], &[]).is_err());
    }

    #[test]
    fn annotations_serialise_flat_with_their_shape_tag() {
        let json = serde_json::to_value(rect("A1", "P1")).unwrap();
        assert_eq!(json["shape"], "rectangle");
        assert_eq!(json["w"], 30.0);
        assert_eq!(json["category"], "clothing");
        let back: Annotation = serde_json::from_value(json).unwrap();
        assert_eq!(back, rect("A1", "P1"));
    }

    #[test]
    fn confidence_names_round_trip() {
        for c in Confidence::ALL {
            assert_eq!(Confidence::parse(c.as_str()), Some(c));
        }
        assert_eq!(Confidence::parse("Ruled out"), Some(Confidence::RuledOut));
        assert_eq!(Confidence::parse("certain"), None);
        assert_eq!(link_color(1), link_color(9));
        assert_ne!(link_color(1), link_color(2));
    }

    #[test]
    fn a_link_records_the_search_that_found_it_and_older_links_read_without_one() {
        let old = r#"{"number":1,"a":"A1","b":"A2","assessment":"consistent"}"#;
        let link: LinkedFeature = serde_json::from_str(old).unwrap();
        assert_eq!(link.search, None);
        assert!(!serde_json::to_string(&link).unwrap().contains("search"));
        let origin = SearchOrigin {
            query_sha256: "a".repeat(64),
            query_frame: None,
            region: [250, 160, 200, 168],
            index_version: 1,
            rank: 2,
            result_sha256: "b".repeat(64),
            result_frame: Some(FrameRef {
                index: 50,
                time_s: 2.0,
            }),
            inliers: 31,
            mirrored: true,
        };
        let with = LinkedFeature {
            search: Some(origin.clone()),
            ..link
        };
        let json = serde_json::to_string(&with).unwrap();
        assert!(json.contains(r#""region":[250,160,200,168]"#), "{json}");
        let back: LinkedFeature = serde_json::from_str(&json).unwrap();
        assert_eq!(back.search, Some(origin));
    }
}
