//! A Telegram Desktop JSON export built at test time, shared by the collection tests.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::data;

pub const NOT_INCLUDED: &str = "(File not included. Change data exporting settings to download.)";

pub fn demo_video() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "assets/demo-case/evidence/05595026fcfafcc7498169b0abab0a69655f3f0e12a44ca98552519d6c9b80a5.mp4",
    )
}

/// A single-chat export with a photo, a video, a forward of the photo, a file not
/// included, a path leaving the folder, a document, a service message, a bad id and a
/// message with only a local date; returns the export folder.
pub fn channel_export(dir: &Path) -> PathBuf {
    let root = dir.join("ChatExport_2024-03-25");
    for sub in ["photos", "video_files", "files"] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
    std::fs::copy(
        data("rocket-gps.jpg"),
        root.join("photos/photo_1@23-03-2024.jpg"),
    )
    .unwrap();
    std::fs::copy(
        data("coffee-no-gps.jpg"),
        root.join("photos/photo_9@24-03-2024.jpg"),
    )
    .unwrap();
    std::fs::copy(demo_video(), root.join("video_files/arrest.mp4")).unwrap();
    std::fs::write(root.join("files/statement.pdf"), b"%PDF-1.4 not analysed").unwrap();
    std::fs::write(dir.join("secret.jpg"), b"outside the export").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.join("secret.jpg"), root.join("photos/link.jpg")).unwrap();
    let messages = json!([
        {"id": 1, "type": "message", "date": "2024-03-23T10:15:00", "date_unixtime": "1711178100",
         "from": "Bryansk Watch", "from_id": "channel1234567890", "author": "admin",
         "photo": "photos/photo_1@23-03-2024.jpg", "width": 640, "height": 427,
         "text": "ignored", "text_entities": [{"type": "plain", "text": "Launch pad, "},
             {"type": "bold", "text": "as promised"}],
         "location_information": {"latitude": 28.5619, "longitude": -80.5774}},
        {"id": 2, "type": "message", "date_unixtime": "1711178400", "from": "Bryansk Watch",
         "file": "video_files/arrest.mp4", "media_type": "video_file", "mime_type": "video/mp4",
         "text": "Arrest video"},
        {"id": 3, "type": "message", "date_unixtime": "1711178500", "from": "Bryansk Watch",
         "photo": NOT_INCLUDED, "text": ""},
        {"id": 4, "type": "message", "date_unixtime": "1711178600", "from": null,
         "file": "../secret.jpg", "text": "escape"},
        {"id": 5, "type": "message", "date_unixtime": "1711178700", "from": "Bryansk Watch",
         "file": "files/statement.pdf", "text": "a document"},
        {"id": 6, "type": "message", "date_unixtime": "1711182000", "from": "Bryansk Watch",
         "forwarded_from": "Other Channel", "reply_to_message_id": 1,
         "photo": "photos/photo_1@23-03-2024.jpg", "text": ["Again: ", {"type": "link", "text": "t.me/x"}]},
        {"id": 7, "type": "service", "action": "pin_message", "date_unixtime": "1711182100"},
        {"id": -5, "type": "message", "date_unixtime": "1711182200",
         "photo": "photos/photo_9@24-03-2024.jpg"},
        {"id": 9, "type": "message", "date": "2024-03-24T09:00:00", "from": null,
         "photo": "photos/photo_9@24-03-2024.jpg"},
        {"id": 10, "type": "message", "date_unixtime": "1711182300", "photo": "photos/link.jpg"}
    ]);
    let result = json!({"name": "Bryansk Watch", "type": "public_channel", "id": 1234567890,
        "messages": messages});
    std::fs::write(
        root.join("result.json"),
        serde_json::to_vec_pretty(&result).unwrap(),
    )
    .unwrap();
    root
}
