//! `tace-registry stats rsf` run as a process on veteran: the JSON keys and
//! values, reproducibility for a seed, and the exit status and message of
//! invalid settings. Also `tace-registry bench --json` on a small generated
//! data set: its keys and positive times.

use std::process::{Command, Output};

use serde_json::Value;

use crate::common::{case, data_path, expected, strings};

/// Runs `tace-registry stats rsf` on veteran with the extra flags.
fn run_rsf(extra: &[&str]) -> Output {
    let csv = data_path("veteran.csv");
    Command::new(env!("CARGO_BIN_EXE_tace-registry"))
        .args(["stats", "rsf", "--csv"])
        .arg(&csv)
        .args(["--covariates", "trt,celltype,karno,diagtime,age,prior"])
        .args(["--factors", "celltype", "--reference", "celltype=squamous"])
        .args(extra)
        .output()
        .expect("run tace-registry")
}

fn stdout_json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "exit status {:?}, stderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

#[test]
fn rsf_prints_concordance_and_importance() {
    // ranger's settings for veteran: mtry 3, at least 3 draws per child.
    let output = run_rsf(&[
        "--trees",
        "300",
        "--mtry",
        "3",
        "--min-node",
        "3",
        "--seed",
        "4",
    ]);
    let json = stdout_json(&output);
    let reference = expected("veteran", "random_survival_forest");
    assert_eq!(json["n"], reference["input"]["n"], "rows used");
    assert_eq!(json["events"], reference["input"]["n_event"], "events");
    assert_eq!(json["trees"], 300);
    assert_eq!(json["mtry"], 3);
    assert_eq!(json["min_node_size"], 3);

    let ranger = &case(&reference, "ranger_logrank_500")["result"];
    let oob = json["oob_c_index"].as_f64().expect("oob_c_index");
    let (min, max) = (
        ranger["oob_c_index"]["min"].as_f64().expect("min"),
        ranger["oob_c_index"]["max"].as_f64().expect("max"),
    );
    assert!(
        oob >= min - 0.02 && oob <= max + 0.02,
        "oob_c_index {oob} outside ranger's [{min}, {max}] +- 0.02"
    );
    let train = json["train_c_index"].as_f64().expect("train_c_index");
    assert!(
        train > oob,
        "training C {train} should exceed out-of-bag C {oob}"
    );

    let importance = json["importance"].as_array().expect("importance");
    let names: Vec<&str> = importance
        .iter()
        .map(|i| i["name"].as_str().expect("name"))
        .collect();
    let mut expected_names = strings(&reference["input"]["features"]);
    for name in &mut expected_names {
        if let Some(level) = name.strip_prefix("celltype") {
            *name = format!("celltype={level}");
        }
    }
    expected_names.sort();
    let mut sorted_names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    sorted_names.sort();
    assert_eq!(sorted_names, expected_names, "importance names");
    let top = importance
        .iter()
        .max_by(|a, b| {
            let (a, b) = (a["vimp"].as_f64(), b["vimp"].as_f64());
            a.unwrap_or(f64::MIN).total_cmp(&b.unwrap_or(f64::MIN))
        })
        .expect("an importance");
    assert_eq!(
        top["name"], "karno",
        "the Karnofsky score should matter most"
    );
}

#[test]
fn rsf_same_seed_same_output() {
    let flags = ["--trees", "40", "--min-node", "5", "--seed", "9"];
    let first = run_rsf(&flags);
    let second = run_rsf(&flags);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_eq!(first.stdout, second.stdout);
    let json = stdout_json(&first);
    assert_eq!(
        json["mtry"], 3,
        "default mtry is ceil(sqrt(8 design columns))"
    );
}

#[test]
fn rsf_invalid_mtry_fails() {
    let output = run_rsf(&["--trees", "10", "--mtry", "0"]);
    assert!(!output.status.success(), "--mtry 0 must fail");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("mtry"), "stderr: {stderr}");
    assert!(output.stdout.is_empty(), "nothing on stdout on failure");
}

#[test]
fn rsf_min_node_too_large_fails() {
    let output = run_rsf(&["--trees", "10", "--min-node", "100"]);
    assert!(
        !output.status.success(),
        "--min-node 100 on 137 rows must fail"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("minimum node size"), "stderr: {stderr}");
}

/// Runs `tace-registry bench` with the flags.
fn run_bench(flags: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tace-registry"))
        .arg("bench")
        .args(flags)
        .output()
        .expect("run tace-registry")
}

#[test]
fn bench_json_has_positive_times() {
    let output = run_bench(&["--rows", "120", "--repeats", "1", "--warmup", "0", "--json"]);
    let json = stdout_json(&output);
    assert_eq!(json["rows"], 120);
    assert_eq!(json["covariates"], 13);
    assert_eq!(json["repeats"], 1);
    assert_eq!(json["warmup"], 0);
    assert_eq!(json["forest"]["trees"], 500, "default tree count");
    assert_eq!(json["forest"]["mtry"], 4, "ceil(sqrt(13))");
    assert_eq!(json["forest"]["min_node_size"], 15);
    let events = json["events"].as_u64().expect("events");
    assert!(events > 0, "no events among 120 rows");
    assert!(events < 120, "no censoring among 120 rows");
    assert!(json["threads"].as_u64().expect("threads") >= 1);
    let c = json["cox_c_index"].as_f64().expect("cox_c_index");
    assert!(c > 0.55, "Cox C {c} shows no dependence on the covariates");
    assert!(c < 1.0, "Cox C {c}");

    let timings = json["timings"].as_array().expect("timings");
    let operations: Vec<&str> = timings
        .iter()
        .map(|t| t["operation"].as_str().expect("operation"))
        .collect();
    assert_eq!(
        operations,
        [
            "cox_fit_efron",
            "harrell_c",
            "forest_fit",
            "forest_predict_row"
        ]
    );
    for timing in timings {
        let operation = &timing["operation"];
        assert_eq!(timing["runs"], 1, "{operation}");
        let [median, min, max] = ["median_seconds", "min_seconds", "max_seconds"].map(|key| {
            timing[key]
                .as_f64()
                .unwrap_or_else(|| panic!("{operation} {key}"))
        });
        assert!(min > 0.0, "{operation}: min {min} s");
        assert!(min <= median, "{operation}: min {min} > median {median}");
        assert!(median <= max, "{operation}: median {median} > max {max}");
        assert!(max < 60.0, "{operation}: max {max} s");
    }
}

#[test]
fn bench_too_few_rows_fails() {
    let output = run_bench(&["--rows", "20", "--repeats", "1", "--json"]);
    assert!(!output.status.success(), "--rows 20 must fail");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--rows 20"), "stderr: {stderr}");
    assert!(output.stdout.is_empty(), "nothing on stdout on failure");
}
