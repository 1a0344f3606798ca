//! Why a pipeline could not be fitted.

use crate::stats::StatsError;

/// A pipeline step that cannot be carried out honestly on the data given.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("{step}: there are no {population} patients to fit on; {advice}")]
    NoPatients {
        step: &'static str,
        population: String,
        advice: String,
    },

    #[error(
        "{step}: {} missing for all {patients} {population} patients; {advice}",
        list_variables(variables)
    )]
    AllMissing {
        step: &'static str,
        variables: Vec<String>,
        patients: usize,
        population: String,
        advice: String,
    },

    #[error("{step}: {reason}")]
    NotEstimable { step: &'static str, reason: String },

    #[error("{step}: {source}")]
    Stats {
        step: &'static str,
        #[source]
        source: StatsError,
    },

    #[error("the refit was cancelled before it finished")]
    Cancelled,
}

impl PipelineError {
    /// A closure that wraps a statistics error with the step it came from.
    pub fn at(step: &'static str) -> impl Fn(StatsError) -> PipelineError {
        move |source| PipelineError::Stats { step, source }
    }
}

fn list_variables(variables: &[String]) -> String {
    let quoted: Vec<String> = variables.iter().map(|v| format!("`{v}`")).collect();
    match quoted.as_slice() {
        [one] => format!("variable {one} is"),
        _ => format!("variables {} are", quoted.join(", ")),
    }
}
