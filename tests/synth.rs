//! The synthetic cohort against the published summaries it is calibrated to
//! (Su et al., npj Digital Medicine 2025, doi 10.1038/s41746-025-02281-y:
//! Table 1 for the baseline, the survival results for overall survival),
//! plus determinism and the registry's consistency rules.
//!
//! The targets below are written out from the publication independently of
//! the generator's own calibration table, so a typo in either shows up here.
//! Overall survival is derived from the follow-up contacts exactly as the
//! registry derives it, and summarised by Kaplan–Meier. Run with
//! `--nocapture` to see the achieved values next to the targets.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::NaiveDate;
use tace_registry::domain::cutoffs::{
    AFP_HIGH_NG_ML, AGE_OLDER_YEARS, ALP_HIGH_U_L, ALT_HIGH_U_L, LEUKOCYTES_HIGH_1E9_L,
    PLATELETS_HIGH_1E9_L,
};
use tace_registry::domain::derived::{albi_grade, hsp90a_high, overall_survival, tumor_size_bin};
use tace_registry::domain::{
    Baseline, Bclc, ChildPugh, PatientRecord, Sex, Treatment, VitalStatus,
};
use tace_registry::stats::km::{KaplanMeier, kaplan_meier};
use tace_registry::synth::{Cohort, DEFAULT_PATIENTS, DEFAULT_SEED, SynthConfig, generate};

/// Largest allowed gap between a generated and a published share, in
/// percentage points.
const SHARE_TOLERANCE_POINTS: f64 = 3.0;
/// Largest allowed gap in mean HSP90α, ng/mL.
const HSP90A_MEAN_TOLERANCE: f64 = 10.0;
/// Largest allowed gap in the standard deviation of HSP90α, ng/mL.
const HSP90A_SD_TOLERANCE: f64 = 15.0;
/// Largest allowed relative gap in the median OS of a treatment group.
const GROUP_MEDIAN_TOLERANCE: f64 = 0.15;
/// Largest allowed relative gap in the median OS of an HSP90α group.
const HSP90A_MEDIAN_TOLERANCE: f64 = 0.20;
/// Largest allowed gap in 1-, 2- and 3-year OS, percentage points.
const SURVIVAL_TOLERANCE_POINTS: f64 = 5.0;
/// Allowed relative gap in the number of external TACE patients.
const EXTERNAL_TOLERANCE: f64 = 0.10;

/// The cohort of the sample registry, generated once for all tests.
fn default_cohort() -> &'static Cohort {
    static COHORT: OnceLock<Cohort> = OnceLock::new();
    COHORT.get_or_init(|| generate(&SynthConfig::default()))
}

/// A baseline category and its published share (percent) without and with
/// TACE.
struct ShareTarget {
    name: &'static str,
    no_tace: f64,
    tace: f64,
    is_in: fn(&Baseline) -> bool,
}

fn flag(value: Option<bool>) -> bool {
    value == Some(true)
}

fn at_least(value: Option<f64>, cut: f64) -> bool {
    value.is_some_and(|v| v >= cut)
}

fn size_bin_is(b: &Baseline, bin: u8) -> bool {
    b.tumor_size_cm.is_some_and(|s| tumor_size_bin(s) == bin)
}

