//! Saving a fitted forest as compact JSON and loading it back, so that
//! predictions after loading are the same bit for bit.
//!
//! Layout (`format` = `"tace-registry/random-survival-forest"`, `version` 1):
//!
//! - `settings`, `n_features`, `training_rows`;
//! - `last_follow_up` and `event_times` as decimal strings in Rust's
//!   shortest round-trip form, because serde_json's default number parser
//!   may be one unit in the last place off, and thresholds must compare
//!   exactly as in the fitted trees;
//! - per tree, `nodes`: a split is `[variable, "threshold", left, right]`
//!   and a leaf is the bare leaf index; `leaves`: each leaf is a flat list
//!   `[time_index, events, at_risk, ...]` of its Nelson–Aalen steps. The
//!   increments `events / at_risk` and the leaf mortality are recomputed on
//!   loading by the same code that computed them during the fit.

use serde::{Deserialize, Serialize};

use super::ValidatedSettings;
use super::ensemble::SurvivalForest;
use super::tree::{Leaf, Node, Step, Tree};
use crate::stats::StatsError;

const FORMAT: &str = "tace-registry/random-survival-forest";
const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct SavedForest {
    format: String,
    version: u32,
    settings: ValidatedSettings,
    n_features: usize,
    training_rows: usize,
    last_follow_up: String,
    event_times: Vec<String>,
    trees: Vec<SavedTree>,
}

#[derive(Serialize, Deserialize)]
struct SavedTree {
    nodes: Vec<SavedNode>,
    leaves: Vec<Vec<u32>>,
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum SavedNode {
    Split(u32, String, u32, u32),
    Leaf(u32),
}

/// Serialises a fitted forest to JSON (see the module documentation for the
/// layout).
///
/// # Errors
///
/// [`StatsError::InvalidModel`] if serialisation fails, which the types
/// written here do not cause.
pub fn to_json(forest: &SurvivalForest) -> Result<String, StatsError> {
    let saved = SavedForest {
        format: FORMAT.into(),
        version: VERSION,
        settings: forest.settings,
        n_features: forest.n_features,
        training_rows: forest.training_rows,
        last_follow_up: exact(forest.last_follow_up),
        event_times: forest.event_times.iter().map(|&t| exact(t)).collect(),
        trees: forest.trees.iter().map(save_tree).collect(),
    };
    serde_json::to_string(&saved).map_err(|e| invalid(e.to_string()))
}

fn save_tree(tree: &Tree) -> SavedTree {
    let nodes = tree
        .nodes
        .iter()
        .map(|node| match *node {
            Node::Split {
                variable,
                threshold,
                left,
                right,
            } => SavedNode::Split(variable, exact(threshold), left, right),
            Node::Leaf(leaf) => SavedNode::Leaf(leaf),
        })
        .collect();
    let leaves = tree
        .leaves
        .iter()
        .map(|leaf| {
            leaf.steps
                .iter()
                .flat_map(|s| [s.time_index, s.events, s.at_risk])
                .collect()
        })
        .collect();
    SavedTree { nodes, leaves }
}

/// Loads a forest written by [`to_json`], checking its structure.
///
/// # Errors
///
/// [`StatsError::InvalidModel`] naming the problem when the text is not
/// such a forest: bad JSON, another format or version, an unparsable
/// number, or a node, leaf or time index out of range.
pub fn from_json(text: &str) -> Result<SurvivalForest, StatsError> {
    let saved: SavedForest = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
    if saved.format != FORMAT || saved.version != VERSION {
        return Err(invalid(format!(
            "format `{}` version {} is not `{FORMAT}` version {VERSION}",
            saved.format, saved.version
        )));
    }
    let event_times = saved
        .event_times
        .iter()
        .map(|t| parse_exact(t))
        .collect::<Result<Vec<f64>, _>>()?;
    let trees = saved
        .trees
        .iter()
        .enumerate()
        .map(|(i, tree)| {
            load_tree(tree, saved.n_features, event_times.len())
                .map_err(|e| invalid(format!("tree {i}: {e}")))
        })
        .collect::<Result<Vec<Tree>, _>>()?;
    if trees.len() != saved.settings.trees {
        return Err(invalid(format!(
            "{} trees stored but the settings say {}",
            trees.len(),
            saved.settings.trees
        )));
    }
    Ok(SurvivalForest {
        settings: saved.settings,
        n_features: saved.n_features,
        training_rows: saved.training_rows,
        last_follow_up: parse_exact(&saved.last_follow_up)?,
        event_times,
        trees,
    })
}

/// Rebuilds one tree, checking that every split variable, child, leaf and
/// time index is in range. Returns the problem as text.
fn load_tree(saved: &SavedTree, n_features: usize, grid_len: usize) -> Result<Tree, String> {
    let node_count = saved.nodes.len() as u32;
    let leaf_count = saved.leaves.len() as u32;
    let mut nodes = Vec::with_capacity(saved.nodes.len());
    for (id, node) in saved.nodes.iter().enumerate() {
        nodes.push(match node {
            SavedNode::Split(variable, threshold, left, right) => {
                // Children come after their parent, so descent always ends.
                let after = |child: u32| child as usize > id && child < node_count;
                if *variable as usize >= n_features || !after(*left) || !after(*right) {
                    return Err(format!("node {id} refers to a missing variable or child"));
                }
                Node::Split {
                    variable: *variable,
                    threshold: parse_exact(threshold).map_err(|e| e.to_string())?,
                    left: *left,
                    right: *right,
                }
            }
            SavedNode::Leaf(leaf) if *leaf < leaf_count => Node::Leaf(*leaf),
            SavedNode::Leaf(leaf) => {
                return Err(format!("node {id} refers to missing leaf {leaf}"));
            }
        });
    }
    if nodes.is_empty() {
        return Err("the tree has no nodes".into());
    }
    let leaves = saved
        .leaves
        .iter()
        .map(|flat| load_leaf(flat, grid_len))
        .collect::<Result<Vec<Leaf>, String>>()?;
    Ok(Tree { nodes, leaves })
}

fn load_leaf(flat: &[u32], grid_len: usize) -> Result<Leaf, String> {
    if !flat.len().is_multiple_of(3) {
        return Err(
            "a leaf's step list is not made of (time index, events, at risk) triples".into(),
        );
    }
    let steps = flat
        .chunks_exact(3)
        .map(|c| Step {
            time_index: c[0],
            events: c[1],
            at_risk: c[2],
        })
        .collect::<Vec<Step>>();
    let valid =
        |s: &Step| (s.time_index as usize) < grid_len && s.at_risk >= s.events && s.at_risk > 0;
    if !steps.iter().all(valid) {
        return Err(
            "a leaf step has a time index past the grid or more events than at risk".into(),
        );
    }
    Ok(Leaf::new(steps, grid_len))
}

/// The shortest decimal text that parses back to exactly `value`.
fn exact(value: f64) -> String {
    format!("{value:?}")
}

fn parse_exact(text: &str) -> Result<f64, StatsError> {
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| invalid(format!("`{text}` is not a finite number")))
}

fn invalid(detail: String) -> StatsError {
    StatsError::InvalidModel { detail }
}
