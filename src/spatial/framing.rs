//! Choosing a map view that shows a set of places: the Web Mercator zoom and centre that
//! fit their extent (with each place's radius: a precision circle, a camera's reach) into
//! a viewport, with a margin. Zoom levels are those of 256-pixel web map tiles.

use super::LatLon;

/// Web Mercator's latitude limit (the square world).
const MAX_MERCATOR_LAT: f64 = 85.051_128_779_806_59;
/// Pixels of the whole world at zoom 0.
const TILE: f64 = 256.0;
/// Metres per degree of latitude (mean); enough for sizing a view.
const METRES_PER_DEGREE: f64 = 111_320.0;

/// A latitude/longitude box, degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Extent {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
}

impl Extent {
    /// The box around places, each grown by its radius in metres; `None` for none.
    pub fn around(places: impl IntoIterator<Item = (LatLon, f64)>) -> Option<Extent> {
        let mut extent: Option<Extent> = None;
        for (p, radius_m) in places {
            if !(p.lat.is_finite() && p.lon.is_finite()) {
                continue;
            }
            let r = if radius_m.is_finite() {
                radius_m.max(0.0)
            } else {
                0.0
            };
            let dlat = r / METRES_PER_DEGREE;
            let dlon = dlat / p.lat.to_radians().cos().max(0.01);
            let grown = Extent {
                west: (p.lon - dlon).max(-180.0),
                south: (p.lat - dlat).max(-90.0),
                east: (p.lon + dlon).min(180.0),
                north: (p.lat + dlat).min(90.0),
            };
            extent = Some(match extent {
                None => grown,
                Some(e) => Extent {
                    west: e.west.min(grown.west),
                    south: e.south.min(grown.south),
                    east: e.east.max(grown.east),
                    north: e.north.max(grown.north),
                },
            });
        }
        extent
    }

    /// The inhabited world, for a case with nothing located.
    pub const WORLD: Extent = Extent {
        west: -170.0,
        south: -58.0,
        east: 180.0,
        north: 75.0,
    };

    /// Whether `p` lies inside.
    pub fn contains(&self, p: LatLon) -> bool {
        (self.south..=self.north).contains(&p.lat) && (self.west..=self.east).contains(&p.lon)
    }

    /// Whether `other` lies wholly inside.
    pub fn contains_extent(&self, other: &Extent) -> bool {
        self.west <= other.west
            && self.east >= other.east
            && self.south <= other.south
            && self.north >= other.north
    }
}

/// A map view: the geographic centre and the zoom level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    pub center: LatLon,
    pub zoom: f64,
}

/// Position on the zoom-0 world square, 0..1 from west and from north.
pub fn mercator(p: LatLon) -> [f64; 2] {
    let lat = p
        .lat
        .clamp(-MAX_MERCATOR_LAT, MAX_MERCATOR_LAT)
        .to_radians();
    let x = (p.lon + 180.0) / 360.0;
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0;
    [x, y]
}

/// The inverse of [`mercator`].
pub fn unmercator([x, y]: [f64; 2]) -> LatLon {
    let n = std::f64::consts::PI * (1.0 - 2.0 * y);
    LatLon {
        lat: n.sinh().atan().to_degrees(),
        lon: x * 360.0 - 180.0,
    }
}

