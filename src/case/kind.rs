//! What kind of thing an evidence item is: the one place that decides how an item is
//! shown, decoded, compared and cited.
//!
//! A new kind (audio, a document) is a new variant here; the exhaustive matches below
//! and at the call sites then point at every place that must learn about it.

use serde::{Deserialize, Serialize};

use crate::evidence::MediaType;

/// What an evidence item is. Not stored: a record's kind follows from the facts it
/// carries (see [`super::EvidenceRecord::kind`]), so case folders need no new field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// One still picture (a photo, a screenshot, a frame grabbed from a video).
    Photo,
    /// Moving pictures: a panel shows one of its frames.
    Video,
}

impl EvidenceKind {
    /// Every kind, in the order lists show them.
    pub const ALL: [EvidenceKind; 2] = [EvidenceKind::Photo, EvidenceKind::Video];

    /// The kind's name in JSON and in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Photo => "photo",
            EvidenceKind::Video => "video",
        }
    }

    /// The kind a sniffed file is taken in as.
    pub fn of_media_type(media_type: MediaType) -> EvidenceKind {
        match media_type {
            MediaType::Jpeg
            | MediaType::Png
            | MediaType::Webp
            | MediaType::Tiff
            | MediaType::Heif
            | MediaType::Avif => EvidenceKind::Photo,
            MediaType::Mp4
            | MediaType::QuickTime
            | MediaType::M4v
            | MediaType::WebM
            | MediaType::Matroska
            | MediaType::MpegTs
            | MediaType::Avi => EvidenceKind::Video,
        }
    }

    /// Whether the item is one still picture as it stands: it can be shown, redacted,
    /// measured and georeferenced without choosing a frame first.
    pub fn is_still(self) -> bool {
        match self {
            EvidenceKind::Photo => true,
            EvidenceKind::Video => false,
        }
    }

    /// Whether the item is a sequence of frames in time: a panel on it shows (and a
    /// figure cites) one frame, and its likeness to another item is judged frame by frame.
    pub fn has_frames(self) -> bool {
        match self {
            EvidenceKind::Photo => false,
            EvidenceKind::Video => true,
        }
    }
}

impl std::fmt::Display for EvidenceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_map_to_the_kind_intake_treats_them_as() {
        for m in [
            MediaType::Jpeg,
            MediaType::Png,
            MediaType::Webp,
            MediaType::Tiff,
            MediaType::Heif,
            MediaType::Avif,
            MediaType::Mp4,
            MediaType::QuickTime,
            MediaType::M4v,
            MediaType::WebM,
            MediaType::Matroska,
            MediaType::MpegTs,
            MediaType::Avi,
        ] {
            let kind = EvidenceKind::of_media_type(m);
            assert_eq!(kind == EvidenceKind::Video, m.is_video(), "{m:?}");
            assert_eq!(kind.has_frames(), !kind.is_still(), "{m:?}");
        }
    }

    #[test]
    fn names_round_trip_through_json() {
        for kind in EvidenceKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{kind}\""));
            assert_eq!(serde_json::from_str::<EvidenceKind>(&json).unwrap(), kind);
        }
    }
}
