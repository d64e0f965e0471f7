//! Findings with a location as GeoJSON (RFC 7946), KML 2.2 and CSV, so others can open
//! the coordinates in their own tools. Every format carries the same fields; findings
//! without a location are left out and named in the warnings.

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use serde_json::{Value, json};

use crate::case::{Case, Confidence, EvidenceRecord, Finding, FindingFilter, FindingLocation};
use crate::spatial::{LatLon, geodesic_circle, view_wedge};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeoFormat {
    GeoJson,
    Kml,
    Csv,
}

/// The exported text, which findings it holds, and what was left out and why.
#[derive(Debug, Clone)]
pub struct GeoExport {
    pub text: String,
    pub exported: Vec<String>,
    pub warnings: Vec<String>,
}

/// Six decimals (about 0.1 m), as RFC 7946 recommends for publication.
fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// How far a camera's view wedge reaches on an exported map, metres.
const WEDGE_LENGTH_M: f64 = 500.0;
/// Field of view for cameras without one set by the analyst, degrees.
const DEFAULT_FOV_DEG: f64 = 60.0;

/// One finding's row: the fields every format carries, in this order.
struct Row<'a> {
    finding: &'a Finding,
    location: FindingLocation,
    evidence: Vec<&'a str>,
}

/// The fields every format carries, in this order.
const FIELDS: [&str; 12] = [
    "id",
    "title",
    "kind",
    "verdict",
    "confidence",
    "precision_m",
    "observed_at",
    "notes",
    "evidence_sha256",
    "author",
    "created",
    "updated",
];

impl Row<'_> {
    /// `FIELDS` with their values as text.
    fn fields(&self) -> Vec<(&'static str, String)> {
        let f = self.finding;
        let values = [
            f.id.clone(),
            f.title.clone(),
            f.kind.as_str().to_owned(),
            f.verdict.clone(),
            f.confidence.as_str().to_owned(),
            self.location.precision_m.to_string(),
            f.observed_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            f.notes.clone(),
            self.evidence.join(";"),
            f.author.clone(),
            f.created.to_rfc3339(),
            f.updated.to_rfc3339(),
        ];
        FIELDS.into_iter().zip(values).collect()
    }
}

fn rows<'a>(case: &'a Case, filter: &FindingFilter) -> (Vec<Row<'a>>, Vec<String>) {
    let mut rows = Vec::new();
    let mut warnings = Vec::new();
    for f in case.findings().filter(|f| filter.matches(f)) {
        match f.location {
            Some(location) => rows.push(Row {
                finding: f,
                location,
                evidence: f.evidence_ids(),
            }),
            // A chronolocation locus is exported as its area (GeoJSON and KML).
            None if locus_of(f).is_some() => {}
            None => warnings.push(format!("{}: no location; skipped", f.id)),
        }
    }
    (rows, warnings)
}

/// The area a chronolocation finding found (longitude first).
fn locus_of(f: &crate::case::Finding) -> Option<&Vec<Vec<Vec<[f64; 2]>>>> {
    f.chronolocation.as_ref()?.locus.as_ref()
}

/// Findings with a locus, in id order.
fn loci<'a>(case: &'a Case, filter: &FindingFilter) -> Vec<&'a crate::case::Finding> {
    case.findings()
        .filter(|f| filter.matches(f) && locus_of(f).is_some())
        .collect()
}

/// The candidate sites of the findings `filter` selects, in finding order.
fn candidates<'a>(
    case: &'a Case,
    filter: &FindingFilter,
) -> Vec<(&'a Finding, &'a crate::case::candidates::Candidate)> {
    case.findings()
        .filter(|f| filter.matches(f))
        .flat_map(|f| f.candidates.iter().map(move |c| (f, c)))
        .collect()
}

/// A candidate's fields as text: its id within the finding, and what the formats carry.
fn candidate_fields(
    f: &Finding,
    c: &crate::case::candidates::Candidate,
) -> Vec<(&'static str, String)> {
    vec![
        ("id", format!("{}/{}", f.id, c.id)),
        ("finding_id", f.id.clone()),
        ("label", c.label.clone()),
        ("status", c.status.as_str().to_owned()),
        ("reason", c.reason.clone()),
        ("origin", c.origin.kind.clone()),
        ("query", c.origin.query.clone().unwrap_or_default()),
        (
            "osm",
            c.origin
                .osm
                .map(|o| format!("{:?}/{}", o.osm_type, o.osm_id).to_lowercase())
                .unwrap_or_default(),
        ),
        ("by", c.by.clone()),
        ("at", c.at.to_rfc3339()),
    ]
}

