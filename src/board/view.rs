//! Image pixels ↔ panel points. Viewing rotation and flip live here only, so annotation
//! coordinates (oriented image pixels) never depend on how a panel is being looked at.

/// A panel's mapping: `screen = origin + zoom · flip(rotate(image − center))`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ViewTransform {
    /// Image pixel shown at `origin`.
    pub center: [f64; 2],
    /// Panel point (e.g. screen point) where `center` is drawn.
    pub origin: [f64; 2],
    /// Panel points per image pixel.
    pub zoom: f64,
    /// Clockwise quarter turns, 0–3.
    pub quarter_turns: u8,
    pub flip_horizontal: bool,
}

impl ViewTransform {
    /// The view that shows the whole `image` (w, h) centred in a `panel` (w, h) box
    /// whose centre is `origin`.
    pub fn fit(
        image: [f64; 2],
        panel: [f64; 2],
        origin: [f64; 2],
        quarter_turns: u8,
        flip_horizontal: bool,
    ) -> ViewTransform {
        let (w, h) = if quarter_turns % 2 == 1 {
            (image[1], image[0])
        } else {
            (image[0], image[1])
        };
        let zoom = (panel[0] / w.max(1.0)).min(panel[1] / h.max(1.0));
        ViewTransform {
            center: [image[0] / 2.0, image[1] / 2.0],
            origin,
            zoom: if zoom.is_finite() && zoom > 0.0 {
                zoom
            } else {
                1.0
            },
            quarter_turns: quarter_turns % 4,
            flip_horizontal,
        }
    }

    pub fn to_screen(&self, p: [f64; 2]) -> [f64; 2] {
        let v = [p[0] - self.center[0], p[1] - self.center[1]];
        let mut r = rotate(v, self.quarter_turns);
        if self.flip_horizontal {
            r[0] = -r[0];
        }
        [
            self.origin[0] + self.zoom * r[0],
            self.origin[1] + self.zoom * r[1],
        ]
    }

    pub fn to_image(&self, s: [f64; 2]) -> [f64; 2] {
        let mut r = [
            (s[0] - self.origin[0]) / self.zoom,
            (s[1] - self.origin[1]) / self.zoom,
        ];
        if self.flip_horizontal {
            r[0] = -r[0];
        }
        let v = rotate(r, (4 - self.quarter_turns % 4) % 4);
        [v[0] + self.center[0], v[1] + self.center[1]]
    }

    /// Scales by `factor` keeping the image point under `screen_point` where it is.
    pub fn zoom_about(&mut self, screen_point: [f64; 2], factor: f64, min: f64, max: f64) {
        let anchor = self.to_image(screen_point);
        self.zoom = (self.zoom * factor).clamp(min, max);
        let moved = self.to_screen(anchor);
        self.pan([screen_point[0] - moved[0], screen_point[1] - moved[1]]);
    }

    /// Moves the picture by a screen-space delta.
    pub fn pan(&mut self, delta: [f64; 2]) {
        let a = self.to_image(self.origin);
        let b = self.to_image([self.origin[0] - delta[0], self.origin[1] - delta[1]]);
        self.center = [
            self.center[0] + (b[0] - a[0]),
            self.center[1] + (b[1] - a[1]),
        ];
    }

    /// The axis-aligned image rectangle (x0, y0, x1, y1) visible in a screen rectangle.
    pub fn visible_image_rect(&self, min: [f64; 2], max: [f64; 2]) -> [f64; 4] {
        let corners = [
            self.to_image(min),
            self.to_image(max),
            self.to_image([min[0], max[1]]),
            self.to_image([max[0], min[1]]),
        ];
        let xs = corners.map(|c| c[0]);
        let ys = corners.map(|c| c[1]);
        [
            xs.iter().copied().fold(f64::INFINITY, f64::min),
            ys.iter().copied().fold(f64::INFINITY, f64::min),
            xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            ys.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        ]
    }
}

/// Rotates clockwise on screen (y points down) by `quarter_turns` × 90°.
fn rotate(v: [f64; 2], quarter_turns: u8) -> [f64; 2] {
    match quarter_turns % 4 {
        0 => v,
        1 => [-v[1], v[0]],
        2 => [-v[0], -v[1]],
        _ => [v[1], -v[0]],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: [f64; 2], b: [f64; 2]) -> bool {
        (a[0] - b[0]).abs() < 1e-9 && (a[1] - b[1]).abs() < 1e-9
    }

    #[test]
    fn every_rotation_and_flip_round_trips() {
        for q in 0..4 {
            for flip in [false, true] {
                let t = ViewTransform::fit([400.0, 300.0], [200.0, 200.0], [50.0, 60.0], q, flip);
                for p in [[0.0, 0.0], [400.0, 300.0], [123.5, 7.25]] {
                    assert!(
                        close(t.to_image(t.to_screen(p)), p),
                        "q={q} flip={flip} {p:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_quarter_turn_puts_the_top_left_corner_top_right() {
        let t = ViewTransform::fit([400.0, 200.0], [200.0, 400.0], [100.0, 200.0], 1, false);
        // Rotated, the image is 200 wide and 400 tall: it fills the panel at zoom 1.
        assert!((t.zoom - 1.0).abs() < 1e-12);
        assert!(close(t.to_screen([0.0, 0.0]), [200.0, 0.0]));
        assert!(close(t.to_screen([400.0, 200.0]), [0.0, 400.0]));
    }

    #[test]
    fn zooming_keeps_the_point_under_the_cursor() {
        let mut t = ViewTransform::fit([1000.0, 800.0], [500.0, 400.0], [250.0, 200.0], 3, true);
        let cursor = [100.0, 321.0];
        let before = t.to_image(cursor);
        t.zoom_about(cursor, 3.7, 0.01, 64.0);
        assert!(close(t.to_image(cursor), before));
        let mut panned = t;
        panned.pan([10.0, -4.0]);
        let moved = panned.to_screen(before);
        assert!(close(moved, [cursor[0] + 10.0, cursor[1] - 4.0]));
    }
}
