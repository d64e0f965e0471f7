//! What the georeference view reads and changes, lent by the app for each call.

use crate::case::georeference::Georeference;
use crate::case::{Case, Edit};
use crate::spatial::georef::Method;
use crate::ui::command::{Command, MapViewExtent};

use super::session::{self, Change, GeorefSession};

/// The georeference being edited in `session`, if any.
pub fn record_of<'a>(
    case: Option<&'a Case>,
    session: Option<&GeorefSession>,
) -> Option<&'a Georeference> {
    let s = session?;
    case?
        .finding(&s.finding)
        .ok()?
        .georeference
        .as_ref()
        .filter(|g| g.panel == s.panel)
}

/// What the georeference view reads and changes: the case (read only; changes are
/// commands), the session, the map's last view and the command queue (status messages included).
pub struct GeorefCtx<'a> {
    pub case: Option<&'a Case>,
    /// The session, while the georeference view is open.
    pub georef: Option<&'a mut GeorefSession>,
    pub map_view: Option<MapViewExtent>,
    pub commands: &'a mut Vec<Command>,
}

impl GeorefCtx<'_> {
    /// The georeference being edited, if the view is open.
    pub fn georef_record(&self) -> Option<&Georeference> {
        record_of(self.case, self.georef.as_deref())
    }

    /// Applies one change as one edit of the finding.
    pub(super) fn georef_change(&mut self, change: Change) {
        let Some(s) = self.georef.as_deref() else {
            return;
        };
        let Some(f) = self.case.as_ref().and_then(|c| c.finding(&s.finding).ok()) else {
            return;
        };
        let mut f = f.clone();
        let method = match &change {
            Change::SetMethod(m) => *m,
            _ => Method::Projective,
        };
        let g = f
            .georeference
            .get_or_insert_with(|| Georeference::new(&s.panel, method));
        session::apply_change(g, change);
        self.commands
            .push(Command::Edit(Edit::PutFinding(Box::new(f))));
    }

    pub(super) fn georef_put(&mut self, g: Georeference) {
        let Some(s) = self.georef.as_deref() else {
            return;
        };
        let Some(f) = self.case.as_ref().and_then(|c| c.finding(&s.finding).ok()) else {
            return;
        };
        let mut f = f.clone();
        f.georeference = Some(g);
        self.commands
            .push(Command::Edit(Edit::PutFinding(Box::new(f))));
    }
}
