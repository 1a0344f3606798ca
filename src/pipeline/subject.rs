//! The pipelines' view of a patient: baseline, treatment, centre and overall
//! survival as of the data cut-off.

use serde::{Deserialize, Serialize};

use crate::domain::{Baseline, Treatment};

/// One patient as the models see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subject {
    pub study_id: String,
    /// Whether the patient's centre is an external validation centre.
    pub external: bool,
    pub treatment: Treatment,
    pub baseline: Baseline,
    /// Overall survival from treatment start, months.
    pub os_months: f64,
    /// Death observed (true) or censored (false).
    pub os_event: bool,
}

/// Survival times and events of a list of subjects.
pub fn outcomes(subjects: &[&Subject]) -> (Vec<f64>, Vec<bool>) {
    subjects.iter().map(|s| (s.os_months, s.os_event)).unzip()
}

/// The baselines of a list of subjects.
pub fn baselines<'a>(subjects: &[&'a Subject]) -> Vec<&'a Baseline> {
    subjects.iter().map(|s| &s.baseline).collect()
}

/// Study ids of a list of subjects.
pub fn study_ids(subjects: &[&Subject]) -> Vec<String> {
    subjects.iter().map(|s| s.study_id.clone()).collect()
}

/// Fail when some of `variables` are recorded for none of `baselines`: a
/// model cannot use a variable nobody has, and dropping it silently would
/// change the model behind the user's back. The error names every such
/// variable; `advice` receives them and suggests the list without them.
pub fn require_recorded(
    step: &'static str,
    population: &str,
    variables: &[&crate::pipeline::variables::ModelVariable],
    baselines: &[&Baseline],
    advice: impl Fn(&[String]) -> String,
) -> Result<(), crate::pipeline::PipelineError> {
    let missing: Vec<String> = variables
        .iter()
        .filter(|v| baselines.iter().all(|b| v.value(b).is_none()))
        .map(|v| v.column.to_string())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(crate::pipeline::PipelineError::AllMissing {
        step,
        patients: baselines.len(),
        population: population.to_string(),
        advice: advice(&missing),
        variables: missing,
    })
}

/// Look up model variables by CSV column, naming `step` in the error.
pub fn lookup(
    step: &'static str,
    columns: &[String],
) -> Result<Vec<&'static crate::pipeline::variables::ModelVariable>, crate::pipeline::PipelineError>
{
    crate::pipeline::variables::lookup_all(columns).map_err(|e| {
        crate::pipeline::PipelineError::NotEstimable {
            step,
            reason: e.to_string(),
        }
    })
}

/// Join `list` with commas, leaving out `columns`: the variable list to
/// suggest when `columns` cannot be used.
pub fn without(list: &[String], columns: &[String]) -> String {
    list.iter()
        .filter(|c| !columns.contains(c))
        .cloned()
        .collect::<Vec<_>>()
        .join(",")
}

/// Encode one patient's baseline for a fitted model, or fail naming each
/// variable that is not recorded or has a level the model was not fitted on.
pub fn encode_patient(
    step: &'static str,
    variables: &[&crate::pipeline::variables::ModelVariable],
    baseline: &Baseline,
    levels: &crate::pipeline::variables::FactorLevels,
) -> Result<crate::pipeline::variables::Encoded, crate::pipeline::PipelineError> {
    let encoded = crate::pipeline::variables::encode(variables, &[baseline], Some(levels));
    if !encoded.rows.is_empty() {
        return Ok(encoded);
    }
    let missing: Vec<String> = encoded
        .missing
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(v, _)| v.clone())
        .collect();
    Err(crate::pipeline::PipelineError::NotEstimable {
        step,
        reason: crate::pipeline::variables::missing_reason(variables, baseline, levels, &missing),
    })
}
