//! Random survival forest against R ranger 0.14.1 (`splitrule = "logrank"`)
//! and scikit-survival 0.28 `RandomSurvivalForest`, each run with 500 trees
//! and five seeds on pbc, veteran and rossi
//! (`tests/data/expected/*__random_survival_forest.json`).
//!
//! Forests are stochastic, so a different implementation is judged by range.
//! For each tool, the forest is grown with that tool's settings, and for
//! each seed tried here the out-of-bag C, the C on the fixed test split and
//! the out-of-bag C of the split's training part must land within
//! [min - 0.02, max + 0.02] of the tool's five-seed range. The training C
//! depends on how deep the trees grow, which differs between implementations,
//! and gets a wider band. The remaining tests check reproducibility across
//! thread counts, the save/load round trip, the survival curve, importance
//! and the typed errors of degenerate inputs.

use std::collections::BTreeMap;

use nalgebra::DMatrix;
use serde_json::Value;
use tace_registry::stats::StatsError;
use tace_registry::stats::data::SurvivalData;
use tace_registry::stats::forest::{
    self, ForestSettings, Mtry, SurvivalForest, ensemble_concordance, oob_concordance,
    oob_mortality, permutation_importance,
};
use tace_registry::stats::frame::{DesignSpec, Frame};

use crate::common::{data_path, expected, integers, strings};

/// Allowance around a reference tool's five-seed range for out-of-bag and
/// test-split C.
const RANGE_SLACK: f64 = 0.02;
/// Allowance for the training C, which depends on tree depth and so on how
/// each tool counts the size of a node.
const TRAIN_SLACK: f64 = 0.03;
/// Seeds tried here; each seed is one full fit and one fit on the split.
const SEEDS: [u64; 2] = [1, 2];

/// A reference data set: its design matrix in `row_ids` order and the
/// 0-based positions of the test split.
struct Reference {
    json: Value,
    x: DMatrix<f64>,
    data: SurvivalData,
    test_rows: Vec<usize>,
}

/// Loads the data set and builds the design of `input.features`: a feature
/// that is not a CSV column is a factor indicator `<column><level>` of a
/// factor in `input.factor_levels`, coded with that file's level order.
fn load(name: &'static str) -> Reference {
    let json = expected(name, "random_survival_forest");
    let frame = reference_frame(&json);
    let input = &json["input"];
    let features = strings(&input["features"]);
    let mut levels: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (factor, list) in input["factor_levels"].as_object().expect("factor_levels") {
        levels.insert(factor.clone(), strings(list));
    }

    let mut spec = DesignSpec::default();
    let mut expected_names = Vec::new();
    for feature in &features {
        if frame.columns().contains(feature) {
            spec.covariates.push(feature.clone());
            expected_names.push(feature.clone());
            continue;
        }
        let (factor, level) = levels
            .iter()
            .find_map(|(f, ls)| {
                ls.iter()
                    .find(|l| *feature == format!("{f}{l}"))
                    .map(|l| (f.clone(), l.clone()))
            })
            .unwrap_or_else(|| {
                panic!("{name}: feature `{feature}` is neither a column nor a factor level")
            });
        if !spec.covariates.contains(&factor) {
            spec.covariates.push(factor.clone());
            spec.factors.push(factor.clone());
            spec.levels.insert(factor.clone(), levels[&factor].clone());
        }
        expected_names.push(format!("{factor}={level}"));
    }

    let mut needed: Vec<&str> = vec!["id", "time", "event"];
    needed.extend(spec.covariates.iter().map(String::as_str));
    let rows = frame.complete_rows(&needed).expect("complete rows");
    let ids: Vec<i64> = frame
        .numeric("id", &rows)
        .expect("id column")
        .iter()
        .map(|&v| v as i64)
        .collect();
    assert_eq!(
        ids,
        integers(&input["row_ids"]),
        "{name}: rows differ from row_ids"
    );
    let design = frame.design(&spec, &rows).expect("design");
    assert_eq!(design.names, expected_names, "{name}: design columns");

    let time = frame.numeric("time", &rows).expect("time");
    let event = frame.binary("event", &rows).expect("event");
    let test_rows: Vec<usize> = (0..rows.len()).filter(|i| (i + 1) % 3 == 0).collect();
    let test_ids: Vec<i64> = test_rows.iter().map(|&i| ids[i]).collect();
    assert_eq!(test_ids, integers(&input["test_ids"]), "{name}: test split");
    Reference {
        json,
        x: design.x,
        data: SurvivalData::new(&time, &event).expect("outcome"),
        test_rows,
    }
}

