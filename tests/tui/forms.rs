//! Entry forms: validation as a field is left, confirmation of unusual
//! values, the discard question, conflicts with a concurrent edit, and what
//! a save writes to the registry and its audit log.

use crossterm::event::KeyCode;
use tace_registry::db::Registry;
use tace_registry::domain::VitalStatus;
use tace_registry::tui::app::{App, Screen};
use tace_registry::tui::form::{FormPrompt, FormState};

use crate::common::*;

fn form(app: &App) -> &FormState {
    match app.screen() {
        Screen::PatientForm(f) => &f.form,
        Screen::FollowUpForm(f) => &f.form,
        _ => panic!("no form is open"),
    }
}

fn prompt(app: &App) -> Option<FormPrompt> {
    match app.screen() {
        Screen::PatientForm(f) => f.prompt.clone(),
        Screen::FollowUpForm(f) => f.prompt.clone(),
        _ => None,
    }
}

/// Move the focus to the field named `key` with Tab and ↑.
fn focus(app: &mut App, field: &str) {
    let target = form(app)
        .fields
        .iter()
        .position(|f| f.key == field)
        .unwrap_or_else(|| panic!("no field {field}"));
    while form(app).focus < target {
        key(app, KeyCode::Tab);
    }
    while form(app).focus > target {
        key(app, KeyCode::Up);
    }
}

/// Type `text` into the field named `field`, replacing its value.
fn fill(app: &mut App, field: &str, text: &str) {
    focus(app, field);
    ctrl(app, 'u');
    typed(app, text);
}

fn problem(app: &App, field: &str) -> Option<String> {
    form(app)
        .field(field)
        .and_then(|f| f.problem.as_ref())
        .map(|p| p.reason.clone())
}

/// Save, confirming stored values outside the usual range if asked (a
/// generated patient may have some, and they ask again on every save).
fn save(app: &mut App) {
    ctrl(app, 's');
    if matches!(prompt(app), Some(FormPrompt::ConfirmUnusual(_))) {
        typed(app, "y");
    }
}

/// Fill the required fields of a new patient.
fn fill_required(app: &mut App, study_id: &str) {
    fill(app, "study_id", study_id);
    fill(app, "center", "JLH");
    focus(app, "treatment");
    typed(app, "t");
    fill(app, "treatment_start", "2021-03-01");
}

#[test]
fn problem_shown_when_field_left() {
    let (_dir, path) = generated_copy();
    let mut app = app_on(&path);
    typed(&mut app, "a");
    fill(&mut app, "age_years", "abc");
    assert_eq!(problem(&app, "age_years"), None, "not while typing");
    key(&mut app, KeyCode::Tab);
    assert_eq!(
        problem(&app, "age_years").as_deref(),
        Some("is not a number")
    );
    let text = screen(&mut app);
    assert!(text.contains("✗ is not a number"), "{text}");

    fill(&mut app, "age_years", "200");
    key(&mut app, KeyCode::Tab);
    assert_eq!(
        problem(&app, "age_years").as_deref(),
        Some("is outside the allowed range 18 to 110 years")
    );
    fill(&mut app, "age_years", "64");
    key(&mut app, KeyCode::Tab);
    assert_eq!(problem(&app, "age_years"), None);
}

#[test]
fn untouched_fields_stay_quiet() {
    let (_dir, path) = generated_copy();
    let mut app = app_on(&path);
    typed(&mut app, "a");
    key(&mut app, KeyCode::Tab);
    assert_eq!(problem(&app, "study_id").as_deref(), Some("is missing"));
    // Required but not yet reached: no problem until a save is tried.
    assert_eq!(problem(&app, "treatment_start"), None);
    ctrl(&mut app, 's');
    assert_eq!(
        problem(&app, "treatment_start").as_deref(),
        Some("is missing")
    );
}

#[test]
fn detail_line_gives_reason_and_fix() {
    let (_dir, path) = generated_copy();
    let mut app = app_on(&path);
    typed(&mut app, "a");
    fill(&mut app, "hsp90a_ng_ml", "3,5");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Up);
    let text = screen(&mut app);
    assert!(
        text.contains("HSP90α 3,5 is not a number, so write a number with a dot"),
        "{text}"
    );
}

#[test]
fn empty_save_marks_required_fields() {
    let (_dir, path) = generated_copy();
    let mut app = app_on(&path);
    typed(&mut app, "a");
    ctrl(&mut app, 's');
    for field in ["study_id", "center", "treatment", "treatment_start"] {
        assert_eq!(
            problem(&app, field).as_deref(),
            Some("is missing"),
            "{field}"
        );
    }
    assert_eq!(form(&app).focused().key, "study_id");
    let text = screen(&mut app);
    assert!(
        text.contains("Not saved: 4 value(s) need correcting"),
        "{text}"
    );
    assert_eq!(
        count(&path, "SELECT count(*) FROM patients"),
        PATIENTS as i64
    );
}

