//! The baseline variables the models may use, named by their CSV column, and
//! how each enters a design matrix.
//!
//! Binary laboratory and demographic variables enter through the cut-offs of
//! [`crate::domain::cutoffs`]; HSP90α and tumour size enter continuously in
//! their units; BCLC stage and ALBI grade enter as factors with the earliest
//! stage or best grade as reference. Each model uses the complete cases for
//! its own variables and records how many patients each missing variable cost.

use std::collections::BTreeMap;

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

use crate::domain::cutoffs::*;
use crate::domain::derived::albi_grade;
use crate::domain::{Baseline, ChildPugh, Sex};
use crate::stats::frame::Design;

/// How a variable enters a model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Encoding {
    /// The measured value in its unit.
    Continuous,
    /// 1 when the value is at or above the threshold, else 0.
    AtLeast(f64),
    /// 1 for yes (or the level named in the label), else 0.
    Binary,
    /// Indicators for every level but the first present, which is the
    /// reference.
    Factor,
}

/// A baseline variable a model can use.
#[derive(Debug, Clone, Copy)]
pub struct ModelVariable {
    /// CSV column name, also the name used on the command line.
    pub column: &'static str,
    /// Label shown to users.
    pub label: &'static str,
    /// Unit of the raw value, empty for categories.
    pub unit: &'static str,
    pub encoding: Encoding,
    read: fn(&Baseline) -> Option<Value>,
}

/// A variable's raw value for one patient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Value {
    Number(f64),
    Level(String),
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Number(v) => write!(f, "{v}"),
            Value::Level(level) => f.write_str(level),
        }
    }
}

fn number(v: Option<f64>) -> Option<Value> {
    v.map(Value::Number)
}

fn flag(v: Option<bool>) -> Option<Value> {
    v.map(|b| Value::Number(if b { 1.0 } else { 0.0 }))
}

