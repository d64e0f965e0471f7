//! A case drawn over a rendered map view (`geoproof snapshot CASE`, #32): its visible
//! imagery layers (tiles of the view's level, at their opacity), findings' precision
//! circles and chronolocation loci, and the markers of findings and cameras clustered
//! and labelled by the map's own layout ([`crate::spatial::labels`], the same sizes and
//! priorities as the app's map), the labels shaped with the figures' typesetter. The
//! marks are laid out first ([`lay_out_marks`]) so the basemap's names can keep clear of
//! them; what was drawn comes back, each label with its box in pixels.

use image::RgbaImage;
use tiny_skia::{FillRule, Paint, PathBuilder, Pixmap, Stroke, Transform};

use super::figure::text::{TextBlock, Typesetter};
use super::figure::{RenderError, outline};
use crate::case::Case;
use crate::spatial::labels::{self, Bounds, Group, Params};
use crate::vector::snapshot::{View, mercator};

/// The map's marker layout (src/ui/map_marks.rs uses the same values).
const CLUSTER_PX: f32 = 14.0;
const MARKER_HALF: f32 = 7.0;
const LABEL_FONT: f64 = 12.0;
const FINDING: u8 = 20;
const CAMERA: u8 = 10;

const FINDING_RGB: [u8; 3] = [200, 40, 40];
const CAMERA_RGB: [u8; 3] = [30, 90, 200];
const LOCUS_RGB: [u8; 3] = [230, 120, 20];

/// A label drawn: its text and box (x0, y0, x1, y1) in image pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawnLabel {
    pub text: String,
    pub bounds: [f32; 4],
}

/// What [`draw_case`] drew.
#[derive(Debug, Default)]
pub struct Overlay {
    /// Marks drawn (a cluster counts once) and how many of them are clusters.
    pub marks: usize,
    pub clusters: usize,
    pub loci: usize,
    pub layers: usize,
    pub labels: Vec<DrawnLabel>,
    /// Layers that could not be drawn, one line each.
    pub notes: Vec<String>,
}

fn paint(rgb: [u8; 3], alpha: u8) -> Paint<'static> {
    let mut p = Paint::default();
    p.set_color_rgba8(rgb[0], rgb[1], rgb[2], alpha);
    p.anti_alias = true;
    p
}

/// Image pixel of a latitude, longitude in `view`, and metres per pixel at its centre.
fn projector(view: &View) -> (impl Fn(f64, f64) -> [f64; 2] + use<>, f64) {
    let world = 256.0 * 2f64.powf(view.zoom);
    let c = mercator(view.center[0], view.center[1]);
    let half = [f64::from(view.size[0]) / 2.0, f64::from(view.size[1]) / 2.0];
    let at = move |lat: f64, lon: f64| {
        let m = mercator(lat, lon);
        [
            (m[0] - c[0]) * world + half[0],
            (m[1] - c[1]) * world + half[1],
        ]
    };
    let mpp = 40_075_016.686 * view.center[0].to_radians().cos() / world;
    (at, mpp)
}

/// The case's markers in a view, clustered, with their labels placed (by the map's
/// layout), before anything is drawn.
pub struct Marks {
    groups: Vec<Group>,
    colours: Vec<[u8; 3]>,
    texts: Vec<String>,
    blocks: Vec<TextBlock>,
    placed: Vec<labels::Placed>,
}

impl Marks {
    /// The boxes the marks and their labels take, which the basemap's labels avoid.
    pub fn boxes(&self) -> Vec<Bounds> {
        let markers = self.groups.iter().map(|g| {
            let half = MARKER_HALF + if g.is_cluster() { 2.0 } else { 0.0 };
            Bounds::around(g.pos, half + 1.0)
        });
        markers
            .chain(self.placed.iter().map(|p| p.bounds))
            .collect()
    }
}

/// Draws `case` over `image`, the rendering of `view`, its marks laid out by
/// [`lay_out_marks`].
pub fn draw_case(
    image: &mut RgbaImage,
    view: &View,
    case: &Case,
    marks: &Marks,
) -> Result<Overlay, RenderError> {
    let (w, h) = image.dimensions();
    let mut pixmap = Pixmap::from_vec(
        std::mem::take(image).into_raw(),
        tiny_skia::IntSize::from_wh(w, h).ok_or(RenderError::Canvas {
            width: w,
            height: h,
        })?,
    )
    .ok_or(RenderError::Canvas {
        width: w,
        height: h,
    })?;
    let mut out = Overlay::default();
    draw_layers(&mut pixmap, view, case, &mut out);
    draw_loci(&mut pixmap, view, case, &mut out);
    draw_marks(&mut pixmap, marks, &mut out);
    *image = RgbaImage::from_raw(w, h, pixmap.take()).ok_or(RenderError::Canvas {
        width: w,
        height: h,
    })?;
    Ok(out)
}

