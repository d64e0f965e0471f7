//! The rules every record meets, whether it comes from an [`super::Edit`] or from a file
//! in a case folder somebody else wrote. Case folders travel between analysts (git, a
//! shared drive, a USB stick) and can be crafted to attack the reader, so a record read
//! from disk is checked exactly like an edit before anything uses it.

use super::comparison::{Panel, PanelSource};
use super::invalid::{Invalid, truncated, within};
use super::limits::{
    MAX_IMAGE_SIDE, MAX_LONG_TEXT, MAX_PIXEL_COORDINATE, MAX_SHORT_TEXT, MAX_VIEW_ZOOM, count, text,
};
use super::model::{EvidenceRecord, Finding, is_sha256_hex, is_valid_finding_id};
use super::{EVIDENCE_DIR, SNAPSHOTS_DIR};

fn in_range(what: &str, value: f64, min: f64, max: f64) -> Result<(), Invalid> {
    if !(value.is_finite() && (min..=max).contains(&value)) {
        return Err(Invalid::OutOfRange {
            field: what.to_owned(),
            value,
            min,
            max,
        });
    }
    Ok(())
}

/// An id shown to people and used in references (`P1`, `A3`): plain and short.
fn plain_id(what: &str, id: &str) -> Result<(), Invalid> {
    if !is_valid_finding_id(id) {
        return Err(Invalid::NotAnId {
            field: what.to_owned(),
            value: truncated(id),
        });
    }
    Ok(())
}

/// `evidence/<sha256>.<ext>`, with a short alphanumeric extension other than `json`.
pub(crate) fn check_original_path(sha256: &str, file: &str) -> Result<(), Invalid> {
    let prefix = format!("{EVIDENCE_DIR}/{sha256}.");
    let ext_ok = file.strip_prefix(&prefix).is_some_and(|ext| {
        (1..=8).contains(&ext.len())
            && ext.bytes().all(|b| b.is_ascii_alphanumeric())
            && !ext.eq_ignore_ascii_case("json")
    });
    if !ext_ok {
        return Err(Invalid::Misplaced {
            field: "file".into(),
            value: truncated(file),
            place: "the original's place",
            expected: format!("{prefix}<ext>"),
        });
    }
    Ok(())
}

/// `snapshots/<sha256>.png`.
pub(crate) fn check_snapshot_path(sha256: &str, file: &str) -> Result<(), Invalid> {
    if !is_sha256_hex(sha256) {
        return Err(Invalid::NotADigest {
            field: "map snapshot sha256".into(),
            value: truncated(sha256),
        });
    }
    let expected = format!("{SNAPSHOTS_DIR}/{sha256}.png");
    if file != expected {
        return Err(Invalid::Misplaced {
            field: "map snapshot file".into(),
            value: truncated(file),
            place: "its place",
            expected,
        });
    }
    Ok(())
}