#[test]
fn consistency_rule_blocks_save() {
    let (_dir, path) = generated_copy();
    let mut app = app_on(&path);
    typed(&mut app, "a");
    fill_required(&mut app, "NEW-00002");
    focus(&mut app, "bclc");
    typed(&mut app, "B");
    focus(&mut app, "pvtt");
    typed(&mut app, "y");
    key(&mut app, KeyCode::Tab);
    assert_eq!(
        problem(&app, "bclc").as_deref(),
        Some("is too early for PVTT, which implies stage C or D")
    );
    ctrl(&mut app, 's');
    assert!(matches!(app.screen(), Screen::PatientForm(_)));
    assert_eq!(form(&app).focused().key, "bclc");
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM patients WHERE study_id = 'NEW-00002'"
        ),
        0
    );
}

#[test]
fn unusual_value_needs_confirmation() {
    let (_dir, path) = generated_copy();
    let mut app = app_on(&path);
    typed(&mut app, "a");
    fill_required(&mut app, "NEW-00001");
    fill(&mut app, "hsp90a_ng_ml", "2000");
    key(&mut app, KeyCode::Tab);
    assert_eq!(
        problem(&app, "hsp90a_ng_ml").as_deref(),
        Some("is outside the usual range 5 to 1500 ng/mL")
    );
    ctrl(&mut app, 's');
    assert!(matches!(prompt(&app), Some(FormPrompt::ConfirmUnusual(_))));
    let text = screen(&mut app);
    assert!(text.contains("Confirm unusual values"), "{text}");
    assert!(text.contains("HSP90α 2000"), "{text}");
    typed(&mut app, "n");
    assert_eq!(prompt(&app), None);
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM patients WHERE study_id = 'NEW-00001'"
        ),
        0
    );
    ctrl(&mut app, 's');
    typed(&mut app, "y");
    let Screen::Patient(patient) = app.screen() else {
        panic!("a saved new patient opens");
    };
    assert_eq!(patient.study_id, "NEW-00001");
    let registry = Registry::open(&path).expect("open");
    let stored = registry.patient("NEW-00001").expect("read").expect("saved");
    assert_eq!(stored.record.baseline.hsp90a_ng_ml, Some(2000.0));
    // Values left empty are stored as missing, never guessed.
    assert_eq!(stored.record.baseline.age_years, None);
    assert_eq!(stored.record.baseline.bclc, None);
    let audit = registry.audit_log(Some("NEW-00001")).expect("audit");
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "insert_patient");
    assert_eq!(audit[0].user, "tester");
}

#[test]
fn discard_prompt_guards_changes() {
    let (_dir, path) = generated_copy();
    let mut app = app_on(&path);
    typed(&mut app, "a");
    key(&mut app, KeyCode::Esc);
    assert!(
        matches!(app.screen(), Screen::Patients(_)),
        "an unchanged form closes at once"
    );
    typed(&mut app, "a");
    typed(&mut app, "X");
    key(&mut app, KeyCode::Esc);
    assert_eq!(prompt(&app), Some(FormPrompt::Discard));
    let text = screen(&mut app);
    assert!(text.contains("Discard changes?"), "{text}");
    typed(&mut app, "n");
    assert_eq!(prompt(&app), None);
    assert_eq!(form(&app).text("study_id"), "X");
    key(&mut app, KeyCode::Esc);
    typed(&mut app, "y");
    assert!(matches!(app.screen(), Screen::Patients(_)));
}

#[test]
fn quit_with_open_changes_asks() {
    let (_dir, path) = generated_copy();
    let mut app = app_on(&path);
    typed(&mut app, "a");
    typed(&mut app, "X");
    ctrl(&mut app, 'c');
    assert!(app.quit_prompt_shown());
    assert!(!app.should_quit());
    typed(&mut app, "n");
    assert!(!app.quit_prompt_shown());
    ctrl(&mut app, 'c');
    typed(&mut app, "y");
    assert!(app.should_quit());
}

#[test]
fn concurrent_edit_is_reported_not_overwritten() {
    let (_dir, path) = generated_copy();
    let mut app = app_on(&path);
    // The first row of the list, sorted by study id.
    typed(&mut app, "e");
    let study_id = form(&app).text("study_id").to_string();
    assert!(!study_id.is_empty());

    // Someone else changes the same patient meanwhile.
    let mut other = Registry::open(&path).expect("open").with_user("colleague");
    let mut record = other
        .patient(&study_id)
        .expect("read")
        .expect("exists")
        .record;
    let version = other.patient(&study_id).unwrap().unwrap().row_version;
    record.baseline.tumor_number = Some(7);
    other
        .update_patient(&record, version, true)
        .expect("the other edit saves");

    fill(&mut app, "tumor_number", "3");
    save(&mut app);
    let Some(FormPrompt::Conflict(message)) = prompt(&app) else {
        panic!("expected a conflict, got {:?}", prompt(&app));
    };
    assert!(message.contains("changed by someone else"), "{message}");
    let text = screen(&mut app);
    assert!(text.contains("Changed by someone else"), "{text}");
    let stored = other.patient(&study_id).unwrap().unwrap();
    assert_eq!(stored.record.baseline.tumor_number, Some(7), "kept");

    typed(&mut app, "r");
    assert_eq!(prompt(&app), None);
    assert_eq!(form(&app).text("tumor_number"), "7", "reloaded");
    fill(&mut app, "tumor_number", "3");
    save(&mut app);
    assert!(matches!(app.screen(), Screen::Patients(_)), "saved");
    let stored = other.patient(&study_id).unwrap().unwrap();
    assert_eq!(stored.record.baseline.tumor_number, Some(3));
    assert_eq!(stored.row_version, version + 2);
}