/// The case's visible imagery layers, tiles of the view's level scaled into place.
fn draw_layers(pixmap: &mut Pixmap, view: &View, case: &Case, out: &mut Overlay) {
    let z = view.zoom.floor().clamp(0.0, 22.0) as u8;
    let (at, _) = projector(view);
    let n = 1u32 << z;
    for layer in case.meta().imagery_layers.iter().filter(|l| l.visible) {
        let path = case.imagery_path(layer);
        let reader = match crate::imagery::ImageryReader::open(&path) {
            Ok(r) => r,
            Err(e) => {
                out.notes.push(format!("imagery layer not drawn: {e}"));
                continue;
            }
        };
        let [w, s, e, nn] = view.bounds();
        let tx =
            |lon: f64| (((lon + 180.0) / 360.0 * f64::from(n)).floor().max(0.0) as u32).min(n - 1);
        let ty = |lat: f64| {
            let m = mercator(lat, 0.0);
            ((m[1] * f64::from(n)).floor().max(0.0) as u32).min(n - 1)
        };
        let mut drawn = false;
        for y in ty(nn)..=ty(s) {
            for x in tx(w)..=tx(e) {
                let Ok(Some(tile)) = reader.render_tile(z, x, y, 256) else {
                    continue;
                };
                let (tw, ts, te, tn) = crate::imagery::tile_bounds(z, x, y);
                let (p0, p1) = (at(tn, tw), at(ts, te));
                blit(pixmap, &tile, [p0, p1], layer.opacity);
                drawn = true;
            }
        }
        out.layers += usize::from(drawn);
    }
}

/// Draws `tile` scaled into the box `b` at `opacity`.
fn blit(pixmap: &mut Pixmap, tile: &RgbaImage, b: [[f64; 2]; 2], opacity: f32) {
    let mut data = tile.clone().into_raw();
    for px in data.chunks_exact_mut(4) {
        let a = u16::from(px[3]);
        for c in &mut px[..3] {
            *c = ((u16::from(*c) * a) / 255) as u8;
        }
    }
    let size = tiny_skia::IntSize::from_wh(tile.width(), tile.height());
    let Some(src) = size.and_then(|s| Pixmap::from_vec(data, s)) else {
        return;
    };
    let sx = (b[1][0] - b[0][0]) / f64::from(tile.width());
    let sy = (b[1][1] - b[0][1]) / f64::from(tile.height());
    let t = Transform::from_row(
        sx as f32,
        0.0,
        0.0,
        sy as f32,
        b[0][0] as f32,
        b[0][1] as f32,
    );
    let paint = tiny_skia::PixmapPaint {
        opacity: opacity.clamp(0.0, 1.0),
        ..Default::default()
    };
    pixmap.draw_pixmap(0, 0, src.as_ref(), &paint, t, None);
}

/// Precision circles of findings with a location, and chronolocation loci.
fn draw_loci(pixmap: &mut Pixmap, view: &View, case: &Case, out: &mut Overlay) {
    let (at, mpp) = projector(view);
    let stroke = Stroke {
        width: 1.5,
        ..Default::default()
    };
    for f in case.findings() {
        if let Some(l) = f.location.filter(|l| l.precision_m > 0.0) {
            let c = at(l.lat, l.lon);
            let r = (l.precision_m / mpp) as f32;
            let (w, h) = (f64::from(view.size[0]), f64::from(view.size[1]));
            let rr = f64::from(r);
            let seen = c[0] + rr >= 0.0 && c[0] - rr <= w && c[1] + rr >= 0.0 && c[1] - rr <= h;
            if seen && let Some(p) = PathBuilder::from_circle(c[0] as f32, c[1] as f32, r.max(1.0))
            {
                pixmap.fill_path(
                    &p,
                    &paint(FINDING_RGB, 40),
                    FillRule::Winding,
                    Transform::identity(),
                    None,
                );
                pixmap.stroke_path(
                    &p,
                    &paint(FINDING_RGB, 200),
                    &stroke,
                    Transform::identity(),
                    None,
                );
                out.loci += 1;
            }
        }
        let locus = f.chronolocation.as_ref().and_then(|c| c.locus.as_ref());
        for polygon in locus.into_iter().flatten() {
            let mut pb = PathBuilder::new();
            let mut bbox = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
            for ring in polygon {
                for (i, [lon, lat]) in ring.iter().enumerate() {
                    let p = at(*lat, *lon);
                    bbox = [
                        bbox[0].min(p[0]),
                        bbox[1].min(p[1]),
                        bbox[2].max(p[0]),
                        bbox[3].max(p[1]),
                    ];
                    if i == 0 {
                        pb.move_to(p[0] as f32, p[1] as f32);
                    } else {
                        pb.line_to(p[0] as f32, p[1] as f32);
                    }
                }
                pb.close();
            }
            let seen = bbox[2] >= 0.0
                && bbox[0] <= f64::from(view.size[0])
                && bbox[3] >= 0.0
                && bbox[1] <= f64::from(view.size[1]);
            if seen && let Some(p) = pb.finish() {
                pixmap.fill_path(
                    &p,
                    &paint(LOCUS_RGB, 60),
                    FillRule::EvenOdd,
                    Transform::identity(),
                    None,
                );
                pixmap.stroke_path(
                    &p,
                    &paint(LOCUS_RGB, 220),
                    &stroke,
                    Transform::identity(),
                    None,
                );
                out.loci += 1;
            }
        }
    }
}

