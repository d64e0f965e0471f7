//! A vector tile decoded, styled and tessellated into one triangle mesh, in tile units
//! (0..1 across the tile, y down), drawn in index order. The egui map and the snapshot
//! rasteriser draw this same mesh.

use geo::{Geometry, LineString, Polygon};
use lyon_tessellation::geom::point;
use lyon_tessellation::path::Path;
use lyon_tessellation::{
    BuffersBuilder, FillOptions, FillRule, FillTessellator, FillVertex, LineCap, LineJoin,
    StrokeOptions, StrokeTessellator, StrokeVertex, VertexBuffers,
};

use super::error::DecodeError;
use super::style::{self, Paint, Rgba, Schema, Theme};

/// Triangles with a colour per vertex.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mesh {
    pub positions: Vec<[f32; 2]>,
    pub colors: Vec<Rgba>,
    pub indices: Vec<u32>,
}

impl Mesh {
    pub fn triangles(&self) -> usize {
        self.indices.len() / 3
    }
    fn append(&mut self, buffers: &VertexBuffers<[f32; 2], u32>, color: Rgba) {
        let base = self.positions.len() as u32;
        self.positions.extend_from_slice(&buffers.vertices);
        self.colors
            .extend(std::iter::repeat_n(color, buffers.vertices.len()));
        self.indices
            .extend(buffers.indices.iter().map(|i| i + base));
    }
}

/// One tile ready to draw.
#[derive(Debug, Clone, Default)]
pub struct TileMesh {
    pub mesh: Mesh,
    pub schema: Option<Schema>,
    /// Features drawn (after the style left some out).
    pub features: usize,
}

/// What one styled feature becomes, before tessellation.
pub(super) struct Item {
    key: u32,
    geometry: Geometry<f32>,
    color: Rgba,
    /// Line width in pixels; `None` for a fill.
    width: Option<f32>,
    dashed: bool,
}

pub(super) fn push_items(items: &mut Vec<Item>, geometry: Geometry<f32>, paint: Paint, seq: u32) {
    match paint {
        Paint::Fill { color, order } => items.push(Item {
            key: ((u32::from(order) * 4) << 20) | seq,
            geometry,
            color,
            width: None,
            dashed: false,
        }),
        Paint::Line {
            color,
            width,
            order,
            casing,
            dashed,
        } => {
            if let Some((c, w)) = casing {
                // Every casing goes under every road fill (order 10 and up).
                items.push(Item {
                    key: ((10 * 4 - 1) << 20) | seq,
                    geometry: geometry.clone(),
                    color: c,
                    width: Some(w),
                    dashed: false,
                });
            }
            items.push(Item {
                key: ((u32::from(order) * 4) << 20) | seq,
                geometry,
                color,
                width: Some(width),
                dashed,
            });
        }
    }
}

/// Decodes a (decompressed) Mapbox Vector Tile and tessellates it for display at
/// `zoom`, where the whole tile spans `px_per_tile` pixels (more than 256 when the
/// tile is overzoomed), so line widths come out in pixels.
pub fn tile_mesh(
    bytes: &[u8],
    theme: Theme,
    zoom: f32,
    px_per_tile: f32,
) -> Result<TileMesh, DecodeError> {
    let reader =
        mvt_reader::Reader::new(bytes.to_vec()).map_err(|e| DecodeError::Mvt(e.to_string()))?;
    let layers = reader
        .get_layer_metadata()
        .map_err(|e| DecodeError::Mvt(e.to_string()))?;
    let schema = Schema::detect(layers.iter().map(|l| l.name.as_str()));
    let mut items = Vec::new();
    let mut seq = 0u32;
    for layer in &layers {
        let features = reader
            .get_features(layer.layer_index)
            .map_err(|e| DecodeError::Layer {
                layer: layer.name.clone(),
                reason: e.to_string(),
            })?;
        let scale = 1.0 / layer.extent.max(1) as f32;
        for f in features {
            let area = matches!(f.geometry, Geometry::Polygon(_) | Geometry::MultiPolygon(_));
            let line = matches!(
                f.geometry,
                Geometry::LineString(_) | Geometry::MultiLineString(_)
            );
            if !area && !line {
                continue;
            }
            let Some(class) = style::classify(schema, &layer.name, f.properties.as_ref(), area)
            else {
                continue;
            };
            let Some(paint) = style::paint(class, theme, zoom) else {
                continue;
            };
            let geometry = scaled(f.geometry, scale);
            seq = (seq + 1) & 0xF_FFFF;
            push_items(&mut items, geometry, paint, seq);
        }
    }
    mesh_of(items, Some(schema), px_per_tile)
}

