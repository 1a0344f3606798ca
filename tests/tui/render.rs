//! Every screen drawn at 80×24, at the smallest supported size and below
//! it, checking the text a user would read.

use crossterm::event::KeyCode;
use tace_registry::tui::app::{App, MIN_HEIGHT, MIN_WIDTH, Screen};

use crate::common::*;

/// Open a screen reachable from the patient list by its keys.
fn open(app: &mut App, name: &str) {
    match name {
        "patients" => {}
        "patient baseline" => key(app, KeyCode::Enter),
        "patient follow-up" => {
            key(app, KeyCode::Enter);
            typed(app, "2");
        }
        "patient predictions" => {
            key(app, KeyCode::Enter);
            typed(app, "3");
        }
        "new patient" => typed(app, "a"),
        "edit patient" => typed(app, "e"),
        "follow-up form" => typed(app, "f"),
        "worklist" => typed(app, "w"),
        "models" => typed(app, "m"),
        "cohort" => {
            typed(app, "c");
            finish_jobs(app);
        }
        "help" => typed(app, "?"),
        other => panic!("unknown screen {other}"),
    }
}

/// Text each screen shows at 80×24 on the sample registry.
const EXPECTED: [(&str, &[&str]); 12] = [
    (
        "patients",
        &["Patients (2,555)", "EGH-00001", "Benefit", "? help"],
    ),
    (
        "patient baseline",
        &[
            "Patient EGH-00001",
            "HSP90α",
            "ng/mL",
            "ALBI grade",
            "Tumour size",
        ],
    ),
    ("patient follow-up", &["Follow-up:", "Date", "Status"]),
    (
        "patient predictions",
        &[
            "TACE benefit (model v1)",
            "95% CI",
            "Overall survival (model v2)",
            "months",
        ],
    ),
    (
        "new patient",
        &["New patient", "Study id", "HSP90α", "ng/mL", "^S save"],
    ),
    (
        "edit patient",
        &["Edit patient EGH-00001", "EGH-00001", "Esc cancel"],
    ),
    (
        "follow-up form",
        &[
            "New follow-up of EGH-00001",
            "Contact date",
            "2022-07-01",
            "alive",
        ],
    ),
    (
        "worklist",
        &["Follow-up worklist (", "due", "Last seen", "Months ago"],
    ),
    (
        "models",
        &["Model versions", "benefit", "survival", "active", "r refit"],
    ),
    (
        "cohort",
        &["By treatment", "log-rank p", "TACE", "Median OS"],
    ),
    (
        "help",
        &["Keys: patient list", "add a patient", "follow-up worklist"],
    ),
    // The footer of the list names the keys of the brief.
    (
        "patients",
        &[
            "/ filter",
            "a add",
            "f follow-up",
            "w worklist",
            "m models",
            "c cohort",
        ],
    ),
];

#[test]
fn every_screen_at_80x24() {
    let (_dir, path) = sample_copy();
    for (name, texts) in EXPECTED {
        let mut app = app_on(&path);
        open(&mut app, name);
        let text = screen(&mut app);
        for expected in texts {
            assert!(
                text.contains(expected),
                "{name} at 80x24 lacks {expected:?}:\n{text}"
            );
        }
    }
}

#[test]
fn every_screen_below_minimum_shows_message() {
    let (_dir, path) = sample_copy();
    for (name, _) in EXPECTED {
        let mut app = app_on(&path);
        open(&mut app, name);
        let tiny = render(&mut app, 20, 5);
        assert!(tiny.contains("Terminal too"), "{name} at 20x5:\n{tiny}");
        let narrow = render(&mut app, MIN_WIDTH - 1, 40);
        assert!(
            narrow.contains("Terminal too small"),
            "{name} one column short"
        );
        let short = render(&mut app, 120, MIN_HEIGHT - 1);
        assert!(short.contains("Terminal too small"), "{name} one row short");
        // Degenerate sizes must not panic.
        render(&mut app, 1, 1);
        render(&mut app, 0, 0);
    }
}

