//! Every validation rule, one by one, on typed records and on text cells.

use tace_registry::domain::csv::read_patients;
use tace_registry::domain::validate::{
    BASELINE_VARIABLES, MAX_IDENTIFIER_CHARS, MAX_NOTE_CHARS, Reason, ValidationError, ValueKind,
    check_baseline, check_followup, check_patient, parse_albi_grade, parse_child_pugh, parse_count,
    parse_date, parse_identifier, parse_number, parse_yes_no_cell,
};
use tace_registry::domain::{Baseline, Bclc, VitalStatus};

use crate::common::{date, followup, record};

const TODAY: &str = "2025-06-30";

fn reasons(errors: &[ValidationError]) -> Vec<&Reason> {
    errors.iter().map(|e| &e.reason).collect()
}

/// Set the quantity stored in `column` on a default baseline.
fn baseline_with(column: &str, value: f64) -> Baseline {
    let mut b = Baseline::default();
    match column {
        "age_years" => b.age_years = Some(value as u32),
        "hsp90a_ng_ml" => b.hsp90a_ng_ml = Some(value),
        "albumin_g_l" => b.albumin_g_l = Some(value),
        "bilirubin_umol_l" => b.bilirubin_umol_l = Some(value),
        "afp_ng_ml" => b.afp_ng_ml = Some(value),
        "alp_u_l" => b.alp_u_l = Some(value),
        "platelets_1e9_l" => b.platelets_1e9_l = Some(value),
        "alt_u_l" => b.alt_u_l = Some(value),
        "leukocytes_1e9_l" => b.leukocytes_1e9_l = Some(value),
        "tumor_number" => b.tumor_number = Some(value as u32),
        "tumor_size_cm" => b.tumor_size_cm = Some(value),
        other => panic!("no quantity {other}"),
    }
    b
}

#[test]
fn hard_range_bounds_of_every_quantity() {
    for variable in BASELINE_VARIABLES {
        let ValueKind::Quantity { hard, integer, .. } = variable.kind else {
            continue;
        };
        let step = if integer {
            1.0
        } else {
            hard.min.abs().max(1.0) * 1e-3
        };
        for inside in [hard.min, hard.max] {
            let errors = check_baseline(&baseline_with(variable.column, inside));
            assert!(
                errors.iter().all(|e| e.needs_confirmation()),
                "{} = {inside} is inside the hard range: {errors:?}",
                variable.column
            );
        }
        let above = hard.max + step;
        let errors = check_baseline(&baseline_with(variable.column, above));
        assert!(
            matches!(errors.as_slice(), [e] if matches!(e.reason, Reason::OutOfRange { .. }) && e.field == variable.column),
            "{} = {above}: {errors:?}",
            variable.column
        );
        // Counts cannot go below zero in their type; the text parser rejects it.
        if hard.min - step >= 0.0 {
            let below = hard.min - step;
            let errors = check_baseline(&baseline_with(variable.column, below));
            assert!(
                matches!(errors.as_slice(), [e] if matches!(e.reason, Reason::OutOfRange { .. })),
                "{} = {below}: {errors:?}",
                variable.column
            );
        }
    }
}

#[test]
fn soft_range_needs_confirmation() {
    let mut checked = 0;
    for variable in BASELINE_VARIABLES {
        let ValueKind::Quantity {
            soft: Some(soft),
            hard,
            ..
        } = variable.kind
        else {
            continue;
        };
        for value in [soft.min - 1.0, soft.max + 1.0] {
            if !hard.contains(value) {
                continue;
            }
            let errors = check_baseline(&baseline_with(variable.column, value));
            assert!(
                matches!(errors.as_slice(), [e] if matches!(e.reason, Reason::OutsideUsualRange { .. })),
                "{} = {value}: {errors:?}",
                variable.column
            );
            assert!(errors[0].needs_confirmation());
            assert!(errors[0].blocks(false));
            assert!(!errors[0].blocks(true));
            checked += 1;
        }
        let inside = check_baseline(&baseline_with(variable.column, (soft.min + soft.max) / 2.0));
        assert!(inside.is_empty(), "{}: {inside:?}", variable.column);
    }
    assert!(checked >= 10, "only {checked} soft bounds checked");
}

