//! Collections: what analysts gathered before analysing, read into posts that each name
//! the files they carried. Reading a collection changes nothing; `Case::store_collected`
//! takes its files in as evidence with a source record each.
//!
//! Recognised: Telegram Desktop JSON exports (single chat or full account; the HTML
//! export is recognised and refused with the advice to export as JSON) and Bellingcat's
//! auto-archiver output (`metadata.json` beside the stored files) and WACZ web archives.

pub mod archiver;
mod archiver_stamps;
mod files;
mod into_case;
pub mod telegram;
pub mod wacz;

mod collected;
mod open;

pub use collected::{CollectError, Collected, Item, Media};
pub use into_case::{CollectionError, CollectionReport, KeptFile, NotImported};
pub use open::read;