/// Markers of findings and cameras in `view`, clustered, with labels placed without
/// overlap.
pub fn lay_out_marks(view: &View, case: &Case) -> Result<Marks, RenderError> {
    let (at, _) = projector(view);
    let mut names = Vec::new();
    let mut points = Vec::new();
    let mut priority = Vec::new();
    let mut colours = Vec::new();
    for f in case.findings() {
        if let Some(l) = f.location {
            let p = at(l.lat, l.lon);
            points.push([p[0] as f32, p[1] as f32]);
            priority.push(FINDING);
            names.push(f.title.clone());
            colours.push(FINDING_RGB);
        }
    }
    for e in case.evidence() {
        if let (Some(lat), Some(lon)) = (e.exif.lat, e.exif.lon) {
            let p = at(lat, lon);
            points.push([p[0] as f32, p[1] as f32]);
            priority.push(CAMERA);
            names.push(e.original_name.clone());
            colours.push(CAMERA_RGB);
        }
    }
    let params = Params {
        view: Bounds::new([0.0, 0.0], [view.size[0] as f32, view.size[1] as f32]),
        margin: 2.0 * CLUSTER_PX,
        cluster_px: CLUSTER_PX,
        marker_half: MARKER_HALF,
        gap: 3.0,
        spread_spacing: 2.0 * MARKER_HALF + 6.0,
    };
    let groups = labels::cluster(&points, &priority, &params);
    let mut type_set = Typesetter::new()?;
    let texts: Vec<String> = groups
        .iter()
        .map(|g| {
            let name = &names[g.top() as usize];
            if g.is_cluster() {
                format!("{name} +{}", g.members.len() - 1)
            } else {
                name.clone()
            }
        })
        .collect();
    let blocks: Vec<TextBlock> = texts
        .iter()
        .map(|t| type_set.layout(t, LABEL_FONT, None, false))
        .collect();
    let placed = labels::place_labels(&groups, &params, None, |i| {
        Some([blocks[i].width as f32 + 4.0, blocks[i].height as f32 + 2.0])
    });
    let colours = groups.iter().map(|g| colours[g.top() as usize]).collect();
    Ok(Marks {
        groups,
        colours,
        texts,
        blocks,
        placed,
    })
}

/// Paints the laid-out marks and their labels.
fn draw_marks(pixmap: &mut Pixmap, marks: &Marks, out: &mut Overlay) {
    let white = paint([255, 255, 255], 255);
    for (g, rgb) in marks.groups.iter().zip(&marks.colours) {
        let r = if g.is_cluster() {
            MARKER_HALF + 2.0
        } else {
            MARKER_HALF
        };
        if let Some(p) = PathBuilder::from_circle(g.pos[0], g.pos[1], r) {
            pixmap.fill_path(
                &p,
                &paint(*rgb, 255),
                FillRule::Winding,
                Transform::identity(),
                None,
            );
            let s = Stroke {
                width: 1.5,
                ..Default::default()
            };
            pixmap.stroke_path(&p, &white, &s, Transform::identity(), None);
        }
        out.marks += 1;
        out.clusters += usize::from(g.is_cluster());
    }
    for p in &marks.placed {
        let b = p.bounds;
        let block = &marks.blocks[p.group];
        if let Some(rect) = tiny_skia::Rect::from_ltrb(b.min[0], b.min[1], b.max[0], b.max[1]) {
            pixmap.fill_rect(
                rect,
                &paint([255, 255, 255], 220),
                Transform::identity(),
                None,
            );
        }
        if let Some(path) =
            outline(&block.placed([f64::from(b.min[0]) + 2.0, f64::from(b.min[1]) + 1.0]))
        {
            pixmap.fill_path(
                &path,
                &paint([20, 20, 20], 255),
                FillRule::Winding,
                Transform::identity(),
                None,
            );
        }
        out.labels.push(DrawnLabel {
            text: marks.texts[p.group].clone(),
            bounds: [b.min[0], b.min[1], b.max[0], b.max[1]],
        });
    }
}