/// Table 1 of the publication, before matching.
const SHARE_TARGETS: &[ShareTarget] = &[
    ShareTarget {
        name: "male",
        no_tace: 76.2,
        tace: 83.3,
        is_in: |b| b.sex == Some(Sex::Male),
    },
    ShareTarget {
        name: "age >= 65",
        no_tace: 30.1,
        tace: 22.9,
        is_in: |b| b.age_years.is_some_and(|a| a >= AGE_OLDER_YEARS),
    },
    ShareTarget {
        name: "HBV",
        no_tace: 46.0,
        tace: 61.5,
        is_in: |b| flag(b.hbv),
    },
    ShareTarget {
        name: "diabetes",
        no_tace: 11.2,
        tace: 7.98,
        is_in: |b| flag(b.diabetes),
    },
    ShareTarget {
        name: "hypertension",
        no_tace: 14.5,
        tace: 13.8,
        is_in: |b| flag(b.hypertension),
    },
    ShareTarget {
        name: "Child-Pugh A",
        no_tace: 60.2,
        tace: 75.2,
        is_in: |b| b.child_pugh == Some(ChildPugh::A),
    },
    ShareTarget {
        name: "Child-Pugh B",
        no_tace: 39.8,
        tace: 24.8,
        is_in: |b| b.child_pugh == Some(ChildPugh::B),
    },
    ShareTarget {
        name: "ALBI 1",
        no_tace: 25.0,
        tace: 26.2,
        is_in: |b| albi_grade(b) == Some(1),
    },
    ShareTarget {
        name: "ALBI 2",
        no_tace: 57.1,
        tace: 68.9,
        is_in: |b| albi_grade(b) == Some(2),
    },
    ShareTarget {
        name: "ALBI 3",
        no_tace: 17.9,
        tace: 4.90,
        is_in: |b| albi_grade(b) == Some(3),
    },
    ShareTarget {
        name: "AFP >= 400",
        no_tace: 41.0,
        tace: 54.3,
        is_in: |b| at_least(b.afp_ng_ml, AFP_HIGH_NG_ML),
    },
    ShareTarget {
        name: "ALP >= 125",
        no_tace: 64.0,
        tace: 58.5,
        is_in: |b| at_least(b.alp_u_l, ALP_HIGH_U_L),
    },
    ShareTarget {
        name: "platelets >= 100",
        no_tace: 72.6,
        tace: 70.3,
        is_in: |b| at_least(b.platelets_1e9_l, PLATELETS_HIGH_1E9_L),
    },
    ShareTarget {
        name: "ALT >= 40",
        no_tace: 56.0,
        tace: 50.8,
        is_in: |b| at_least(b.alt_u_l, ALT_HIGH_U_L),
    },
    ShareTarget {
        name: "leukocytes >= 4",
        no_tace: 83.8,
        tace: 80.8,
        is_in: |b| at_least(b.leukocytes_1e9_l, LEUKOCYTES_HIGH_1E9_L),
    },
    ShareTarget {
        name: "BCLC A",
        no_tace: 17.6,
        tace: 13.2,
        is_in: |b| b.bclc == Some(Bclc::A),
    },
    ShareTarget {
        name: "BCLC B",
        no_tace: 13.7,
        tace: 23.2,
        is_in: |b| b.bclc == Some(Bclc::B),
    },
    ShareTarget {
        name: "BCLC C",
        no_tace: 68.7,
        tace: 63.7,
        is_in: |b| b.bclc == Some(Bclc::C),
    },
    ShareTarget {
        name: "tumour number >= 2",
        no_tace: 74.4,
        tace: 79.7,
        is_in: |b| b.tumor_number.is_some_and(|n| n >= 2),
    },
    ShareTarget {
        name: "size < 3 cm",
        no_tace: 15.5,
        tace: 10.7,
        is_in: |b| size_bin_is(b, 0),
    },
    ShareTarget {
        name: "size 3-5 cm",
        no_tace: 26.2,
        tace: 17.6,
        is_in: |b| size_bin_is(b, 1),
    },
    ShareTarget {
        name: "size 5-10 cm",
        no_tace: 37.6,
        tace: 37.2,
        is_in: |b| size_bin_is(b, 2),
    },
    ShareTarget {
        name: "size >= 10 cm",
        no_tace: 20.7,
        tace: 34.5,
        is_in: |b| size_bin_is(b, 3),
    },
    ShareTarget {
        name: "PVTT",
        no_tace: 34.7,
        tace: 41.6,
        is_in: |b| flag(b.pvtt),
    },
    ShareTarget {
        name: "N",
        no_tace: 50.4,
        tace: 47.6,
        is_in: |b| flag(b.lymph_nodes),
    },
    ShareTarget {
        name: "M",
        no_tace: 31.0,
        tace: 20.5,
        is_in: |b| flag(b.metastasis),
    },
];

