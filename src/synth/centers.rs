//! The seven hospitals of the synthetic registry, which of them form the
//! external validation set, and how patients and treatment start dates are
//! spread over them.
//!
//! The hospital names are invented. The published study gives neither its
//! hospitals' case mix nor which of them validated externally, only that the
//! external centres treated 299 of the 1429 TACE patients. The two centres
//! flagged external here hold exactly that share of TACE patients.

use chrono::NaiveDate;
use rand::RngExt;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::profile::TreatmentGroup;

/// A hospital of the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Center {
    /// Short code, used as the patients' `center` and in their study ids.
    pub code: String,
    pub name: String,
    /// Whether the centre's patients form the external validation set.
    pub external_validation: bool,
}

/// A centre with its patients in the default cohort of 2555.
struct CenterSpec {
    code: &'static str,
    name: &'static str,
    external_validation: bool,
    patients_without_tace: usize,
    patients_with_tace: usize,
}

/// The centres; the per-group counts add up to 1126 and 1429, and the TACE
/// patients of the two external centres to 299.
const CENTER_SPECS: [CenterSpec; 7] = [
    spec("RUH", "Riverside University Hospital", false, 250, 290),
    spec("MCH", "Mountain City Cancer Hospital", false, 205, 250),
    spec(
        "WPH",
        "Western Provincial People's Hospital",
        false,
        180,
        215,
    ),
    spec("JLH", "Jade Lake Affiliated Hospital", false, 150, 200),
    spec("EGH", "East Gate General Hospital", false, 131, 175),
    spec("NCH", "North County Central Hospital", true, 120, 165),
    spec(
        "SVH",
        "South Valley Medical University Hospital",
        true,
        90,
        134,
    ),
];

const fn spec(
    code: &'static str,
    name: &'static str,
    external_validation: bool,
    patients_without_tace: usize,
    patients_with_tace: usize,
) -> CenterSpec {
    CenterSpec {
        code,
        name,
        external_validation,
        patients_without_tace,
        patients_with_tace,
    }
}

/// Relative number of treatment starts in each year from 2016 to 2021.
const START_YEAR_WEIGHTS: [(i32, f64); 6] = [
    (2016, 0.13),
    (2017, 0.15),
    (2018, 0.17),
    (2019, 0.18),
    (2020, 0.18),
    (2021, 0.19),
];

/// Lists the seven centres of the synthetic registry, in a fixed order.
pub fn centers() -> Vec<Center> {
    CENTER_SPECS
        .iter()
        .map(|spec| Center {
            code: spec.code.to_string(),
            name: spec.name.to_string(),
            external_validation: spec.external_validation,
        })
        .collect()
}

/// Assigns each patient a centre index into [`centers`]. Each treatment group is
/// apportioned to the centres in proportion to their default counts, by
/// largest remainder, and the allocation is shuffled within the group, so
/// the default cohort reproduces the counts exactly.
pub(super) fn assign_centers(rng: &mut ChaCha8Rng, groups: &[TreatmentGroup]) -> Vec<usize> {
    let mut assigned = Vec::new();
    for group in groups {
        let weights: Vec<usize> = CENTER_SPECS
            .iter()
            .map(|spec| match group.treatment {
                crate::domain::Treatment::Tace => spec.patients_with_tace,
                crate::domain::Treatment::None => spec.patients_without_tace,
            })
            .collect();
        let counts = apportion(group.patients.len(), &weights);
        let mut allocation: Vec<usize> = counts
            .iter()
            .enumerate()
            .flat_map(|(center, &count)| std::iter::repeat_n(center, count))
            .collect();
        allocation.shuffle(rng);
        assigned.extend(allocation);
    }
    assigned
}

/// Splits `total` into parts proportional to `weights` by the largest
/// remainder method (Hamilton), ties going to the earlier part.
fn apportion(total: usize, weights: &[usize]) -> Vec<usize> {
    let weight_sum: usize = weights.iter().sum();
    let quotas: Vec<f64> = weights
        .iter()
        .map(|&w| total as f64 * w as f64 / weight_sum as f64)
        .collect();
    let mut counts: Vec<usize> = quotas.iter().map(|q| q.floor() as usize).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let remainder = |i: usize| quotas[i] - quotas[i].floor();
        remainder(b).total_cmp(&remainder(a)).then(a.cmp(&b))
    });
    let missing = total - counts.iter().sum::<usize>();
    for &part in order.iter().take(missing) {
        counts[part] += 1;
    }
    counts
}

/// Draws a treatment start date: a year from 2016 to 2021 by
/// [`START_YEAR_WEIGHTS`], then a uniform day of that year.
pub(super) fn draw_treatment_start(rng: &mut ChaCha8Rng) -> NaiveDate {
    let total: f64 = START_YEAR_WEIGHTS.iter().map(|(_, w)| w).sum();
    let mut pick = rng.random::<f64>() * total;
    let mut year = START_YEAR_WEIGHTS[START_YEAR_WEIGHTS.len() - 1].0;
    for &(candidate, weight) in &START_YEAR_WEIGHTS {
        if pick < weight {
            year = candidate;
            break;
        }
        pick -= weight;
    }
    let first = NaiveDate::from_yo_opt(year, 1).unwrap_or_default();
    let days_in_year = if NaiveDate::from_yo_opt(year, 366).is_some() {
        366
    } else {
        365
    };
    first + chrono::Days::new(rng.random_range(0..days_in_year))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportion_reproduces_default_counts() {
        let tace: Vec<usize> = CENTER_SPECS.iter().map(|s| s.patients_with_tace).collect();
        assert_eq!(apportion(1429, &tace), tace);
        assert_eq!(apportion(10, &[1, 1, 1]), vec![4, 3, 3]);
        assert_eq!(apportion(0, &[2, 5]), vec![0, 0]);
    }

    #[test]
    fn default_external_tace_patients() {
        let external: usize = CENTER_SPECS
            .iter()
            .filter(|s| s.external_validation)
            .map(|s| s.patients_with_tace)
            .sum();
        assert_eq!(external, 299);
        let without: usize = CENTER_SPECS.iter().map(|s| s.patients_without_tace).sum();
        assert_eq!(without, 1126);
    }
}