impl EvidenceRecord {
    /// Whether the record is well formed: its hash, where its original lives, finite
    /// numbers in range, and text of sane length. Says nothing about the file itself
    /// (that is `verify`'s job).
    pub fn check(&self) -> Result<(), Invalid> {
        if !is_sha256_hex(&self.sha256) {
            return Err(Invalid::NotADigest {
                field: "sha256".into(),
                value: truncated(&self.sha256),
            });
        }
        check_original_path(&self.sha256, &self.file)?;
        text("original name", &self.original_name, MAX_SHORT_TEXT)?;
        text("media type", &self.media_type, 255)?;
        text("notes", &self.notes, MAX_LONG_TEXT)?;
        if let Some(url) = &self.source_url {
            text("source", url, MAX_SHORT_TEXT)?;
        }
        count("warnings", self.warnings.len())?;
        for w in &self.warnings {
            text("a warning", w, MAX_SHORT_TEXT)?;
        }
        for (what, side) in [("width", self.width), ("height", self.height)] {
            if side == 0 || side > MAX_IMAGE_SIDE {
                return Err(Invalid::rule(
                    what,
                    format!("{what} {side} px is outside 1..{MAX_IMAGE_SIDE}"),
                ));
            }
        }
        if let Some(fov) = self.fov_deg
            && !(fov.is_finite() && fov > 0.0 && fov <= 360.0)
        {
            return Err(Invalid::rule(
                "field of view",
                format!("field of view {fov}° is not between 0 and 360"),
            ));
        }
        let exif = &self.exif;
        if let Some(lat) = exif.lat {
            in_range("EXIF latitude", lat, -90.0, 90.0)?;
        }
        if let Some(lon) = exif.lon {
            in_range("EXIF longitude", lon, -180.0, 180.0)?;
        }
        if let Some(alt) = exif.alt_m {
            in_range("EXIF altitude", alt, -12_000.0, 1e6)?;
        }
        if let Some(dir) = exif.direction_deg {
            in_range("EXIF direction", dir, 0.0, 360.0)?;
        }
        for (what, value) in [
            ("EXIF direction reference", &exif.direction_ref),
            ("EXIF time", &exif.taken_at),
            ("EXIF GPS time", &exif.gps_time_utc),
            ("EXIF make", &exif.make),
            ("EXIF model", &exif.model),
        ] {
            if let Some(v) = value {
                text(what, v, MAX_SHORT_TEXT)?;
            }
        }
        if let Some(hash) = &self.perceptual_hash {
            check_hash(hash)?;
        }
        if let Some(video) = &self.video {
            check_video(video)?;
        }
        if let Some(derived) = &self.derived_from {
            check_derived(derived)?;
        }
        count("sources", self.sources.len())?;
        for source in &self.sources {
            check_source(source)?;
        }
        Ok(())
    }
}

fn check_source(s: &super::model::SourceRecord) -> Result<(), Invalid> {
    text("source kind", &s.kind, 64)?;
    text("source text", &s.text, MAX_LONG_TEXT)?;
    text("source path", &s.path_in_export, MAX_SHORT_TEXT)?;
    text("source collection", &s.collection_sha256, 64)?;
    for (what, value) in [
        ("source chat", &s.chat),
        ("source chat type", &s.chat_type),
        ("source local time", &s.posted_local_unknown_zone),
        ("source sender", &s.from),
        ("source author", &s.author),
        ("source forwarded from", &s.forwarded_from),
        ("source address", &s.url),
        ("source title", &s.title),
        ("source archive time", &s.archived_at),
    ] {
        if let Some(v) = value {
            text(what, v, MAX_SHORT_TEXT)?;
        }
    }
    count("source timestamps", s.timestamps.len())?;
    for t in &s.timestamps {
        text("timestamp authority", &t.authority, MAX_SHORT_TEXT)?;
        text("timestamp token", &t.token_base64, MAX_LONG_TEXT)?;
        text("stamped text", &t.stamped_text, MAX_LONG_TEXT)?;
    }
    if let Some([lat, lon]) = s.location {
        in_range("source latitude", lat, -90.0, 90.0)?;
        in_range("source longitude", lon, -180.0, 180.0)?;
    }
    Ok(())
}

fn check_hash(hash: &crate::evidence::PerceptualHash) -> Result<(), Invalid> {
    text("perceptual hash algorithm", &hash.algorithm, 64)?;
    if hash.hex.len() > 1024 || !hash.hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Invalid::rule(
            "perceptual hash",
            "perceptual hash is not hex digits",
        ));
    }
    Ok(())
}

/// Longest clip whose times are taken at face value (a week of footage).
const MAX_VIDEO_SECONDS: f64 = 7.0 * 24.0 * 3600.0;

