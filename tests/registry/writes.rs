//! Single writes: insert, update under optimistic locking, withdrawal and
//! follow-up contacts, each checked against the rules and recorded in the
//! audit log.

use serde_json::json;
use tace_registry::db::{DbError, action};
use tace_registry::domain::VitalStatus;
use tace_registry::domain::validate::Reason;

use crate::common::{followup, new_registry, record, snapshot};

fn reasons(error: &DbError) -> Vec<Reason> {
    match error {
        DbError::Invalid { errors, .. } => errors.iter().map(|e| e.reason.clone()).collect(),
        other => panic!("expected Invalid, got {other}"),
    }
}

#[test]
fn insert_is_audited_with_user_and_values() {
    let (_dir, _path, mut registry) = new_registry();
    let patient = record("A1");
    assert_eq!(registry.insert_patient(&patient, false).unwrap(), 1);

    let log = registry.audit_log(Some("A1")).unwrap();
    assert_eq!(log.len(), 1);
    let entry = &log[0];
    assert_eq!(entry.action, action::INSERT_PATIENT);
    assert_eq!(entry.user, "tester");
    assert!(entry.before.is_none());
    let after = entry.after.as_ref().unwrap();
    assert_eq!(after["study_id"], "A1");
    assert_eq!(after["baseline"]["hsp90a_ng_ml"], 88.0);
    assert!(
        chrono::DateTime::parse_from_rfc3339(&entry.at).is_ok(),
        "{}",
        entry.at
    );

    let stored = registry.patient("A1").unwrap().unwrap();
    assert_eq!(stored.record, patient);
    assert_eq!(stored.created_by, "tester");
}

#[test]
fn os_user_is_the_default_author() {
    let dir = tempfile::tempdir().unwrap();
    let mut registry = tace_registry::db::Registry::create(&dir.path().join("r.sqlite")).unwrap();
    assert_eq!(registry.user(), tace_registry::db::os_user());
    registry.insert_patient(&record("U1"), false).unwrap();
    let log = registry.audit_log(None).unwrap();
    assert_eq!(log[0].user, tace_registry::db::os_user());
    assert!(!log[0].user.is_empty());
}

#[test]
fn duplicate_study_id_is_rejected() {
    let (_dir, _path, mut registry) = new_registry();
    registry.insert_patient(&record("D1"), false).unwrap();
    let before = snapshot(&registry);
    let error = registry.insert_patient(&record("D1"), false).unwrap_err();
    assert!(matches!(error, DbError::DuplicateStudyId { .. }), "{error}");
    assert_eq!(snapshot(&registry), before);
}

#[test]
fn invalid_insert_writes_nothing() {
    let (_dir, _path, mut registry) = new_registry();
    let before = snapshot(&registry);
    let mut patient = record("BAD1");
    patient.baseline.age_years = Some(17);
    patient.baseline.pvtt = Some(true);
    patient.baseline.tumor_number = Some(0);
    patient.baseline.tumor_size_cm = Some(0.0);
    let error = registry.insert_patient(&patient, true).unwrap_err();
    let found = reasons(&error);
    assert_eq!(found.len(), 4, "{found:?}");
    assert!(matches!(found[0], Reason::OutOfRange { .. }), "{found:?}");
    assert!(
        found.contains(&Reason::StageTooEarly { finding: "PVTT" }),
        "{found:?}"
    );
    let message = error.to_string();
    assert!(message.contains("age_years `17`"), "{message}");
    assert!(message.contains("tumor_number `0`"), "{message}");
    assert!(message.contains("tumor_size_cm `0`"), "{message}");
    assert_eq!(snapshot(&registry), before);
}

#[test]
fn unusual_value_needs_confirmation() {
    let (_dir, _path, mut registry) = new_registry();
    let mut patient = record("S1");
    patient.baseline.alt_u_l = Some(1200.0);
    let error = registry.insert_patient(&patient, false).unwrap_err();
    assert!(
        matches!(reasons(&error)[..], [Reason::OutsideUsualRange { .. }]),
        "{error}"
    );
    assert!(registry.patient("S1").unwrap().is_none());
    registry.insert_patient(&patient, true).unwrap();
    let stored = registry.patient("S1").unwrap().unwrap();
    assert_eq!(stored.record.baseline.alt_u_l, Some(1200.0));
}

