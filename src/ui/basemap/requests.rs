//! The tile requests a drawing service works through: newest first (the view the analyst
//! is looking at now), bounded (requests not yet started beyond the bound are dropped,
//! the oldest first), and a service waiting for work wakes when one arrives.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

/// How long a waiting service sleeps before it looks at its cancel flag again.
const POLL: Duration = Duration::from_millis(200);

pub struct Requests<T> {
    waiting: Mutex<VecDeque<T>>,
    wake: Condvar,
    bound: usize,
}

impl<T> Requests<T> {
    pub fn new(bound: usize) -> Requests<T> {
        Requests {
            waiting: Mutex::new(VecDeque::new()),
            wake: Condvar::new(),
            bound,
        }
    }

    /// Queues `item` and wakes the service; returns the oldest request dropped to keep
    /// the bound, so the caller can forget it was asked for.
    pub fn push(&self, item: T) -> Option<T> {
        let mut waiting = self.waiting.lock().unwrap_or_else(PoisonError::into_inner);
        waiting.push_back(item);
        let dropped = if waiting.len() > self.bound {
            waiting.pop_front()
        } else {
            None
        };
        self.wake.notify_one();
        dropped
    }

    /// The newest request, waiting up to [`POLL`] for one.
    pub fn next(&self) -> Option<T> {
        let mut waiting = self.waiting.lock().unwrap_or_else(PoisonError::into_inner);
        if waiting.is_empty() {
            waiting = self
                .wake
                .wait_timeout(waiting, POLL)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        waiting.pop_back()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_first_and_the_oldest_dropped_beyond_the_bound() {
        let r = Requests::new(2);
        assert_eq!(r.push(1), None);
        assert_eq!(r.push(2), None);
        assert_eq!(r.push(3), Some(1));
        assert_eq!(r.next(), Some(3));
        assert_eq!(r.next(), Some(2));
        assert_eq!(r.next(), None);
    }
}
