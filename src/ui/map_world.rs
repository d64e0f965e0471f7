//! The map's view in walkers' own Web Mercator pixels, for drawing many points a frame:
//! a place is projected once (to zoom-0 pixels, [`merc`]) and each frame maps it to the
//! screen with one multiply-add per axis ([`View::screen`]), instead of a logarithm and a
//! tangent per point per frame. The numbers are walkers' projection's, so the points
//! land where its tiles and projector put them.

use egui::Rect;
use walkers::{Projection as _, Projector, lon_lat};

use crate::spatial::labels::Px;

/// A place in walkers' Web Mercator pixels at zoom 0 (the latitude kept inside the
/// projected square, so a pole stays on the map's edge).
pub(super) fn merc(lat: f64, lon: f64) -> [f64; 2] {
    let lat = lat.clamp(-85.051_128_78, 85.051_128_78);
    let p = walkers::MercatorProjection.project(lon_lat(lon, lat), 0.0);
    [p.x(), p.y()]
}

/// The map's view in world pixels: walkers' Web Mercator at the map's zoom.
#[derive(Clone)]
pub(super) struct View {
    pub rect: Rect,
    pub zoom: f64,
    /// World pixels per zoom-0 pixel (2^zoom).
    scale: f64,
    /// The world pixel at the rect's centre.
    centre: [f64; 2],
    /// Screen points per metre at the equator.
    pub px_per_m_equator: f64,
}

impl View {
    /// The view `projector` shows (in its own rect: screen positions are relative to
    /// the rect's centre, as walkers' are).
    pub fn of(projector: &Projector) -> View {
        let rect = projector.clip_rect();
        let projection = projector.projection();
        let zoom = projector.zoom();
        let edge = lon_lat(180.0, 0.0);
        let scale = projection.project(edge, zoom).x() / projection.project(edge, 0.0).x();
        let c = projection.project(projector.unproject(rect.center().to_vec2()), zoom);
        View {
            rect,
            zoom,
            scale,
            centre: [c.x(), c.y()],
            px_per_m_equator: f64::from(projector.scale_pixel_per_meter(lon_lat(0.0, 0.0))),
        }
    }

    pub fn world(&self, merc: [f64; 2]) -> [f64; 2] {
        [merc[0] * self.scale, merc[1] * self.scale]
    }

    pub fn screen(&self, world: [f64; 2]) -> Px {
        let c = self.rect.center();
        [
            (f64::from(c.x) + world[0] - self.centre[0]) as f32,
            (f64::from(c.y) + world[1] - self.centre[1]) as f32,
        ]
    }

    /// Where a zoom-0 point ([`merc`]) is on the screen.
    pub fn screen_of(&self, merc: [f64; 2]) -> egui::Pos2 {
        let [x, y] = self.screen(self.world(merc));
        egui::pos2(x, y)
    }

    /// The view grown by `grow` points on each side, in world pixels: `[min, max]`.
    pub fn world_box(&self, grow: [f64; 2]) -> [[f64; 2]; 2] {
        let half = [
            f64::from(self.rect.width()) / 2.0 + grow[0],
            f64::from(self.rect.height()) / 2.0 + grow[1],
        ];
        [
            [self.centre[0] - half[0], self.centre[1] - half[1]],
            [self.centre[0] + half[0], self.centre[1] + half[1]],
        ]
    }

    /// What a frame with this view and clustering draws the same as another's.
    pub fn same_as(&self, o: &View) -> bool {
        (
            self.rect,
            self.zoom.to_bits(),
            self.centre.map(f64::to_bits),
        ) == (o.rect, o.zoom.to_bits(), o.centre.map(f64::to_bits))
    }
}
