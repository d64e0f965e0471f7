//! The imports part's state: files and a collection asked for (picked up by the app's
//! import jobs at the end of the frame), a request to stop the collection, progress, and
//! the last collection imported.

use std::path::PathBuf;

#[derive(Debug, Default)]
pub struct Imports {
    /// Files for the background import.
    pub files: Vec<PathBuf>,
    /// A collection to import, and a request to stop the one running.
    pub collection: Option<PathBuf>,
    pub cancel_collection: bool,
    /// Progress of the file import and of the collection import (done, total).
    pub import_progress: Option<(usize, usize)>,
    pub collection_progress: Option<(usize, usize)>,
    pub last_collection: Option<PathBuf>,
}
