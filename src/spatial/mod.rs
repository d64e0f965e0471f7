//! Geography: coordinate parsing and formatting, geodesic measures on WGS84, countries
//! and borders. No image or UI code here.

mod borders;
pub mod camera_pose;
mod coords;
pub mod framing;
mod geodesic;
pub mod georef;
pub mod labels;

pub use borders::{BorderFilter, BorderHit, Borders, BordersError, Country, Outline};
pub use coords::{CoordError, LatLon, RangeError, parse_coordinate};
pub use geodesic::{
    Measure, destination, distance_m, geodesic_circle, measure, path_length_m, polygon_area_m2,
    view_wedge,
};
