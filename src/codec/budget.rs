//! A decoded-bytes budget shared by every payload of one request or one document.
//!
//! A per-payload limit alone fails open: a small body can carry many small bombs, each
//! just under the limit. Every decompressing codec draws what it produces from one
//! budget, so the total a request (or a CLI document) can make is bounded, checked while
//! decompressing, not after.

use std::sync::atomic::{AtomicU64, Ordering};

use super::CodecError;

/// Decoded bytes a request or document may still produce. Shared across threads.
#[derive(Debug)]
pub struct Budget {
    limit: u64,
    spent: AtomicU64,
    /// Decode leaves External Storage references unresolved (`--keep-refs`,
    /// `preserveStorageRefs=true`).
    keep_refs: bool,
    /// Encode offloads payloads over the storage threshold (the CLI does; the server only
    /// with `--offload-on-encode`).
    offload: bool,
    /// When the request must be done (the server's time limit); storage fetches stop then.
    deadline: Option<std::time::Instant>,
}

impl Budget {
    /// A budget of `limit` bytes.
    pub fn new(limit: u64) -> Self {
        Budget {
            limit,
            spent: AtomicU64::new(0),
            keep_refs: false,
            offload: true,
            deadline: None,
        }
    }

    /// Work for this budget stops at `deadline`.
    pub fn until(mut self, deadline: std::time::Instant) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Time left before the deadline, if there is one (zero once past).
    pub fn time_left(&self) -> Option<std::time::Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(std::time::Instant::now()))
    }

    /// This run leaves storage references unresolved when `yes`.
    pub fn keeping_refs(mut self, yes: bool) -> Self {
        self.keep_refs = yes;
        self
    }

    /// This run offloads large payloads to storage when `yes` (the default).
    pub fn offloading(mut self, yes: bool) -> Self {
        self.offload = yes;
        self
    }

    /// Whether decode leaves references unresolved.
    pub fn keeps_refs(&self) -> bool {
        self.keep_refs
    }

    /// Whether encode offloads.
    pub fn offloads(&self) -> bool {
        self.offload
    }

    /// No bound beyond each codec's own per-payload limit (tests and single payloads).
    pub fn unlimited() -> Self {
        Budget::new(u64::MAX)
    }

    /// Bytes that may still be produced.
    pub fn remaining(&self) -> u64 {
        self.limit
            .saturating_sub(self.spent.load(Ordering::Relaxed))
    }

    /// Records `bytes` produced; fails when the total passes the limit.
    pub fn spend(&self, bytes: u64) -> Result<(), CodecError> {
        let before = self.spent.fetch_add(bytes, Ordering::Relaxed);
        if before.saturating_add(bytes) > self.limit {
            return Err(self.exceeded());
        }
        Ok(())
    }

    /// Takes `bytes` from the budget before they are produced (a download of a known
    /// size): fails at once when they do not fit, leaving the budget as it was. What the
    /// reservation does not [`Reservation::keep`] goes back when it is dropped.
    pub fn reserve(&self, bytes: u64) -> Result<Reservation<'_>, CodecError> {
        let mut spent = self.spent.load(Ordering::Relaxed);
        loop {
            let total = spent.saturating_add(bytes);
            if total > self.limit {
                return Err(self.exceeded());
            }
            match self.spent.compare_exchange_weak(
                spent,
                total,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => {
                    return Ok(Reservation {
                        budget: self,
                        held: bytes,
                    })
                }
                Err(now) => spent = now,
            }
        }
    }

    /// The error for a request or document that produced too much.
    pub fn exceeded(&self) -> CodecError {
        CodecError::BudgetExceeded { limit: self.limit }
    }
}

/// Bytes reserved from a [`Budget`]; the part not kept is given back on drop.
#[derive(Debug)]
pub struct Reservation<'a> {
    budget: &'a Budget,
    held: u64,
}

impl Reservation<'_> {
    /// Keeps `used` bytes of the reservation spent (at most what was reserved); the rest
    /// goes back to the budget.
    pub fn keep(mut self, used: u64) {
        let back = self.held.saturating_sub(used);
        self.held = 0;
        self.budget.spent.fetch_sub(back, Ordering::Relaxed);
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        self.budget.spent.fetch_sub(self.held, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spending_past_the_limit_fails_and_stays_failed() {
        let b = Budget::new(10);
        assert!(b.spend(6).is_ok());
        assert_eq!(b.remaining(), 4);
        assert!(b.spend(4).is_ok());
        assert_eq!(b.remaining(), 0);
        assert!(matches!(
            b.spend(1),
            Err(CodecError::BudgetExceeded { limit: 10 })
        ));
        assert!(b.spend(0).is_err(), "an exhausted budget stays exhausted");
        assert_eq!(Budget::unlimited().remaining(), u64::MAX);
    }

    #[test]
    fn reservations_are_taken_up_front_and_given_back_unless_kept() {
        let b = Budget::new(100);
        let first = b.reserve(60).unwrap();
        assert_eq!(b.remaining(), 40);
        assert!(b.reserve(41).is_err(), "over what is left");
        assert_eq!(b.remaining(), 40, "a refused reservation takes nothing");
        let second = b.reserve(40).unwrap();
        assert_eq!(b.remaining(), 0);
        drop(second);
        assert_eq!(b.remaining(), 40, "dropped: all back");
        first.keep(25);
        assert_eq!(b.remaining(), 75, "kept 25 of 60");
        b.reserve(75).unwrap().keep(75);
        assert_eq!(b.remaining(), 0);
        assert!(b.reserve(1).is_err());
        assert!(b.reserve(0).is_ok());
        assert_eq!(Budget::unlimited().remaining(), u64::MAX);
    }
}