#[test]
fn every_screen_at_minimum_and_large() {
    let (_dir, path) = sample_copy();
    for (name, texts) in EXPECTED {
        let mut app = app_on(&path);
        open(&mut app, name);
        let small = render(&mut app, MIN_WIDTH, MIN_HEIGHT);
        assert!(!small.contains("Terminal too small"), "{name} at minimum");
        assert!(small.contains("? help") || small.contains("F1 help") || name == "help");
        let large = render(&mut app, 200, 60);
        for expected in texts {
            assert!(
                large.contains(expected),
                "{name} at 200x60 lacks {expected:?}"
            );
        }
    }
}

#[test]
fn list_shows_only_visible_rows() {
    let (_dir, path) = sample_copy();
    let mut app = app_on(&path);
    screen(&mut app);
    let Screen::Patients(list) = app.screen() else {
        panic!("the list is the first screen");
    };
    // 24 rows: title, status, footer, two borders and the header leave 18.
    assert_eq!(list.rows().len(), 18);
    assert_eq!(list.total(), 2555);
    key(&mut app, KeyCode::End);
    let text = screen(&mut app);
    assert!(text.contains("WPH-"), "the last study ids are WPH:\n{text}");
    let Screen::Patients(list) = app.screen() else {
        panic!("still on the list");
    };
    assert_eq!(list.selected, 2554);
}

#[test]
fn narrow_list_drops_minor_columns() {
    let (_dir, path) = sample_copy();
    let mut app = app_on(&path);
    let wide = screen(&mut app);
    for header in ["Centre", "Months", "Benefit", "Risk", "F/U"] {
        assert!(wide.contains(header), "80 columns lack {header}:\n{wide}");
    }
    let narrow = render(&mut app, MIN_WIDTH, MIN_HEIGHT);
    for header in ["Study id", "HSP90α", "Status", "Benefit", "F/U"] {
        assert!(
            narrow.contains(header),
            "{MIN_WIDTH} columns lack {header}:\n{narrow}"
        );
    }
    assert!(!narrow.contains("Months"), "{narrow}");
}

#[test]
fn filter_narrows_list_and_title() {
    let (_dir, path) = sample_copy();
    let mut app = app_on(&path);
    typed(&mut app, "/NCH-0001");
    let text = screen(&mut app);
    let expected = count(
        &path,
        "SELECT count(*) FROM patients p JOIN centers c ON c.id = p.center_id \
         WHERE p.study_id LIKE '%NCH-0001%'",
    );
    assert_eq!(expected, 10);
    assert!(
        text.contains(&format!(
            "Patients ({expected} of 2,555 match \"NCH-0001\")"
        )),
        "{text}"
    );
    let Screen::Patients(list) = app.screen() else {
        panic!("on the list");
    };
    assert!(list.rows().iter().all(|r| r.study_id.contains("NCH-0001")));
    key(&mut app, KeyCode::Esc);
    let text = screen(&mut app);
    assert!(text.contains("Patients (2,555)"), "Esc clears the filter");
}

#[test]
fn sort_key_changes_order() {
    let (_dir, path) = sample_copy();
    let mut app = app_on(&path);
    // study id, then centre, treatment, treatment start, BCLC, HSP90α.
    typed(&mut app, "sssss");
    let text = screen(&mut app);
    assert!(text.contains("sorted by HSP90α ▲"), "{text}");
    let Screen::Patients(list) = app.screen() else {
        panic!("on the list");
    };
    let values: Vec<f64> = list.rows().iter().filter_map(|r| r.hsp90a_ng_ml).collect();
    assert!(values.windows(2).all(|w| w[0] <= w[1]), "{values:?}");
    typed(&mut app, "S");
    screen(&mut app);
    let Screen::Patients(list) = app.screen() else {
        panic!("on the list");
    };
    let first = list.rows()[0].hsp90a_ng_ml.expect("highest value first");
    let max: f64 = count(
        &path,
        "SELECT CAST(max(hsp90a_ng_ml) * 10 AS INTEGER) FROM patients",
    ) as f64
        / 10.0;
    assert!((first - max).abs() < 0.1, "{first} vs {max}");
}

