//! What the terrain commands share: the DEM files and how heights are read, and the
//! parsers of points, cameras and frame sizes, and a camera's flags.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use geoproof::spatial::{self, LatLon};
use geoproof::terrain::skyline::Camera;
use geoproof::terrain::{Curvature, DEFAULT_REFRACTION, Dem, HeightRef, Site, TerrainError};

/// What every terrain command takes.
#[derive(Debug, Args)]
pub(super) struct Common {
    /// An elevation file: GeoTIFF/COG, SRTM .hgt, DTED, ASCII grid, any CRS (repeatable:
    /// the tiles form one surface; they must share a CRS and vertical unit).
    #[arg(long = "dem", value_name = "FILE", required = true)]
    pub(super) dems: Vec<PathBuf>,
    /// Refraction coefficient k (0 none, 1 cancels the Earth's curvature).
    #[arg(long, default_value_t = DEFAULT_REFRACTION, allow_hyphen_values = true)]
    pub(super) refraction: f64,
    /// Heights are in the DEM's vertical datum, not above the ground.
    #[arg(long)]
    pub(super) absolute: bool,
    #[arg(long)]
    pub(super) json: bool,
}

impl Common {
    pub(super) fn open(&self) -> Result<(Dem, Curvature)> {
        let dem = Dem::open(&self.dems).map_err(|e| match e {
            TerrainError::NoDem => anyhow::anyhow!("no elevation file given (--dem FILE)"),
            e => e.into(),
        })?;
        Ok((dem, Curvature::new(self.refraction)?))
    }

    pub(super) fn site(&self, at: LatLon, height_m: f64) -> Site {
        Site {
            at,
            height_m,
            reference: if self.absolute {
                HeightRef::Absolute
            } else {
                HeightRef::AboveGround
            },
        }
    }
}

/// A camera on the command line: where it stands, how it looks, the frame it makes.
#[derive(Debug, Args)]
pub(super) struct CameraArgs {
    #[arg(long, value_name = "LAT,LON,HEIGHT", allow_hyphen_values = true)]
    camera: String,
    #[arg(long, value_name = "D", allow_hyphen_values = true)]
    heading: f64,
    #[arg(
        long,
        value_name = "D",
        default_value_t = 0.0,
        allow_hyphen_values = true
    )]
    pitch: f64,
    #[arg(
        long,
        value_name = "D",
        default_value_t = 0.0,
        allow_hyphen_values = true
    )]
    roll: f64,
    /// Horizontal field of view, degrees.
    #[arg(long, value_name = "D", allow_hyphen_values = true)]
    fov: f64,
    #[arg(long, value_name = "WxH")]
    size: String,
}

impl CameraArgs {
    pub(super) fn camera(&self, common: &Common) -> Result<Camera> {
        let (at, height) = camera_arg(&self.camera)?;
        let (width, height_px) = size_arg(&self.size)?;
        Ok(Camera {
            site: common.site(at, height),
            heading_deg: self.heading,
            pitch_deg: self.pitch,
            roll_deg: self.roll,
            fov_deg: self.fov,
            width,
            height: height_px,
        })
    }
}

pub(super) fn point(text: &str) -> Result<LatLon> {
    Ok(spatial::parse_coordinate(text)?)
}

/// `LAT,LON,HEIGHT`.
pub(super) fn camera_arg(text: &str) -> Result<(LatLon, f64)> {
    let bad = || anyhow::anyhow!("--camera {text:?}: expected LAT,LON,HEIGHT (degrees, metres)");
    let (position, height) = text.rsplit_once(',').ok_or_else(bad)?;
    let height: f64 = height.trim().parse().map_err(|_| bad())?;
    Ok((point(position)?, height))
}

/// `WxH`.
pub(super) fn size_arg(text: &str) -> Result<(u32, u32)> {
    let bad =
        || anyhow::anyhow!("--size {text:?}: expected WIDTHxHEIGHT in pixels, e.g. 1920x1080");
    let (w, h) = text.split_once(['x', 'X', '×']).ok_or_else(bad)?;
    Ok((
        w.trim().parse().map_err(|_| bad())?,
        h.trim().parse().map_err(|_| bad())?,
    ))
}