/// Published overall survival of one treatment group: median and 1-, 2-
/// and 3-year rates (percent).
struct SurvivalTarget {
    treatment: Treatment,
    median_months: f64,
    rates: [(f64, f64); 3],
}

const SURVIVAL_TARGETS: [SurvivalTarget; 2] = [
    SurvivalTarget {
        treatment: Treatment::None,
        median_months: 11.3,
        rates: [(12.0, 47.8), (24.0, 37.3), (36.0, 32.9)],
    },
    SurvivalTarget {
        treatment: Treatment::Tace,
        median_months: 19.6,
        rates: [(12.0, 62.3), (24.0, 42.2), (36.0, 34.4)],
    },
];

/// Published median OS with HSP90α at or above 143.5 ng/mL and below it.
const HSP90A_HIGH_MEDIAN_MONTHS: f64 = 7.3;
const HSP90A_LOW_MEDIAN_MONTHS: f64 = 24.7;

fn patients_of(cohort: &Cohort, treatment: Treatment) -> Vec<&PatientRecord> {
    cohort
        .patients
        .iter()
        .filter(|p| p.treatment == treatment)
        .collect()
}

fn percent(count: usize, total: usize) -> f64 {
    100.0 * count as f64 / total as f64
}

/// Overall survival (months, event) of every patient, derived from the
/// contacts as the registry derives it, keyed by study id.
fn derived_survival(cohort: &Cohort) -> HashMap<&str, (f64, bool)> {
    let mut contacts: HashMap<&str, Vec<_>> = HashMap::new();
    for contact in &cohort.followups {
        contacts
            .entry(contact.study_id.as_str())
            .or_default()
            .push(contact.clone());
    }
    cohort
        .patients
        .iter()
        .map(|p| {
            let own = contacts.get(p.study_id.as_str()).map_or(&[][..], |c| c);
            let os = overall_survival(p.treatment_start, own, Some(cohort.data_cutoff));
            (p.study_id.as_str(), (os.months, os.event))
        })
        .collect()
}

fn kaplan_meier_of(
    patients: &[&PatientRecord],
    survival: &HashMap<&str, (f64, bool)>,
) -> KaplanMeier {
    let (time, event): (Vec<f64>, Vec<bool>) = patients
        .iter()
        .map(|p| survival[p.study_id.as_str()])
        .unzip();
    kaplan_meier(&time, &event).expect("generated survival times are valid")
}

/// Median survival: the first time at which the Kaplan–Meier curve is at or
/// below one half.
fn median(km: &KaplanMeier) -> f64 {
    km.time
        .iter()
        .zip(&km.surv)
        .find(|&(_, &s)| s <= 0.5)
        .map(|(&t, _)| t)
        .expect("the curve reaches one half")
}

/// Restricted mean survival time up to `tau`, the area under the
/// Kaplan–Meier step function.
fn restricted_mean(km: &KaplanMeier, tau: f64) -> f64 {
    let (mut area, mut previous_time, mut previous_surv) = (0.0, 0.0, 1.0);
    for (&t, &s) in km.time.iter().zip(&km.surv) {
        if t > tau {
            break;
        }
        area += previous_surv * (t - previous_time);
        (previous_time, previous_surv) = (t, s);
    }
    area + previous_surv * (tau - previous_time)
}

#[test]
fn baseline_shares_match_table() {
    let cohort = default_cohort();
    let groups = [
        ("no TACE", patients_of(cohort, Treatment::None)),
        ("TACE", patients_of(cohort, Treatment::Tace)),
    ];
    println!(
        "{:<20} {:>9} {:>9} {:>9} {:>9}",
        "share (%)", "no TACE", "target", "TACE", "target"
    );
    let mut rows = Vec::new();
    for target in SHARE_TARGETS {
        let achieved: Vec<f64> = groups
            .iter()
            .map(|(_, patients)| {
                let count = patients
                    .iter()
                    .filter(|p| (target.is_in)(&p.baseline))
                    .count();
                percent(count, patients.len())
            })
            .collect();
        println!(
            "{:<20} {:>9.1} {:>9.1} {:>9.1} {:>9.1}",
            target.name, achieved[0], target.no_tace, achieved[1], target.tace
        );
        rows.push((target, achieved));
    }
    for (target, achieved) in rows {
        for ((group, _), (value, expected)) in groups
            .iter()
            .zip(achieved.iter().zip([target.no_tace, target.tace]))
        {
            assert!(
                (value - expected).abs() <= SHARE_TOLERANCE_POINTS,
                "{} in {group}: {value:.1}% against {expected}%",
                target.name
            );
        }
    }
}