/// Every variable a model may use, in the order of the CSV format.
pub const VARIABLES: &[ModelVariable] = &[
    ModelVariable {
        column: "sex",
        label: "Female sex",
        unit: "",
        encoding: Encoding::Binary,
        read: |b| flag(b.sex.map(|s| s == Sex::Female)),
    },
    ModelVariable {
        column: "age_years",
        label: "Age >= 65 years",
        unit: "years",
        encoding: Encoding::AtLeast(AGE_OLDER_YEARS as f64),
        read: |b| number(b.age_years.map(f64::from)),
    },
    ModelVariable {
        column: "hsp90a_ng_ml",
        label: "HSP90α",
        unit: "ng/mL",
        encoding: Encoding::Continuous,
        read: |b| number(b.hsp90a_ng_ml),
    },
    ModelVariable {
        column: "hbv",
        label: "HBV infection",
        unit: "",
        encoding: Encoding::Binary,
        read: |b| flag(b.hbv),
    },
    ModelVariable {
        column: "diabetes",
        label: "Diabetes mellitus",
        unit: "",
        encoding: Encoding::Binary,
        read: |b| flag(b.diabetes),
    },
    ModelVariable {
        column: "hypertension",
        label: "Hypertension",
        unit: "",
        encoding: Encoding::Binary,
        read: |b| flag(b.hypertension),
    },
    ModelVariable {
        column: "child_pugh",
        label: "Child–Pugh B",
        unit: "",
        encoding: Encoding::Binary,
        read: |b| flag(b.child_pugh.map(|c| c == ChildPugh::B)),
    },
    ModelVariable {
        column: "albi_grade",
        label: "ALBI grade",
        unit: "",
        encoding: Encoding::Factor,
        read: |b| albi_grade(b).map(|g| Value::Level(g.to_string())),
    },
    ModelVariable {
        column: "afp_ng_ml",
        label: "AFP >= 400 ng/mL",
        unit: "ng/mL",
        encoding: Encoding::AtLeast(AFP_HIGH_NG_ML),
        read: |b| number(b.afp_ng_ml),
    },
    ModelVariable {
        column: "alp_u_l",
        label: "ALP >= 125 U/L",
        unit: "U/L",
        encoding: Encoding::AtLeast(ALP_HIGH_U_L),
        read: |b| number(b.alp_u_l),
    },
    ModelVariable {
        column: "platelets_1e9_l",
        label: "Platelets >= 100 ×10⁹/L",
        unit: "10⁹/L",
        encoding: Encoding::AtLeast(PLATELETS_HIGH_1E9_L),
        read: |b| number(b.platelets_1e9_l),
    },
    ModelVariable {
        column: "alt_u_l",
        label: "ALT >= 40 U/L",
        unit: "U/L",
        encoding: Encoding::AtLeast(ALT_HIGH_U_L),
        read: |b| number(b.alt_u_l),
    },
    ModelVariable {
        column: "leukocytes_1e9_l",
        label: "Leukocytes >= 4 ×10⁹/L",
        unit: "10⁹/L",
        encoding: Encoding::AtLeast(LEUKOCYTES_HIGH_1E9_L),
        read: |b| number(b.leukocytes_1e9_l),
    },
    ModelVariable {
        column: "bclc",
        label: "BCLC stage",
        unit: "",
        encoding: Encoding::Factor,
        read: |b| b.bclc.map(|s| Value::Level(s.as_str().to_string())),
    },
    ModelVariable {
        column: "tumor_number",
        label: "Tumour number >= 2",
        unit: "lesions",
        encoding: Encoding::AtLeast(TUMOR_NUMBER_MULTIPLE as f64),
        read: |b| number(b.tumor_number.map(f64::from)),
    },
    ModelVariable {
        column: "tumor_size_cm",
        label: "Tumour size",
        unit: "cm",
        encoding: Encoding::Continuous,
        read: |b| number(b.tumor_size_cm),
    },
    ModelVariable {
        column: "pvtt",
        label: "PVTT",
        unit: "",
        encoding: Encoding::Binary,
        read: |b| flag(b.pvtt),
    },
    ModelVariable {
        column: "lymph_nodes",
        label: "Lymph nodes (N)",
        unit: "",
        encoding: Encoding::Binary,
        read: |b| flag(b.lymph_nodes),
    },
    ModelVariable {
        column: "metastasis",
        label: "Metastasis (M)",
        unit: "",
        encoding: Encoding::Binary,
        read: |b| flag(b.metastasis),
    },
];

/// Columns of every model variable, in CSV order.
pub fn all_columns() -> Vec<String> {
    VARIABLES.iter().map(|v| v.column.to_string()).collect()
}

/// Look a variable up by its CSV column name.
///
/// # Errors
///
/// When the name is not a model variable; the message lists the valid names.
pub fn lookup(column: &str) -> anyhow::Result<&'static ModelVariable> {
    VARIABLES
        .iter()
        .find(|v| v.column == column)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "`{column}` is not a model variable; use one of: {}",
                all_columns().join(", ")
            )
        })
}

/// Look up a list of variables, rejecting duplicates.
///
/// # Errors
///
/// As [`lookup`], and when a variable is listed twice.
pub fn lookup_all(columns: &[String]) -> anyhow::Result<Vec<&'static ModelVariable>> {
    let mut out: Vec<&'static ModelVariable> = Vec::new();
    for column in columns {
        let variable = lookup(column.trim())?;
        if out.iter().any(|v| v.column == variable.column) {
            anyhow::bail!("variable `{}` is listed twice", variable.column);
        }
        out.push(variable);
    }
    Ok(out)
}

impl ModelVariable {
    /// The raw value of this variable in a baseline, if recorded.
    pub fn value(&self, baseline: &Baseline) -> Option<Value> {
        (self.read)(baseline)
    }

    /// The value as it enters a model: a number for non-factors, a level for
    /// factors.
    fn encoded(&self, value: &Value) -> Value {
        match (self.encoding, value) {
            (Encoding::AtLeast(threshold), Value::Number(v)) => {
                Value::Number(if *v >= threshold { 1.0 } else { 0.0 })
            }
            _ => value.clone(),
        }
    }
}