#[test]
fn edit_keeps_unchanged_values_exactly() {
    let (_dir, path) = generated_copy();
    let registry = Registry::open(&path).expect("open");
    let request = tace_registry::db::PageRequest {
        limit: 1,
        ..Default::default()
    };
    let first = registry.patients_page(&request).expect("page").rows[0]
        .study_id
        .clone();
    let before = registry.patient(&first).unwrap().unwrap();
    let mut app = app_on(&path);
    typed(&mut app, "e");
    save(&mut app);
    assert!(matches!(app.screen(), Screen::Patients(_)));
    let after = registry.patient(&first).unwrap().unwrap();
    assert_eq!(after.record, before.record);
    assert_eq!(after.row_version, before.row_version + 1);
}

#[test]
fn followup_checked_against_treatment_start() {
    let (_dir, path) = generated_copy();
    let mut app = app_on(&path);
    typed(&mut app, "f");
    let Screen::FollowUpForm(followup) = app.screen() else {
        panic!("follow-up form");
    };
    let study_id = followup.study_id.clone();
    let registry = Registry::open(&path).expect("open");
    let stored = registry.patient(&study_id).unwrap().unwrap();
    let before_start = stored.record.treatment_start - chrono::Duration::days(1);
    fill(&mut app, "contact_date", &before_start.to_string());
    key(&mut app, KeyCode::Tab);
    let reason = problem(&app, "contact_date").expect("rejected");
    assert_eq!(
        reason,
        format!(
            "is before the treatment start {}",
            stored.record.treatment_start
        )
    );
    fill(&mut app, "contact_date", "2022-07-02");
    key(&mut app, KeyCode::Tab);
    assert_eq!(
        problem(&app, "contact_date").as_deref(),
        Some("is in the future (today is 2022-07-01)")
    );
}

#[test]
fn followup_saved_from_worklist() {
    let (_dir, path) = generated_copy();
    let mut app = app_on(&path);
    typed(&mut app, "w");
    screen(&mut app);
    let Screen::Worklist(list) = app.screen() else {
        panic!("worklist");
    };
    let study_id = list.rows()[0].study_id.clone();
    let due_before = list.total();
    typed(&mut app, "f");
    assert_eq!(form(&app).text("contact_date"), "2022-07-01");
    focus(&mut app, "status");
    assert_eq!(form(&app).text("status"), "alive");
    fill(&mut app, "note", "phone call");
    ctrl(&mut app, 's');
    assert!(matches!(app.screen(), Screen::Worklist(_)));
    let text = screen(&mut app);
    assert!(text.contains(&format!(
        "Follow-up of {study_id} on 2022-07-01 (alive) added"
    )));
    let Screen::Worklist(list) = app.screen() else {
        panic!("worklist");
    };
    assert_eq!(list.total(), due_before - 1, "seen today, no longer due");
    assert!(list.rows().iter().all(|r| r.study_id != study_id));

    let registry = Registry::open(&path).expect("open");
    let stored = registry.patient(&study_id).unwrap().unwrap();
    let last = &stored.followups.last().expect("contact").followup;
    assert_eq!(last.contact_date, date("2022-07-01"));
    assert_eq!(last.status, VitalStatus::Alive);
    assert_eq!(last.note.as_deref(), Some("phone call"));
    let audit = registry.audit_log(Some(&study_id)).expect("audit");
    assert!(audit.iter().any(|a| a.action == "add_followup"));
}

#[test]
fn centre_flag_filled_from_registry() {
    let (_dir, path) = generated_copy();
    let mut app = app_on(&path);
    typed(&mut app, "a");
    // SVH is an external validation centre of the synthetic cohort.
    fill(&mut app, "center", "SVH");
    key(&mut app, KeyCode::Tab);
    assert_eq!(form(&app).text("center_external"), "yes");
    focus(&mut app, "center_external");
    typed(&mut app, "n");
    key(&mut app, KeyCode::Tab);
    assert!(
        problem(&app, "center_external")
            .expect("conflict shown")
            .contains("conflicts with centre SVH")
    );
}

#[test]
fn choice_fields_take_letters() {
    let (_dir, path) = generated_copy();
    let mut app = app_on(&path);
    typed(&mut app, "a");
    focus(&mut app, "bclc");
    typed(&mut app, "c");
    assert_eq!(form(&app).text("bclc"), "C");
    key(&mut app, KeyCode::Right);
    assert_eq!(form(&app).text("bclc"), "D");
    key(&mut app, KeyCode::Backspace);
    assert_eq!(form(&app).text("bclc"), "");
}
