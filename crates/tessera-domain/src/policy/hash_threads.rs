//! The threads that hash passwords: a fixed number (the cores, by default), each keeping one argon2
//! memory block for its whole life. A login then allocates nothing: allocating a fresh 19 MiB block
//! per hash, on whichever blocking thread ran it, left one such block cached in each thread's
//! allocator arena, and the process grew by that much per thread. The threads end when the pool is
//! dropped.

use crate::types::error::Error;
use argon2::Block;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{mpsc, Arc, Mutex};

/// A hashing thread's argon2 memory, grown to the largest parameters it has met.
pub type ArgonMemory = Vec<Block>;

type Job = Box<dyn FnOnce(&mut ArgonMemory) + Send>;

pub struct HashThreads {
    jobs: mpsc::Sender<Job>,
}

impl HashThreads {
    pub fn new(threads: usize) -> Result<Self, Error> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..threads.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("tessera-hash-{i}"))
                .spawn(move || {
                    let mut memory = ArgonMemory::new();
                    loop {
                        // The lock is held only while waiting for the next job, not while hashing.
                        let job = match queue.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        let Ok(job) = job else { return };
                        // A panicking job loses its answer (the caller sees an internal error),
                        // not the thread.
                        let _ = catch_unwind(AssertUnwindSafe(|| job(&mut memory)));
                    }
                })
                .map_err(Error::internal)?;
        }
        Ok(Self { jobs })
    }

    /// Queues `job` for one of the threads, with that thread's memory; its answer comes on the
    /// receiver. A job whose receiver was dropped before a thread took it (the client hung up) is
    /// skipped, so a login given up costs no hash.
    pub fn submit<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut ArgonMemory) -> T + Send + 'static,
    ) -> Result<tokio::sync::oneshot::Receiver<T>, Error> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move |memory| {
                if !answer.is_closed() {
                    let _ = answer.send(job(memory));
                }
            }))
            .map_err(|_| Error::Internal("the hashing threads are gone".into()))?;
        Ok(answered)
    }
}
