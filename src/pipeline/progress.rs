//! Progress reporting and cancellation for long pipeline work, shared by the
//! command line (log lines on stderr) and the interface (a gauge).

/// Where long work reports progress and learns that it should stop.
pub trait Progress: Sync {
    /// `done` of `total` units of the current step are finished.
    fn report(&self, done: u64, total: u64, label: &str);

    /// Whether the caller asked the work to stop; checked between units.
    fn is_cancelled(&self) -> bool;
}

/// Progress that goes nowhere and never cancels.
pub struct Silent;

impl Progress for Silent {
    fn report(&self, _done: u64, _total: u64, _label: &str) {}

    fn is_cancelled(&self) -> bool {
        false
    }
}

/// Stop with [`crate::pipeline::PipelineError::Cancelled`] when the caller
/// asked the work to stop.
pub fn check_cancelled(progress: &dyn Progress) -> Result<(), crate::pipeline::PipelineError> {
    if progress.is_cancelled() {
        Err(crate::pipeline::PipelineError::Cancelled)
    } else {
        Ok(())
    }
}
