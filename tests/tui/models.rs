//! The models screen: comparing and promoting a candidate, and a refit on
//! a worker thread with its cancellation.

use crossterm::event::KeyCode;
use rusqlite::Connection;
use tace_registry::pipeline::versions::{self, ModelKind, NewVersion, VersionStatus};
use tace_registry::tui::app::Screen;

use crate::common::*;

/// Store a copy of the active benefit version as a new candidate.
fn candidate_from_active(path: &std::path::Path) -> i64 {
    let conn = Connection::open(path).expect("open");
    let active = versions::active(&conn, ModelKind::Benefit)
        .expect("read")
        .expect("the sample has an active benefit model");
    let copy = NewVersion {
        kind: active.kind,
        created_at: "2026-01-02T03:04:05.000Z".into(),
        created_by: "tester".into(),
        data_cutoff: active.data_cutoff.clone(),
        seed: active.seed,
        patients: active.patients,
        events: active.events,
        parameters: active.parameters.clone(),
        outcome: Ok(versions::FittedParts {
            splits: active.splits.clone().expect("splits"),
            model: active.model.clone().expect("model"),
            metrics: active.metrics.clone().expect("metrics"),
        }),
    };
    versions::insert(&conn, &copy).expect("insert candidate")
}

#[test]
fn candidate_compared_then_promoted() {
    let (_dir, path) = sample_copy();
    let id = candidate_from_active(&path);
    let mut app = app_on(&path);
    typed(&mut app, "m");
    let text = screen(&mut app);
    assert!(text.contains(&format!("v{id}")), "{text}");
    assert!(text.contains("candidate"), "{text}");
    // Newest first: the candidate is selected.
    typed(&mut app, "d");
    let text = screen(&mut app);
    assert!(
        text.contains(&format!(
            "Compare benefit v1 (active) with v{id} (selected)"
        )),
        "{text}"
    );
    assert!(text.contains("AUC validation"), "{text}");
    key(&mut app, KeyCode::Esc);

    typed(&mut app, "p");
    let text = screen(&mut app);
    assert!(
        text.contains(&format!("Make version {id} active?")),
        "{text}"
    );
    typed(&mut app, "n");
    let conn = Connection::open(&path).expect("open");
    assert_eq!(
        versions::active(&conn, ModelKind::Benefit)
            .unwrap()
            .unwrap()
            .id,
        1
    );
    typed(&mut app, "p");
    typed(&mut app, "y");
    let text = screen(&mut app);
    assert!(
        text.contains(&format!("Model version {id} is now active")),
        "{text}"
    );
    assert_eq!(
        versions::active(&conn, ModelKind::Benefit)
            .unwrap()
            .unwrap()
            .id,
        id
    );
    assert_eq!(
        versions::get(&conn, 1).unwrap().unwrap().status,
        VersionStatus::Retired
    );
    let audited: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'promote_model' AND user = 'tester'",
            [],
            |row| row.get(0),
        )
        .expect("audit");
    assert_eq!(audited, 1);

    // Predictions now name the promoted version.
    typed(&mut app, "q");
    key(&mut app, KeyCode::Enter);
    typed(&mut app, "3");
    let text = screen(&mut app);
    assert!(
        text.contains(&format!("TACE benefit (model v{id})")),
        "{text}"
    );
}

#[test]
fn active_version_is_not_promoted_again() {
    let (_dir, path) = sample_copy();
    let mut app = app_on(&path);
    typed(&mut app, "m");
    screen(&mut app);
    typed(&mut app, "p");
    let text = screen(&mut app);
    assert!(text.contains("only a candidate can be promoted"), "{text}");
}

#[test]
fn refit_runs_on_worker_and_stores_candidates() {
    let (_dir, path) = generated_copy();
    let mut app = app_on(&path);
    typed(&mut app, "m");
    let text = screen(&mut app);
    assert!(text.contains("No model has been fitted yet"), "{text}");
    typed(&mut app, "r");
    assert!(app.busy(), "the refit runs in the background");
    let text = screen(&mut app);
    assert!(text.contains("Refit running (x cancels)"), "{text}");
    finish_jobs(&mut app);
    let text = screen(&mut app);
    assert!(text.contains("Refit finished"), "{text}");
    assert!(text.contains("Benefit v1"), "{text}");
    assert!(text.contains("Survival v2"), "{text}");
    let conn = Connection::open(&path).expect("open");
    let stored = versions::list(&conn).expect("versions");
    assert_eq!(stored.len(), 2);
    assert!(
        stored
            .iter()
            .all(|v| matches!(v.status, VersionStatus::Candidate | VersionStatus::Failed)),
        "a refit from the interface never promotes"
    );
    key(&mut app, KeyCode::Esc);
    let text = screen(&mut app);
    assert!(text.contains("v2"), "{text}");
    assert!(matches!(app.screen(), Screen::Models(_)));
}

#[test]
fn refit_cancelled_writes_nothing() {
    let (_dir, path) = generated_copy();
    let mut app = app_on(&path);
    typed(&mut app, "m");
    typed(&mut app, "r");
    typed(&mut app, "x");
    finish_jobs(&mut app);
    let text = screen(&mut app);
    assert!(
        text.contains("Refit stopped: the refit was cancelled"),
        "{text}"
    );
    let conn = Connection::open(&path).expect("open");
    assert!(versions::list(&conn).expect("versions").is_empty());
}

#[test]
fn quit_during_refit_asks() {
    let (_dir, path) = generated_copy();
    let mut app = app_on(&path);
    typed(&mut app, "m");
    typed(&mut app, "r");
    typed(&mut app, "q");
    typed(&mut app, "q");
    assert!(
        app.quit_prompt_shown(),
        "a running refit is not dropped silently"
    );
    let text = screen(&mut app);
    assert!(text.contains("A refit is running"), "{text}");
    typed(&mut app, "n");
    assert!(!app.should_quit());
    typed(&mut app, "m");
    typed(&mut app, "x");
    finish_jobs(&mut app);
}