#[test]
fn update_with_current_version_is_audited() {
    let (_dir, _path, mut registry) = new_registry();
    let original = record("U1");
    registry.insert_patient(&original, false).unwrap();
    let read = registry.patient("U1").unwrap().unwrap();
    let mut changed = read.record.clone();
    changed.baseline.hsp90a_ng_ml = Some(160.0);
    changed.baseline.hypertension = Some(true);
    let version = registry
        .update_patient(&changed, read.row_version, false)
        .unwrap();
    assert_eq!(version, read.row_version + 1);

    let stored = registry.patient("U1").unwrap().unwrap();
    assert_eq!(stored.row_version, version);
    assert_eq!(stored.record, changed);

    let log = registry.audit_log(Some("U1")).unwrap();
    assert_eq!(log.len(), 2);
    let update = &log[1];
    assert_eq!(update.action, action::UPDATE_PATIENT);
    let before = update.before.as_ref().unwrap();
    let after = update.after.as_ref().unwrap();
    assert_eq!(before["baseline"]["hsp90a_ng_ml"], 88.0);
    assert_eq!(after["baseline"]["hsp90a_ng_ml"], 160.0);
    assert_eq!(before["baseline"]["hypertension"], json!(null));
    assert_eq!(after["baseline"]["hypertension"], true);
}

#[test]
fn stale_version_is_a_conflict() {
    let (_dir, _path, mut registry) = new_registry();
    registry.insert_patient(&record("C1"), false).unwrap();
    let read = registry.patient("C1").unwrap().unwrap();

    let mut first = read.record.clone();
    first.baseline.afp_ng_ml = Some(500.0);
    registry
        .update_patient(&first, read.row_version, false)
        .unwrap();
    let after_first = snapshot(&registry);

    let mut second = read.record.clone();
    second.baseline.afp_ng_ml = Some(12.0);
    let error = registry
        .update_patient(&second, read.row_version, false)
        .unwrap_err();
    match &error {
        DbError::Conflict {
            study_id,
            read: read_version,
            current,
        } => {
            assert_eq!(study_id, "C1");
            assert_eq!(*read_version, read.row_version);
            assert_eq!(*current, read.row_version + 1);
        }
        other => panic!("expected Conflict, got {other}"),
    }
    assert!(error.to_string().contains("reload"), "{error}");
    assert_eq!(snapshot(&registry), after_first);
    let stored = registry.patient("C1").unwrap().unwrap();
    assert_eq!(stored.record.baseline.afp_ng_ml, Some(500.0));
}

#[test]
fn update_of_unknown_patient_is_not_found() {
    let (_dir, _path, mut registry) = new_registry();
    let error = registry
        .update_patient(&record("NONE"), 1, false)
        .unwrap_err();
    assert!(matches!(error, DbError::PatientNotFound { .. }), "{error}");
}

#[test]
fn treatment_start_cannot_pass_a_contact() {
    let (_dir, _path, mut registry) = new_registry();
    registry.insert_patient(&record("T1"), false).unwrap();
    registry
        .add_followup(&followup("T1", "2020-03-01", VitalStatus::Alive), false)
        .unwrap();
    let read = registry.patient("T1").unwrap().unwrap();
    let mut changed = read.record.clone();
    changed.treatment_start = crate::common::date("2020-04-01");
    let error = registry
        .update_patient(&changed, read.row_version, false)
        .unwrap_err();
    assert!(
        matches!(reasons(&error)[..], [Reason::StartAfterContact { .. }]),
        "{error}"
    );
}