#[test]
fn baseline_shows_missing_as_missing() {
    let (_dir, path) = generated_copy();
    let mut registry = tace_registry::db::Registry::open(&path)
        .expect("open")
        .with_user("tester");
    let record = tace_registry::domain::PatientRecord {
        study_id: "AAA-00001".into(),
        center: "JLH".into(),
        center_external: false,
        treatment: tace_registry::domain::Treatment::Tace,
        treatment_start: date("2021-01-04"),
        baseline: tace_registry::domain::Baseline {
            hsp90a_ng_ml: Some(143.5),
            ..Default::default()
        },
    };
    registry.insert_patient(&record, false).expect("insert");
    drop(registry);
    let mut app = app_on(&path);
    key(&mut app, KeyCode::Enter);
    let text = screen(&mut app);
    assert!(text.contains("Patient AAA-00001"), "{text}");
    assert!(text.contains("143.5 ng/mL"), "{text}");
    assert!(text.contains("high ≥143.5"), "{text}");
    // The 20 baseline lines besides HSP90α (ALBI grade included), all
    // missing.
    assert_eq!(text.matches("missing").count(), 20, "{text}");
    typed(&mut app, "3");
    let text = screen(&mut app);
    assert!(text.contains("No prediction"), "{text}");
}

#[test]
fn worklist_lists_overdue_patients_oldest_first() {
    let (_dir, path) = generated_copy();
    let mut app = app_on(&path);
    typed(&mut app, "w");
    let text = screen(&mut app);
    // Not withdrawn, not known to have died, last seen before 2022-04-01.
    let due = count(
        &path,
        "SELECT count(*) FROM patients WHERE withdrawn = 0 \
         AND (last_status IS NULL OR last_status <> 'dead') \
         AND coalesce(last_contact_date, treatment_start) < '2022-04-01'",
    );
    assert!(due > 0);
    assert!(
        text.contains(&format!(
            "Follow-up worklist ({due} due, no contact for 3 months)"
        )),
        "{text}"
    );
    assert!(text.contains("Last seen before 2022-04-01"), "{text}");
    let Screen::Worklist(list) = app.screen() else {
        panic!("on the worklist");
    };
    let dates: Vec<_> = list
        .rows()
        .iter()
        .map(|r| r.last_contact_date.unwrap_or(r.treatment_start))
        .collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "{dates:?}");
    assert!(dates.iter().all(|d| *d < date("2022-04-01")));

    typed(&mut app, "+++");
    let text = screen(&mut app);
    assert!(text.contains("no contact for 6 months"), "{text}");
    assert!(text.contains("Last seen before 2022-01-01"), "{text}");
    let Screen::Worklist(list) = app.screen() else {
        panic!("on the worklist");
    };
    assert!(list.total() < due as u64);
}

#[test]
fn help_lists_keys_of_each_screen() {
    let (_dir, path) = sample_copy();
    let mut app = app_on(&path);
    for (open_keys, title) in [
        ("", "Keys: patient list"),
        ("w", "Keys: follow-up worklist"),
        ("m", "Keys: models"),
    ] {
        typed(&mut app, open_keys);
        typed(&mut app, "?");
        assert!(app.help_shown());
        let text = screen(&mut app);
        assert!(text.contains(title), "{text}");
        for binding in app.screen().bindings() {
            assert!(
                text.contains(binding.description),
                "{title} lacks {:?}:\n{text}",
                binding.description
            );
        }
        key(&mut app, KeyCode::Esc);
        assert!(!app.help_shown());
    }
}

#[test]
fn sections_and_back_navigation() {
    let (_dir, path) = generated_copy();
    let mut app = app_on(&path);
    typed(&mut app, "w");
    assert!(matches!(app.screen(), Screen::Worklist(_)));
    typed(&mut app, "m");
    assert!(matches!(app.screen(), Screen::Models(_)));
    assert_eq!(app.depth(), 2, "a section replaces the one open");
    typed(&mut app, "c");
    assert!(matches!(app.screen(), Screen::Cohort(_)));
    finish_jobs(&mut app);
    typed(&mut app, "q");
    assert!(matches!(app.screen(), Screen::Patients(_)));
    assert!(!app.should_quit());
    typed(&mut app, "q");
    assert!(app.should_quit(), "q on the list quits");
}
