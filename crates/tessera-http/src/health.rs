//! What `GET /api/health` reports: whether the database answered the last probe. The probe runs in
//! the background (see the binary's `health` module), so the route itself touches nothing and a load
//! balancer's checks cost no query.

use std::sync::atomic::{AtomicBool, Ordering};

/// Shared between the probe, which writes it, and the route, which reads it.
#[derive(Debug)]
pub struct Health {
    database_up: AtomicBool,
}

impl Default for Health {
    /// Up: the store was opened and migrated before anything is served.
    fn default() -> Self {
        Self {
            database_up: AtomicBool::new(true),
        }
    }
}

impl Health {
    pub fn database_up(&self) -> bool {
        self.database_up.load(Ordering::Relaxed)
    }

    /// Records a probe's answer; true when it changed what health reports.
    pub fn set_database_up(&self, up: bool) -> bool {
        self.database_up.swap(up, Ordering::Relaxed) != up
    }
}