#[test]
fn design_ranges_are_in_the_table() {
    let age = BASELINE_VARIABLES
        .iter()
        .find(|v| v.column == "age_years")
        .unwrap();
    let ValueKind::Quantity {
        unit,
        hard,
        soft,
        integer,
    } = age.kind
    else {
        panic!("age is a quantity")
    };
    assert_eq!(unit, "years");
    assert!(integer);
    assert_eq!((hard.min, hard.max), (18.0, 110.0));
    let soft = soft.unwrap();
    assert_eq!((soft.min, soft.max), (20.0, 95.0));
    let size = BASELINE_VARIABLES
        .iter()
        .find(|v| v.column == "tumor_size_cm")
        .unwrap();
    let ValueKind::Quantity { unit, hard, .. } = size.kind else {
        panic!("size is a quantity")
    };
    assert_eq!(unit, "cm");
    assert_eq!((hard.min, hard.max), (0.1, 40.0));
}

#[test]
fn child_pugh_c_is_excluded() {
    let error = parse_child_pugh("C").unwrap_err();
    assert_eq!(error.reason, Reason::ChildPughC);
    assert_eq!(error.field, "child_pugh");
    assert!(error.to_string().contains("inclusion criteria"), "{error}");
    assert!(parse_child_pugh("b").unwrap().is_some());
    assert!(matches!(
        parse_child_pugh("D").unwrap_err().reason,
        Reason::UnknownValue { .. }
    ));
}

#[test]
fn albi_entered_only_when_labs_are_missing() {
    // Albumin 40 g/L, bilirubin 10 µmol/L: 0.66·1 − 0.085·40 = −2.74, grade 1.
    let labs = Baseline {
        albumin_g_l: Some(40.0),
        bilirubin_umol_l: Some(10.0),
        ..Baseline::default()
    };
    let consistent = Baseline {
        albi_grade: Some(1),
        ..labs.clone()
    };
    assert!(check_baseline(&consistent).is_empty());
    let inconsistent = Baseline {
        albi_grade: Some(2),
        ..labs
    };
    assert_eq!(
        reasons(&check_baseline(&inconsistent)),
        [&Reason::AlbiInconsistent { computed: 1 }]
    );
    let without_labs = Baseline {
        albumin_g_l: Some(40.0),
        albi_grade: Some(3),
        ..Baseline::default()
    };
    assert!(check_baseline(&without_labs).is_empty());
    assert!(parse_albi_grade("4").is_err());
    assert_eq!(parse_albi_grade("2").unwrap(), Some(2));
}

#[test]
fn pvtt_or_metastasis_needs_stage_c_or_d() {
    let case = |bclc, pvtt, metastasis| Baseline {
        bclc,
        pvtt,
        metastasis,
        ..Baseline::default()
    };
    let early = check_baseline(&case(Some(Bclc::B), Some(true), None));
    assert_eq!(
        reasons(&early),
        [&Reason::StageTooEarly { finding: "PVTT" }]
    );
    assert_eq!(early[0].field, "bclc");
    let metastatic = check_baseline(&case(Some(Bclc::A), None, Some(true)));
    assert!(matches!(metastatic[0].reason, Reason::StageTooEarly { .. }));
    assert!(check_baseline(&case(Some(Bclc::C), Some(true), Some(true))).is_empty());
    assert!(check_baseline(&case(Some(Bclc::D), None, Some(true))).is_empty());
    assert!(check_baseline(&case(None, Some(true), None)).is_empty());
    assert!(check_baseline(&case(Some(Bclc::Zero), Some(false), Some(false))).is_empty());
}

