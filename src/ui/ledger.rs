//! The network ledger: every request the app made this session (tiles, timestamps, OSM
//! queries), with where it went, what for and how it ended. Sources write to it before
//! they send; the ledger panel reads it.

use std::sync::Mutex;
use std::time::Instant;

use walkers::TileId;

/// What happened to one request.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    InFlight,
    Ok { bytes: usize, millis: u128 },
    Failed(String),
}

/// One line of the network ledger.
#[derive(Debug, Clone)]
pub struct LedgerEntry {
    pub time: chrono::DateTime<chrono::Local>,
    pub host: String,
    pub tile: TileId,
    pub url: String,
    pub outcome: Outcome,
    /// What a request that is not a tile was for (e.g. a timestamp of the case).
    pub purpose: Option<String>,
}

/// Every network request the app made this session, oldest first.
#[derive(Default)]
pub struct NetworkLedger {
    entries: Mutex<Vec<LedgerEntry>>,
}

impl NetworkLedger {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<LedgerEntry>> {
        // A panic while holding the lock leaves plain data behind; keep using it.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records a request about to be sent; returns its index for [`Self::finish`].
    pub(crate) fn start(&self, host: String, tile: TileId, url: String) -> usize {
        let mut entries = self.lock();
        entries.push(LedgerEntry {
            time: chrono::Local::now(),
            host,
            tile,
            url,
            outcome: Outcome::InFlight,
            purpose: None,
        });
        entries.len() - 1
    }

    /// Records a request that is not a tile (it shows its purpose instead).
    pub fn start_request(&self, host: String, url: String, purpose: &str) -> usize {
        let mut entries = self.lock();
        entries.push(LedgerEntry {
            time: chrono::Local::now(),
            host,
            tile: TileId {
                x: 0,
                y: 0,
                zoom: 0,
            },
            url,
            outcome: Outcome::InFlight,
            purpose: Some(purpose.to_owned()),
        });
        entries.len() - 1
    }

    pub(crate) fn finish(&self, index: usize, outcome: Outcome) {
        if let Some(entry) = self.lock().get_mut(index) {
            entry.outcome = outcome;
        }
    }

    /// Records how request `index`, started at `started`, ended.
    pub fn finish_with(&self, index: usize, result: &Result<Vec<u8>, String>, started: Instant) {
        self.finish(
            index,
            match result {
                Ok(bytes) => Outcome::Ok {
                    bytes: bytes.len(),
                    millis: started.elapsed().as_millis(),
                },
                Err(e) => Outcome::Failed(e.clone()),
            },
        );
    }

    pub fn snapshot(&self) -> Vec<LedgerEntry> {
        self.lock().clone()
    }

    /// Copies of the entries in `rows` only (the ledger panel shows a screenful).
    pub fn rows(&self, rows: std::ops::Range<usize>) -> Vec<LedgerEntry> {
        let entries = self.lock();
        let end = rows.end.min(entries.len());
        entries[rows.start.min(end)..end].to_vec()
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn failed(&self) -> usize {
        self.lock()
            .iter()
            .filter(|e| matches!(e.outcome, Outcome::Failed(_)))
            .count()
    }
}
