//! `tace-registry bench`: times the expensive operations of the statistics
//! engine on a seeded synthetic data set: a Cox fit with Efron ties,
//! Harrell's C, a random survival forest fit, and the forest's prediction for
//! one row. Each operation runs a few untimed warm-up times and then a
//! number of timed times; the report gives the median, minimum and maximum.
//!
//! The data are generated here, not by the cohort generator, so that the
//! timings depend only on the numerical engine. They have 13 covariates
//! shaped like the registry's baseline variables, Weibull event times driven
//! by them and uniform censoring. Times are in months rounded to 0.0001, so
//! almost every time is distinct.

use std::hint::black_box;
use std::time::Instant;

use anyhow::Context;
use nalgebra::DMatrix;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::Serialize;

use crate::stats::cox::{self, CoxSettings, Ties};
use crate::stats::data::SurvivalData;
use crate::stats::forest::{self, DEFAULT_SEED, ForestSettings, ValidatedSettings};
use crate::stats::frame::Design;
use crate::stats::metrics::concordance::harrell;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Rows of the generated data set (at least 30, twice the forest's
    /// minimum node size of 15).
    #[arg(long, default_value_t = 2555, value_name = "N")]
    pub rows: usize,

    /// Timed runs of each operation.
    #[arg(long, default_value_t = 5, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub repeats: u32,

    /// Untimed runs of each operation before the timed ones.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub warmup: u32,

    /// Trees per forest.
    #[arg(long, default_value_t = 500, value_name = "N")]
    pub trees: usize,

    /// Worker threads for the forest. 0 takes rayon's default, which is the
    /// RAYON_NUM_THREADS variable or else one thread per CPU core.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub threads: usize,

    /// Seed of the generated data and of the forest.
    #[arg(long, default_value_t = DEFAULT_SEED, value_name = "S")]
    pub seed: u64,

    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Column names of the generated covariates, in column order.
const COVARIATES: [&str; 13] = [
    "age_years",
    "hsp90a_ng_ml",
    "log_afp",
    "albumin_g_l",
    "bilirubin_umol_l",
    "tumor_size_cm",
    "bclc",
    "male",
    "pvtt",
    "metastasis",
    "platelets_1e9_l",
    "alt_u_l",
    "leukocytes_1e9_l",
];

/// A generated data set: covariates, one row per subject, and times in
/// months with event indicators.
pub struct BenchData {
    pub x: DMatrix<f64>,
    pub outcome: SurvivalData,
}

/// Timings of one operation, in seconds.
#[derive(Debug, Serialize)]
struct Timing {
    operation: &'static str,
    runs: u32,
    median_seconds: f64,
    min_seconds: f64,
    max_seconds: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    rows: usize,
    covariates: usize,
    events: usize,
    distinct_times: usize,
    seed: u64,
    threads: usize,
    warmup: u32,
    repeats: u32,
    forest: ValidatedSettings,
    /// Harrell's C of the Cox linear predictor, to show that the generated
    /// outcome depends on the covariates.
    cox_c_index: f64,
    timings: Vec<Timing>,
}

/// Generates the data, times each operation and prints the report.
///
/// # Errors
///
/// When the settings are invalid, the thread pool cannot be built or a fit
/// fails.
pub fn run(args: Args) -> anyhow::Result<()> {
    let settings = ForestSettings {
        trees: args.trees,
        seed: args.seed,
        ..ForestSettings::default()
    };
    let validated = settings.validate(COVARIATES.len())?;
    if args.rows < 2 * validated.min_node_size {
        anyhow::bail!(
            "--rows {} is too small: a forest split needs at least {} rows (twice the \
             minimum node size of {}); pass a larger --rows",
            args.rows,
            2 * validated.min_node_size,
            validated.min_node_size
        );
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build()
        .with_context(|| format!("cannot start a pool of {} threads", args.threads))?;
    let data = generate(args.rows, args.seed);
    let (timings, cox_c_index) = pool.install(|| time_all(&data, &settings, &args))?;
    let report = Report {
        rows: data.outcome.len(),
        covariates: data.x.ncols(),
        events: data.outcome.events(),
        distinct_times: distinct(&data.outcome.time),
        seed: args.seed,
        threads: pool.current_num_threads(),
        warmup: args.warmup,
        repeats: args.repeats,
        forest: validated,
        cox_c_index,
        timings,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_table(&report);
    }
    Ok(())
}

/// Times the four operations in order; each later one uses the result of an
/// earlier one. Returns the timings and the C of the Cox linear predictor.
fn time_all(
    data: &BenchData,
    settings: &ForestSettings,
    args: &Args,
) -> anyhow::Result<(Vec<Timing>, f64)> {
    let (warmup, repeats) = (args.warmup, args.repeats);
    let design = Design {
        names: COVARIATES.iter().map(|s| s.to_string()).collect(),
        terms: COVARIATES.iter().map(|s| s.to_string()).collect(),
        x: data.x.clone(),
    };
    let (time, event) = (&data.outcome.time, &data.outcome.event);
    let cox_settings = CoxSettings::with_ties(Ties::Efron);

    let (cox_timing, cox_fit) = time_operation("cox_fit_efron", warmup, repeats, |_| {
        cox::fit(&design, time, event, &cox_settings).context("Cox fit on the generated data")
    })?;
    let risk = &cox_fit.linear_predictors;
    let (c_timing, concordance) = time_operation("harrell_c", warmup, repeats, |_| {
        harrell(time, event, risk).context("Harrell's C of the Cox linear predictor")
    })?;
    let (fit_timing, fitted) = time_operation("forest_fit", warmup, repeats, |_| {
        forest::fit(&data.x, &data.outcome, settings).context("forest fit on the generated data")
    })?;
    let (predict_timing, _) = time_operation("forest_predict_row", warmup, repeats, |run| {
        // A different row each run, so that no run reuses the previous path.
        let row: Vec<f64> = data.x.row(run % data.x.nrows()).iter().copied().collect();
        let one_row = DMatrix::from_row_slice(1, row.len(), &row);
        let mortality = fitted.mortality(&one_row)?;
        let curve = fitted.survival_curve(&row)?;
        Ok((mortality, curve))
    })?;
    let timings = vec![cox_timing, c_timing, fit_timing, predict_timing];
    Ok((timings, concordance.c_index))
}

/// Runs `operation` `warmup` times untimed and `repeats` times timed, and
/// returns the timing and the result of the last run. The operation gets
/// the index of the run, warm-up runs counted.
fn time_operation<T>(
    name: &'static str,
    warmup: u32,
    repeats: u32,
    mut operation: impl FnMut(usize) -> anyhow::Result<T>,
) -> anyhow::Result<(Timing, T)> {
    for run in 0..warmup as usize {
        black_box(operation(run)?);
    }
    let mut seconds = Vec::with_capacity(repeats as usize);
    let mut last = None;
    for run in warmup as usize..(warmup + repeats) as usize {
        let start = Instant::now();
        let result = black_box(operation(run)?);
        seconds.push(start.elapsed().as_secs_f64());
        last = Some(result);
    }
    let last = last.context("--repeats must be at least 1")?;
    seconds.sort_by(f64::total_cmp);
    let timing = Timing {
        operation: name,
        runs: repeats,
        median_seconds: median(&seconds),
        min_seconds: seconds[0],
        max_seconds: seconds[seconds.len() - 1],
    };
    Ok((timing, last))
}

/// Median of sorted, non-empty values: the mean of the two middle values
/// for an even count.
fn median(sorted: &[f64]) -> f64 {
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

fn distinct(values: &[f64]) -> usize {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.dedup();
    sorted.len()
}

/// Generates `rows` subjects with 13 covariates and a right-censored
/// outcome in months, deterministically for `seed`.
///
/// The log hazard ratio is linear in the first ten covariates plus a step at
/// age 70; platelets, ALT and leukocytes have no effect.
/// Event times are Weibull (shape 1.1, scale 24 months at a zero linear
/// predictor) and censoring times uniform on 1 to 48 months, which leaves
/// about a quarter of the subjects censored.
pub fn generate(rows: usize, seed: u64) -> BenchData {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut x = DMatrix::zeros(rows, COVARIATES.len());
    let mut time = Vec::with_capacity(rows);
    let mut event = Vec::with_capacity(rows);
    for i in 0..rows {
        let row = draw_covariates(&mut rng);
        for (j, value) in row.iter().enumerate() {
            x[(i, j)] = *value;
        }
        let hazard_ratio = linear_predictor(&row).exp();
        // 1 - u lies in (0, 1], so its logarithm is finite.
        let u: f64 = 1.0 - rng.random::<f64>();
        let event_time = 24.0 * (-u.ln() / hazard_ratio).powf(1.0 / 1.1);
        let censor_time = 1.0 + 47.0 * rng.random::<f64>();
        let observed = event_time.min(censor_time);
        time.push(((observed * 1e4).round() / 1e4).max(1e-4));
        event.push(event_time <= censor_time);
    }
    BenchData {
        x,
        outcome: SurvivalData { time, event },
    }
}

/// Draws one subject's covariates, in the order of [`COVARIATES`].
fn draw_covariates(rng: &mut ChaCha8Rng) -> [f64; 13] {
    let mut normal = || -> f64 { StandardNormal.sample(rng) };
    let age = (58.0 + 11.0 * normal()).clamp(18.0, 95.0);
    let hsp90a = (4.8 + 0.6 * normal()).exp();
    let log_afp = 5.0 + 2.5 * normal();
    let albumin = 38.0 + 5.0 * normal();
    let bilirubin = (2.8 + 0.5 * normal()).exp();
    let size = (1.8 + 0.6 * normal()).exp();
    let platelets = (4.9 + 0.5 * normal()).exp();
    let alt = (3.7 + 0.6 * normal()).exp();
    let leukocytes = (1.7 + 0.3 * normal()).exp();
    let u: f64 = rng.random();
    let bclc = if u < 0.15 {
        0.0
    } else if u < 0.4 {
        1.0
    } else {
        2.0
    };
    let mut bernoulli = |p: f64| if rng.random::<f64>() < p { 1.0 } else { 0.0 };
    [
        age,
        hsp90a,
        log_afp,
        albumin,
        bilirubin,
        size,
        bclc,
        bernoulli(0.8),
        bernoulli(0.4),
        bernoulli(0.25),
        platelets,
        alt,
        leukocytes,
    ]
}

/// Log hazard ratio of the generated outcome.
fn linear_predictor(row: &[f64; 13]) -> f64 {
    let old = if row[0] > 70.0 { 0.3 } else { 0.0 };
    0.02 * (row[0] - 58.0) + old + 0.5 * (row[1] / 120.0).ln() + 0.08 * (row[2] - 5.0)
        - 0.04 * (row[3] - 38.0)
        + 0.3 * (row[4] / 16.0).ln()
        + 0.05 * (row[5] - 6.0)
        + 0.35 * row[6]
        + 0.5 * row[8]
        + 0.4 * row[9]
}

fn print_table(report: &Report) {
    println!(
        "{} rows ({} events, {} distinct times), {} covariates, seed {}, {} thread(s)",
        report.rows,
        report.events,
        report.distinct_times,
        report.covariates,
        report.seed,
        report.threads
    );
    println!(
        "forest: {} trees, mtry {}, at least {} draws per child; Cox C-index {:.4}",
        report.forest.trees, report.forest.mtry, report.forest.min_node_size, report.cox_c_index
    );
    println!(
        "{} timed run(s) per operation after {} warm-up run(s)",
        report.repeats, report.warmup
    );
    println!(
        "{:<20} {:>13} {:>13} {:>13}",
        "operation", "median (ms)", "min (ms)", "max (ms)"
    );
    for timing in &report.timings {
        println!(
            "{:<20} {:>13.3} {:>13.3} {:>13.3}",
            timing.operation,
            timing.median_seconds * 1e3,
            timing.min_seconds * 1e3,
            timing.max_seconds * 1e3
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_data_is_seeded() {
        let a = generate(300, 4);
        let b = generate(300, 4);
        assert_eq!(a.x, b.x);
        assert_eq!(a.outcome, b.outcome);
        assert_eq!(a.x.ncols(), COVARIATES.len());
        let other = generate(300, 5);
        assert_ne!(a.outcome, other.outcome);
    }

    #[test]
    fn generated_data_is_mostly_events() {
        let data = generate(2000, 7);
        let events = data.outcome.events();
        assert!(events > 1200, "{events} events of 2000");
        assert!(events < 1800, "{events} events of 2000");
        assert!(
            distinct(&data.outcome.time) > 1900,
            "times should rarely tie"
        );
        for &t in &data.outcome.time {
            assert!(t > 0.0, "time {t}");
            assert!(t <= 48.0, "time {t} after the last censoring time");
        }
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[1.0, 2.0, 9.0]), 2.0);
        assert_eq!(median(&[1.0, 2.0, 4.0, 9.0]), 3.0);
        assert_eq!(median(&[5.0]), 5.0);
    }
}