#[test]
fn treatment_start_in_future_is_rejected() {
    let mut patient = record("F1");
    patient.treatment_start = date("2025-07-01");
    let errors = check_patient(&patient, date(TODAY));
    assert_eq!(
        reasons(&errors),
        [&Reason::FutureDate { today: date(TODAY) }]
    );
    patient.treatment_start = date(TODAY);
    assert!(check_patient(&patient, date(TODAY)).is_empty());
}

#[test]
fn identifiers_are_checked() {
    assert_eq!(
        parse_identifier("study_id", "  ").unwrap_err().reason,
        Reason::Required
    );
    assert_eq!(parse_identifier("study_id", " P1 ").unwrap(), "P1");
    let long = "X".repeat(MAX_IDENTIFIER_CHARS + 1);
    assert_eq!(
        parse_identifier("study_id", &long).unwrap_err().reason,
        Reason::BadIdentifier
    );
    let mut patient = record("P\u{7}1");
    assert_eq!(
        reasons(&check_patient(&patient, date(TODAY))),
        [&Reason::BadIdentifier]
    );
    patient.study_id = "P1".into();
    patient.center = String::new();
    assert_eq!(
        reasons(&check_patient(&patient, date(TODAY))),
        [&Reason::Required]
    );
}

#[test]
fn only_four_values_are_required() {
    let header = "study_id,center,center_external,sex,age_years,treatment,treatment_start,hsp90a_ng_ml,hbv,diabetes,\
                  hypertension,child_pugh,albumin_g_l,bilirubin_umol_l,albi_grade,afp_ng_ml,alp_u_l,platelets_1e9_l,\
                  alt_u_l,leukocytes_1e9_l,bclc,tumor_number,tumor_size_cm,pvtt,lymph_nodes,metastasis";
    let input = format!(
        "{header}\nP1,C1,,,,none,2020-01-01,,,,,,,,,,,,,,,,,,,\n,,,,,,,,,,,,,,,,,,,,,,,,,x\n"
    );
    let rows = read_patients(input.as_bytes()).unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows[0].errors.is_empty(), "{:?}", rows[0].errors);
    let stored = rows[0].record.as_ref().unwrap();
    assert_eq!(stored.baseline, Baseline::default());
    let missing: Vec<&str> = rows[1]
        .errors
        .iter()
        .filter(|e| e.reason == Reason::Required)
        .map(|e| e.field)
        .collect();
    assert_eq!(
        missing,
        ["study_id", "center", "treatment", "treatment_start"]
    );
    assert!(rows[1].record.is_none());
}

#[test]
fn wrong_types_are_named() {
    for text in ["abc", "NaN", "inf", "3,5", "1.2.3"] {
        let error = parse_number("alt_u_l", text).unwrap_err();
        assert_eq!(error.reason, Reason::NotANumber, "{text}");
        assert_eq!(error.value, text);
    }
    assert_eq!(parse_number("alt_u_l", "1e2").unwrap(), Some(100.0));
    assert_eq!(
        parse_count("tumor_number", "2.5").unwrap_err().reason,
        Reason::NotAnInteger
    );
    assert!(matches!(
        parse_count("age_years", "-3").unwrap_err().reason,
        Reason::OutOfRange { .. }
    ));
    assert!(matches!(
        parse_yes_no_cell("hbv", "maybe").unwrap_err().reason,
        Reason::UnknownValue { .. }
    ));
    for (text, expected) in [
        ("yes", true),
        ("NO", false),
        ("1", true),
        ("0", false),
        ("true", true),
        ("False", false),
    ] {
        assert_eq!(
            parse_yes_no_cell("hbv", text).unwrap(),
            Some(expected),
            "{text}"
        );
    }
}

#[test]
fn dates_must_be_iso() {
    for text in [
        "2020-13-01",
        "01/02/2020",
        "2019-02-29",
        "2020-1-5",
        "20200105",
        "2020-01-05T00:00",
    ] {
        let error = parse_date("treatment_start", text).unwrap_err();
        assert_eq!(error.reason, Reason::BadDate, "{text}");
    }
    assert_eq!(
        parse_date("treatment_start", "2020-02-29").unwrap(),
        Some(date("2020-02-29"))
    );
}

