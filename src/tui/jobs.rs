//! Long work (refit, import, report) on worker threads.
//!
//! A job runs on its own thread with its own database connection, reports
//! progress through a channel, checks a shared cancel flag between units of
//! work, and ends with one final message. A panic inside a job is caught and
//! reported as a failed job, so the interface keeps running.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::thread;
use std::time::Instant;

use crate::pipeline::progress::Progress;

/// A message from a worker to the interface.
#[derive(Debug)]
pub enum JobMessage<T> {
    /// `done` of `total` units finished; `label` says which step runs.
    Progress {
        done: u64,
        total: u64,
        label: String,
    },
    /// The job ended: its output, or an error message for the user.
    Finished(Result<T, String>),
}

/// Progress reporting and cancellation handed to a running job.
pub struct JobContext<T> {
    sender: Sender<JobMessage<T>>,
    cancel: Arc<AtomicBool>,
}

impl<T: Send> Progress for JobContext<T> {
    fn report(&self, done: u64, total: u64, label: &str) {
        let _ = self.sender.send(JobMessage::Progress {
            done,
            total,
            label: label.to_string(),
        });
    }

    fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// The interface's handle on a running job.
#[derive(Debug)]
pub struct JobHandle {
    cancel: Arc<AtomicBool>,
    pub started: Instant,
    pub label: String,
    pub done: u64,
    pub total: u64,
}

impl JobHandle {
    /// Ask the job to stop at its next check.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Whether cancellation was requested.
    pub fn is_cancelling(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Completed share in [0, 1], for a gauge.
    pub fn ratio(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            (self.done as f64 / self.total as f64).clamp(0.0, 1.0)
        }
    }

    /// Record a progress message.
    pub fn update(&mut self, done: u64, total: u64, label: String) {
        self.done = done;
        self.total = total;
        self.label = label;
    }
}

/// Start `work` on a new thread. Its messages go to `sender`; the returned
/// handle cancels it. A panic in `work` becomes `Finished(Err(..))`.
pub fn spawn<T, F>(label: &str, sender: Sender<JobMessage<T>>, work: F) -> JobHandle
where
    T: Send + 'static,
    F: FnOnce(&JobContext<T>) -> anyhow::Result<T> + Send + 'static,
{
    let cancel = Arc::new(AtomicBool::new(false));
    let context = JobContext {
        sender: sender.clone(),
        cancel: Arc::clone(&cancel),
    };
    let job_label = label.to_string();
    thread::spawn(move || {
        let outcome = catch_unwind(AssertUnwindSafe(|| work(&context)));
        let message = match outcome {
            Ok(Ok(output)) => Ok(output),
            Ok(Err(error)) => Err(format!("{error:#}")),
            Err(panic) => Err(format!(
                "{job_label} stopped on an internal error: {}",
                panic_text(&panic)
            )),
        };
        if let Err(text) = &message {
            tracing::error!(job = %job_label, error = %text, "job failed");
        }
        let _ = sender.send(JobMessage::Finished(message));
    });
    JobHandle {
        cancel,
        started: Instant::now(),
        label: label.to_string(),
        done: 0,
        total: 0,
    }
}

/// A job together with the receiving end of its messages.
#[derive(Debug)]
pub struct Running<T> {
    pub handle: JobHandle,
    receiver: Receiver<JobMessage<T>>,
}

impl<T: Send + 'static> Running<T> {
    /// Start `work` on a worker thread, as [`spawn`] does.
    pub fn start<F>(label: &str, work: F) -> Self
    where
        F: FnOnce(&JobContext<T>) -> anyhow::Result<T> + Send + 'static,
    {
        let (sender, receiver) = channel();
        let handle = spawn(label, sender, work);
        Self { handle, receiver }
    }

    /// Take the messages sent so far without waiting: progress updates the
    /// handle, and the job's outcome is returned once it has finished.
    pub fn poll(&mut self) -> Option<Result<T, String>> {
        loop {
            match self.receiver.try_recv() {
                Ok(JobMessage::Progress { done, total, label }) => {
                    self.handle.update(done, total, label);
                }
                Ok(JobMessage::Finished(result)) => return Some(result),
                Err(TryRecvError::Empty) => return None,
                Err(TryRecvError::Disconnected) => {
                    return Some(Err(format!("{} ended without a result", self.handle.label)));
                }
            }
        }
    }
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else {
        "unknown panic".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;
    use std::time::Duration;

    #[test]
    fn progress_then_result() {
        let (tx, rx) = channel();
        let _handle = spawn("count", tx, |ctx: &JobContext<u32>| {
            ctx.report(1, 2, "half");
            Ok(7)
        });
        let first = rx.recv_timeout(Duration::from_secs(5)).unwrap();
        assert!(matches!(
            first,
            JobMessage::Progress {
                done: 1,
                total: 2,
                ..
            }
        ));
        let last = rx.recv_timeout(Duration::from_secs(5)).unwrap();
        assert!(matches!(last, JobMessage::Finished(Ok(7))));
    }

    #[test]
    fn cancel_flag_reaches_the_job() {
        let (tx, rx) = channel();
        let (go_tx, go_rx) = channel::<()>();
        let handle = spawn("wait", tx, move |ctx: &JobContext<bool>| {
            go_rx.recv().ok();
            Ok(ctx.is_cancelled())
        });
        handle.cancel();
        go_tx.send(()).unwrap();
        let last = rx.recv_timeout(Duration::from_secs(5)).unwrap();
        assert!(matches!(last, JobMessage::Finished(Ok(true))));
    }

    #[test]
    fn running_job_reports_progress_then_result() {
        let mut job = Running::start("sum", |ctx: &JobContext<u64>| {
            ctx.report(3, 4, "adding");
            Ok(10)
        });
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        let result = loop {
            if let Some(result) = job.poll() {
                break result;
            }
            assert!(std::time::Instant::now() < deadline, "job did not finish");
            std::thread::sleep(Duration::from_millis(5));
        };
        assert_eq!(result, Ok(10));
        assert_eq!(job.handle.done, 3);
        assert_eq!(job.handle.label, "adding");
    }

    #[test]
    fn panic_becomes_failed_job() {
        let (tx, rx) = channel();
        let _handle = spawn("boom", tx, |_ctx: &JobContext<()>| -> anyhow::Result<()> {
            panic!("worker exploded")
        });
        let last = rx.recv_timeout(Duration::from_secs(5)).unwrap();
        match last {
            JobMessage::Finished(Err(text)) => assert!(text.contains("worker exploded"), "{text}"),
            other => panic!("unexpected {other:?}"),
        }
    }
}
