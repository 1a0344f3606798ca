//! The records the registry stores: one [`PatientRecord`] per patient with
//! its [`Baseline`], and any number of [`FollowUp`] contacts.
//!
//! Raw measurements are kept with their units; categories (HSP90α high or
//! low, tumour size bins and so on) are derived at read time by
//! [`crate::domain::derived`], so that a cut-off can change without
//! rewriting data. Every baseline value is optional: a missing value is
//! stored as missing and never guessed.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Sex as recorded at baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Male,
    Female,
}

/// Whether the patient was treated with transarterial chemoembolization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Treatment {
    Tace,
    None,
}

/// Child–Pugh class. Class C is outside the registry's inclusion criteria and
/// is rejected at entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ChildPugh {
    A,
    B,
}

/// Barcelona Clinic Liver Cancer stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Bclc {
    #[serde(rename = "0")]
    Zero,
    A,
    B,
    C,
    D,
}

/// Vital status at a follow-up contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VitalStatus {
    /// Seen or heard from alive on the contact date.
    Alive,
    /// Died on the contact date.
    Dead,
    /// Lost to follow-up; last known alive on the contact date.
    Lost,
}

/// Baseline work-up at treatment start. Units are in the field names.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    pub sex: Option<Sex>,
    /// Age at treatment start, whole years.
    pub age_years: Option<u32>,
    /// Serum heat shock protein 90α, ng/mL.
    pub hsp90a_ng_ml: Option<f64>,
    pub hbv: Option<bool>,
    pub diabetes: Option<bool>,
    pub hypertension: Option<bool>,
    pub child_pugh: Option<ChildPugh>,
    /// Serum albumin, g/L.
    pub albumin_g_l: Option<f64>,
    /// Total bilirubin, µmol/L.
    pub bilirubin_umol_l: Option<f64>,
    /// ALBI grade entered directly; used only when albumin or bilirubin is
    /// missing (see [`crate::domain::derived::albi_grade`]).
    pub albi_grade: Option<u8>,
    /// Alpha-fetoprotein, ng/mL.
    pub afp_ng_ml: Option<f64>,
    /// Alkaline phosphatase, U/L.
    pub alp_u_l: Option<f64>,
    /// Platelet count, 10⁹/L.
    pub platelets_1e9_l: Option<f64>,
    /// Alanine aminotransferase, U/L.
    pub alt_u_l: Option<f64>,
    /// Leukocyte count, 10⁹/L.
    pub leukocytes_1e9_l: Option<f64>,
    pub bclc: Option<Bclc>,
    /// Number of lesions.
    pub tumor_number: Option<u32>,
    /// Diameter of the largest lesion, cm.
    pub tumor_size_cm: Option<f64>,
    /// Portal vein tumour thrombus.
    pub pvtt: Option<bool>,
    /// Regional lymph node involvement (N).
    pub lymph_nodes: Option<bool>,
    /// Distant metastasis (M).
    pub metastasis: Option<bool>,
}

/// A patient as entered: identity, centre, treatment and baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatientRecord {
    /// The only identifier shown anywhere; unique in the registry.
    pub study_id: String,
    /// Centre code.
    pub center: String,
    /// Whether the centre's patients form the external validation set.
    pub center_external: bool,
    pub treatment: Treatment,
    /// Time zero for overall survival.
    pub treatment_start: NaiveDate,
    pub baseline: Baseline,
}

/// One follow-up contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUp {
    pub study_id: String,
    pub contact_date: NaiveDate,
    pub status: VitalStatus,
    /// Repeat HSP90α at the contact, ng/mL.
    pub hsp90a_ng_ml: Option<f64>,
    /// Repeat AFP at the contact, ng/mL.
    pub afp_ng_ml: Option<f64>,
    pub note: Option<String>,
}

/// A text value that is not one of an enumeration's spellings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseEnumError {
    pub value: String,
    pub expected: &'static str,
}

impl fmt::Display for ParseEnumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not one of {}", self.value, self.expected)
    }
}

impl std::error::Error for ParseEnumError {}

/// Spell out `FromStr`, `Display` and `as_str` for a fieldless enum from one
/// table of (variant, canonical text, accepted aliases).
macro_rules! text_enum {
    ($ty:ty, $expected:literal, [$(($variant:expr, $text:literal $(, $alias:literal)*)),+ $(,)?]) => {
        impl $ty {
            /// The canonical spelling used in CSV files and the database.
            pub fn as_str(self) -> &'static str {
                $(if self == $variant { return $text; })+
                unreachable!()
            }
        }

        impl FromStr for $ty {
            type Err = ParseEnumError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let lower = s.trim().to_ascii_lowercase();
                $(
                    if lower == $text.to_ascii_lowercase() $(|| lower == $alias)* {
                        return Ok($variant);
                    }
                )+
                Err(ParseEnumError { value: s.to_string(), expected: $expected })
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(
    Sex,
    "male, female",
    [(Sex::Male, "male", "m"), (Sex::Female, "female", "f")]
);
text_enum!(
    Treatment,
    "tace, none",
    [(Treatment::Tace, "tace"), (Treatment::None, "none")]
);
text_enum!(
    ChildPugh,
    "A, B",
    [(ChildPugh::A, "A"), (ChildPugh::B, "B")]
);
text_enum!(
    Bclc,
    "0, A, B, C, D",
    [
        (Bclc::Zero, "0"),
        (Bclc::A, "A"),
        (Bclc::B, "B"),
        (Bclc::C, "C"),
        (Bclc::D, "D")
    ]
);
text_enum!(
    VitalStatus,
    "alive, dead, lost",
    [
        (VitalStatus::Alive, "alive"),
        (VitalStatus::Dead, "dead"),
        (VitalStatus::Lost, "lost")
    ]
);

impl Bclc {
    /// Ordinal code 0–4 (0, A, B, C, D), as the models use the stage.
    pub fn ordinal(self) -> u8 {
        match self {
            Bclc::Zero => 0,
            Bclc::A => 1,
            Bclc::B => 2,
            Bclc::C => 3,
            Bclc::D => 4,
        }
    }
}

/// Parse a yes/no field: `yes`/`no`, `1`/`0` or `true`/`false`, any case.
pub fn parse_yes_no(s: &str) -> Result<bool, ParseEnumError> {
    match s.trim().to_ascii_lowercase().as_str() {
        "yes" | "1" | "true" | "y" => Ok(true),
        "no" | "0" | "false" | "n" => Ok(false),
        _ => Err(ParseEnumError {
            value: s.to_string(),
            expected: "yes, no",
        }),
    }
}

/// The canonical spelling of a yes/no value.
pub fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip() {
        for b in [Bclc::Zero, Bclc::A, Bclc::B, Bclc::C, Bclc::D] {
            assert_eq!(b.as_str().parse::<Bclc>(), Ok(b));
        }
        assert_eq!("M".parse::<Sex>(), Ok(Sex::Male));
        assert_eq!("TACE".parse::<Treatment>(), Ok(Treatment::Tace));
        assert!("C".parse::<ChildPugh>().is_err());
    }

    #[test]
    fn yes_no_spellings() {
        assert_eq!(parse_yes_no("TRUE"), Ok(true));
        assert_eq!(parse_yes_no("0"), Ok(false));
        assert!(parse_yes_no("maybe").is_err());
    }
}
