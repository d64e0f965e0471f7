//! The software rasteriser for snapshots: fills a [`Mesh`]'s triangles into an RGBA
//! image, in index order, blending each vertex colour (flat per triangle: the style
//! gives one colour per feature), clipped to a rectangle. Pixel centres are sampled
//! with a top-left fill rule, so triangles that share an edge neither overlap nor leave
//! a gap.

use image::RgbaImage;

use super::mesh::Mesh;

/// Where mesh coordinates go on the image: `pixel = offset + position * scale`.
#[derive(Debug, Clone, Copy)]
pub struct Placement {
    pub offset: [f64; 2],
    pub scale: f64,
    /// Only pixels inside `[x0, y0, x1, y1)` are painted.
    pub clip: [i64; 4],
}

/// Fills every triangle of `mesh` into `image`.
pub fn fill_mesh(image: &mut RgbaImage, mesh: &Mesh, at: Placement) {
    let (w, h) = (i64::from(image.width()), i64::from(image.height()));
    let clip = [
        at.clip[0].max(0),
        at.clip[1].max(0),
        at.clip[2].min(w),
        at.clip[3].min(h),
    ];
    if clip[0] >= clip[2] || clip[1] >= clip[3] {
        return;
    }
    let px = |i: u32| {
        let p = mesh.positions[i as usize];
        [
            at.offset[0] + f64::from(p[0]) * at.scale,
            at.offset[1] + f64::from(p[1]) * at.scale,
        ]
    };
    for tri in mesh.indices.chunks_exact(3) {
        let color = mesh.colors[tri[0] as usize];
        triangle(image, [px(tri[0]), px(tri[1]), px(tri[2])], color, clip);
    }
}

fn edge(a: [f64; 2], b: [f64; 2], p: [f64; 2]) -> f64 {
    (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])
}

fn triangle(image: &mut RgbaImage, v: [[f64; 2]; 3], color: [u8; 4], clip: [i64; 4]) {
    let mut v = v;
    let area = edge(v[0], v[1], v[2]);
    if !area.is_finite() || area == 0.0 {
        return;
    }
    if area < 0.0 {
        v.swap(1, 2);
    }
    let min_x = (v.iter().map(|p| p[0]).fold(f64::MAX, f64::min).floor() as i64).max(clip[0]);
    let max_x = (v.iter().map(|p| p[0]).fold(f64::MIN, f64::max).ceil() as i64).min(clip[2]);
    let min_y = (v.iter().map(|p| p[1]).fold(f64::MAX, f64::min).floor() as i64).max(clip[1]);
    let max_y = (v.iter().map(|p| p[1]).fold(f64::MIN, f64::max).ceil() as i64).min(clip[3]);
    // Top-left rule: a pixel centre exactly on an edge belongs to the triangle only
    // when that edge is a top or a left edge.
    let bias = |a: [f64; 2], b: [f64; 2]| {
        let top_left = (a[1] == b[1] && b[0] < a[0]) || b[1] < a[1];
        if top_left { 0.0 } else { -1e-12 }
    };
    let biases = [bias(v[1], v[2]), bias(v[2], v[0]), bias(v[0], v[1])];
    for y in min_y..max_y {
        let py = y as f64 + 0.5;
        for x in min_x..max_x {
            let p = [x as f64 + 0.5, py];
            let w0 = edge(v[1], v[2], p);
            let w1 = edge(v[2], v[0], p);
            let w2 = edge(v[0], v[1], p);
            if w0 + biases[0] >= 0.0 && w1 + biases[1] >= 0.0 && w2 + biases[2] >= 0.0 {
                blend(image.get_pixel_mut(x as u32, y as u32), color);
            }
        }
    }
}

fn blend(dst: &mut image::Rgba<u8>, src: [u8; 4]) {
    let a = u32::from(src[3]);
    if a == 255 {
        dst.0 = src;
        return;
    }
    for (d, s) in dst.0.iter_mut().zip(src).take(3) {
        *d = ((u32::from(s) * a + u32::from(*d) * (255 - a)) / 255) as u8;
    }
    dst.0[3] = dst.0[3].max(src[3]);
}