#[test]
fn hsp90a_moments_match_table() {
    let cohort = default_cohort();
    let targets = [
        (Treatment::None, 158.0, 121.0),
        (Treatment::Tace, 157.0, 116.0),
    ];
    for (treatment, target_mean, target_sd) in targets {
        let values: Vec<f64> = patients_of(cohort, treatment)
            .iter()
            .map(|p| p.baseline.hsp90a_ng_ml.expect("HSP90α is generated"))
            .collect();
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        println!(
            "HSP90α {treatment}: mean {mean:.1} (target {target_mean}), SD {sd:.1} (target {target_sd})"
        );
        assert!(
            (mean - target_mean).abs() <= HSP90A_MEAN_TOLERANCE,
            "HSP90α mean, {treatment}: {mean:.1} against {target_mean}"
        );
        assert!(
            (sd - target_sd).abs() <= HSP90A_SD_TOLERANCE,
            "HSP90α SD, {treatment}: {sd:.1} against {target_sd}"
        );
    }
}

#[test]
fn group_survival_matches_publication() {
    let cohort = default_cohort();
    let survival = derived_survival(cohort);
    for target in SURVIVAL_TARGETS {
        let km = kaplan_meier_of(&patients_of(cohort, target.treatment), &survival);
        let achieved = median(&km);
        let name = target.treatment;
        println!(
            "median OS {name}: {achieved:.2} months (target {})",
            target.median_months
        );
        for (months, rate) in target.rates {
            let value = 100.0 * km.survival_at(months);
            println!("OS at {months} months, {name}: {value:.1}% (target {rate}%)");
            assert!(
                (value - rate).abs() <= SURVIVAL_TOLERANCE_POINTS,
                "OS at {months} months, {name}: {value:.1}% against {rate}%"
            );
        }
        assert!(
            (achieved / target.median_months - 1.0).abs() <= GROUP_MEDIAN_TOLERANCE,
            "median OS, {name}: {achieved:.2} against {} months",
            target.median_months
        );
    }
}

#[test]
fn hsp90a_groups_match_publication() {
    let cohort = default_cohort();
    let survival = derived_survival(cohort);
    let (high, low): (Vec<&PatientRecord>, Vec<&PatientRecord>) = cohort
        .patients
        .iter()
        .partition(|p| p.baseline.hsp90a_ng_ml.is_some_and(hsp90a_high));
    let high_median = median(&kaplan_meier_of(&high, &survival));
    let low_median = median(&kaplan_meier_of(&low, &survival));
    println!(
        "median OS HSP90α high: {high_median:.2} (target {HSP90A_HIGH_MEDIAN_MONTHS}), \
         low: {low_median:.2} (target {HSP90A_LOW_MEDIAN_MONTHS}), {:.1}% high",
        percent(high.len(), cohort.patients.len())
    );
    assert!(
        (high_median / HSP90A_HIGH_MEDIAN_MONTHS - 1.0).abs() <= HSP90A_MEDIAN_TOLERANCE,
        "median OS with HSP90α >= 143.5: {high_median:.2} against {HSP90A_HIGH_MEDIAN_MONTHS}"
    );
    assert!(
        (low_median / HSP90A_LOW_MEDIAN_MONTHS - 1.0).abs() <= HSP90A_MEDIAN_TOLERANCE,
        "median OS with HSP90α < 143.5: {low_median:.2} against {HSP90A_LOW_MEDIAN_MONTHS}"
    );
}