/// Exports the findings `filter` selects.
pub fn export(case: &Case, filter: &FindingFilter, format: GeoFormat) -> GeoExport {
    let (rows, mut warnings) = rows(case, filter);
    let areas = loci(case, filter);
    let sites = candidates(case, filter);
    let text = match format {
        GeoFormat::GeoJson => geojson(&rows, &areas, &sites),
        GeoFormat::Kml => kml(case, &rows, &areas, &sites),
        GeoFormat::Csv => {
            for f in &areas {
                warnings.push(format!(
                    "{}: its locus is an area; CSV has points only (use GeoJSON or KML)",
                    f.id
                ));
            }
            csv_text(&rows, &sites)
        }
    };
    let mut exported: Vec<String> = rows.iter().map(|r| r.finding.id.clone()).collect();
    if format != GeoFormat::Csv {
        for f in &areas {
            if !exported.contains(&f.id) {
                exported.push(f.id.clone());
            }
        }
    }
    GeoExport {
        text,
        exported,
        warnings,
    }
}

type Sites<'a> = [(&'a Finding, &'a crate::case::candidates::Candidate)];

fn geojson(rows: &[Row], areas: &[&crate::case::Finding], sites: &Sites) -> String {
    let mut features: Vec<Value> = rows
        .iter()
        .map(|r| {
            let mut properties = serde_json::Map::new();
            for (name, value) in r.fields() {
                let value = match name {
                    "precision_m" => json!(r.location.precision_m),
                    "evidence_sha256" => json!(r.evidence),
                    "observed_at" | "verdict" | "notes" | "author" if value.is_empty() => {
                        Value::Null
                    }
                    _ => json!(value),
                };
                properties.insert(name.to_owned(), value);
            }
            json!({
                "type": "Feature",
                "id": r.finding.id,
                // RFC 7946: longitude first.
                "geometry": {
                    "type": "Point",
                    "coordinates": [round6(r.location.lon), round6(r.location.lat)],
                },
                "properties": properties,
            })
        })
        .collect();
    for f in areas {
        let Some((chrono, polygons)) = f.chronolocation.as_ref().zip(locus_of(f)) else {
            continue;
        };
        features.push(json!({
            "type": "Feature",
            "id": format!("{}-locus", f.id),
            "geometry": { "type": "MultiPolygon", "coordinates": polygons },
            "properties": {
                "id": f.id,
                "title": f.title,
                "kind": f.kind.as_str(),
                "verdict": if f.verdict.is_empty() { Value::Null } else { json!(f.verdict) },
                "confidence": f.confidence.as_str(),
                "observed_at": f.observed_at.map(|t| t.to_rfc3339()),
                "method": chrono.method,
                "shadows": chrono.shadows,
                "grid_deg": chrono.grid_deg,
                "solver": chrono.solver,
            },
        }));
    }
    for (f, c) in sites {
        let mut properties = serde_json::Map::new();
        properties.insert("role".into(), json!("candidate"));
        for (name, value) in candidate_fields(f, c) {
            let value = if value.is_empty() {
                Value::Null
            } else {
                json!(value)
            };
            properties.insert(name.to_owned(), value);
        }
        if c.origin.osm.is_some() {
            properties.insert("attribution".into(), json!(crate::osm::ATTRIBUTION));
        }
        features.push(json!({
            "type": "Feature",
            "id": format!("{}/{}", f.id, c.id),
            "geometry": {"type": "Point", "coordinates": [round6(c.lon), round6(c.lat)]},
            "properties": properties,
        }));
    }
    // Keys sorted whatever order they were built in (see `store::to_sorted_json_bytes`).
    let mut doc = json!({
        "type": "FeatureCollection",
        "features": features,
    });
    doc.sort_all_objects();
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

fn csv_text(rows: &[Row], sites: &Sites) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["lat", "lon"];
    header.extend(FIELDS);
    // Writing to memory cannot fail; the results are checked anyway.
    let mut ok = writer.write_record(&header).is_ok();
    for r in rows {
        let mut record = vec![
            format!("{:.6}", r.location.lat),
            format!("{:.6}", r.location.lon),
        ];
        record.extend(r.fields().into_iter().map(|(_, v)| v));
        ok &= writer.write_record(&record).is_ok();
    }
    // Candidate sites in the same columns: kind `candidate`, the status as its
    // confidence, the reason as its verdict, where it came from as its notes.
    for (f, c) in sites {
        let notes = match (&c.origin.query, c.origin.osm) {
            (Some(q), Some(o)) => format!(
                "{}: {q} ({:?} {}; {})",
                c.origin.kind,
                o.osm_type,
                o.osm_id,
                crate::osm::ATTRIBUTION
            ),
            (Some(q), None) => format!("{}: {q}", c.origin.kind),
            _ => c.origin.kind.clone(),
        };
        let record = vec![
            format!("{:.6}", c.lat),
            format!("{:.6}", c.lon),
            format!("{}/{}", f.id, c.id),
            c.label.clone(),
            "candidate".into(),
            c.reason.clone(),
            c.status.as_str().into(),
            String::new(),
            String::new(),
            notes,
            String::new(),
            c.by.clone(),
            c.at.to_rfc3339(),
            c.at.to_rfc3339(),
        ];
        ok &= writer.write_record(&record).is_ok();
    }
    let bytes = writer.into_inner().unwrap_or_default();
    debug_assert!(ok);
    String::from_utf8(bytes).unwrap_or_default()
}