fn check_video(v: &crate::video::VideoFacts) -> Result<(), Invalid> {
    for (what, value) in [("container", &v.container), ("codec", &v.codec)] {
        text(what, value, 64)?;
    }
    if v.time_base().is_none() {
        return Err(Invalid::rule(
            "time base",
            format!("time base {:?} is not n/d", truncated(&v.time_base)),
        ));
    }
    if !v.rotation_deg.is_multiple_of(90) || v.rotation_deg >= 360 {
        return Err(Invalid::rule(
            "rotation",
            format!("rotation {}° is not 0, 90, 180 or 270", v.rotation_deg),
        ));
    }
    in_range("duration", v.duration_s, 0.0, MAX_VIDEO_SECONDS)?;
    if let Some(fps) = v.fps {
        in_range("frame rate", fps, 0.0, 10_000.0)?;
    }
    if let Some(tag) = &v.time_tag {
        text("time tag", tag, MAX_SHORT_TEXT)?;
    }
    count("time tags", v.other_times.len())?;
    for t in &v.other_times {
        text("time tag", &t.tag, MAX_SHORT_TEXT)?;
        text("time tag value", &t.value, MAX_SHORT_TEXT)?;
    }
    in_range(
        "start time",
        v.start_time_s,
        -MAX_VIDEO_SECONDS,
        MAX_VIDEO_SECONDS,
    )?;
    let mut hashes = v.frame_hashes.len();
    if let Some(a) = &v.analysis {
        in_range("scene threshold", a.scene_threshold, 0.0, 1.0)?;
        count("scene changes", a.scenes.len())?;
        for scene in &a.scenes {
            in_range(
                "scene time",
                scene.time_s,
                -MAX_VIDEO_SECONDS,
                MAX_VIDEO_SECONDS,
            )?;
            in_range("scene score", scene.score, 0.0, 1.0)?;
        }
        hashes += a.hashes.len();
    }
    count("frame hashes", hashes)?;
    for h in v.all_hashes() {
        in_range(
            "hashed frame time",
            h.time_s,
            -MAX_VIDEO_SECONDS,
            MAX_VIDEO_SECONDS,
        )?;
        check_hash(&h.hash)?;
    }
    Ok(())
}

fn check_chronolocation(c: &super::model::Chronolocation) -> Result<(), Invalid> {
    text("chronolocation method", &c.method, 64)?;
    text("chronolocation solver", &c.solver, MAX_SHORT_TEXT)?;
    count("chronolocation shadows", c.shadows.len())?;
    for s in &c.shadows {
        in_range("shadow ratio", s.ratio, 0.0, 1e6)?;
        in_range("shadow tolerance", s.tolerance, 0.0, 1.0)?;
        if let Some(b) = s.bearing_deg {
            in_range("shadow bearing", b, -360.0, 720.0)?;
        }
        if let Some(t) = s.bearing_tolerance_deg {
            in_range("shadow bearing tolerance", t, 0.0, 180.0)?;
        }
        if let Some(source) = &s.source {
            text("shadow source", source, MAX_SHORT_TEXT)?;
        }
    }
    if let Some([lat, lon]) = c.place {
        in_range("chronolocation latitude", lat, -90.0, 90.0)?;
        in_range("chronolocation longitude", lon, -180.0, 180.0)?;
    }
    if let Some(zone) = &c.time_zone {
        text("time zone", zone, 64)?;
    }
    count("time windows", c.windows.len())?;
    for w in &c.windows {
        in_range("window bearing", w.shadow_bearing_deg, -360.0, 720.0)?;
    }
    if let Some(g) = c.grid_deg {
        in_range("locus grid", g, 0.001, 10.0)?;
    }
    if let Some(polygons) = &c.locus {
        let points: usize = polygons.iter().flatten().map(Vec::len).sum();
        count("locus points", points)?;
        for [lon, lat] in polygons.iter().flatten().flatten() {
            in_range("locus longitude", *lon, -180.0, 180.0)?;
            in_range("locus latitude", *lat, -90.0, 90.0)?;
        }
    }
    Ok(())
}

fn check_derived(d: &super::model::DerivedFrom) -> Result<(), Invalid> {
    if !is_sha256_hex(&d.sha256) {
        return Err(Invalid::NotADigest {
            field: "derived_from sha256".into(),
            value: truncated(&d.sha256),
        });
    }
    text(
        "derived_from original name",
        &d.original_name,
        MAX_SHORT_TEXT,
    )?;
    for (what, value) in [
        ("derived_from time base", &d.time_base),
        ("derived_from timecode", &d.timecode),
        ("derived_from decoder", &d.decoder),
        ("derived_from ffmpeg version", &d.ffmpeg_version),
    ] {
        text(what, value, 1024)?;
    }
    in_range(
        "derived_from time",
        d.time_s,
        -MAX_VIDEO_SECONDS,
        MAX_VIDEO_SECONDS,
    )?;
    in_range("derived_from pts time", d.pts_time_s, -1e12, 1e12)?;
    count("derived_from arguments", d.ffmpeg_args.len())?;
    for a in &d.ffmpeg_args {
        text("an ffmpeg argument", a, MAX_SHORT_TEXT)?;
    }
    if let Some(damage) = &d.damage {
        text("derived_from damage", damage, MAX_SHORT_TEXT)?;
    }
    Ok(())
}