/// Explain why a patient cannot be scored: each variable in `missing` is
/// either not recorded or recorded with a level the model was not fitted on.
pub fn missing_reason(
    variables: &[&ModelVariable],
    baseline: &Baseline,
    levels: &FactorLevels,
    missing: &[String],
) -> String {
    let mut parts = Vec::new();
    for column in missing {
        let variable = variables.iter().find(|v| v.column == column.as_str());
        match variable.and_then(|v| v.value(baseline)) {
            Some(Value::Level(level)) => parts.push(format!(
                "{column} is {level}, a level the model was not fitted on (it knows {}), so \
                 this model cannot score the patient",
                levels
                    .get(column.as_str())
                    .map(|l| l.join(", "))
                    .unwrap_or_default()
            )),
            _ => parts.push(format!(
                "{column} is not recorded; enter it to get a prediction"
            )),
        }
    }
    parts.join("; ")
}

/// Factor levels of each factor variable, the first being the reference,
/// fixed when a model is fitted so that new patients are coded the same way.
pub type FactorLevels = BTreeMap<String, Vec<String>>;

/// A design matrix over the complete cases of a variable list.
#[derive(Debug, Clone)]
pub struct Encoded {
    pub design: Design,
    /// Positions (in the input slice) of the patients used.
    pub rows: Vec<usize>,
    /// For each variable, how many patients had it missing.
    pub missing: BTreeMap<String, usize>,
    /// Number of patients left out because at least one variable was missing.
    pub excluded: usize,
    pub levels: FactorLevels,
}

/// Levels of each factor variable among the given baselines, in natural
/// order (BCLC 0, A, B, C, D; ALBI 1, 2, 3).
pub fn levels_of(variables: &[&ModelVariable], baselines: &[&Baseline]) -> FactorLevels {
    let mut levels = FactorLevels::new();
    for variable in variables.iter().filter(|v| v.encoding == Encoding::Factor) {
        let mut present: Vec<String> = baselines
            .iter()
            .filter_map(|b| match variable.value(b) {
                Some(Value::Level(level)) => Some(level),
                _ => None,
            })
            .collect();
        present.sort();
        present.dedup();
        levels.insert(variable.column.to_string(), present);
    }
    levels
}

/// Build the design matrix of `variables` over the complete cases among
/// `baselines`. With `levels` given (from a fitted model), factors are coded
/// with those levels and a patient whose level is not among them is counted
/// as missing that variable; without, the levels present are used.
pub fn encode(
    variables: &[&ModelVariable],
    baselines: &[&Baseline],
    levels: Option<&FactorLevels>,
) -> Encoded {
    let levels = levels
        .cloned()
        .unwrap_or_else(|| levels_of(variables, baselines));
    let mut missing: BTreeMap<String, usize> = variables
        .iter()
        .map(|v| (v.column.to_string(), 0))
        .collect();
    let mut rows = Vec::new();
    let mut values: Vec<Vec<Value>> = Vec::new();
    for (index, baseline) in baselines.iter().enumerate() {
        let mut row = Vec::with_capacity(variables.len());
        let mut complete = true;
        for variable in variables {
            let value = variable.value(baseline).filter(|v| match v {
                Value::Level(level) => levels
                    .get(variable.column)
                    .is_some_and(|known| known.contains(level)),
                Value::Number(_) => true,
            });
            match value {
                Some(v) => row.push(variable.encoded(&v)),
                None => {
                    *missing.entry(variable.column.to_string()).or_default() += 1;
                    complete = false;
                }
            }
        }
        if complete {
            rows.push(index);
            values.push(row);
        }
    }
    let design = build_design(variables, &values, &levels);
    Encoded {
        design,
        excluded: baselines.len() - rows.len(),
        rows,
        missing,
        levels,
    }
}

