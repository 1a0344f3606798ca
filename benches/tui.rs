//! Time of the interface's work per key on a registry of 100,000
//! generated patients. The steps are a frame of the patient list at 80×24
//! (cold and warm), a page down, a jump to the last page, one keystroke of
//! the filter, and the worklist. The active models of the tracked sample registry are copied
//! in, so the list's benefit and risk-group columns are computed as in use.
//!
//! Run with `cargo bench --bench tui`; set `TUI_BENCH_PATIENTS` for another
//! registry size. The registry is generated first, which takes a while.

use std::path::Path;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use rusqlite::Connection;
use tace_registry::cli::generate;
use tace_registry::db::Registry;
use tace_registry::pipeline::versions::{self, ModelKind, NewVersion};
use tace_registry::synth;
use tace_registry::tui::app::App;

/// Repetitions of each measurement.
const RUNS: usize = 30;

fn draw(app: &mut App, terminal: &mut Terminal<TestBackend>) {
    terminal.draw(|frame| app.render(frame)).expect("draw");
}

fn press(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

/// Median and maximum of `runs` timings of `step`.
fn measure(name: &str, runs: usize, mut step: impl FnMut()) {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            step();
            start.elapsed()
        })
        .collect();
    times.sort();
    let median = times[times.len() / 2];
    let max = times[times.len() - 1];
    println!(
        "{name:<44} median {:>8.2} ms   max {:>8.2} ms",
        median.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3
    );
}

/// Copy the active model versions of the sample registry into `target`
/// and make them active there.
fn copy_models(sample: &Path, target: &Path) {
    let from = Connection::open(sample).expect("sample registry");
    let mut registry = Registry::open(target).expect("bench registry");
    let tx = registry.write_transaction().expect("write");
    for kind in [ModelKind::Benefit, ModelKind::Survival] {
        let active = versions::active(&from, kind)
            .expect("read")
            .expect("the sample has active models");
        let copy = NewVersion {
            kind,
            created_at: active.created_at.clone(),
            created_by: active.created_by.clone(),
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
        let id = versions::insert(&tx, &copy).expect("insert");
        versions::promote(&tx, id, "bench", &active.created_at, None).expect("promote");
    }
    tx.commit().expect("commit");
}

fn main() {
    let patients: usize = std::env::var("TUI_BENCH_PATIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("bench.sqlite");
    let start = Instant::now();
    generate::run(
        path.clone(),
        generate::Args {
            patients,
            seed: synth::DEFAULT_SEED,
        },
    )
    .expect("generate");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_db/registry.sqlite");
    copy_models(&sample, &path);
    println!(
        "registry of {patients} patients generated in {:.1} s\n",
        start.elapsed().as_secs_f64()
    );

    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    measure("first frame (open, count, page, models)", 5, || {
        let registry = Registry::open(&path).expect("open");
        let mut app = App::new(registry);
        draw(&mut app, &mut terminal);
    });

    let mut app = App::new(Registry::open(&path).expect("open"));
    draw(&mut app, &mut terminal);
    measure("frame without change", RUNS, || {
        draw(&mut app, &mut terminal)
    });
    measure("page down and frame", RUNS, || {
        press(&mut app, KeyCode::PageDown);
        draw(&mut app, &mut terminal);
    });
    measure("first page then last page (two frames)", RUNS, || {
        press(&mut app, KeyCode::Home);
        draw(&mut app, &mut terminal);
        press(&mut app, KeyCode::End);
        draw(&mut app, &mut terminal);
    });

    press(&mut app, KeyCode::Home);
    press(&mut app, KeyCode::Char('/'));
    draw(&mut app, &mut terminal);
    // Alternate a character and its deletion, so every keystroke changes
    // the filter and reads the list again.
    let mut typed = false;
    measure("filter keystroke and frame", RUNS, || {
        if typed {
            press(&mut app, KeyCode::Backspace);
        } else {
            press(&mut app, KeyCode::Char('7'));
        }
        typed = !typed;
        draw(&mut app, &mut terminal);
    });
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('w'));
    measure("worklist frame (after a change)", 5, || {
        app.shared.data_changed();
        draw(&mut app, &mut terminal);
    });
}