#[test]
fn withdrawal_is_audited_and_final() {
    let (_dir, _path, mut registry) = new_registry();
    registry.insert_patient(&record("W1"), false).unwrap();
    registry.insert_patient(&record("W2"), false).unwrap();
    let read = registry.patient("W1").unwrap().unwrap();
    registry.withdraw_patient("W1").unwrap();

    let stored = registry.patient("W1").unwrap().unwrap();
    assert!(stored.withdrawn);
    assert_eq!(stored.row_version, read.row_version + 1);
    let log = registry.audit_log(Some("W1")).unwrap();
    let last = log.last().unwrap();
    assert_eq!(last.action, action::WITHDRAW_PATIENT);
    assert_eq!(last.before.as_ref().unwrap()["withdrawn"], false);
    assert_eq!(last.after.as_ref().unwrap()["withdrawn"], true);

    let study_ids: Vec<String> = registry
        .analysis_patients()
        .unwrap()
        .into_iter()
        .map(|p| p.record.study_id)
        .collect();
    assert_eq!(study_ids, ["W2"]);

    let again = registry.withdraw_patient("W1").unwrap_err();
    assert!(matches!(again, DbError::Withdrawn { .. }), "{again}");
    let update = registry
        .update_patient(&read.record, stored.row_version, false)
        .unwrap_err();
    assert!(matches!(update, DbError::Withdrawn { .. }), "{update}");
    let contact = followup("W1", "2020-03-01", VitalStatus::Alive);
    let add = registry.add_followup(&contact, false).unwrap_err();
    assert!(matches!(add, DbError::Withdrawn { .. }), "{add}");
}

#[test]
fn followups_are_checked_and_audited() {
    let (_dir, _path, mut registry) = new_registry();
    registry.insert_patient(&record("F1"), false).unwrap();
    registry
        .add_followup(&followup("F1", "2020-03-01", VitalStatus::Alive), false)
        .unwrap();
    registry
        .add_followup(&followup("F1", "2020-06-01", VitalStatus::Dead), false)
        .unwrap();
    let before = snapshot(&registry);

    let cases = [
        (
            "2020-01-14",
            VitalStatus::Dead,
            "before the treatment start",
        ),
        ("2020-07-01", VitalStatus::Alive, "after the death"),
        ("2020-08-01", VitalStatus::Dead, "second death"),
        ("2999-01-01", VitalStatus::Alive, "in the future"),
    ];
    for (date, status, expected) in cases {
        let error = registry
            .add_followup(&followup("F1", date, status), true)
            .unwrap_err();
        assert!(error.to_string().contains(expected), "{date}: {error}");
    }
    assert_eq!(snapshot(&registry), before);

    let on_start = followup("F2", "2020-01-15", VitalStatus::Alive);
    registry.insert_patient(&record("F2"), false).unwrap();
    let error = registry.add_followup(&on_start, false).unwrap_err();
    assert!(
        matches!(reasons(&error)[..], [Reason::OnTreatmentStart]),
        "{error}"
    );
    registry.add_followup(&on_start, true).unwrap();

    let log = registry.audit_log(Some("F1")).unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            action::INSERT_PATIENT,
            action::ADD_FOLLOWUP,
            action::ADD_FOLLOWUP
        ]
    );
    assert_eq!(log[2].after.as_ref().unwrap()["status"], "dead");

    let stored = registry.patient("F1").unwrap().unwrap();
    assert_eq!(stored.followups.len(), 2);
    assert_eq!(stored.followups[1].entered_by, "tester");
}

#[test]
fn unknown_patient_followup_is_not_found() {
    let (_dir, _path, mut registry) = new_registry();
    let error = registry
        .add_followup(&followup("NOPE", "2020-03-01", VitalStatus::Alive), false)
        .unwrap_err();
    assert!(matches!(error, DbError::PatientNotFound { .. }), "{error}");
}

#[test]
fn centre_flag_must_agree() {
    let (_dir, _path, mut registry) = new_registry();
    registry.insert_patient(&record("G1"), false).unwrap();
    let mut other = record("G2");
    other.center_external = true;
    let error = registry.insert_patient(&other, false).unwrap_err();
    assert!(
        matches!(reasons(&error)[..], [Reason::CenterFlagConflict { .. }]),
        "{error}"
    );
}