impl PanelSource {
    /// Whether the source is well formed (its file, when it names one, is checked
    /// against the case by [`super::Case::panel_file`]).
    pub fn check(&self) -> Result<(), Invalid> {
        match self {
            PanelSource::Evidence { sha256 } => {
                if !is_sha256_hex(sha256) {
                    return Err(Invalid::NotADigest {
                        field: "evidence".into(),
                        value: truncated(sha256),
                    });
                }
                Ok(())
            }
            PanelSource::MapSnapshot {
                file,
                sha256,
                west,
                south,
                east,
                north,
                zoom,
                basemap,
                ..
            } => {
                check_snapshot_path(sha256, file)?;
                in_range("map snapshot south", *south, -90.0, 90.0)?;
                in_range("map snapshot north", *north, -90.0, 90.0)?;
                in_range("map snapshot west", *west, -540.0, 540.0)?;
                in_range("map snapshot east", *east, -540.0, 540.0)?;
                if south >= north {
                    return Err(Invalid::rule(
                        "map snapshot bounds",
                        "map snapshot bounds have south ≥ north",
                    ));
                }
                in_range("map snapshot zoom", *zoom, 0.0, 30.0)?;
                text("map snapshot basemap", basemap, MAX_SHORT_TEXT)
            }
        }
    }
}

impl Panel {
    fn check(&self) -> Result<(), Invalid> {
        plain_id("panel", &self.id)?;
        text("panel caption", &self.caption, MAX_SHORT_TEXT)
            .map_err(within(format!("panel {}", self.id)))?;
        self.source
            .check()
            .map_err(within(format!("panel {}", self.id)))?;
        if let Some(frame) = self.frame {
            in_range(
                &format!("panel {} frame time", self.id),
                frame.time_s,
                -MAX_VIDEO_SECONDS,
                MAX_VIDEO_SECONDS,
            )?;
        }
        let v = &self.view;
        for c in v.center {
            in_range(
                &format!("panel {} view centre", self.id),
                c,
                -MAX_PIXEL_COORDINATE,
                MAX_PIXEL_COORDINATE,
            )?;
        }
        in_range(
            &format!("panel {} view zoom", self.id),
            v.zoom,
            0.0,
            MAX_VIEW_ZOOM,
        )
    }
}

