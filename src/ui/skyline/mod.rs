//! What the board's Skyline tool and the georeference view share to show the skyline a
//! camera would see (#33): the service that holds the case's elevation and computes the
//! horizon all round a camera position off the UI thread (`service`), and how a
//! rendered skyline and its notes are drawn over a frame (`paint`).

mod paint;
mod service;

pub use paint::{note, outlined};
pub use service::{HorizonService, MAX_DISTANCE_M, elevation_files};