#[test]
fn followup_before_start_is_rejected() {
    let start = date("2020-01-15");
    let contact = followup("P1", "2020-01-14", VitalStatus::Dead);
    let errors = check_followup(&contact, start, &[], date(TODAY));
    assert_eq!(reasons(&errors), [&Reason::BeforeTreatmentStart { start }]);
    assert!(!errors[0].needs_confirmation());
}

#[test]
fn followup_on_start_needs_confirmation() {
    let start = date("2020-01-15");
    let contact = followup("P1", "2020-01-15", VitalStatus::Alive);
    let errors = check_followup(&contact, start, &[], date(TODAY));
    assert_eq!(reasons(&errors), [&Reason::OnTreatmentStart]);
    assert!(errors[0].needs_confirmation());
}

#[test]
fn followup_in_future_is_rejected() {
    let contact = followup("P1", "2025-07-01", VitalStatus::Alive);
    let errors = check_followup(&contact, date("2020-01-15"), &[], date(TODAY));
    assert_eq!(
        reasons(&errors),
        [&Reason::FutureDate { today: date(TODAY) }]
    );
}

#[test]
fn one_death_and_nothing_after() {
    let start = date("2020-01-15");
    let today = date(TODAY);
    let death = followup("P1", "2020-06-01", VitalStatus::Dead);
    let history = [
        followup("P1", "2020-03-01", VitalStatus::Alive),
        death.clone(),
    ];

    let second = followup("P1", "2020-07-01", VitalStatus::Dead);
    assert_eq!(
        reasons(&check_followup(&second, start, &history, today)),
        [&Reason::SecondDeath {
            death: death.contact_date
        }]
    );
    let after = followup("P1", "2020-06-02", VitalStatus::Lost);
    assert_eq!(
        reasons(&check_followup(&after, start, &history, today)),
        [&Reason::AfterDeath {
            death: death.contact_date
        }]
    );
    let same_day = followup("P1", "2020-06-01", VitalStatus::Alive);
    assert!(check_followup(&same_day, start, &history, today).is_empty());

    let alive_later = [followup("P1", "2020-09-01", VitalStatus::Alive)];
    let early_death = followup("P1", "2020-05-01", VitalStatus::Dead);
    assert_eq!(
        reasons(&check_followup(&early_death, start, &alive_later, today)),
        [&Reason::DeathBeforeContact {
            contact: date("2020-09-01")
        }]
    );
}

#[test]
fn followup_repeat_values_use_baseline_ranges() {
    let mut contact = followup("P1", "2020-03-01", VitalStatus::Alive);
    contact.hsp90a_ng_ml = Some(20_000.0);
    contact.afp_ng_ml = Some(300_000.0);
    let errors = check_followup(&contact, date("2020-01-15"), &[], date(TODAY));
    assert!(
        matches!(errors[0].reason, Reason::OutOfRange { .. }),
        "{errors:?}"
    );
    assert_eq!(errors[0].field, "hsp90a_ng_ml");
    assert!(
        matches!(errors[1].reason, Reason::OutsideUsualRange { .. }),
        "{errors:?}"
    );
    assert_eq!(errors[1].field, "afp_ng_ml");
}

#[test]
fn long_note_is_rejected() {
    let mut contact = followup("P1", "2020-03-01", VitalStatus::Alive);
    contact.note = Some("n".repeat(MAX_NOTE_CHARS + 1));
    let errors = check_followup(&contact, date("2020-01-15"), &[], date(TODAY));
    assert_eq!(
        reasons(&errors),
        [&Reason::TooLong {
            max_chars: MAX_NOTE_CHARS
        }]
    );
}

#[test]
fn message_has_field_value_reason_and_fix() {
    let errors = check_baseline(&baseline_with("age_years", 17.0));
    assert_eq!(
        errors[0].to_string(),
        "age_years `17` is outside the allowed range 18 to 110 years, so correct the value (in years), \
         or leave the cell empty if it is unknown."
    );
}