/// The view that shows `extent` in a viewport of `width` × `height` pixels, keeping
/// `margin` pixels free on every side, zoomed no further in than `max_zoom` and no
/// further out than `min_zoom`.
pub fn fit(
    extent: &Extent,
    width: f64,
    height: f64,
    margin: f64,
    min_zoom: f64,
    max_zoom: f64,
) -> View {
    let nw = mercator(LatLon {
        lat: extent.north,
        lon: extent.west,
    });
    let se = mercator(LatLon {
        lat: extent.south,
        lon: extent.east,
    });
    let center = unmercator([(nw[0] + se[0]) / 2.0, (nw[1] + se[1]) / 2.0]);
    let usable_w = (width - 2.0 * margin).max(1.0);
    let usable_h = (height - 2.0 * margin).max(1.0);
    let span_x = (se[0] - nw[0]).abs() * TILE;
    let span_y = (se[1] - nw[1]).abs() * TILE;
    let fit_x = if span_x > 0.0 {
        (usable_w / span_x).log2()
    } else {
        f64::INFINITY
    };
    let fit_y = if span_y > 0.0 {
        (usable_h / span_y).log2()
    } else {
        f64::INFINITY
    };
    let zoom = fit_x.min(fit_y).clamp(min_zoom, max_zoom);
    View { center, zoom }
}

/// The extent a `view` shows in a viewport of `width` × `height` pixels.
pub fn visible_extent(view: &View, width: f64, height: f64) -> Extent {
    let c = mercator(view.center);
    let scale = TILE * 2f64.powf(view.zoom);
    let (hw, hh) = (width / 2.0 / scale, height / 2.0 / scale);
    let nw = unmercator([c[0] - hw, (c[1] - hh).max(0.0)]);
    let se = unmercator([c[0] + hw, (c[1] + hh).min(1.0)]);
    Extent {
        west: nw.lon,
        south: se.lat,
        east: se.lon,
        north: nw.lat,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ll(lat: f64, lon: f64) -> LatLon {
        LatLon { lat, lon }
    }

    #[test]
    fn mercator_round_trips() {
        for p in [
            ll(53.079839, 34.554344),
            ll(-33.86882, 151.20929),
            ll(0.0, 0.0),
            ll(78.2, -15.6),
        ] {
            let back = unmercator(mercator(p));
            assert!((back.lat - p.lat).abs() < 1e-9 && (back.lon - p.lon).abs() < 1e-9);
        }
    }

    #[test]
    fn a_fitted_extent_lies_inside_the_viewport_with_its_margin_and_fills_it() {
        let e = Extent {
            west: 28.0,
            south: 50.0,
            east: 40.0,
            north: 56.0,
        };
        let (w, h, m) = (800.0, 600.0, 40.0);
        let v = fit(&e, w, h, m, 0.0, 20.0);
        let shown = visible_extent(&v, w - 2.0 * m + 1.0, h - 2.0 * m + 1.0);
        assert!(
            shown.contains_extent(&e),
            "{shown:?} does not contain {e:?}"
        );
        // Half a level further in, it would not fit.
        let tighter = visible_extent(
            &View {
                zoom: v.zoom + 0.5,
                ..v
            },
            w - 2.0 * m,
            h - 2.0 * m,
        );
        assert!(!tighter.contains_extent(&e));
    }

    #[test]
    fn a_single_place_is_shown_at_the_zoom_limit_and_a_radius_zooms_out() {
        let p = ll(53.079839, 34.554344);
        let alone = Extent::around([(p, 0.0)]).unwrap();
        assert_eq!(fit(&alone, 800.0, 600.0, 40.0, 1.0, 7.0).zoom, 7.0);
        let circle = Extent::around([(p, 250.0)]).unwrap();
        let v = fit(&circle, 800.0, 600.0, 40.0, 1.0, 19.0);
        // A 500 m circle in 520 usable pixels: about 1 m a pixel, zoom 16.6 at 53° N.
        assert!((16.0..17.0).contains(&v.zoom), "{}", v.zoom);
        let shown = visible_extent(&v, 800.0, 600.0);
        assert!(shown.contains_extent(&circle));
    }

    #[test]
    fn nothing_located_gives_no_extent_and_the_world_fits_at_a_small_zoom() {
        assert!(Extent::around(std::iter::empty()).is_none());
        let v = fit(&Extent::WORLD, 1000.0, 700.0, 20.0, 0.0, 20.0);
        assert!((1.0..3.0).contains(&v.zoom), "{}", v.zoom);
    }
}