/// The CSV a reference file names in `data_file`. The name is relative to
/// the reference folder (`data/<file>.csv`), whose `data/` files are copied
/// directly into `tests/data/`.
fn reference_frame(json: &Value) -> Frame {
    let file = json["data_file"].as_str().expect("data_file");
    let path = data_path(file.strip_prefix("data/").unwrap_or(file));
    Frame::from_path(&path).expect("reference CSV")
}

/// Rows `rows` of a design and an outcome.
fn subset(x: &DMatrix<f64>, data: &SurvivalData, rows: &[usize]) -> (DMatrix<f64>, SurvivalData) {
    let x = x.select_rows(rows);
    let time: Vec<f64> = rows.iter().map(|&i| data.time[i]).collect();
    let event: Vec<bool> = rows.iter().map(|&i| data.event[i]).collect();
    (x, SurvivalData::new(&time, &event).expect("subset outcome"))
}

/// A reference tool: its case in the file and how its settings map to ours.
struct Tool {
    case: &'static str,
    /// The forest settings that reproduce the tool's call.
    settings: fn(case: &Value, seed: u64) -> ForestSettings,
    /// Name of the out-of-bag C of the forest fitted on the training split,
    /// and whether the file stores it as `1 - C` (ranger's prediction error).
    split_oob: (&'static str, bool),
}

/// ranger 0.14.1 with its recorded `mtry` and `min.node.size`: the call
/// passes neither, and the `mtry` that ranger reports (5, 3 and 3 for 17, 8
/// and 7 columns) is `ceil(sqrt(p))`, so it is read from the file rather
/// than assumed to be `floor(sqrt(p))`.
fn ranger_settings(case: &Value, seed: u64) -> ForestSettings {
    let input = &case["input"];
    ForestSettings {
        trees: input["num_trees"].as_u64().expect("num_trees") as usize,
        mtry: Mtry::Fixed(input["mtry"].as_u64().expect("mtry") as usize),
        min_node_size: input["min_node_size"].as_u64().expect("min_node_size") as usize,
        seed,
    }
}

/// scikit-survival 0.28 with `max_features = "sqrt"` (floor of the root)
/// and `min_samples_leaf` as the minimum child size. Its leaves count
/// distinct rows where ours count bootstrap draws, so its trees are a little
/// shallower for the same number.
fn sksurv_settings(case: &Value, seed: u64) -> ForestSettings {
    let params = &case["input"]["params"];
    assert_eq!(params["max_features"], "sqrt", "sksurv max_features");
    ForestSettings {
        trees: params["n_estimators"].as_u64().expect("n_estimators") as usize,
        mtry: Mtry::FloorSqrt,
        min_node_size: params["min_samples_leaf"]
            .as_u64()
            .expect("min_samples_leaf") as usize,
        seed,
    }
}

const TOOLS: [Tool; 2] = [
    Tool {
        case: "ranger_logrank_500",
        settings: ranger_settings,
        split_oob: ("split_oob_prediction_error", true),
    },
    Tool {
        case: "sksurv_rsf_500",
        settings: sksurv_settings,
        split_oob: ("split_oob_c_index", false),
    },
];

/// The [min, max] of a C index in a case of the reference file; a
/// prediction error `1 - C` is turned into C.
fn c_range(case: &Value, quantity: &str, is_error: bool) -> (f64, f64) {
    let summary = &case["result"][quantity];
    let min = summary["min"]
        .as_f64()
        .unwrap_or_else(|| panic!("{quantity}.min"));
    let max = summary["max"]
        .as_f64()
        .unwrap_or_else(|| panic!("{quantity}.max"));
    if is_error {
        (1.0 - max, 1.0 - min)
    } else {
        (min, max)
    }
}

/// Asserts that `value` lies within `slack` of a tool's range.
#[track_caller]
fn assert_in_range(what: &str, value: f64, (min, max): (f64, f64), slack: f64) {
    assert!(
        value >= min - slack && value <= max + slack,
        "{what} = {value:.4}, outside [{min:.4} - {slack}, {max:.4} + {slack}]"
    );
}

/// Fits the forest of each tool's settings for each seed, on all rows and on
/// the training split, and checks the four C indices against the tool.
fn check_against_reference(name: &'static str) {
    let reference = load(name);
    let train_rows: Vec<usize> = (0..reference.data.len())
        .filter(|i| !reference.test_rows.contains(i))
        .collect();
    let (train_x, train_data) = subset(&reference.x, &reference.data, &train_rows);
    let (test_x, test_data) = subset(&reference.x, &reference.data, &reference.test_rows);
    for tool in &TOOLS {
        let case = crate::common::case(&reference.json, tool.case);
        for seed in SEEDS {
            let what = |quantity: &str| format!("{name} {} {quantity} (seed {seed})", tool.case);
            let settings = (tool.settings)(case, seed);

            let full = forest::fit(&reference.x, &reference.data, &settings).expect("full fit");
            let oob = oob_concordance(&full, &reference.x, &reference.data).expect("oob C");
            let range = c_range(case, "oob_c_index", false);
            assert_in_range(&what("oob_c_index"), oob.c_index, range, RANGE_SLACK);
            let train =
                ensemble_concordance(&full, &reference.x, &reference.data).expect("train C");
            let range = c_range(case, "train_c_index", false);
            assert_in_range(&what("train_c_index"), train.c_index, range, TRAIN_SLACK);

            let split = forest::fit(&train_x, &train_data, &settings).expect("split fit");
            let test = ensemble_concordance(&split, &test_x, &test_data).expect("test C");
            let range = c_range(case, "test_c_index", false);
            assert_in_range(&what("test_c_index"), test.c_index, range, RANGE_SLACK);
            let split_oob = oob_concordance(&split, &train_x, &train_data).expect("split oob C");
            let range = c_range(case, tool.split_oob.0, tool.split_oob.1);
            assert_in_range(
                &what(tool.split_oob.0),
                split_oob.c_index,
                range,
                RANGE_SLACK,
            );
        }
    }
}

#[test]
fn pbc_within_reference_ranges() {
    check_against_reference("pbc");
}

#[test]
fn veteran_within_reference_ranges() {
    check_against_reference("veteran");
}

#[test]
fn rossi_within_reference_ranges() {
    check_against_reference("rossi");
}

/// A small forest on veteran for the exactness tests.
fn small_forest(reference: &Reference) -> SurvivalForest {
    let settings = ForestSettings {
        trees: 60,
        ..ForestSettings::ranger_defaults(11)
    };
    forest::fit(&reference.x, &reference.data, &settings).expect("fit")
}

fn bits(values: &[f64]) -> Vec<u64> {
    values.iter().map(|v| v.to_bits()).collect()
}

#[test]
fn threads_give_identical_forest() {
    let reference = load("veteran");
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        pool.install(|| {
            let fitted = small_forest(&reference);
            let mortality = fitted.mortality(&reference.x).expect("mortality");
            let oob: Vec<f64> = oob_mortality(&fitted, &reference.x)
                .expect("oob")
                .into_iter()
                .map(|v| v.unwrap_or(-1.0))
                .collect();
            let vimp = permutation_importance(&fitted, &reference.x, &reference.data, 3)
                .expect("importance");
            (
                forest::to_json(&fitted).expect("json"),
                mortality,
                oob,
                vimp,
            )
        })
    };
    let one = run(1);
    let two = run(2);
    assert!(
        one.0 == two.0,
        "saved forests differ between 1 and 2 threads"
    );
    assert_eq!(bits(&one.1), bits(&two.1), "mortality");
    assert_eq!(bits(&one.2), bits(&two.2), "out-of-bag mortality");
    assert_eq!(bits(&one.3), bits(&two.3), "permutation importance");
}