/// The gain in 3-year restricted mean survival from TACE, months, among
/// the patients that `select` keeps.
fn tace_gain(
    cohort: &Cohort,
    survival: &HashMap<&str, (f64, bool)>,
    select: fn(&Baseline) -> bool,
) -> f64 {
    let restricted_mean_of = |treatment| {
        let patients: Vec<&PatientRecord> = patients_of(cohort, treatment)
            .into_iter()
            .filter(|p| select(&p.baseline))
            .collect();
        restricted_mean(&kaplan_meier_of(&patients, survival), 36.0)
    };
    restricted_mean_of(Treatment::Tace) - restricted_mean_of(Treatment::None)
}

#[test]
fn tace_gain_is_larger_in_favourable_subgroups() {
    let cohort = default_cohort();
    let survival = derived_survival(cohort);
    let comparisons: [(&str, fn(&Baseline) -> bool, fn(&Baseline) -> bool); 3] = [
        (
            "HSP90α low vs high",
            |b| b.hsp90a_ng_ml.is_some_and(|v| !hsp90a_high(v)),
            |b| b.hsp90a_ng_ml.is_some_and(hsp90a_high),
        ),
        (
            "BCLC A-B vs C",
            |b| b.bclc < Some(Bclc::C),
            |b| b.bclc == Some(Bclc::C),
        ),
        (
            "size < 5 vs >= 10 cm",
            |b| size_bin_is(b, 0) || size_bin_is(b, 1),
            |b| size_bin_is(b, 3),
        ),
    ];
    for (name, favourable, unfavourable) in comparisons {
        let gain_favourable = tace_gain(cohort, &survival, favourable);
        let gain_unfavourable = tace_gain(cohort, &survival, unfavourable);
        println!(
            "3-year RMST gain from TACE, {name}: {gain_favourable:.2} vs {gain_unfavourable:.2} months"
        );
        assert!(
            gain_favourable > gain_unfavourable + 1.0,
            "TACE gain, {name}: {gain_favourable:.2} is not above {gain_unfavourable:.2} months"
        );
    }
}

#[test]
fn external_centres_hold_published_tace_count() {
    let cohort = default_cohort();
    let external = patients_of(cohort, Treatment::Tace)
        .iter()
        .filter(|p| p.center_external)
        .count();
    println!("external TACE patients: {external} (target 299)");
    assert!(
        (external as f64 / 299.0 - 1.0).abs() <= EXTERNAL_TOLERANCE,
        "external TACE patients: {external} against 299"
    );
    assert_eq!(cohort.centers.len(), 7, "number of centres");
    let codes: Vec<&str> = cohort.centers.iter().map(|c| c.code.as_str()).collect();
    assert!(
        cohort
            .patients
            .iter()
            .all(|p| codes.contains(&p.center.as_str())),
        "every patient's centre is listed"
    );
}

#[test]
fn group_sizes_keep_published_ratio() {
    let cohort = default_cohort();
    assert_eq!(cohort.patients.len(), DEFAULT_PATIENTS);
    assert_eq!(
        patients_of(cohort, Treatment::None).len(),
        1126,
        "no-TACE patients"
    );
    assert_eq!(
        patients_of(cohort, Treatment::Tace).len(),
        1429,
        "TACE patients"
    );
}

#[test]
fn same_seed_gives_same_cohort() {
    let config = SynthConfig {
        patients: 600,
        seed: 11,
    };
    let first = generate(&config);
    assert_eq!(first, generate(&config), "a second run with the same seed");
    let other = generate(&SynthConfig {
        patients: 600,
        seed: 12,
    });
    assert_ne!(
        first.patients, other.patients,
        "another seed gives other patients"
    );
    assert_ne!(
        first.followups, other.followups,
        "another seed gives other contacts"
    );
    assert_eq!(
        *default_cohort(),
        generate(&SynthConfig {
            patients: DEFAULT_PATIENTS,
            seed: DEFAULT_SEED
        })
    );
}

