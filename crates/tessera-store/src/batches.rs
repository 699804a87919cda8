//! Work that arrives together, done together: callers queue items and wait for their answer, while
//! a few tasks each take every item waiting (up to a bound) and do them at once, in one transaction
//! or one statement. Under load that turns many round trips and commits into few; a lone item goes
//! at once, so nothing waits for company. Token refreshes and `NOTIFY`s go through it.

use std::future::Future;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Mutex};

type Reply<R> = oneshot::Sender<Result<R, String>>;

/// The queue in front of the tasks.
pub(crate) struct Batches<T, R> {
    queue: mpsc::Sender<(T, Reply<R>)>,
}

impl<T: Send + 'static, R: Send + 'static> Batches<T, R> {
    /// Starts `workers` tasks; `run` does one batch and answers each item in order, or fails the
    /// whole batch with a message. The tasks end when the queue's owner is dropped.
    pub(crate) fn start<F, Fut>(workers: usize, at_most: usize, run: F) -> Self
    where
        F: Fn(Vec<T>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Vec<R>, String>> + Send,
    {
        let (queue, waiting) = mpsc::channel::<(T, Reply<R>)>(4 * at_most);
        let waiting = Arc::new(Mutex::new(waiting));
        let run = Arc::new(run);
        for _ in 0..workers.max(1) {
            let (waiting, run) = (waiting.clone(), run.clone());
            tokio::spawn(async move {
                let mut batch = Vec::with_capacity(at_most);
                loop {
                    // Only the taking is serialised; the batches themselves run side by side.
                    if waiting.lock().await.recv_many(&mut batch, at_most).await == 0 {
                        return;
                    }
                    let (items, replies): (Vec<T>, Vec<Reply<R>>) =
                        std::mem::take(&mut batch).into_iter().unzip();
                    match run(items).await {
                        Ok(answers) => {
                            for (reply, answer) in replies.into_iter().zip(answers) {
                                let _ = reply.send(Ok(answer));
                            }
                        }
                        Err(e) => {
                            for reply in replies {
                                let _ = reply.send(Err(e.clone()));
                            }
                        }
                    }
                }
            });
        }
        Self { queue }
    }

    /// Queues one item and waits for its batch to be done.
    pub(crate) async fn submit(&self, item: T) -> Result<R, String> {
        let stopped = || "the task that does this work has stopped".to_string();
        let (reply, answer) = oneshot::channel();
        self.queue
            .send((item, reply))
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

    #[tokio::test]
    async fn items_sent_together_are_done_in_few_batches_and_each_gets_its_own_answer() {
        let batches_run = Arc::new(AtomicUsize::new(0));
        let counter = batches_run.clone();
        let doubler = Batches::start(1, 16, move |items: Vec<u32>| {
            counter.fetch_add(1, SeqCst);
            async move {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                Ok(items.into_iter().map(|n| n * 2).collect())
            }
        });
        let answers = futures_util::future::join_all((0..40u32).map(|n| doubler.submit(n))).await;
        let answers: Vec<u32> = answers.into_iter().map(Result::unwrap).collect();
        assert_eq!(answers, (0..40u32).map(|n| n * 2).collect::<Vec<_>>());
        let run = batches_run.load(SeqCst);
        assert!(
            (3..=5).contains(&run),
            "40 items in batches of 16: {run} batches"
        );
    }

    #[tokio::test]
    async fn a_failed_batch_fails_each_of_its_items() {
        let failing = Batches::start(2, 8, |_: Vec<u32>| async { Err::<Vec<()>, _>("no".into()) });
        assert_eq!(failing.submit(1).await, Err("no".to_string()));
    }
}
