//! The command line run as a separate process: exit status, messages on
//! stderr, and files written.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use tace_registry::db::Registry;
use tace_registry::synth::{self, SynthConfig};

use crate::common::{binary, fixture, run_cli, snapshot, stderr, stdout};

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn init(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("registry.sqlite");
    let output = run_cli(&db, &["init"]);
    assert!(output.status.success(), "{}", stderr(&output));
    db
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn init_creates_a_private_file_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = init(dir.path());
    assert_eq!(mode(&db), 0o600);
    let again = run_cli(&db, &["init"]);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn missing_db_is_explained() {
    let output = binary()
        .args(["export", "--out", "/nonexistent"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(stderr(&output).contains("--db PATH"), "{}", stderr(&output));
    let dir = tempfile::tempdir().unwrap();
    let output = run_cli(&dir.path().join("none.sqlite"), &["backup", "--to", "x"]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("tace-registry init"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn bad_rows_are_listed_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = init(dir.path());
    let output = run_cli(
        &db,
        &["import", "--patients", arg(&fixture("wrong_types.csv"))],
    );
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(
        err.contains("line 2 (T001): age_years `fifty` is not a number"),
        "{err}"
    );
    assert!(
        err.contains("line 3 (T002): hsp90a_ng_ml `high` is not a number"),
        "{err}"
    );
    assert!(
        err.contains("line 5 (T004): row has 27 cells where the header has 26"),
        "{err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    let registry = Registry::open(&db).unwrap();
    assert_eq!(snapshot(&registry).patients, 0);
    assert_eq!(snapshot(&registry).audit_rows, 0);
}

#[test]
fn malformed_files_are_rejected_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = init(dir.path());
    let cases = [
        ("empty.csv", "the file is empty"),
        ("semicolon.csv", "separates values with `;`"),
        ("missing_column.csv", "lacks the column(s) tumor_size_cm"),
    ];
    for (name, expected) in cases {
        let output = run_cli(&db, &["import", "--patients", arg(&fixture(name))]);
        assert!(!output.status.success(), "{name}");
        assert!(
            stderr(&output).contains(expected),
            "{name}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(name),
            "{name}: {}",
            stderr(&output)
        );
    }
    let registry = Registry::open(&db).unwrap();
    assert_eq!(snapshot(&registry).patients, 0);
}

#[test]
fn export_then_import_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let db = init(dir.path());
    let output = run_cli(
        &db,
        &[
            "import",
            "--patients",
            arg(&fixture("valid_patients.csv")),
            "--followups",
            arg(&fixture("valid_followups.csv")),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("Imported 4 patient(s) and 6 follow-up(s)."));

    let out = dir.path().join("out");
    let output = run_cli(&db, &["export", "--out", arg(&out), "--analysis"]);
    assert!(output.status.success(), "{}", stderr(&output));
    for name in ["patients.csv", "followups.csv", "analysis.csv"] {
        assert_eq!(mode(&out.join(name)), 0o600, "{name}");
    }
    let again = run_cli(&db, &["export", "--out", arg(&out)]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));

    let copy_dir = tempfile::tempdir().unwrap();
    let copy = init(copy_dir.path());
    let output = run_cli(
        &copy,
        &[
            "import",
            "--patients",
            arg(&out.join("patients.csv")),
            "--followups",
            arg(&out.join("followups.csv")),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let original = Registry::open(&db).unwrap().analysis_patients().unwrap();
    let copied = Registry::open(&copy).unwrap().analysis_patients().unwrap();
    assert_eq!(copied, original);

    let analysis = std::fs::read_to_string(out.join("analysis.csv")).unwrap();
    assert_eq!(analysis.lines().count(), 5);
    assert!(analysis.starts_with(
        "study_id,center,center_external,treatment,treatment_start,os_months,os_event"
    ));
}

#[test]
fn json_summary_of_an_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = init(dir.path());
    let output = run_cli(
        &db,
        &[
            "import",
            "--patients",
            arg(&fixture("soft_values.csv")),
            "--accept-soft",
            "--json",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(value["patients_imported"], 3);
    assert_eq!(
        value["accepted_unusual_patients"].as_array().unwrap().len(),
        2
    );
    assert_eq!(value["accepted_unusual_patients"][0]["line"], 2);
}

#[test]
fn backup_copies_a_live_registry() {
    let dir = tempfile::tempdir().unwrap();
    let db = init(dir.path());
    let status = run_cli(
        &db,
        &["import", "--patients", arg(&fixture("valid_patients.csv"))],
    )
    .status;
    assert!(status.success());
    // Keep a connection open so the backup runs against a file in use.
    let live = Registry::open(&db).unwrap();
    let target = dir.path().join("backup.sqlite");
    let output = run_cli(&db, &["backup", "--to", arg(&target)]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(mode(&target), 0o600);
    let copy = Registry::open(&target).unwrap();
    assert_eq!(
        copy.analysis_patients().unwrap(),
        live.analysis_patients().unwrap()
    );
    let again = run_cli(&db, &["backup", "--to", arg(&target)]);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn generate_stores_the_synthetic_cohort() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("synthetic.sqlite");
    let output = run_cli(&db, &["generate", "--patients", "60", "--seed", "7"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let cohort = synth::generate(&SynthConfig {
        patients: 60,
        seed: 7,
    });
    let registry = Registry::open(&db).unwrap();
    let summary = registry.summary().unwrap();
    assert_eq!(
        (summary.tace + summary.no_tace) as usize,
        cohort.patients.len()
    );
    assert_eq!(summary.followups as usize, cohort.followups.len());
    assert_eq!(mode(&db), 0o600);
    let again = run_cli(&db, &["generate", "--patients", "60"]);
    assert!(!again.status.success());
}

#[test]
fn demo_works_on_a_copy() {
    let dir = tempfile::tempdir().unwrap();
    let sample = init(dir.path());
    let status = run_cli(
        &sample,
        &["import", "--patients", arg(&fixture("valid_patients.csv"))],
    )
    .status;
    assert!(status.success());
    let before = std::fs::read(&sample).unwrap();
    let data_home = dir.path().join("data");
    let run = || {
        binary()
            .env("XDG_DATA_HOME", &data_home)
            .args(["demo", "--from", arg(&sample), "--json"])
            .output()
            .unwrap()
    };
    let output = run();
    assert!(output.status.success(), "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let working = Path::new(value["path"].as_str().unwrap()).to_path_buf();
    assert!(working.starts_with(&data_home), "{}", working.display());
    assert_eq!(value["patients_tace"], 3);
    assert_eq!(mode(&working), 0o600);
    assert_eq!(std::fs::read(&sample).unwrap(), before);

    // Changes in the working copy survive the next run but not --reset.
    let mut copy = Registry::open(&working).unwrap();
    copy.withdraw_patient("P001").unwrap();
    drop(copy);
    let value: serde_json::Value = serde_json::from_str(&stdout(&run())).unwrap();
    assert_eq!(value["patients_withdrawn"], 1);
    let reset = binary()
        .env("XDG_DATA_HOME", &data_home)
        .args(["demo", "--from", arg(&sample), "--json", "--reset"])
        .output()
        .unwrap();
    let value: serde_json::Value = serde_json::from_str(&stdout(&reset)).unwrap();
    assert_eq!(value["patients_withdrawn"], 0);
    assert_eq!(std::fs::read(&sample).unwrap(), before);
}

#[test]
fn demo_copies_the_tracked_sample() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_db/registry.sqlite");
    let before = std::fs::read(&sample).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let output = binary()
        .env("XDG_DATA_HOME", dir.path())
        .args(["demo", "--json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let working = Path::new(value["path"].as_str().unwrap());
    assert!(working.starts_with(dir.path()), "{}", working.display());
    let patients =
        value["patients_tace"].as_u64().unwrap() + value["patients_no_tace"].as_u64().unwrap();
    assert_eq!(patients, synth::DEFAULT_PATIENTS as u64);
    assert_eq!(
        std::fs::read(&sample).unwrap(),
        before,
        "tracked sample changed"
    );
}

#[test]
fn header_only_file_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let db = init(dir.path());
    let header_only = dir.path().join("header.csv");
    let header = std::fs::read_to_string(fixture("valid_patients.csv")).unwrap();
    std::fs::write(&header_only, header.lines().next().unwrap()).unwrap();
    let output = run_cli(&db, &["import", "--patients", arg(&header_only)]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("has a header but no rows"),
        "{}",
        stderr(&output)
    );
}
