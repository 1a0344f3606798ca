//! `tace-registry stats rsf`: a random survival forest on a CSV file, with
//! its out-of-bag and training concordance and the permutation importance of
//! each design column.

use serde::Serialize;

use super::{CommonArgs, load_survival, print_json};
use crate::stats::data::SurvivalData;
use crate::stats::forest::{
    self, DEFAULT_SEED, ForestSettings, Mtry, ensemble_concordance, oob_concordance,
    permutation_importance,
};

#[derive(Debug, clap::Args)]
pub struct RsfArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Number of trees.
    #[arg(long, default_value_t = 500, value_name = "N")]
    pub trees: usize,

    /// Candidate variables drawn at each node [default: ceil(sqrt(p)) for p
    /// design columns].
    #[arg(long, value_name = "M")]
    pub mtry: Option<usize>,

    /// Minimum number of bootstrap draws in each child of a split.
    #[arg(long = "min-node", default_value_t = 15, value_name = "N")]
    pub min_node: usize,

    /// Seed of the bootstrap samples, the candidate variables and the
    /// importance permutations.
    #[arg(long, default_value_t = DEFAULT_SEED, value_name = "S")]
    pub seed: u64,
}

/// The JSON printed by `stats rsf`.
#[derive(Debug, Serialize)]
struct RsfOutput {
    n: usize,
    events: usize,
    trees: usize,
    mtry: usize,
    min_node_size: usize,
    seed: u64,
    oob_c_index: f64,
    train_c_index: f64,
    importance: Vec<Importance>,
}

#[derive(Debug, Serialize)]
struct Importance {
    name: String,
    vimp: f64,
}

/// Fits the forest on the complete cases of the CSV and prints its
/// concordance and importances as JSON.
///
/// # Errors
///
/// Input errors of the CSV and the design, invalid settings, and every
/// error of [`forest::fit`] (no events, too few rows, no split).
pub fn rsf(args: RsfArgs) -> anyhow::Result<()> {
    let input = load_survival(&args.common, &[])?;
    let data = SurvivalData::new(&input.time, &input.event)?;
    let settings = ForestSettings {
        trees: args.trees,
        mtry: args.mtry.map_or(Mtry::CeilSqrt, Mtry::Fixed),
        min_node_size: args.min_node,
        seed: args.seed,
    };
    let x = &input.design.x;
    let fitted = forest::fit(x, &data, &settings)?;
    let oob = oob_concordance(&fitted, x, &data)?;
    let train = ensemble_concordance(&fitted, x, &data)?;
    let vimp = permutation_importance(&fitted, x, &data, args.seed)?;
    let used = fitted.settings();
    print_json(&RsfOutput {
        n: data.len(),
        events: data.events(),
        trees: used.trees,
        mtry: used.mtry,
        min_node_size: used.min_node_size,
        seed: used.seed,
        oob_c_index: oob.c_index,
        train_c_index: train.c_index,
        importance: input
            .design
            .names
            .iter()
            .zip(vimp)
            .map(|(name, vimp)| Importance {
                name: name.clone(),
                vimp,
            })
            .collect(),
    })
}
