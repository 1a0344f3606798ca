//! The seeded synthetic cohort: a sample registry calibrated to the
//! published summaries of Su et al., npj Digital Medicine 2025
//! (doi 10.1038/s41746-025-02281-y), whose patient-level data are not
//! public.
//!
//! [`generate`] works in four steps:
//!
//! 1. [`baseline`] draws the baseline work-up of each treatment group with
//!    the published category shares, through the marginals of [`marginal`].
//! 2. [`survival`] draws latent overall survival from a proportional-hazards
//!    model with a TACE-by-covariate interaction, calibrated to the
//!    published survival curves.
//! 3. [`centers`] assigns each patient a centre and a treatment start.
//! 4. [`followup`] writes the follow-up contacts up to the data cut-off.
//!
//! Each step reads its own ChaCha8 stream of the seed, so the same
//! configuration always gives the same cohort.

mod baseline;
mod centers;
mod followup;
mod marginal;
mod profile;
mod survival;

use chrono::NaiveDate;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

pub use centers::{Center, centers};

use crate::domain::{FollowUp, PatientRecord, Treatment};
use baseline::PatientDraw;
use followup::Course;
use profile::TreatmentGroup;

/// Number of patients in the default cohort: 1,126 without and 1,429 with
/// TACE, as in the published cohort.
pub const DEFAULT_PATIENTS: usize = 2555;

/// Seed of the sample registry in `sample_db/`.
pub const DEFAULT_SEED: u64 = 20250101;

/// Date after which no contact is generated.
pub const DATA_CUTOFF: NaiveDate = match NaiveDate::from_ymd_opt(2022, 6, 30) {
    Some(date) => date,
    None => panic!("2022-06-30 is a valid date"),
};

/// Size and seed of a synthetic cohort.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynthConfig {
    /// Number of patients; TACE and no-TACE patients keep the published
    /// ratio of 1429 to 1126.
    pub patients: usize,
    pub seed: u64,
}

impl Default for SynthConfig {
    fn default() -> Self {
        Self {
            patients: DEFAULT_PATIENTS,
            seed: DEFAULT_SEED,
        }
    }
}

/// A generated cohort in the registry's record types.
#[derive(Debug, Clone, PartialEq)]
pub struct Cohort {
    /// Patients in order of treatment start.
    pub patients: Vec<PatientRecord>,
    /// Contacts grouped by patient, in the order of `patients`, each
    /// patient's in date order.
    pub followups: Vec<FollowUp>,
    /// Date after which no contact was generated.
    pub data_cutoff: NaiveDate,
    /// The hospitals that the patients' `center` codes refer to.
    pub centers: Vec<Center>,
}

/// The random streams of one seed, one per generation step.
#[derive(Debug, Clone, Copy)]
enum Stream {
    Baseline = 1,
    Survival = 2,
    Enrolment = 3,
    FollowUp = 4,
}

fn stream_rng(seed: u64, stream: Stream) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream as u64);
    rng
}

/// Generates a cohort; the same configuration always gives the same cohort.
///
/// In each treatment group the share of every baseline category equals the
/// published share to within one patient, whatever the size. The exception
/// is a variable whose published shares do not add up to 100%: BCLC stage
/// with TACE adds up to 100.1%, and stage C takes what is left. Survival
/// figures hold up to sampling error, which shrinks as the cohort grows.
pub fn generate(config: &SynthConfig) -> Cohort {
    let groups = TreatmentGroup::split(config.patients);
    let draws = baseline::draw_baselines(&mut stream_rng(config.seed, Stream::Baseline), &groups);
    let survival_months = survival::draw_survival_months(
        &mut stream_rng(config.seed, Stream::Survival),
        &draws,
        &groups,
    );

    let mut enrolment_rng = stream_rng(config.seed, Stream::Enrolment);
    let center_of = centers::assign_centers(&mut enrolment_rng, &groups);
    let starts: Vec<NaiveDate> = (0..draws.len())
        .map(|_| centers::draw_treatment_start(&mut enrolment_rng))
        .collect();
    let treatment_of = |i: usize| {
        groups
            .iter()
            .find(|g| g.patients.contains(&i))
            .map_or(Treatment::None, |g| g.treatment)
    };

    let mut order: Vec<usize> = (0..draws.len()).collect();
    order.sort_by_key(|&i| (starts[i], i));
    let center_list = centers();
    let mut next_number = vec![1usize; center_list.len()];
    let mut followup_rng = stream_rng(config.seed, Stream::FollowUp);
    let mut cohort = Cohort {
        patients: Vec::with_capacity(draws.len()),
        followups: Vec::new(),
        data_cutoff: DATA_CUTOFF,
        centers: center_list,
    };
    for i in order {
        let center = &cohort.centers[center_of[i]];
        let study_id = format!("{}-{:05}", center.code, next_number[center_of[i]]);
        next_number[center_of[i]] += 1;
        let record = PatientRecord {
            study_id,
            center: center.code.clone(),
            center_external: center.external_validation,
            treatment: treatment_of(i),
            treatment_start: starts[i],
            baseline: draws[i].to_baseline(),
        };
        let course = course_of(&record, &draws[i], survival_months[i]);
        cohort
            .followups
            .extend(followup::contacts(&mut followup_rng, &course, DATA_CUTOFF));
        cohort.patients.push(record);
    }
    cohort
}

fn course_of<'a>(
    record: &'a PatientRecord,
    draw: &PatientDraw,
    survival_months: f64,
) -> Course<'a> {
    Course {
        study_id: &record.study_id,
        treatment_start: record.treatment_start,
        survival_months,
        tace: record.treatment == Treatment::Tace,
        hsp90a_ng_ml: draw.hsp90a_ng_ml,
        afp_ng_ml: draw.afp_ng_ml,
    }
}
