//! Registries for the interface tests, and helpers that press keys and draw
//! the interface on a `TestBackend`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tace_registry::cli::generate;
use tace_registry::db::Registry;
use tace_registry::synth;
use tace_registry::tui::app::App;
use tempfile::TempDir;

/// Patients in the generated test registry.
pub const PATIENTS: usize = 300;

/// Return the interface's "today" in tests: the day after the synthetic
/// cohort's data cut-off of 2022-06-30, so the worklist does not depend on
/// the clock.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, 7, 1).expect("valid date")
}

pub fn date(text: &str) -> NaiveDate {
    text.parse().expect("test date")
}

/// Generate a registry of [`PATIENTS`] patients once per test run.
fn template() -> &'static Path {
    static TEMPLATE: OnceLock<(TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = TEMPLATE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("template.sqlite");
        generate::run(
            path.clone(),
            generate::Args {
                patients: PATIENTS,
                seed: synth::DEFAULT_SEED,
            },
        )
        .expect("generated registry");
        (dir, path)
    });
    path
}

/// Copy the generated registry to a new temporary folder.
pub fn generated_copy() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("registry.sqlite");
    std::fs::copy(template(), &path).expect("copy of the generated registry");
    (dir, path)
}

/// Copy the tracked sample registry, which has active models, to a new
/// temporary folder.
pub fn sample_copy() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("sample.sqlite");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_db/registry.sqlite");
    std::fs::copy(sample, &path).expect("sample_db/registry.sqlite is tracked");
    (dir, path)
}

/// Open the interface on `path`, with writes attributed to `tester`.
pub fn app_on(path: &Path) -> App {
    let registry = Registry::open(path)
        .expect("registry opens")
        .with_user("tester");
    App::new(registry).with_today(today())
}

/// Draw the interface at `width` × `height` and return the screen text,
/// one line per row.
pub fn render(app: &mut App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal.draw(|frame| app.render(frame)).expect("draw");
    let buffer = terminal.backend().buffer();
    let mut text = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            text.push_str(buffer[(x, y)].symbol());
        }
        text.push('\n');
    }
    text
}

/// Draw at 80 × 24.
pub fn screen(app: &mut App) -> String {
    render(app, 80, 24)
}

pub fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

pub fn ctrl(app: &mut App, c: char) {
    app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
}

/// Type each character of `text`.
pub fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

/// Wait for the jobs of `app`, failing the test after two minutes.
pub fn finish_jobs(app: &mut App) {
    assert!(
        app.wait_for_jobs(Duration::from_secs(120)),
        "a job did not finish within two minutes"
    );
}

/// Number of rows of a query with one integer column.
pub fn count(path: &Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(path).expect("open registry");
    conn.query_row(sql, [], |row| row.get(0)).expect("count")
}
