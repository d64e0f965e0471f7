//! The view beside the map: the georeference view or the candidate session. Only one is
//! shown at a time, so only one is open: opening one replaces the other.

use super::candidates::CandidateSession;
use super::georef::session::GeorefSession;

pub enum BesideMap {
    /// A finding's image panel being georeferenced.
    Georef(GeorefSession),
    /// Stepping through a finding's candidate sites beside its evidence.
    Candidates(CandidateSession),
}

impl BesideMap {
    pub fn georef(&self) -> Option<&GeorefSession> {
        match self {
            BesideMap::Georef(s) => Some(s),
            BesideMap::Candidates(_) => None,
        }
    }

    pub fn georef_mut(&mut self) -> Option<&mut GeorefSession> {
        match self {
            BesideMap::Georef(s) => Some(s),
            BesideMap::Candidates(_) => None,
        }
    }

    pub fn candidates(&self) -> Option<&CandidateSession> {
        match self {
            BesideMap::Candidates(s) => Some(s),
            BesideMap::Georef(_) => None,
        }
    }

    pub fn candidates_mut(&mut self) -> Option<&mut CandidateSession> {
        match self {
            BesideMap::Candidates(s) => Some(s),
            BesideMap::Georef(_) => None,
        }
    }
}
