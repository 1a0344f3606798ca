//! Cut-offs that turn raw baseline values into the categories the models and
//! the baseline tables use. They are those of Su et al., "Integrating AI with
//! HSP90α to predict TACE benefit and survival in unresectable hepatocellular
//! carcinoma", npj Digital Medicine 2025 (doi 10.1038/s41746-025-02281-y),
//! Table 1, and this is the only place they are written down.
//!
//! A value at or above a threshold is in the "high" category.

/// HSP90α at or above this is "high", ng/mL.
pub const HSP90A_HIGH_NG_ML: f64 = 143.5;
/// AFP at or above this is "high", ng/mL.
pub const AFP_HIGH_NG_ML: f64 = 400.0;
/// ALP at or above this is "high", U/L.
pub const ALP_HIGH_U_L: f64 = 125.0;
/// Platelets at or above this are "normal", 10⁹/L.
pub const PLATELETS_HIGH_1E9_L: f64 = 100.0;
/// ALT at or above this is "high", U/L.
pub const ALT_HIGH_U_L: f64 = 40.0;
/// Leukocytes at or above this are "normal", 10⁹/L.
pub const LEUKOCYTES_HIGH_1E9_L: f64 = 4.0;
/// Age at or above this is "older", years.
pub const AGE_OLDER_YEARS: u32 = 65;
/// Tumour number at or above this is "multiple".
pub const TUMOR_NUMBER_MULTIPLE: u32 = 2;
/// Upper edges of the largest-tumour-size bins `< 3`, `3–5`, `5–10`, `≥ 10`, cm.
pub const TUMOR_SIZE_BIN_EDGES_CM: [f64; 3] = [3.0, 5.0, 10.0];

/// ALBI score = 0.66·log10(bilirubin µmol/L) − 0.085·albumin g/L
/// (Johnson et al., J Clin Oncol 2015).
pub const ALBI_LOG10_BILIRUBIN_WEIGHT: f64 = 0.66;
/// Weight of albumin in g/L in the ALBI score.
pub const ALBI_ALBUMIN_WEIGHT: f64 = -0.085;
/// ALBI score at or below this is grade 1.
pub const ALBI_GRADE1_MAX: f64 = -2.60;
/// ALBI score at or below this (and above grade 1) is grade 2; above is 3.
pub const ALBI_GRADE2_MAX: f64 = -1.39;

/// Days per month used to express overall survival in months (365.25 / 12).
pub const DAYS_PER_MONTH: f64 = 30.4375;
