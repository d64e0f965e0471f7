//! The commands of the view beside the map as the app applies them: opening the
//! candidate session or the georeference view (one at a time), exporting the open
//! georeference, closing the view.

use super::{AppState, BesideCommand, BesideMap, GeorefExport, Status, Workspace};

impl AppState {
    pub(super) fn apply_beside(&mut self, command: BesideCommand) -> Result<(), String> {
        match command {
            BesideCommand::StartCandidates(id) => {
                self.refuse_hidden(&id)?;
                self.start_candidates(&id);
            }
            BesideCommand::StartGeoref { panel } => {
                self.commit_board()?;
                let finding = self
                    .board
                    .finding
                    .clone()
                    .ok_or("no finding is on the board")?;
                self.start_georef(&finding, &panel)?;
            }
            BesideCommand::ExportGeoref { kind, path } => self.export_georef(kind, &path)?,
            BesideCommand::Close => self.beside = None,
        }
        Ok(())
    }

    /// Opens the candidate session on a finding and flies to its first candidate.
    pub fn start_candidates(&mut self, finding: &str) {
        // The board's history is the finding's undo history: open it there (unshown).
        if let Err(e) = self.commit_board() {
            self.shell.status = Some(Status::Error(e));
        }
        if let Some(f) = self
            .case
            .as_ref()
            .and_then(|c| c.finding(finding).ok())
            .cloned()
        {
            self.board.open(&f);
        }
        // Replaces the georeference view if it was open: one view beside the map.
        self.beside = Some(BesideMap::Candidates(
            crate::ui::candidates::CandidateSession::new(finding),
        ));
        self.shell.workspace = Workspace::Map;
        self.candidate_ctx().fly_to_first();
    }

    /// Opens the georeference view on `panel` of `finding` and shows its points.
    pub(crate) fn start_georef(&mut self, finding: &str, panel: &str) -> Result<(), String> {
        let case = self.case.as_ref().ok_or("no case is open")?;
        let (session, frame) = crate::ui::georef::open_session(case, finding, panel)?;
        // Replaces the candidate session if it was open: one view beside the map.
        self.beside = Some(BesideMap::Georef(session));
        self.shell.workspace = Workspace::Map;
        if let Some((lat, lon, zoom)) = frame {
            self.map.memory.center_at(walkers::lon_lat(lon, lat));
            let _ = self.map.memory.set_zoom(zoom);
        }
        Ok(())
    }

    /// Writes the open georeference as a GeoTIFF, KML or control-point GeoJSON.
    pub(super) fn export_georef(
        &mut self,
        kind: GeorefExport,
        path: &std::path::Path,
    ) -> Result<(), String> {
        let session = self.georef().ok_or("the georeference view is not open")?;
        let case = self.case.as_ref().ok_or("no case is open")?;
        let message = crate::ui::georef::export(case, session, kind, path)?;
        self.shell.status = Some(Status::Info(message));
        Ok(())
    }
}