#[test]
fn saved_forest_predicts_identically() {
    let reference = load("veteran");
    let fitted = small_forest(&reference);
    let json = forest::to_json(&fitted).expect("json");
    let loaded = forest::from_json(&json).expect("load");
    assert!(
        loaded == fitted,
        "loaded forest differs from the fitted one"
    );
    assert!(
        forest::to_json(&loaded).expect("json again") == json,
        "second save differs"
    );

    let before = fitted.mortality(&reference.x).expect("mortality");
    let after = loaded
        .mortality(&reference.x)
        .expect("mortality after load");
    assert_eq!(bits(&before), bits(&after), "mortality");
    let oob_before = oob_concordance(&fitted, &reference.x, &reference.data).expect("oob");
    let oob_after = oob_concordance(&loaded, &reference.x, &reference.data).expect("oob after");
    assert_eq!(oob_before, oob_after, "out-of-bag concordance");

    let row: Vec<f64> = reference.x.row(4).iter().copied().collect();
    let curve_before = fitted.survival_curve(&row).expect("curve");
    let curve_after = loaded.survival_curve(&row).expect("curve after load");
    assert_eq!(
        bits(&curve_before.survival),
        bits(&curve_after.survival),
        "survival curve"
    );
}

#[test]
fn saved_forest_stays_sparse() {
    // Each leaf stores one (time index, events, at risk) triple per event
    // time among its in-bag samples, so the file grows with the number of
    // in-bag events per tree, not with leaves times grid length.
    let reference = load("veteran");
    let fitted = small_forest(&reference);
    let json = forest::to_json(&fitted).expect("json");
    let dense_floats = fitted.settings().trees * 20 * fitted.event_times().len();
    assert!(
        json.len() < dense_floats,
        "{} bytes for {} trees; a dense layout would hold {dense_floats} numbers",
        json.len(),
        fitted.settings().trees
    );
}