/// KML colour (aabbggrr) per confidence: green for confirmed through red for ruled out.
fn kml_color(c: Confidence, alpha: u8) -> String {
    let [r, g, b] = match c {
        Confidence::Confirmed => [0, 158, 115],
        Confidence::Likely => [86, 180, 233],
        Confidence::Possible => [240, 228, 66],
        Confidence::Unverified => [200, 200, 200],
        Confidence::RuledOut => [213, 94, 0],
    };
    format!("{alpha:02x}{b:02x}{g:02x}{r:02x}")
}

fn ring_text(ring: &[LatLon]) -> String {
    ring.iter()
        .map(|p| format!("{:.6},{:.6}", p.lon, p.lat))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Writes KML with quick-xml (escaping handled there).
pub(crate) struct Kml {
    writer: quick_xml::Writer<Vec<u8>>,
}

impl Kml {
    /// A document with the XML declaration written, indented by two spaces.
    pub(crate) fn new() -> Kml {
        let mut k = Kml {
            writer: quick_xml::Writer::new_with_indent(Vec::new(), b' ', 2),
        };
        let _ = k
            .writer
            .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
        k
    }
    /// The text written, ending in a newline.
    pub(crate) fn finish(self) -> String {
        let mut text = String::from_utf8(self.writer.into_inner()).unwrap_or_default();
        text.push('\n');
        text
    }
    pub(crate) fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        let mut start = BytesStart::new(name);
        for (k, v) in attrs {
            start.push_attribute((*k, *v));
        }
        let _ = self.writer.write_event(Event::Start(start));
    }
    pub(crate) fn close(&mut self, name: &str) {
        let _ = self.writer.write_event(Event::End(BytesEnd::new(name)));
    }
    pub(crate) fn leaf(&mut self, name: &str, text: &str) {
        self.open(name, &[]);
        let _ = self.writer.write_event(Event::Text(BytesText::new(text)));
        self.close(name);
    }
    fn polygon(&mut self, ring: &[LatLon]) {
        self.open("Polygon", &[]);
        self.open("outerBoundaryIs", &[]);
        self.open("LinearRing", &[]);
        self.leaf("coordinates", &ring_text(ring));
        self.close("LinearRing");
        self.close("outerBoundaryIs");
        self.close("Polygon");
    }
    /// Opens a finding's placemark: its name, verdict, observed time and style.
    fn placemark_head(&mut self, id: &str, f: &crate::case::Finding) {
        self.open("Placemark", &[("id", id)]);
        self.leaf("name", &f.title);
        if !f.verdict.is_empty() {
            self.leaf("description", &f.verdict);
        }
        if let Some(t) = f.observed_at {
            self.open("TimeStamp", &[]);
            self.leaf("when", &t.to_rfc3339());
            self.close("TimeStamp");
        }
        self.leaf(
            "styleUrl",
            &format!("#confidence-{}", f.confidence.as_str()),
        );
    }

    pub(crate) fn data(&mut self, name: &str, value: &str) {
        self.open("Data", &[("name", name)]);
        self.leaf("value", value);
        self.close("Data");
    }
}

fn kml(case: &Case, rows: &[Row], areas: &[&crate::case::Finding], sites: &Sites) -> String {
    let mut k = Kml::new();
    k.open("kml", &[("xmlns", "http://www.opengis.net/kml/2.2")]);
    k.open("Document", &[]);
    k.leaf("name", &case.meta().title);
    // Element order follows the OGC schema: styles before the placemarks.
    for c in Confidence::ALL {
        k.open("Style", &[("id", &format!("confidence-{}", c.as_str()))]);
        k.open("IconStyle", &[]);
        k.leaf("color", &kml_color(c, 0xff));
        k.close("IconStyle");
        k.open("LineStyle", &[]);
        k.leaf("color", &kml_color(c, 0xff));
        k.leaf("width", "2");
        k.close("LineStyle");
        k.open("PolyStyle", &[]);
        k.leaf("color", &kml_color(c, 0x40));
        k.close("PolyStyle");
        k.close("Style");
    }
    for r in rows {
        kml_finding(&mut k, case, r);
    }
    for f in areas {
        kml_locus(&mut k, f);
    }
    for (f, c) in sites {
        kml_candidate(&mut k, f, c);
    }
    k.close("Document");
    k.close("kml");
    k.finish()
}

