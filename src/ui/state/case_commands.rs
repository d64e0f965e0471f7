//! The case's own commands as the app applies them: create, open and save the case,
//! a new finding, what to import (files, elevation, collections), and the *Stamp case*
//! dialog's changes.

use super::{AppState, Selection, Status, Tool};
use crate::case::{Case, Edit, Finding, FindingKind, FindingLocation};
use crate::ui::command::{CaseCommand, ImportCommand, StampCommand};

impl AppState {
    pub(super) fn apply_case(&mut self, command: CaseCommand) -> Result<(), String> {
        match command {
            CaseCommand::NewFinding => self.new_finding()?,
            CaseCommand::New(path) => {
                let title = path.file_name().map_or_else(
                    || "Untitled case".into(),
                    |n| n.to_string_lossy().into_owned(),
                );
                let case = Case::create(&path, &title).map_err(|e| e.to_string())?;
                self.set_case(case);
                self.shell.status = Some(Status::Info(format!("created {}", path.display())));
            }
            CaseCommand::Save => {
                let case = self.case.as_mut().ok_or("no case is open")?;
                case.save().map_err(|e| e.to_string())?;
                self.shell.status = Some(Status::Info(format!(
                    "saved: every change is on disk in {}",
                    case.root().display()
                )));
            }
            CaseCommand::Open(path) => {
                let case = Case::open(&path).map_err(|e| e.to_string())?;
                self.set_case(case);
                self.shell.status = Some(Status::Info(format!("opened {}", path.display())));
            }
        }
        Ok(())
    }

    /// A geolocation finding at the map centre, selected, with the place tool on.
    fn new_finding(&mut self) -> Result<(), String> {
        let case = self.case.as_mut().ok_or("no case is open")?;
        let mut finding = Finding::new(FindingKind::Geolocation, "New geolocation");
        if let Some(c) = self.map.memory.detached() {
            finding.location = Some(FindingLocation {
                lat: c.y(),
                lon: c.x(),
                precision_m: self.prefs.default_precision_m,
            });
        }
        let id = finding.id.clone();
        case.apply(Edit::PutFinding(Box::new(finding)))
            .map_err(|e| e.to_string())?;
        case.save().map_err(|e| e.to_string())?;
        self.shell.selection = Some(Selection::Finding(id));
        self.map.tool = Tool::PlaceFinding;
        Ok(())
    }

    pub(super) fn apply_import(&mut self, command: ImportCommand) -> Result<(), String> {
        match command {
            ImportCommand::Files(files) => {
                if self.case.is_none() {
                    return Err("open or create a case before importing".into());
                }
                self.imports.files.extend(files);
            }
            ImportCommand::Elevation(files) => {
                if self.case.is_none() {
                    return Err("open or create a case before adding elevation files".into());
                }
                self.map.terrain.to_add.extend(files);
            }
            ImportCommand::Collection(source) => {
                if self.case.is_none() {
                    return Err("open or create a case before importing a collection".into());
                }
                self.imports.collection = Some(source);
            }
            ImportCommand::CancelCollection => self.imports.cancel_collection = true,
        }
        Ok(())
    }

    pub(super) fn apply_stamp(&mut self, command: StampCommand) -> Result<(), String> {
        match command {
            StampCommand::WriteManifest { urls } => {
                let case = self.case.as_mut().ok_or("no case is open")?;
                let manifest = case.stamp_manifest().map_err(|e| e.to_string())?;
                if let Some(dialog) = &mut self.dialogs.stamp {
                    dialog.manifest_ready(manifest, urls);
                }
            }
            StampCommand::Store { manifest, replies } => {
                self.shell.status = Some(crate::ui::stamp_dialog::store(
                    self.case.as_mut(),
                    &manifest,
                    &replies,
                ));
            }
        }
        Ok(())
    }
}