#[test]
fn corrupt_saved_forest_rejected() {
    let reference = load("veteran");
    let json = forest::to_json(&small_forest(&reference)).expect("json");
    let wrong_format = json.replacen("random-survival-forest", "something-else", 1);
    assert!(matches!(
        forest::from_json(&wrong_format),
        Err(StatsError::InvalidModel { .. })
    ));
    assert!(matches!(
        forest::from_json("{}"),
        Err(StatsError::InvalidModel { .. })
    ));
    let truncated = &json[..json.len() / 2];
    assert!(matches!(
        forest::from_json(truncated),
        Err(StatsError::InvalidModel { .. })
    ));
}

#[test]
fn survival_curve_is_a_decreasing_step_function() {
    let reference = load("veteran");
    let fitted = small_forest(&reference);
    let row: Vec<f64> = reference.x.row(0).iter().copied().collect();
    let curve = fitted.survival_curve(&row).expect("curve");
    assert_eq!(curve.time, fitted.event_times());
    for pair in curve.survival.windows(2) {
        assert!(pair[1] <= pair[0], "survival increased: {pair:?}");
    }
    assert!(curve.survival.iter().all(|s| (0.0..=1.0).contains(s)));
    // Between two grid times the curve keeps the earlier value.
    let (t0, t1) = (curve.time[3], curve.time[4]);
    let between = curve
        .survival_at((t0 + t1) / 2.0)
        .expect("S between grid times");
    assert_eq!(between, curve.survival[3]);
    assert_eq!(
        curve.survival_at(0.0).expect("S before the first event"),
        1.0
    );
    // The mortality is the sum of the ensemble cumulative hazard over the grid.
    let total: f64 = curve.cumulative_hazard.iter().sum();
    let mortality = fitted
        .mortality(&DMatrix::from_row_slice(1, row.len(), &row))
        .expect("mortality")[0];
    assert!(
        (total - mortality).abs() <= 1e-9 * total,
        "{total} vs {mortality}"
    );
}

