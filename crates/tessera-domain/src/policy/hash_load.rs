//! The hashing pool's load, for operators: plain atomics (so the domain stays free of any metrics
//! library), gauges that cannot drift, and the snapshot read when metrics are scraped.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// What the pool is doing, for operators: read when metrics are scraped.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct HashPoolStats {
    /// Hashing threads, and requests that may wait beyond them before refusals start.
    pub workers: u64,
    pub queue: u64,
    /// Jobs admitted and waiting for a thread now.
    pub waiting: u64,
    /// Jobs hashing now.
    pub running: u64,
    /// Jobs that got a thread since start, and their summed wait for it.
    pub started: u64,
    pub waited: std::time::Duration,
    /// Jobs refused since start because the pool was full.
    pub refused: u64,
}

/// The pool's counters; plain atomics so the domain stays free of any metrics library.
#[derive(Default)]
pub(super) struct Load {
    pub waiting: AtomicU64,
    pub running: AtomicU64,
    pub started: AtomicU64,
    pub waited_nanos: AtomicU64,
    pub refused: AtomicU64,
}

/// One more in a gauge of [`Load`] while alive, also when the request waiting is dropped mid-way (a
/// client that hung up), so the gauge never drifts.
pub(super) struct Counted {
    load: Arc<Load>,
    gauge: fn(&Load) -> &AtomicU64,
}

impl Counted {
    pub fn new(load: &Arc<Load>, gauge: fn(&Load) -> &AtomicU64) -> Self {
        gauge(load).fetch_add(1, Ordering::Relaxed);
        Self {
            load: load.clone(),
            gauge,
        }
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        (self.gauge)(&self.load).fetch_sub(1, Ordering::Relaxed);
    }
}