/// The styled features of one tile sorted into drawing order and tessellated: the one
/// path both vector tiles and the OSM street map ([`super::streets`]) take.
pub(super) fn mesh_of(
    mut items: Vec<Item>,
    schema: Option<Schema>,
    px_per_tile: f32,
) -> Result<TileMesh, DecodeError> {
    let features = items.len();
    items.sort_by_key(|i| i.key);
    let mut mesh = Mesh::default();
    tessellate(&items, px_per_tile, &mut mesh)?;
    Ok(TileMesh {
        mesh,
        schema,
        features,
    })
}

fn scaled(g: Geometry<f32>, s: f32) -> Geometry<f32> {
    use geo::MapCoords;
    g.map_coords(|c| geo::coord! { x: c.x * s, y: c.y * s })
}

fn tessellate(items: &[Item], px_per_tile: f32, mesh: &mut Mesh) -> Result<(), DecodeError> {
    let mut fill = FillTessellator::new();
    let mut stroke = StrokeTessellator::new();
    let tolerance = 0.3 / px_per_tile;
    let mut buffers: VertexBuffers<[f32; 2], u32> = VertexBuffers::new();
    for item in items {
        buffers.vertices.clear();
        buffers.indices.clear();
        let mut builder = Path::builder();
        match item.width {
            None => {
                for polygon in polygons(&item.geometry) {
                    ring(&mut builder, polygon.exterior(), true);
                    for hole in polygon.interiors() {
                        ring(&mut builder, hole, true);
                    }
                }
                let path = builder.build();
                let opts = FillOptions::tolerance(tolerance).with_fill_rule(FillRule::EvenOdd);
                let mut out =
                    BuffersBuilder::new(&mut buffers, |v: FillVertex| v.position().to_array());
                // A self-intersecting ring that lyon cannot fill drops that feature only.
                if fill.tessellate_path(&path, &opts, &mut out).is_err() {
                    continue;
                }
            }
            Some(width) => {
                for line in lines(&item.geometry) {
                    if item.dashed {
                        dashes(&mut builder, line, 4.0 / px_per_tile, 3.0 / px_per_tile);
                    } else {
                        ring(&mut builder, line, false);
                    }
                }
                let path = builder.build();
                let opts = StrokeOptions::tolerance(tolerance)
                    .with_line_width(width / px_per_tile)
                    .with_line_join(LineJoin::Round)
                    .with_line_cap(LineCap::Round);
                let mut out =
                    BuffersBuilder::new(&mut buffers, |v: StrokeVertex| v.position().to_array());
                stroke
                    .tessellate_path(&path, &opts, &mut out)
                    .map_err(|e| DecodeError::Tessellation(format!("{e:?}")))?;
            }
        }
        mesh.append(&buffers, item.color);
    }
    Ok(())
}

fn polygons(g: &Geometry<f32>) -> Vec<&Polygon<f32>> {
    match g {
        Geometry::Polygon(p) => vec![p],
        Geometry::MultiPolygon(m) => m.0.iter().collect(),
        _ => Vec::new(),
    }
}

fn lines(g: &Geometry<f32>) -> Vec<&LineString<f32>> {
    match g {
        Geometry::LineString(l) => vec![l],
        Geometry::MultiLineString(m) => m.0.iter().collect(),
        Geometry::Polygon(p) => std::iter::once(p.exterior()).chain(p.interiors()).collect(),
        _ => Vec::new(),
    }
}

fn ring(builder: &mut lyon_tessellation::path::path::Builder, line: &LineString<f32>, close: bool) {
    let mut points = line.0.iter().filter(|c| c.x.is_finite() && c.y.is_finite());
    let Some(first) = points.next() else {
        return;
    };
    builder.begin(point(first.x, first.y));
    for c in points {
        builder.line_to(point(c.x, c.y));
    }
    builder.end(close);
}

/// The line cut into dashes `on` long with gaps `off` long (tile units).
fn dashes(
    builder: &mut lyon_tessellation::path::path::Builder,
    line: &LineString<f32>,
    on: f32,
    off: f32,
) {
    let mut drawing = true;
    let mut left = on;
    let mut open = false;
    for seg in line.lines() {
        let (a, b) = (seg.start, seg.end);
        let len = ((b.x - a.x).powi(2) + (b.y - a.y).powi(2)).sqrt();
        if !len.is_finite() || len == 0.0 {
            continue;
        }
        let mut t = 0.0;
        while t < len {
            let step = left.min(len - t);
            let p0 = point(a.x + (b.x - a.x) * t / len, a.y + (b.y - a.y) * t / len);
            let t1 = t + step;
            let p1 = point(a.x + (b.x - a.x) * t1 / len, a.y + (b.y - a.y) * t1 / len);
            if drawing {
                if !open {
                    builder.begin(p0);
                    open = true;
                }
                builder.line_to(p1);
            }
            left -= step;
            t = t1;
            if left <= 0.0 {
                if drawing && open {
                    builder.end(false);
                    open = false;
                }
                drawing = !drawing;
                left = if drawing { on } else { off };
            }
        }
    }
    if open {
        builder.end(false);
    }
}
