//! Follow-up contacts of the synthetic patients.
//!
//! Contacts come every 30 to 122 days (one to four months) from treatment
//! start. Each alive contact may carry a repeat HSP90α and AFP. At any
//! contact the patient may be lost to follow-up, and that contact is then
//! recorded as `lost` and is the last. A patient who dies on or before the
//! data cut-off gets a `dead` contact on the date of death, and nothing is
//! recorded after the cut-off. Overall survival derived from these contacts
//! is therefore censored at the last contact of a patient alive at the
//! cut-off, as `domain::derived::overall_survival` computes it.

use chrono::{Days, NaiveDate};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::baseline::{AFP_RANGE_NG_ML, HSP90A_RANGE_NG_ML};
use super::marginal::round_within;
use crate::domain::cutoffs::DAYS_PER_MONTH;
use crate::domain::{FollowUp, VitalStatus};

/// Shortest and longest interval between contacts, days.
const CONTACT_INTERVAL_DAYS: (u64, u64) = (30, 122);
/// Chance that a patient is lost to follow-up at a given contact.
const LOSS_PER_CONTACT: f64 = 0.012;
/// Share of alive contacts with a repeat HSP90α and AFP.
const REPEAT_LAB_SHARE: f64 = 0.35;

/// Inputs from which the contacts of one patient are generated.
#[derive(Debug, Clone, Copy)]
pub(super) struct Course<'a> {
    pub study_id: &'a str,
    pub treatment_start: NaiveDate,
    /// Latent overall survival, months; death falls after the cut-off when
    /// it is long enough.
    pub survival_months: f64,
    pub tace: bool,
    /// Baseline HSP90α, ng/mL.
    pub hsp90a_ng_ml: f64,
    /// Baseline AFP, ng/mL.
    pub afp_ng_ml: f64,
}

impl Course<'_> {
    /// Day of death counted from treatment start; at least 1, so that death
    /// never falls on the day treatment starts.
    fn death_day(&self) -> u64 {
        (self.survival_months * DAYS_PER_MONTH).ceil().max(1.0) as u64
    }
}

/// Generates the contacts of one patient, in date order, none after
/// `cutoff`.
pub(super) fn contacts(rng: &mut ChaCha8Rng, course: &Course, cutoff: NaiveDate) -> Vec<FollowUp> {
    let death_day = course.death_day();
    let cutoff_day = (cutoff - course.treatment_start).num_days().max(0) as u64;
    let mut contacts = Vec::new();
    let mut day = 0;
    loop {
        day += rng.random_range(CONTACT_INTERVAL_DAYS.0..=CONTACT_INTERVAL_DAYS.1);
        if day >= death_day || day > cutoff_day {
            break;
        }
        if rng.random::<f64>() < LOSS_PER_CONTACT {
            contacts.push(contact(course, day, VitalStatus::Lost));
            return contacts;
        }
        let mut alive = contact(course, day, VitalStatus::Alive);
        if rng.random::<f64>() < REPEAT_LAB_SHARE {
            add_repeat_labs(rng, course, day as f64 / death_day as f64, &mut alive);
        }
        contacts.push(alive);
    }
    if death_day <= cutoff_day {
        contacts.push(contact(course, death_day, VitalStatus::Dead));
    }
    contacts
}

fn contact(course: &Course, day: u64, status: VitalStatus) -> FollowUp {
    FollowUp {
        study_id: course.study_id.to_string(),
        contact_date: course.treatment_start + Days::new(day),
        status,
        hsp90a_ng_ml: None,
        afp_ng_ml: None,
        note: None,
    }
}

/// Repeat HSP90α and AFP at a contact `progress` of the way from treatment
/// start to death (latent death for patients alive at the cut-off).
///
/// Both markers fall after treatment, more after TACE, and rise again as
/// death approaches, on the log scale: `response + rise · progress² +
/// noise`.
fn add_repeat_labs(rng: &mut ChaCha8Rng, course: &Course, progress: f64, contact: &mut FollowUp) {
    let (hsp90a_response, afp_response) = if course.tace {
        (-0.35, -0.6)
    } else {
        (-0.1, -0.2)
    };
    let hsp90a_noise: f64 = rng.sample(StandardNormal);
    let afp_noise: f64 = rng.sample(StandardNormal);
    let hsp90a_log_ratio = hsp90a_response + 1.2 * progress.powi(2) + 0.15 * hsp90a_noise;
    let afp_log_ratio = afp_response + 2.0 * progress.powi(2) + 0.3 * afp_noise;
    contact.hsp90a_ng_ml = Some(scaled_within(
        course.hsp90a_ng_ml,
        hsp90a_log_ratio,
        HSP90A_RANGE_NG_ML,
    ));
    contact.afp_ng_ml = Some(scaled_within(
        course.afp_ng_ml,
        afp_log_ratio,
        AFP_RANGE_NG_ML,
    ));
}

/// `value · exp(log_ratio)` kept inside `range` and rounded to 0.1.
fn scaled_within(value: f64, log_ratio: f64, (lower, upper): (f64, f64)) -> f64 {
    let scaled = (value * log_ratio.exp()).clamp(lower, upper);
    round_within(scaled, 1, lower, upper + 0.1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn course(survival_months: f64) -> Course<'static> {
        Course {
            study_id: "RUH-00001",
            treatment_start: NaiveDate::from_ymd_opt(2021, 1, 1).unwrap(),
            survival_months,
            tace: true,
            hsp90a_ng_ml: 150.0,
            afp_ng_ml: 500.0,
        }
    }

    #[test]
    fn death_before_cutoff_ends_contacts() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let cutoff = NaiveDate::from_ymd_opt(2022, 6, 30).unwrap();
        for seed_offset in 0..50 {
            let contacts = contacts(&mut rng, &course(6.0 + seed_offset as f64 * 0.1), cutoff);
            let last = contacts.last().unwrap();
            assert!(matches!(last.status, VitalStatus::Dead | VitalStatus::Lost));
            let dates: Vec<NaiveDate> = contacts.iter().map(|c| c.contact_date).collect();
            assert!(dates.windows(2).all(|w| w[0] < w[1]), "{dates:?}");
        }
    }

    #[test]
    fn survivor_contacts_stop_at_cutoff() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let cutoff = NaiveDate::from_ymd_opt(2022, 6, 30).unwrap();
        let contacts = contacts(&mut rng, &course(200.0), cutoff);
        assert!(contacts.iter().all(|c| c.contact_date <= cutoff));
        assert!(contacts.iter().all(|c| c.status != VitalStatus::Dead));
    }
}
