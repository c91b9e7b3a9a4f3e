//! Bucket objects fetched ahead, concurrently (`--jobs N`), and handed out in input order.
//!
//! A run over a bucket prefix reads its objects one after another; each fetch is a network
//! round trip, so fetching only when an object's turn comes leaves the cores idle. [`start`]
//! fetches the run's objects on the bucket runtime, at most `jobs` at a time, each fetch a
//! task of its own; [`take`] gives them back in the order started. At most `jobs` objects are
//! in flight, one waiting and one being worked on, so memory is bounded by (jobs + 2) ×
//! the largest object, however many objects the prefix holds.

use std::collections::VecDeque;
use std::sync::Mutex;

use futures::StreamExt as _;

/// The running prefetch: the objects still to hand out, in order, and where they arrive.
struct Running {
    pending: VecDeque<String>,
    arrivals: tokio::sync::mpsc::Receiver<Result<Vec<u8>, String>>,
}

static RUNNING: Mutex<Option<Running>> = Mutex::new(None);

/// Starts fetching `urls` (bucket objects, in the order they will be read), `jobs` at a
/// time. Replaces any earlier prefetch. With fewer than two objects nothing starts.
pub fn start(urls: Vec<String>, jobs: usize) -> Result<(), String> {
    let jobs = jobs.max(1);
    if urls.len() < 2 {
        return Ok(());
    }
    let runtime = super::bucket::runtime()?;
    // One slot: a finished object waits there; `buffered` holds the next `jobs` in flight.
    let (send, arrivals) = tokio::sync::mpsc::channel(1);
    let order = urls.clone();
    runtime.spawn(async move {
        let mut fetched = futures::stream::iter(order)
            .map(|url| {
                let task = tokio::spawn(super::bucket::fetch_async(url));
                async move {
                    task.await
                        .unwrap_or_else(|e| Err(format!("the fetch stopped: {e}")))
                }
            })
            .buffered(jobs);
        while let Some(got) = fetched.next().await {
            if send.send(got).await.is_err() {
                break; // the run ended (or started another prefetch)
            }
        }
    });
    if let Ok(mut slot) = RUNNING.lock() {
        *slot = Some(Running {
            pending: urls.into(),
            arrivals,
        });
    }
    Ok(())
}

/// The bytes of the bucket object `url`: from the running prefetch when it holds `url`,
/// else fetched now.
pub fn fetch(url: &str) -> Result<Vec<u8>, String> {
    take(url).unwrap_or_else(|| super::bucket::fetch(url))
}

/// The prefetched bytes of `url` when the running prefetch holds it (waiting for them if
/// they are still on their way); `None` when it does not (the caller fetches it itself).
/// Objects started before `url` and never taken (a run skipped them) are dropped.
fn take(url: &str) -> Option<Result<Vec<u8>, String>> {
    let mut slot = RUNNING.lock().ok()?;
    let running = slot.as_mut()?;
    if !running.pending.iter().any(|u| u == url) {
        return None;
    }
    while let Some(next) = running.pending.pop_front() {
        let got = running
            .arrivals
            .blocking_recv()
            .unwrap_or_else(|| Err("the prefetch stopped".to_string()));
        if next == url {
            if running.pending.is_empty() {
                *slot = None;
            }
            return Some(got);
        }
    }
    None
}