#[test]
fn importance_ranks_karnofsky_first_on_veteran() {
    // The Karnofsky score is by far the strongest predictor in veteran (Cox
    // z about -6 in survival 3.5's example fit); permuting it must cost the
    // most out-of-bag concordance.
    let reference = load("veteran");
    let fitted = forest::fit(
        &reference.x,
        &reference.data,
        &ForestSettings::ranger_defaults(5),
    )
    .expect("fit");
    let vimp = permutation_importance(&fitted, &reference.x, &reference.data, 5).expect("vimp");
    let karno = strings(&reference.json["input"]["features"])
        .iter()
        .position(|f| f == "karno")
        .expect("karno feature");
    let top = (0..vimp.len())
        .max_by(|&a, &b| vimp[a].total_cmp(&vimp[b]))
        .expect("importances");
    assert_eq!(top, karno, "importances {vimp:?}");
    assert!(vimp[karno] > 0.02, "karno importance {}", vimp[karno]);
}

/// A tiny data set for the degenerate cases.
fn tiny(n: usize) -> (DMatrix<f64>, Vec<f64>) {
    let x = DMatrix::from_fn(n, 2, |i, j| (i * (j + 1)) as f64);
    let time = (1..=n).map(|t| t as f64).collect();
    (x, time)
}

#[test]
fn no_events_rejected() {
    let (x, time) = tiny(10);
    let data = SurvivalData::new(&time, &[false; 10]).expect("outcome");
    let result = forest::fit(&x, &data, &ForestSettings::ranger_defaults(1));
    assert!(
        matches!(result, Err(StatsError::NoEvents { .. })),
        "{result:?}"
    );
}

#[test]
fn min_node_above_half_rejected() {
    let (x, time) = tiny(10);
    let data = SurvivalData::new(&time, &[true; 10]).expect("outcome");
    let settings = ForestSettings {
        min_node_size: 6,
        ..ForestSettings::ranger_defaults(1)
    };
    let result = forest::fit(&x, &data, &settings);
    assert!(
        matches!(result, Err(StatsError::NoSplit { .. })),
        "{result:?}"
    );
}

#[test]
fn constant_covariates_rejected() {
    // Nothing can split when every covariate is constant: a forest of stumps
    // must be an error, not a silent result.
    let x = DMatrix::from_element(12, 2, 1.0);
    let time: Vec<f64> = (1..=12).map(f64::from).collect();
    let data = SurvivalData::new(&time, &[true; 12]).expect("outcome");
    let result = forest::fit(&x, &data, &ForestSettings::ranger_defaults(1));
    assert!(
        matches!(result, Err(StatsError::NoSplit { .. })),
        "{result:?}"
    );
}

#[test]
fn single_row_rejected() {
    let (x, time) = tiny(1);
    let data = SurvivalData::new(&time, &[true]).expect("outcome");
    let settings = ForestSettings {
        min_node_size: 1,
        ..ForestSettings::ranger_defaults(1)
    };
    let result = forest::fit(&x, &data, &settings);
    assert!(
        matches!(result, Err(StatsError::TooFewRows { got: 1, .. })),
        "{result:?}"
    );
}

#[test]
fn non_finite_covariate_rejected() {
    let (mut x, time) = tiny(10);
    x[(4, 1)] = f64::NAN;
    let data = SurvivalData::new(&time, &[true; 10]).expect("outcome");
    let result = forest::fit(&x, &data, &ForestSettings::ranger_defaults(1));
    assert!(
        matches!(result, Err(StatsError::NonFinite { row: 4, .. })),
        "{result:?}"
    );
    let fitted = forest::fit(&tiny(10).0, &data, &ForestSettings::ranger_defaults(1)).expect("fit");
    let prediction = fitted.mortality(&x);
    assert!(
        matches!(prediction, Err(StatsError::NonFinite { row: 4, .. })),
        "{prediction:?}"
    );
}

#[test]
fn invalid_mtry_rejected() {
    let (x, time) = tiny(10);
    let data = SurvivalData::new(&time, &[true; 10]).expect("outcome");
    let settings = ForestSettings {
        mtry: Mtry::Fixed(3),
        ..ForestSettings::ranger_defaults(1)
    };
    let result = forest::fit(&x, &data, &settings);
    assert!(
        matches!(
            result,
            Err(StatsError::InvalidParameter { name: "mtry", .. })
        ),
        "{result:?}"
    );
}
