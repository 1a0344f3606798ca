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
use tace_registry::domain::validate::{check_followup, check_patient};
use tace_registry::domain::{
    Baseline, Bclc, ChildPugh, FollowUp, PatientRecord, Sex, Treatment, VitalStatus,
};
use tace_registry::pipeline::Subject;
use tace_registry::pipeline::benefit::{self, BenefitConfig, BenefitFit, LabelledPatient};
use tace_registry::pipeline::labels::{BenefitLabel, RMST_TAU_MONTHS, restricted_mean};
use tace_registry::pipeline::progress::Silent;
use tace_registry::pipeline::survival::{self, SurvivalConfig};
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

/// Generates the cohort of the sample registry once and shares it between
/// tests.
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

/// Median survival as R `print.survfit` reads it off the Kaplan–Meier curve.
fn median(km: &KaplanMeier) -> f64 {
    km.median.expect("the curve reaches one half")
}

/// A subgroup comparison: its name, the subgroup expected to gain more from
/// TACE and the subgroup expected to gain less.
type Comparison = (&'static str, fn(&Baseline) -> bool, fn(&Baseline) -> bool);

/// Low against high HSP90α, BCLC A–B against C, and a largest tumour below
/// 5 cm against at least 10 cm.
const SUBGROUP_COMPARISONS: [Comparison; 3] = [
    (
        "HSP90α low vs high",
        |b| b.hsp90a_ng_ml.is_some_and(|v| !hsp90a_high(v)),
        |b| b.hsp90a_ng_ml.is_some_and(hsp90a_high),
    ),
    (
        "BCLC A-B vs C",
        |b| matches!(b.bclc, Some(Bclc::A | Bclc::B)),
        |b| b.bclc == Some(Bclc::C),
    ),
    (
        "size < 5 vs >= 10 cm",
        |b| size_bin_is(b, 0) || size_bin_is(b, 1),
        |b| size_bin_is(b, 3),
    ),
];

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

/// Mean HSP90α (ng/mL) of the patients that `select` keeps.
fn mean_hsp90a(cohort: &Cohort, select: impl Fn(&Baseline) -> bool) -> f64 {
    let values: Vec<f64> = cohort
        .patients
        .iter()
        .filter(|p| select(&p.baseline))
        .filter_map(|p| p.baseline.hsp90a_ng_ml)
        .collect();
    values.iter().sum::<f64>() / values.len() as f64
}

/// Markers that HSP90α rises with: each splits patients into a group with
/// the marker and a group without it.
const HSP90A_MARKERS: [Comparison; 6] = [
    (
        "AFP >= 400",
        |b| at_least(b.afp_ng_ml, AFP_HIGH_NG_ML),
        |b| b.afp_ng_ml.is_some_and(|v| v < AFP_HIGH_NG_ML),
    ),
    (
        "Child-Pugh B",
        |b| b.child_pugh == Some(ChildPugh::B),
        |b| b.child_pugh == Some(ChildPugh::A),
    ),
    (
        "tumour number >= 2",
        |b| b.tumor_number.is_some_and(|n| n >= 2),
        |b| b.tumor_number == Some(1),
    ),
    (
        "N",
        |b| flag(b.lymph_nodes),
        |b| b.lymph_nodes == Some(false),
    ),
    ("M", |b| flag(b.metastasis), |b| b.metastasis == Some(false)),
    (
        "BCLC C",
        |b| b.bclc == Some(Bclc::C),
        |b| matches!(b.bclc, Some(Bclc::A | Bclc::B)),
    ),
];

#[test]
fn hsp90a_rises_with_disease_markers() {
    let cohort = default_cohort();
    for (name, with_marker, without_marker) in HSP90A_MARKERS {
        let with = mean_hsp90a(cohort, with_marker);
        let without = mean_hsp90a(cohort, without_marker);
        println!("mean HSP90α with {name}: {with:.1}, without: {without:.1} ng/mL");
        assert!(
            with > without * 1.1,
            "mean HSP90α with {name} {with:.1} is not 10% above {without:.1} ng/mL"
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

/// Computes the gain in 3-year restricted mean survival from TACE, months,
/// among the patients that `select` keeps.
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
        let km = kaplan_meier_of(&patients, survival);
        restricted_mean(&km.time, &km.surv, RMST_TAU_MONTHS)
    };
    restricted_mean_of(Treatment::Tace) - restricted_mean_of(Treatment::None)
}

#[test]
fn tace_gain_is_larger_in_favourable_subgroups() {
    let cohort = default_cohort();
    let survival = derived_survival(cohort);
    for (name, favourable, unfavourable) in SUBGROUP_COMPARISONS {
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
fn tiny_cohorts_are_valid() {
    for patients in [0, 1, 2, 3, 10] {
        let cohort = generate(&SynthConfig { patients, seed: 3 });
        assert_eq!(cohort.patients.len(), patients, "cohort of {patients}");
        check_records(&cohort);
    }
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

/// Reads one measured value of a baseline.
type ValueOf = fn(&Baseline) -> Option<f64>;

/// The registry's soft entry ranges of the measured baseline values: a
/// value outside its soft range needs confirmation at entry, and every soft
/// range lies inside the hard range that rejects a value.
const SOFT_RANGES: [(&str, f64, f64, ValueOf); 11] = [
    ("age, years", 20.0, 95.0, |b| b.age_years.map(f64::from)),
    ("HSP90α, ng/mL", 5.0, 1500.0, |b| b.hsp90a_ng_ml),
    ("albumin, g/L", 20.0, 55.0, |b| b.albumin_g_l),
    ("bilirubin, µmol/L", 3.0, 300.0, |b| b.bilirubin_umol_l),
    ("AFP, ng/mL", 0.0, 200_000.0, |b| b.afp_ng_ml),
    ("ALP, U/L", 20.0, 1500.0, |b| b.alp_u_l),
    ("platelets, 10⁹/L", 20.0, 800.0, |b| b.platelets_1e9_l),
    ("ALT, U/L", 5.0, 1000.0, |b| b.alt_u_l),
    ("leukocytes, 10⁹/L", 1.0, 30.0, |b| b.leukocytes_1e9_l),
    ("tumour number", 1.0, 50.0, |b| {
        b.tumor_number.map(f64::from)
    }),
    ("largest tumour size, cm", 0.5, 25.0, |b| b.tumor_size_cm),
];

fn check_baseline_ranges(patient: &PatientRecord) {
    let id = &patient.study_id;
    let b = &patient.baseline;
    for (name, lower, upper, value_of) in SOFT_RANGES {
        let value = value_of(b).unwrap_or_else(|| panic!("{id}: {name} is missing"));
        assert!(
            (lower..=upper).contains(&value),
            "{id}: {name} {value} is outside {lower}–{upper}"
        );
    }
    assert!(b.sex.is_some(), "{id}: sex is missing");
    assert!(
        matches!(b.child_pugh, Some(ChildPugh::A | ChildPugh::B)),
        "{id}: Child–Pugh class {:?}",
        b.child_pugh
    );
    assert!(
        matches!(b.bclc, Some(Bclc::A | Bclc::B | Bclc::C)),
        "{id}: BCLC stage {:?}",
        b.bclc
    );
    assert!(albi_grade(b).is_some(), "{id}: no ALBI grade");
    let flags = [
        b.hbv,
        b.diabetes,
        b.hypertension,
        b.pvtt,
        b.lymph_nodes,
        b.metastasis,
    ];
    assert!(
        flags.iter().all(Option::is_some),
        "{id}: a yes/no value is missing"
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

fn check_contacts(patient: &PatientRecord, contacts: &[&FollowUp], cutoff: NaiveDate) {
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
        for (name, value, (lower, upper)) in [
            ("HSP90α", contact.hsp90a_ng_ml, (5.0, 1500.0)),
            ("AFP", contact.afp_ng_ml, (0.0, 200_000.0)),
        ] {
            if let Some(value) = value {
                assert!(
                    (lower..=upper).contains(&value),
                    "{id}: repeat {name} {value} on {} is outside {lower}–{upper}",
                    contact.contact_date
                );
            }
        }
    }
}

/// Checks every patient and contact of `cohort` against the registry's
/// entry rules.
fn check_records(cohort: &Cohort) {
    let mut contacts: HashMap<&str, Vec<&FollowUp>> = HashMap::new();
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
        check_baseline_ranges(patient);
        check_patient_consistency(patient, cohort.data_cutoff);
        let own = contacts
            .get(patient.study_id.as_str())
            .map_or(&[][..], |c| c);
        check_contacts(patient, own, cohort.data_cutoff);
        check_with_registry_validation(patient, own, cohort.data_cutoff);
    }
}

/// Runs the registry's own entry checks on a patient and, in date order,
/// on each of its contacts, with the data cut-off as today. Any finding
/// fails, including a value that would only need confirmation.
fn check_with_registry_validation(
    patient: &PatientRecord,
    contacts: &[&FollowUp],
    cutoff: NaiveDate,
) {
    let id = &patient.study_id;
    let findings: Vec<String> = check_patient(patient, cutoff)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(findings.is_empty(), "{id}: {}", findings.join(" "));

    let mut accepted: Vec<FollowUp> = Vec::new();
    for contact in contacts {
        let findings: Vec<String> =
            check_followup(contact, patient.treatment_start, &accepted, cutoff)
                .iter()
                .map(ToString::to_string)
                .collect();
        assert!(
            findings.is_empty(),
            "{id}: contact on {}: {}",
            contact.contact_date,
            findings.join(" ")
        );
        accepted.push((*contact).clone());
    }
}

#[test]
fn records_follow_registry_rules() {
    let cohort = default_cohort();
    assert_eq!(
        cohort.data_cutoff,
        NaiveDate::from_ymd_opt(2022, 6, 30).expect("valid date")
    );
    check_records(cohort);

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

/// Builds the pipelines' view of the cohort as a refit on the data cut-off
/// does: overall survival from the contacts, sorted by study id.
fn pipeline_subjects(cohort: &Cohort) -> Vec<Subject> {
    let survival = derived_survival(cohort);
    let mut subjects: Vec<Subject> = cohort
        .patients
        .iter()
        .map(|p| {
            let (os_months, os_event) = survival[p.study_id.as_str()];
            Subject {
                study_id: p.study_id.clone(),
                external: p.center_external,
                treatment: p.treatment,
                baseline: p.baseline.clone(),
                os_months,
                os_event,
            }
        })
        .collect();
    subjects.sort_by(|a, b| a.study_id.cmp(&b.study_id));
    subjects
}

/// Fits the benefit pipeline with its default settings on the default
/// cohort, once for all tests.
fn default_benefit_fit() -> &'static BenefitFit {
    static FIT: OnceLock<BenefitFit> = OnceLock::new();
    FIT.get_or_init(|| {
        let subjects = pipeline_subjects(default_cohort());
        benefit::fit(&subjects, &BenefitConfig::with_seed(DEFAULT_SEED), &Silent)
            .unwrap_or_else(|e| panic!("benefit pipeline on the default cohort: {e}"))
    })
}

/// Columns of the thirteen variables that the published univariate Cox
/// screen on TACE patients kept: HSP90α, hypertension, Child–Pugh class,
/// ALBI grade, AFP, ALP, ALT, BCLC stage, tumour number, tumour size, PVTT,
/// N and M.
const SCREENED_COLUMNS: [&str; 13] = [
    "hsp90a_ng_ml",
    "hypertension",
    "child_pugh",
    "albi_grade",
    "afp_ng_ml",
    "alp_u_l",
    "alt_u_l",
    "bclc",
    "tumor_number",
    "tumor_size_cm",
    "pvtt",
    "lymph_nodes",
    "metastasis",
];

/// Trees of the survival forest when the pipeline runs for its screen. Few
/// are enough, because only the screen is checked.
const SCREEN_RUN_TREES: usize = 20;

#[test]
fn univariate_screen_keeps_published_variables() {
    let subjects = pipeline_subjects(default_cohort());
    let mut config = SurvivalConfig::with_seed(DEFAULT_SEED);
    config.trees = SCREEN_RUN_TREES;
    let fit = survival::fit(&subjects, &config, &Silent)
        .unwrap_or_else(|e| panic!("survival pipeline on the default cohort: {e}"));
    for row in &fit.metrics.screen {
        let p = row.p.map_or("none".to_string(), |p| format!("{p:.2e}"));
        let hazard_ratio = row
            .hazard_ratio
            .map_or("none".to_string(), |h| format!("{h:.3}"));
        println!(
            "univariate Cox on {} TACE training patients, {}: p = {p}, HR {hazard_ratio}, kept {}",
            row.n, row.variable, row.kept
        );
    }
    for column in SCREENED_COLUMNS {
        let row = fit
            .metrics
            .screen
            .iter()
            .find(|r| r.variable == column)
            .unwrap_or_else(|| panic!("{column} is screened"));
        assert!(
            row.kept,
            "{column} fails the univariate screen: p = {:?}",
            row.p
        );
        // A one-column variable reports its hazard ratio; a factor with
        // several levels (BCLC stage, ALBI grade) reports only its p-value.
        match row.hazard_ratio {
            Some(hazard_ratio) => assert!(
                hazard_ratio > 1.0,
                "{column}: hazard ratio {hazard_ratio:.2}, not above 1"
            ),
            None => assert!(
                ["bclc", "albi_grade"].contains(&column),
                "{column} has no hazard ratio"
            ),
        }
    }
}

/// Published median OS of TACE patients labelled benefit and non-benefit,
/// months.
const BENEFIT_MEDIAN_MONTHS: f64 = 32.2;
const NON_BENEFIT_MEDIAN_MONTHS: f64 = 11.0;

#[test]
fn benefit_labels_separate_survival() {
    let metrics = &default_benefit_fit().metrics;
    println!(
        "benefit {}, non-benefit {}, undetermined {}",
        metrics.n_benefit, metrics.n_non_benefit, metrics.n_undetermined
    );
    assert!(metrics.n_benefit > 0, "no patient benefits");
    assert!(metrics.n_non_benefit > 0, "every patient benefits");

    let benefit = metrics.median_os_benefit.value;
    let non_benefit = metrics
        .median_os_non_benefit
        .value
        .expect("every non-benefit patient has died, so the median is reached");
    println!(
        "median OS benefit {benefit:?} (published {BENEFIT_MEDIAN_MONTHS}), \
         non-benefit {non_benefit:.2} (published {NON_BENEFIT_MEDIAN_MONTHS})"
    );
    // An unreached median lies beyond follow-up, above any reached one.
    let benefit = benefit.unwrap_or(f64::INFINITY);
    assert!(
        benefit > 2.0 * non_benefit,
        "median OS with benefit {benefit:.2} is not twice the non-benefit {non_benefit:.2}"
    );
}

/// Share (percent) of benefit among the labelled TACE patients that
/// `select` keeps.
fn benefit_share(
    labels: &[LabelledPatient],
    baselines: &HashMap<&str, &Baseline>,
    select: fn(&Baseline) -> bool,
) -> f64 {
    let kept: Vec<BenefitLabel> = labels
        .iter()
        .filter(|p| p.label != BenefitLabel::Undetermined)
        .filter(|p| select(baselines[p.study_id.as_str()]))
        .map(|p| p.label)
        .collect();
    let benefit = kept.iter().filter(|&&l| l == BenefitLabel::Benefit).count();
    percent(benefit, kept.len())
}

#[test]
fn benefit_is_likelier_in_favourable_subgroups() {
    let cohort = default_cohort();
    let baselines: HashMap<&str, &Baseline> = cohort
        .patients
        .iter()
        .map(|p| (p.study_id.as_str(), &p.baseline))
        .collect();
    let labels = &default_benefit_fit().splits.labels;
    for (name, favourable, unfavourable) in SUBGROUP_COMPARISONS {
        let favourable_share = benefit_share(labels, &baselines, favourable);
        let unfavourable_share = benefit_share(labels, &baselines, unfavourable);
        println!(
            "benefit share of labelled TACE patients, {name}: {favourable_share:.1}% vs \
             {unfavourable_share:.1}%"
        );
        assert!(
            favourable_share > unfavourable_share + 10.0,
            "benefit share, {name}: {favourable_share:.1}% is not 10 points above \
             {unfavourable_share:.1}%"
        );
    }
}

#[test]
fn nomogram_variables_predict_benefit() {
    let coefficients = &default_benefit_fit().metrics.coefficients;
    for name in ["hsp90a_ng_ml", "bclc=C", "tumor_size_cm"] {
        let row = coefficients
            .iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("{name} is a nomogram coefficient"));
        println!(
            "nomogram, {name}: odds ratio {:.4}, p = {:.2e}",
            row.odds_ratio, row.p
        );
        assert!(row.coef < 0.0, "{name} does not lower the odds of benefit");
        assert!(row.p < 0.05, "{name}: p = {:.3}", row.p);
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
    check_records(&cohort);

    type TargetOf = fn(&ShareTarget) -> f64;
    let groups: [(Treatment, usize, TargetOf); 2] = [
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