impl Finding {
    /// Whether the finding is internally consistent: a plain id, text of sane length, a
    /// valid location, well-formed panels, and annotations and links that refer to each
    /// other. Evidence references are checked against a case by `Case::check_finding`.
    pub fn check(&self) -> Result<(), Invalid> {
        if !is_valid_finding_id(&self.id) {
            return Err(Invalid::NotAnId {
                field: "finding".into(),
                value: truncated(&self.id),
            });
        }
        text("title", &self.title, MAX_SHORT_TEXT)?;
        text("author", &self.author, MAX_SHORT_TEXT)?;
        text("verdict", &self.verdict, MAX_LONG_TEXT)?;
        text("notes", &self.notes, MAX_LONG_TEXT)?;
        if let Some(l) = self.location {
            in_range("latitude", l.lat, -90.0, 90.0)?;
            in_range("longitude", l.lon, -180.0, 180.0)?;
            if !(l.precision_m.is_finite() && (0.0..=2.1e7).contains(&l.precision_m)) {
                return Err(Invalid::rule(
                    "precision",
                    format!("precision {} m is not a distance", l.precision_m),
                ));
            }
        }
        count("panels", self.panels.len())?;
        count("annotations", self.annotations.len())?;
        count("linked features", self.links.len())?;
        count("shadow measurements", self.shadows.len())?;
        if let Some(c) = &self.chronolocation {
            check_chronolocation(c)?;
        }
        super::candidates::check_all(&self.candidates)?;
        if let Some(f) = &self.skyline_fit {
            f.check().map_err(within("skyline fit"))?;
        }
        if let Some(g) = &self.georeference {
            g.check().map_err(within("georeference"))?;
            if !self.panels.iter().any(|p| p.id == g.panel) {
                return Err(Invalid::rule(
                    "georeference panel",
                    format!(
                        "the georeference pins panel {:?}, which the finding does not have",
                        truncated(&g.panel)
                    ),
                ));
            }
        }
        for m in &self.shadows {
            plain_id("shadow measurement", &m.id)?;
            text("shadow label", &m.label, MAX_SHORT_TEXT)?;
            in_range(
                &format!("shadow {} mark error", m.id),
                m.mark_error_px,
                0.0,
                10_000.0,
            )?;
            for p in m.points() {
                for c in p {
                    in_range(
                        &format!("shadow {} mark", m.id),
                        c,
                        -MAX_PIXEL_COORDINATE,
                        MAX_PIXEL_COORDINATE,
                    )?;
                }
            }
            if !self.panels.iter().any(|p| p.id == m.panel) {
                return Err(Invalid::rule(
                    "shadow panel",
                    format!(
                        "shadow {} is on panel {:?}, which the finding does not have",
                        m.id,
                        truncated(&m.panel)
                    ),
                ));
            }
        }
        for p in &self.panels {
            p.check()?;
        }
        for a in &self.annotations {
            plain_id("annotation", &a.id)?;
            text("annotation label", &a.label, MAX_SHORT_TEXT)
                .map_err(within(format!("annotation {}", a.id)))?;
            a.shape
                .check_extent()
                .map_err(within(format!("annotation {}", a.id)))?;
            if let Some(frame) = a.frame {
                in_range(
                    "annotation frame time",
                    frame.time_s,
                    -MAX_VIDEO_SECONDS,
                    MAX_VIDEO_SECONDS,
                )
                .map_err(within(format!("annotation {}", a.id)))?;
            }
        }
        for l in &self.links {
            text("linked feature description", &l.description, MAX_LONG_TEXT)
                .map_err(within(format!("linked feature {}", l.number)))?;
            count("quality limits", l.quality_limits.len())?;
            for q in &l.quality_limits {
                text("quality limit", q, MAX_SHORT_TEXT)
                    .map_err(within(format!("linked feature {}", l.number)))?;
            }
        }
        if let Some(c) = &self.conclusion {
            text("conclusion note", &c.note, MAX_LONG_TEXT)?;
        }
        self.review.check().map_err(within("review"))?;
        super::comparison::check_structure(&self.panels, &self.annotations, &self.links)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn original_paths_must_be_the_records_own_place() {
        let sha = "a".repeat(64);
        assert!(check_original_path(&sha, &format!("evidence/{sha}.jpg")).is_ok());
        for bad in [
            format!("evidence/{sha}.json"),
            format!("evidence/{sha}."),
            format!("evidence/{sha}.jpg/../../x"),
            format!("evidence/{}.jpg", "b".repeat(64)),
            "../../etc/passwd".to_owned(),
            format!("C:\\evidence\\{sha}.jpg"),
        ] {
            assert!(check_original_path(&sha, &bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn snapshot_paths_and_hashes_are_checked_without_slicing() {
        assert!(check_snapshot_path("abc", "snapshots/abc.png").is_err());
        let sha = "0".repeat(64);
        assert!(check_snapshot_path(&sha, &format!("snapshots/{sha}.png")).is_ok());
        assert!(check_snapshot_path(&sha, "../../.ssh/id_rsa").is_err());
    }

    #[test]
    fn messages_about_huge_values_stay_short() {
        let huge = "x".repeat(1 << 20);
        let err = check_original_path(&"a".repeat(64), &huge).unwrap_err();
        assert!(err.to_string().len() < 200, "{err}");
    }
}