fn check_patient_consistency(patient: &PatientRecord, cutoff: NaiveDate) {
    let id = &patient.study_id;
    let b = &patient.baseline;
    if flag(b.pvtt) || flag(b.metastasis) {
        assert!(
            matches!(b.bclc, Some(Bclc::C | Bclc::D)),
            "{id}: PVTT or M with BCLC {:?}",
            b.bclc
        );
    }
    let first_start = NaiveDate::from_ymd_opt(2016, 1, 1).expect("valid date");
    let last_start = NaiveDate::from_ymd_opt(2021, 12, 31).expect("valid date");
    assert!(
        (first_start..=last_start).contains(&patient.treatment_start),
        "{id}: treatment start {}",
        patient.treatment_start
    );
    assert!(
        patient.treatment_start <= cutoff,
        "{id}: treatment after the cut-off"
    );
}

fn check_contacts(
    patient: &PatientRecord,
    contacts: &[&tace_registry::domain::FollowUp],
    cutoff: NaiveDate,
) {
    let id = &patient.study_id;
    let deaths = contacts
        .iter()
        .filter(|c| c.status == VitalStatus::Dead)
        .count();
    assert!(deaths <= 1, "{id}: {deaths} deaths");
    for pair in contacts.windows(2) {
        assert!(
            pair[0].contact_date < pair[1].contact_date,
            "{id}: contacts out of order"
        );
        assert!(
            pair[0].status == VitalStatus::Alive,
            "{id}: contact after death or loss"
        );
    }
    for contact in contacts {
        assert!(
            contact.contact_date > patient.treatment_start,
            "{id}: contact on or before start"
        );
        assert!(
            contact.contact_date <= cutoff,
            "{id}: contact after the cut-off"
        );
    }
}

#[test]
fn records_follow_registry_rules() {
    let cohort = default_cohort();
    assert_eq!(
        cohort.data_cutoff,
        NaiveDate::from_ymd_opt(2022, 6, 30).expect("valid date")
    );
    let mut contacts: HashMap<&str, Vec<&tace_registry::domain::FollowUp>> = HashMap::new();
    for contact in &cohort.followups {
        contacts
            .entry(contact.study_id.as_str())
            .or_default()
            .push(contact);
    }
    let ids: std::collections::HashSet<&str> = cohort
        .patients
        .iter()
        .map(|p| p.study_id.as_str())
        .collect();
    assert_eq!(ids.len(), cohort.patients.len(), "study ids are unique");
    assert!(
        contacts.keys().all(|id| ids.contains(id)),
        "every contact belongs to a patient"
    );
    for patient in &cohort.patients {
        check_patient_consistency(patient, cohort.data_cutoff);
        let own = contacts
            .get(patient.study_id.as_str())
            .map_or(&[][..], |c| c);
        check_contacts(patient, own, cohort.data_cutoff);
    }
    let lost = cohort
        .followups
        .iter()
        .filter(|c| c.status == VitalStatus::Lost)
        .count();
    assert!(lost > 0, "some patients are lost to follow-up");
    let repeat_labs = cohort
        .followups
        .iter()
        .filter(|c| c.hsp90a_ng_ml.is_some())
        .count();
    assert!(repeat_labs > 0, "some contacts carry a repeat HSP90α");
}

/// Univariate Cox score statistic `z = U / √I` at `β = 0`, with Breslow
/// handling of ties: at each event time `U` gains the events' covariate sum
/// minus `d · mean(x over the risk set)` and `I` gains `d · var(x over the
/// risk set)`. For a 0/1 covariate this is the log-rank statistic.
fn cox_score_z(time: &[f64], event: &[bool], x: &[f64]) -> f64 {
    let mut order: Vec<usize> = (0..time.len()).collect();
    order.sort_by(|&a, &b| time[b].total_cmp(&time[a]));
    let (mut s0, mut s1, mut s2, mut score, mut information) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let mut i = 0;
    while i < order.len() {
        let t = time[order[i]];
        let mut j = i;
        while j < order.len() && time[order[j]] == t {
            let v = x[order[j]];
            s0 += 1.0;
            s1 += v;
            s2 += v * v;
            j += 1;
        }
        let (mut deaths, mut sum_x) = (0.0, 0.0);
        for &k in &order[i..j] {
            if event[k] {
                deaths += 1.0;
                sum_x += x[k];
            }
        }
        if deaths > 0.0 {
            let mean = s1 / s0;
            score += sum_x - deaths * mean;
            information += deaths * (s2 / s0 - mean * mean);
        }
        i = j;
    }
    score / information.sqrt()
}

