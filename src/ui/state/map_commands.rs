//! The map's commands as the app applies them: where it looks (or flies to), its
//! basemap, its tool and the measurement.

use super::{AppState, MapCommand};

impl AppState {
    pub(super) fn apply_map(&mut self, command: MapCommand) {
        match command {
            MapCommand::CenterOn(p, zoom) => {
                self.map.memory.center_at(walkers::lon_lat(p.lon, p.lat));
                if let Some(zoom) = zoom.filter(|z| *z > self.map.memory.zoom()) {
                    let _ = self.map.memory.set_zoom(zoom);
                }
            }
            MapCommand::SetBasemap(choice) => self.basemap.requested = Some(choice),
            MapCommand::SetTool(tool) => self.map.tool = tool,
            MapCommand::ClearMeasure => self.map.measure.clear(),
            MapCommand::FrameExtent(extent) => {
                self.map.camera.request = Some(crate::ui::map_camera::FrameRequest::Extent(extent));
            }
        }
    }
}
