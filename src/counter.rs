//! A count shared across threads (payloads decoded, objects fetched): the one counter type
//! of the pipeline's and storage's summaries.

use std::sync::atomic::{AtomicUsize, Ordering};

/// A monotonically growing count; reads are for summaries, so no ordering beyond the
/// count itself is promised.
#[derive(Debug, Default)]
pub struct Counter(AtomicUsize);

impl Counter {
    /// Adds `n`.
    pub fn add(&self, n: usize) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    /// The count so far.
    pub fn get(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::Counter;

    #[test]
    fn counts_across_threads() {
        let c = Counter::default();
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| (0..1000).for_each(|_| c.add(1)));
            }
        });
        c.add(5);
        assert_eq!(c.get(), 4005);
    }
}