/// A finding's placemark, its precision circle and its cameras' view wedges.
fn kml_finding(k: &mut Kml, case: &Case, r: &Row) {
    let f = r.finding;
    let style = format!("#confidence-{}", f.confidence.as_str());
    let centre = LatLon {
        lat: r.location.lat,
        lon: r.location.lon,
    };
    k.placemark_head(&f.id, f);
    k.open("ExtendedData", &[]);
    for (name, value) in r.fields() {
        k.data(name, &value);
    }
    k.close("ExtendedData");
    k.open("Point", &[]);
    k.leaf(
        "coordinates",
        &format!("{:.6},{:.6}", r.location.lon, r.location.lat),
    );
    k.close("Point");
    k.close("Placemark");

    if r.location.precision_m > 0.0 {
        k.open("Placemark", &[]);
        k.leaf(
            "name",
            &format!("{}: precision {} m", f.title, r.location.precision_m),
        );
        k.leaf("styleUrl", &style);
        k.open("ExtendedData", &[]);
        k.data("finding_id", &f.id);
        k.data("role", "precision_circle");
        k.close("ExtendedData");
        k.polygon(&geodesic_circle(centre, r.location.precision_m, 72));
        k.close("Placemark");
    }
    for e in r
        .evidence
        .iter()
        .filter_map(|id| case.find_evidence(id).ok())
    {
        if let Some((camera, direction)) = camera_of(e) {
            k.open("Placemark", &[]);
            k.leaf("name", &format!("{}: camera {}", f.title, e.original_name));
            k.leaf("styleUrl", &style);
            k.open("ExtendedData", &[]);
            k.data("finding_id", &f.id);
            k.data("role", "camera_wedge");
            k.data("evidence_sha256", &e.sha256);
            k.data("direction_deg", &direction.to_string());
            k.data(
                "direction_ref",
                e.exif.direction_ref.as_deref().unwrap_or("unknown"),
            );
            k.close("ExtendedData");
            let fov = e.fov_deg.unwrap_or(DEFAULT_FOV_DEG);
            k.polygon(&view_wedge(camera, direction, fov, WEDGE_LENGTH_M));
            k.close("Placemark");
        }
    }
}

/// A finding's locus (shadow or chronolocation area) as one multi-polygon placemark.
fn kml_locus(k: &mut Kml, f: &Finding) {
    let Some(polygons) = locus_of(f) else {
        return;
    };
    k.placemark_head(&format!("{}-locus", f.id), f);
    k.open("ExtendedData", &[]);
    k.data("finding_id", &f.id);
    k.data("kind", f.kind.as_str());
    k.close("ExtendedData");
    k.open("MultiGeometry", &[]);
    for polygon in polygons {
        let ring = |r: &Vec<[f64; 2]>| {
            r.iter()
                .map(|[lon, lat]| format!("{lon:.6},{lat:.6}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let Some((outer, holes)) = polygon.split_first() else {
            continue;
        };
        k.open("Polygon", &[]);
        k.open("outerBoundaryIs", &[]);
        k.open("LinearRing", &[]);
        k.leaf("coordinates", &ring(outer));
        k.close("LinearRing");
        k.close("outerBoundaryIs");
        for hole in holes {
            k.open("innerBoundaryIs", &[]);
            k.open("LinearRing", &[]);
            k.leaf("coordinates", &ring(hole));
            k.close("LinearRing");
            k.close("innerBoundaryIs");
        }
        k.close("Polygon");
    }
    k.close("MultiGeometry");
    k.close("Placemark");
}

/// One candidate site of a finding.
fn kml_candidate(k: &mut Kml, f: &Finding, c: &crate::case::candidates::Candidate) {
    k.open("Placemark", &[("id", &format!("{}-{}", f.id, c.id))]);
    k.leaf("name", &format!("{} {}", c.id, c.label));
    if !c.reason.is_empty() {
        k.leaf("description", &c.reason);
    }
    k.open("ExtendedData", &[]);
    k.data("role", "candidate");
    for (name, value) in candidate_fields(f, c) {
        if !value.is_empty() {
            k.data(name, &value);
        }
    }
    if c.origin.osm.is_some() {
        k.data("attribution", crate::osm::ATTRIBUTION);
    }
    k.close("ExtendedData");
    k.open("Point", &[]);
    k.leaf("coordinates", &format!("{:.6},{:.6}", c.lon, c.lat));
    k.close("Point");
    k.close("Placemark");
}

fn camera_of(e: &EvidenceRecord) -> Option<(LatLon, f64)> {
    Some((
        LatLon {
            lat: e.exif.lat?,
            lon: e.exif.lon?,
        },
        e.exif.direction_deg?,
    ))
}