fn indicator(value: bool) -> f64 {
    if value { 1.0 } else { 0.0 }
}

/// The thirteen variables that the published univariate Cox screen on TACE
/// patients kept, coded as the published baseline table codes them
/// (HSP90α, tumour size and BCLC stage as numbers).
const SCREENED_VARIABLES: [(&str, fn(&Baseline) -> Option<f64>); 13] = [
    ("HSP90α", |b| b.hsp90a_ng_ml),
    ("hypertension", |b| b.hypertension.map(indicator)),
    ("Child-Pugh B", |b| {
        b.child_pugh.map(|c| indicator(c == ChildPugh::B))
    }),
    ("ALBI grade", |b| albi_grade(b).map(f64::from)),
    ("AFP >= 400", |b| {
        b.afp_ng_ml.map(|v| indicator(v >= AFP_HIGH_NG_ML))
    }),
    ("ALP >= 125", |b| {
        b.alp_u_l.map(|v| indicator(v >= ALP_HIGH_U_L))
    }),
    ("ALT >= 40", |b| {
        b.alt_u_l.map(|v| indicator(v >= ALT_HIGH_U_L))
    }),
    ("BCLC stage", |b| b.bclc.map(|s| f64::from(s.ordinal()))),
    ("tumour number >= 2", |b| {
        b.tumor_number.map(|n| indicator(n >= 2))
    }),
    ("tumour size", |b| b.tumor_size_cm),
    ("PVTT", |b| b.pvtt.map(indicator)),
    ("N", |b| b.lymph_nodes.map(indicator)),
    ("M", |b| b.metastasis.map(indicator)),
];

/// Two-sided 5% critical value of the standard normal.
const Z_CRITICAL_5_PERCENT: f64 = 1.959_963_985;

#[test]
fn univariate_screen_keeps_published_variables() {
    let cohort = default_cohort();
    let survival = derived_survival(cohort);
    let patients = patients_of(cohort, Treatment::Tace);
    let (time, event): (Vec<f64>, Vec<bool>) = patients
        .iter()
        .map(|p| survival[p.study_id.as_str()])
        .unzip();
    for (name, value_of) in SCREENED_VARIABLES {
        let x: Vec<f64> = patients
            .iter()
            .map(|p| value_of(&p.baseline).expect("every baseline value is generated"))
            .collect();
        let z = cox_score_z(&time, &event, &x);
        println!("univariate Cox score z on TACE patients, {name}: {z:.2}");
        assert!(
            z >= Z_CRITICAL_5_PERCENT,
            "{name} is not a significant adverse factor among TACE patients: z = {z:.2}"
        );
    }
}

#[test]
fn large_cohort_keeps_ratio_and_shares() {
    let started = std::time::Instant::now();
    let cohort = generate(&SynthConfig {
        patients: 100_000,
        seed: 5,
    });
    println!(
        "100,000 patients and {} contacts generated in {:.2?}",
        cohort.followups.len(),
        started.elapsed()
    );
    let groups: [(Treatment, usize, fn(&ShareTarget) -> f64); 2] = [
        (Treatment::None, 44_070, |t: &ShareTarget| t.no_tace),
        (Treatment::Tace, 55_930, |t: &ShareTarget| t.tace),
    ];
    for (treatment, expected_size, target_of) in groups {
        let patients = patients_of(&cohort, treatment);
        // 100,000 · 1429 / 2555 = 55,929.5, rounded to 55,930 TACE patients.
        assert_eq!(patients.len(), expected_size, "{treatment} patients");
        for target in SHARE_TARGETS {
            let count = patients
                .iter()
                .filter(|p| (target.is_in)(&p.baseline))
                .count();
            let share = percent(count, patients.len());
            let expected = target_of(target);
            assert!(
                (share - expected).abs() <= SHARE_TOLERANCE_POINTS,
                "{} in {treatment} at 100,000 patients: {share:.1}% against {expected}%",
                target.name
            );
        }
    }
}