/// Lay encoded values out as design columns: one per non-factor variable,
/// one per non-reference level of a factor.
fn build_design(
    variables: &[&ModelVariable],
    values: &[Vec<Value>],
    levels: &FactorLevels,
) -> Design {
    let mut names = Vec::new();
    let mut terms = Vec::new();
    let mut columns: Vec<Vec<f64>> = Vec::new();
    for (j, variable) in variables.iter().enumerate() {
        if variable.encoding == Encoding::Factor {
            let known = levels.get(variable.column).cloned().unwrap_or_default();
            for level in known.iter().skip(1) {
                names.push(format!("{}={level}", variable.column));
                terms.push(variable.column.to_string());
                columns.push(
                    values
                        .iter()
                        .map(|row| f64::from(u8::from(row[j] == Value::Level(level.clone()))))
                        .collect(),
                );
            }
        } else {
            names.push(variable.column.to_string());
            terms.push(variable.column.to_string());
            columns.push(
                values
                    .iter()
                    .map(|row| match row[j] {
                        Value::Number(v) => v,
                        Value::Level(_) => f64::NAN,
                    })
                    .collect(),
            );
        }
    }
    let x = DMatrix::from_fn(values.len(), columns.len(), |i, j| columns[j][i]);
    Design { names, terms, x }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Bclc;

    fn baseline(hsp: Option<f64>, bclc: Option<Bclc>, size: Option<f64>) -> Baseline {
        Baseline {
            hsp90a_ng_ml: hsp,
            bclc,
            tumor_size_cm: size,
            afp_ng_ml: Some(500.0),
            ..Default::default()
        }
    }

    #[test]
    fn encode_counts_missing_per_variable() {
        let rows = [
            baseline(Some(100.0), Some(Bclc::A), Some(3.0)),
            baseline(None, Some(Bclc::C), Some(4.0)),
            baseline(Some(200.0), None, None),
            baseline(Some(300.0), Some(Bclc::C), Some(8.0)),
        ];
        let refs: Vec<&Baseline> = rows.iter().collect();
        let vars =
            lookup_all(&["hsp90a_ng_ml".into(), "bclc".into(), "tumor_size_cm".into()]).unwrap();
        let enc = encode(&vars, &refs, None);
        assert_eq!(enc.rows, vec![0, 3]);
        assert_eq!(enc.excluded, 2);
        assert_eq!(enc.missing["hsp90a_ng_ml"], 1);
        assert_eq!(enc.missing["bclc"], 1);
        assert_eq!(enc.missing["tumor_size_cm"], 1);
        assert_eq!(
            enc.design.names,
            vec!["hsp90a_ng_ml", "bclc=C", "tumor_size_cm"]
        );
        assert_eq!(enc.design.x[(1, 1)], 1.0);
        assert_eq!(enc.design.x[(0, 1)], 0.0);
    }

    #[test]
    fn thresholds_and_unknown_levels() {
        let vars = lookup_all(&["afp_ng_ml".into(), "bclc".into()]).unwrap();
        let rows = [baseline(None, Some(Bclc::D), None)];
        let refs: Vec<&Baseline> = rows.iter().collect();
        let mut levels = FactorLevels::new();
        levels.insert("bclc".into(), vec!["A".into(), "B".into(), "C".into()]);
        let enc = encode(&vars, &refs, Some(&levels));
        assert!(enc.rows.is_empty(), "a level unseen in training is missing");
        assert_eq!(enc.missing["bclc"], 1);

        let rows = [baseline(None, Some(Bclc::B), None)];
        let refs: Vec<&Baseline> = rows.iter().collect();
        let enc = encode(&vars, &refs, Some(&levels));
        assert_eq!(enc.design.x[(0, 0)], 1.0, "AFP 500 is at or above 400");
        assert_eq!(enc.design.names, vec!["afp_ng_ml", "bclc=B", "bclc=C"]);
    }

    #[test]
    fn lookup_rejects_unknown_and_duplicates() {
        assert!(lookup("hsp90").is_err());
        assert!(lookup_all(&["bclc".into(), "bclc".into()]).is_err());
    }
}
