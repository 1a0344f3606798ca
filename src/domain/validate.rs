//! Validation of patient and follow-up input: turning text cells into typed
//! values, and checking typed records against the registry's rules.
//!
//! [`BASELINE_VARIABLES`] is the one table of baseline variables with their
//! CSV column, unit, hard range and soft range. A value outside the hard
//! range is rejected, so an age under 18 years, a lesion count of 0 or a
//! largest size of 0 cm never enters the registry. A value outside the soft
//! range is accepted only when the caller confirms it. The consistency
//! rules are:
//!
//! - Child–Pugh class C is outside the inclusion criteria and is rejected;
//! - an ALBI grade entered next to albumin and bilirubin must equal the grade
//!   computed from them;
//! - PVTT or distant metastasis (M) implies BCLC stage C or D;
//! - no date lies in the future;
//! - follow-up contacts are not before the treatment start, and a contact on
//!   the treatment start date (zero follow-up time) needs confirmation;
//! - a patient has at most one death and no contact after it.
//!
//! Only study id, centre, treatment and treatment start are required; every
//! other value may be missing and stays missing. Every problem is a
//! [`ValidationError`] carrying the CSV column, the value, the reason and
//! what to do about it.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;

use super::derived::{albi_grade_of_score, albi_score};
use super::patient::{
    Baseline, Bclc, ChildPugh, FollowUp, ParseEnumError, PatientRecord, VitalStatus, parse_yes_no,
};

/// Maximum length of a study id or centre code, in characters.
pub const MAX_IDENTIFIER_CHARS: usize = 64;

/// Maximum length of a follow-up note, in characters.
pub const MAX_NOTE_CHARS: usize = 4000;

/// A closed interval `[min, max]` of accepted values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub min: f64,
    pub max: f64,
}

impl Interval {
    /// Returns whether `value` lies in the interval, bounds included.
    pub fn contains(self, value: f64) -> bool {
        self.min <= value && value <= self.max
    }
}

const fn interval(min: f64, max: f64) -> Interval {
    Interval { min, max }
}

/// The kind of value a baseline variable holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueKind {
    /// A measured quantity or count with its unit, hard range and optional
    /// soft range.
    Quantity {
        unit: &'static str,
        integer: bool,
        hard: Interval,
        soft: Option<Interval>,
    },
    /// `yes`/`no` (also `1`/`0`, `true`/`false`).
    YesNo,
    /// One of a fixed list of spellings.
    Choice { expected: &'static str },
}

/// A baseline variable: its CSV column, a label for people, and its kind.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Variable {
    pub column: &'static str,
    pub label: &'static str,
    pub kind: ValueKind,
}

const fn quantity(
    column: &'static str,
    label: &'static str,
    unit: &'static str,
    hard: Interval,
    soft: Option<Interval>,
) -> Variable {
    Variable {
        column,
        label,
        kind: ValueKind::Quantity {
            unit,
            integer: false,
            hard,
            soft,
        },
    }
}

const fn count(
    column: &'static str,
    label: &'static str,
    unit: &'static str,
    hard: Interval,
    soft: Option<Interval>,
) -> Variable {
    Variable {
        column,
        label,
        kind: ValueKind::Quantity {
            unit,
            integer: true,
            hard,
            soft,
        },
    }
}

const fn yes_no(column: &'static str, label: &'static str) -> Variable {
    Variable {
        column,
        label,
        kind: ValueKind::YesNo,
    }
}

const fn choice(column: &'static str, label: &'static str, expected: &'static str) -> Variable {
    Variable {
        column,
        label,
        kind: ValueKind::Choice { expected },
    }
}

/// Every baseline variable in CSV column order, with units and ranges.
pub const BASELINE_VARIABLES: [Variable; 21] = [
    choice("sex", "sex", "male, female"),
    count(
        "age_years",
        "age",
        "years",
        interval(18.0, 110.0),
        Some(interval(20.0, 95.0)),
    ),
    quantity(
        "hsp90a_ng_ml",
        "HSP90α",
        "ng/mL",
        interval(0.0, 10_000.0),
        Some(interval(5.0, 1500.0)),
    ),
    yes_no("hbv", "HBV infection"),
    yes_no("diabetes", "diabetes mellitus"),
    yes_no("hypertension", "hypertension"),
    choice("child_pugh", "Child–Pugh class", "A, B"),
    quantity(
        "albumin_g_l",
        "albumin",
        "g/L",
        interval(5.0, 70.0),
        Some(interval(20.0, 55.0)),
    ),
    quantity(
        "bilirubin_umol_l",
        "total bilirubin",
        "µmol/L",
        interval(1.0, 1000.0),
        Some(interval(3.0, 300.0)),
    ),
    choice("albi_grade", "ALBI grade", "1, 2, 3"),
    quantity(
        "afp_ng_ml",
        "AFP",
        "ng/mL",
        interval(0.0, 10_000_000.0),
        Some(interval(0.0, 200_000.0)),
    ),
    quantity(
        "alp_u_l",
        "ALP",
        "U/L",
        interval(1.0, 5000.0),
        Some(interval(20.0, 1500.0)),
    ),
    quantity(
        "platelets_1e9_l",
        "platelets",
        "10⁹/L",
        interval(1.0, 2000.0),
        Some(interval(20.0, 800.0)),
    ),
    quantity(
        "alt_u_l",
        "ALT",
        "U/L",
        interval(1.0, 10_000.0),
        Some(interval(5.0, 1000.0)),
    ),
    quantity(
        "leukocytes_1e9_l",
        "leukocytes",
        "10⁹/L",
        interval(0.1, 200.0),
        Some(interval(1.0, 30.0)),
    ),
    choice("bclc", "BCLC stage", "0, A, B, C, D"),
    count(
        "tumor_number",
        "tumour number",
        "lesions",
        interval(1.0, 50.0),
        None,
    ),
    quantity(
        "tumor_size_cm",
        "largest tumour size",
        "cm",
        interval(0.1, 40.0),
        Some(interval(0.5, 25.0)),
    ),
    yes_no("pvtt", "PVTT"),
    yes_no("lymph_nodes", "regional lymph nodes (N)"),
    yes_no("metastasis", "distant metastasis (M)"),
];

/// Looks up the baseline variable stored in `column`.
pub fn variable(column: &str) -> Option<&'static Variable> {
    BASELINE_VARIABLES.iter().find(|v| v.column == column)
}

/// Reason a value was not accepted.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// A required value is empty.
    Required,
    /// Text where a number was expected, or a non-finite number.
    NotANumber,
    /// A fractional number where a whole number was expected.
    NotAnInteger,
    /// Not a valid `YYYY-MM-DD` date.
    BadDate,
    /// Not one of the accepted spellings.
    UnknownValue { expected: &'static str },
    /// A study id or centre code that is too long or has control characters
    /// or surrounding spaces.
    BadIdentifier,
    /// Text longer than the limit, in characters.
    TooLong { max_chars: usize },
    /// Outside the hard range: rejected.
    OutOfRange { range: Interval, unit: &'static str },
    /// Outside the soft range: accepted only when confirmed.
    OutsideUsualRange { range: Interval, unit: &'static str },
    /// Child–Pugh class C, outside the inclusion criteria.
    ChildPughC,
    /// An ALBI grade that differs from the one albumin and bilirubin give.
    AlbiInconsistent { computed: u8 },
    /// BCLC stage 0, A or B together with a finding that implies stage C.
    StageTooEarly { finding: &'static str },
    /// A date after today.
    FutureDate { today: NaiveDate },
    /// A follow-up contact before the treatment start.
    BeforeTreatmentStart { start: NaiveDate },
    /// A follow-up contact on the treatment start date: zero follow-up time,
    /// accepted only when confirmed.
    OnTreatmentStart,
    /// A second death for the same patient.
    SecondDeath { death: NaiveDate },
    /// A contact after the patient's death.
    AfterDeath { death: NaiveDate },
    /// A death dated before a contact that is already recorded.
    DeathBeforeContact { contact: NaiveDate },
    /// A changed treatment start after a recorded follow-up contact.
    StartAfterContact { contact: NaiveDate },
    /// A CSV row whose number of cells differs from the header's.
    CellCount { found: usize, expected: usize },
    /// A study id used by another row of the same file.
    DuplicateInFile { other_lines: Vec<u64> },
    /// A study id that is already in the registry.
    AlreadyInRegistry,
    /// A follow-up for a study id that is neither in the file nor in the
    /// registry.
    UnknownPatient,
    /// A follow-up of a patient whose own row was rejected.
    PatientRejected,
    /// A follow-up or edit for a patient who withdrew consent.
    PatientWithdrawn,
    /// A centre's external-validation flag that differs from the one already
    /// given for that centre.
    CenterFlagConflict { center: String, stored: bool },
}

impl Reason {
    /// Returns whether the value is plausible but unusual, so that it is
    /// accepted when the caller confirms it.
    pub fn needs_confirmation(&self) -> bool {
        matches!(
            self,
            Reason::OutsideUsualRange { .. } | Reason::OnTreatmentStart
        )
    }

    /// Describes what the person entering the data should do about it.
    pub fn fix(&self) -> String {
        match self {
            Reason::Required => "fill it in, because the registry requires it".into(),
            Reason::NotANumber => {
                "write a number with a dot as decimal separator, or leave the cell empty".into()
            }
            Reason::NotAnInteger => "write a whole number, or leave the cell empty".into(),
            Reason::BadDate => "write the date as YYYY-MM-DD".into(),
            Reason::UnknownValue { expected } => {
                format!("use one of {expected}, or leave the cell empty")
            }
            Reason::BadIdentifier => format!(
                "use at most {MAX_IDENTIFIER_CHARS} characters without control characters \
                 or leading and trailing spaces"
            ),
            Reason::TooLong { max_chars } => format!("shorten it to {max_chars} characters"),
            Reason::OutOfRange { unit, .. } => {
                format!("correct the value (in {unit}), or leave the cell empty if it is unknown")
            }
            Reason::OutsideUsualRange { .. } | Reason::OnTreatmentStart => {
                "check the value and confirm it if it is right".into()
            }
            Reason::ChildPughC => {
                "do not enter this patient, because the registry includes Child–Pugh A and B only"
                    .into()
            }
            Reason::AlbiInconsistent { .. } => {
                "leave albi_grade empty when albumin and bilirubin are given, or correct them"
                    .into()
            }
            Reason::StageTooEarly { .. } => {
                "correct the BCLC stage or the PVTT and metastasis findings".into()
            }
            Reason::FutureDate { .. } => "correct the date".into(),
            Reason::BeforeTreatmentStart { .. } => {
                "correct the contact date or the treatment start".into()
            }
            Reason::SecondDeath { .. } => "keep one death per patient".into(),
            Reason::AfterDeath { .. } | Reason::DeathBeforeContact { .. } => {
                "correct the contact date or the date of death".into()
            }
            Reason::StartAfterContact { .. } => {
                "correct the treatment start or the contact date".into()
            }
            Reason::CellCount { .. } => "give the row one cell per header column".into(),
            Reason::DuplicateInFile { .. } => {
                "keep one row per patient and correct the other study ids".into()
            }
            Reason::AlreadyInRegistry => {
                "remove the row, or edit the patient already in the registry".into()
            }
            Reason::UnknownPatient => {
                "add the patient to the patients file, or correct the study id".into()
            }
            Reason::PatientRejected => "fix the patient's row and import both again".into(),
            Reason::PatientWithdrawn => "do not add data for a patient who withdrew consent".into(),
            Reason::CenterFlagConflict { .. } => {
                "give every row of a centre the same center_external value".into()
            }
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Required => write!(f, "is missing"),
            Reason::NotANumber => write!(f, "is not a number"),
            Reason::NotAnInteger => write!(f, "is not a whole number"),
            Reason::BadDate => write!(f, "is not a valid date in YYYY-MM-DD form"),
            Reason::UnknownValue { expected } => write!(f, "is not one of {expected}"),
            Reason::BadIdentifier => write!(f, "is not a valid identifier"),
            Reason::TooLong { max_chars } => write!(f, "is longer than {max_chars} characters"),
            Reason::OutOfRange { range, unit } => {
                write!(
                    f,
                    "is outside the allowed range {} to {} {unit}",
                    range.min, range.max
                )
            }
            Reason::OutsideUsualRange { range, unit } => {
                write!(
                    f,
                    "is outside the usual range {} to {} {unit}",
                    range.min, range.max
                )
            }
            Reason::ChildPughC => write!(f, "is outside the inclusion criteria"),
            Reason::AlbiInconsistent { computed } => {
                write!(
                    f,
                    "differs from grade {computed} computed from albumin and bilirubin"
                )
            }
            Reason::StageTooEarly { finding } => {
                write!(f, "is too early for {finding}, which implies stage C or D")
            }
            Reason::FutureDate { today } => write!(f, "is in the future (today is {today})"),
            Reason::BeforeTreatmentStart { start } => {
                write!(f, "is before the treatment start {start}")
            }
            Reason::OnTreatmentStart => {
                write!(
                    f,
                    "is the treatment start date, which gives zero follow-up time"
                )
            }
            Reason::SecondDeath { death } => {
                write!(f, "is a second death (the patient died on {death})")
            }
            Reason::AfterDeath { death } => write!(f, "is after the death on {death}"),
            Reason::DeathBeforeContact { contact } => {
                write!(f, "is a death before the recorded contact on {contact}")
            }
            Reason::StartAfterContact { contact } => {
                write!(f, "is after the recorded contact on {contact}")
            }
            Reason::CellCount { found, expected } => {
                write!(f, "has {found} cells where the header has {expected}")
            }
            Reason::DuplicateInFile { other_lines } => {
                let lines: Vec<String> = other_lines.iter().map(u64::to_string).collect();
                write!(f, "is also used on line {}", lines.join(", "))
            }
            Reason::AlreadyInRegistry => write!(f, "is already in the registry"),
            Reason::UnknownPatient => write!(f, "is not a patient of this file or the registry"),
            Reason::PatientRejected => write!(f, "belongs to a patient whose row was rejected"),
            Reason::PatientWithdrawn => write!(f, "belongs to a patient who withdrew consent"),
            Reason::CenterFlagConflict { center, stored } => write!(
                f,
                "conflicts with centre {center}, which is already marked {}",
                if *stored { "yes" } else { "no" }
            ),
        }
    }
}

/// One value that was not accepted: the CSV column (or `row` for a whole
/// CSV row), the value as given, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationError {
    pub field: &'static str,
    pub value: String,
    pub reason: Reason,
}

impl ValidationError {
    /// Creates a validation error for `field` containing `value`.
    pub fn new(field: &'static str, value: impl Into<String>, reason: Reason) -> Self {
        Self {
            field,
            value: value.into(),
            reason,
        }
    }

    /// Returns whether the value is plausible but unusual and may be
    /// confirmed.
    pub fn needs_confirmation(&self) -> bool {
        self.reason.needs_confirmation()
    }

    /// Returns whether this error stops the value from being stored: always
    /// for a rule violation, and for an unusual value unless confirmed.
    pub fn blocks(&self, confirmed: bool) -> bool {
        !self.needs_confirmation() || !confirmed
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.value.is_empty() {
            write!(f, "{} {}", self.field, self.reason)?;
        } else {
            write!(f, "{} `{}` {}", self.field, self.value, self.reason)?;
        }
        write!(f, ", so {}.", self.reason.fix())
    }
}

impl std::error::Error for ValidationError {}

/// Returns whether any of `errors` stops the record from being stored,
/// given whether unusual values were confirmed.
pub fn any_blocking(errors: &[ValidationError], confirmed: bool) -> bool {
    errors.iter().any(|e| e.blocks(confirmed))
}

// ---------------------------------------------------------------------------
// Text cells to typed values. An empty cell (after trimming) is `Ok(None)`.

fn non_empty(text: &str) -> Option<&str> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then_some(trimmed)
}

/// Parse a required identifier (study id, centre code).
///
/// # Errors
///
/// [`Reason::Required`] when empty; [`Reason::BadIdentifier`] when longer
/// than [`MAX_IDENTIFIER_CHARS`] or holding control characters.
pub fn parse_identifier(field: &'static str, text: &str) -> Result<String, ValidationError> {
    let value = non_empty(text).ok_or_else(|| ValidationError::new(field, "", Reason::Required))?;
    check_identifier(field, value).map_or(Ok(value.to_string()), Err)
}

/// Parse a decimal number; integers and exponents are accepted, a decimal
/// comma is not.
///
/// # Errors
///
/// [`Reason::NotANumber`] for text that is not a finite number.
pub fn parse_number(field: &'static str, text: &str) -> Result<Option<f64>, ValidationError> {
    let Some(value) = non_empty(text) else {
        return Ok(None);
    };
    match value.parse::<f64>() {
        Ok(number) if number.is_finite() => Ok(Some(number)),
        _ => Err(ValidationError::new(field, value, Reason::NotANumber)),
    }
}

/// Parse a whole number of a count variable (`age_years`, `tumor_number`).
/// `52.0` is read as 52; a negative value is out of the variable's range.
///
/// # Errors
///
/// [`Reason::NotANumber`], [`Reason::NotAnInteger`], or
/// [`Reason::OutOfRange`] for a value that does not fit a `u32`.
pub fn parse_count(field: &'static str, text: &str) -> Result<Option<u32>, ValidationError> {
    let Some(number) = parse_number(field, text)? else {
        return Ok(None);
    };
    let value = text.trim();
    if number.fract() != 0.0 {
        return Err(ValidationError::new(field, value, Reason::NotAnInteger));
    }
    if number < 0.0 || number > f64::from(u32::MAX) {
        let reason = match variable(field).map(|v| v.kind) {
            Some(ValueKind::Quantity { unit, hard, .. }) => {
                Reason::OutOfRange { range: hard, unit }
            }
            _ => Reason::NotANumber,
        };
        return Err(ValidationError::new(field, value, reason));
    }
    Ok(Some(number as u32))
}

/// Parse a yes/no cell: `yes`/`no`, `1`/`0`, `true`/`false`, any case.
///
/// # Errors
///
/// [`Reason::UnknownValue`] for any other text.
pub fn parse_yes_no_cell(field: &'static str, text: &str) -> Result<Option<bool>, ValidationError> {
    let Some(value) = non_empty(text) else {
        return Ok(None);
    };
    parse_yes_no(value).map(Some).map_err(|e| unknown(field, e))
}

/// Parse a cell holding one of an enumeration's spellings.
///
/// # Errors
///
/// [`Reason::UnknownValue`] naming the accepted spellings.
pub fn parse_choice<T>(field: &'static str, text: &str) -> Result<Option<T>, ValidationError>
where
    T: FromStr<Err = ParseEnumError>,
{
    let Some(value) = non_empty(text) else {
        return Ok(None);
    };
    value.parse::<T>().map(Some).map_err(|e| unknown(field, e))
}

fn unknown(field: &'static str, error: ParseEnumError) -> ValidationError {
    ValidationError::new(
        field,
        error.value,
        Reason::UnknownValue {
            expected: error.expected,
        },
    )
}

/// Parse a Child–Pugh class.
///
/// # Errors
///
/// [`Reason::ChildPughC`] for class C; [`Reason::UnknownValue`] for any
/// other text but A or B.
pub fn parse_child_pugh(text: &str) -> Result<Option<ChildPugh>, ValidationError> {
    const FIELD: &str = "child_pugh";
    match non_empty(text) {
        Some(value) if value.eq_ignore_ascii_case("c") => {
            Err(ValidationError::new(FIELD, value, Reason::ChildPughC))
        }
        _ => parse_choice(FIELD, text),
    }
}

/// Parse an ALBI grade entered directly.
///
/// # Errors
///
/// [`Reason::UnknownValue`] for anything but 1, 2 or 3.
pub fn parse_albi_grade(text: &str) -> Result<Option<u8>, ValidationError> {
    const FIELD: &str = "albi_grade";
    let Some(value) = non_empty(text) else {
        return Ok(None);
    };
    match value {
        "1" => Ok(Some(1)),
        "2" => Ok(Some(2)),
        "3" => Ok(Some(3)),
        _ => Err(ValidationError::new(
            FIELD,
            value,
            Reason::UnknownValue {
                expected: "1, 2, 3",
            },
        )),
    }
}

/// Parse an ISO date `YYYY-MM-DD` (four-digit year, two-digit month and
/// day).
///
/// # Errors
///
/// [`Reason::BadDate`] for any other form or a day that does not exist.
pub fn parse_date(field: &'static str, text: &str) -> Result<Option<NaiveDate>, ValidationError> {
    let Some(value) = non_empty(text) else {
        return Ok(None);
    };
    let bytes = value.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    let date = shape_ok
        .then(|| NaiveDate::parse_from_str(value, "%Y-%m-%d").ok())
        .flatten();
    date.map(Some)
        .ok_or_else(|| ValidationError::new(field, value, Reason::BadDate))
}

/// Parse a required date.
///
/// # Errors
///
/// [`Reason::Required`] when empty, otherwise as [`parse_date`].
pub fn parse_required_date(field: &'static str, text: &str) -> Result<NaiveDate, ValidationError> {
    parse_date(field, text)?.ok_or_else(|| ValidationError::new(field, "", Reason::Required))
}

// ---------------------------------------------------------------------------
// Typed records against the rules.

fn check_identifier(field: &'static str, value: &str) -> Option<ValidationError> {
    if value.is_empty() {
        return Some(ValidationError::new(field, "", Reason::Required));
    }
    let bad = value.chars().count() > MAX_IDENTIFIER_CHARS
        || value.chars().any(char::is_control)
        || value.trim() != value;
    bad.then(|| ValidationError::new(field, value, Reason::BadIdentifier))
}

fn check_not_future(
    field: &'static str,
    date: NaiveDate,
    today: NaiveDate,
) -> Option<ValidationError> {
    (date > today)
        .then(|| ValidationError::new(field, date.to_string(), Reason::FutureDate { today }))
}

/// Check one quantity against its variable's hard and soft ranges.
fn check_quantity(column: &'static str, value: f64) -> Option<ValidationError> {
    let ValueKind::Quantity {
        unit,
        integer,
        hard,
        soft,
    } = variable(column)?.kind
    else {
        return None;
    };
    let text = value.to_string();
    if !value.is_finite() {
        return Some(ValidationError::new(column, text, Reason::NotANumber));
    }
    if integer && value.fract() != 0.0 {
        return Some(ValidationError::new(column, text, Reason::NotAnInteger));
    }
    if !hard.contains(value) {
        return Some(ValidationError::new(
            column,
            text,
            Reason::OutOfRange { range: hard, unit },
        ));
    }
    match soft {
        Some(range) if !range.contains(value) => Some(ValidationError::new(
            column,
            text,
            Reason::OutsideUsualRange { range, unit },
        )),
        _ => None,
    }
}

/// Lists the quantities of a baseline, keyed by CSV column.
fn quantities(b: &Baseline) -> [(&'static str, Option<f64>); 11] {
    [
        ("age_years", b.age_years.map(f64::from)),
        ("hsp90a_ng_ml", b.hsp90a_ng_ml),
        ("albumin_g_l", b.albumin_g_l),
        ("bilirubin_umol_l", b.bilirubin_umol_l),
        ("afp_ng_ml", b.afp_ng_ml),
        ("alp_u_l", b.alp_u_l),
        ("platelets_1e9_l", b.platelets_1e9_l),
        ("alt_u_l", b.alt_u_l),
        ("leukocytes_1e9_l", b.leukocytes_1e9_l),
        ("tumor_number", b.tumor_number.map(f64::from)),
        ("tumor_size_cm", b.tumor_size_cm),
    ]
}

fn in_hard_range(column: &str, value: f64) -> bool {
    match variable(column).map(|v| v.kind) {
        Some(ValueKind::Quantity { hard, .. }) => hard.contains(value),
        _ => false,
    }
}

/// An ALBI grade entered next to albumin and bilirubin must match them.
fn check_albi(b: &Baseline) -> Option<ValidationError> {
    let grade = b.albi_grade?;
    if !(1..=3).contains(&grade) {
        let reason = Reason::UnknownValue {
            expected: "1, 2, 3",
        };
        return Some(ValidationError::new(
            "albi_grade",
            grade.to_string(),
            reason,
        ));
    }
    let albumin = b.albumin_g_l.filter(|&v| in_hard_range("albumin_g_l", v))?;
    let bilirubin = b
        .bilirubin_umol_l
        .filter(|&v| in_hard_range("bilirubin_umol_l", v))?;
    let computed = albi_grade_of_score(albi_score(albumin, bilirubin));
    (computed != grade).then(|| {
        ValidationError::new(
            "albi_grade",
            grade.to_string(),
            Reason::AlbiInconsistent { computed },
        )
    })
}

/// PVTT or distant metastasis implies BCLC stage C or D.
fn check_stage(b: &Baseline) -> Option<ValidationError> {
    let stage = b.bclc?;
    if matches!(stage, Bclc::C | Bclc::D) {
        return None;
    }
    let finding = if b.pvtt == Some(true) {
        "PVTT"
    } else if b.metastasis == Some(true) {
        "distant metastasis (M)"
    } else {
        return None;
    };
    Some(ValidationError::new(
        "bclc",
        stage.as_str(),
        Reason::StageTooEarly { finding },
    ))
}

/// Check a baseline's values against the ranges and the consistency rules.
pub fn check_baseline(baseline: &Baseline) -> Vec<ValidationError> {
    let mut errors: Vec<ValidationError> = quantities(baseline)
        .into_iter()
        .filter_map(|(column, value)| check_quantity(column, value?))
        .collect();
    errors.extend(check_albi(baseline));
    errors.extend(check_stage(baseline));
    errors
}

/// Check a patient record: identifiers, the treatment start (not in the
/// future, `today` being the local date) and the baseline.
///
/// Returns every problem found, unusual values included; see
/// [`ValidationError::blocks`] for which of them stop the record.
pub fn check_patient(record: &PatientRecord, today: NaiveDate) -> Vec<ValidationError> {
    let mut errors = Vec::new();
    errors.extend(check_identifier("study_id", &record.study_id));
    errors.extend(check_identifier("center", &record.center));
    errors.extend(check_not_future(
        "treatment_start",
        record.treatment_start,
        today,
    ));
    errors.extend(check_baseline(&record.baseline));
    errors
}

/// Check one follow-up contact of a patient treated from `treatment_start`
/// against the contacts already accepted for that patient (`accepted`, in
/// any order).
///
/// The contact must not be in the future, before the treatment start, a
/// second death, after the death, or a death before an accepted contact. A
/// contact on the treatment start date needs confirmation. Repeat HSP90α
/// and AFP use the baseline ranges.
pub fn check_followup(
    followup: &FollowUp,
    treatment_start: NaiveDate,
    accepted: &[FollowUp],
    today: NaiveDate,
) -> Vec<ValidationError> {
    let mut errors = Vec::new();
    let date = followup.contact_date;
    errors.extend(check_identifier("study_id", &followup.study_id));
    errors.extend(check_not_future("contact_date", date, today));
    if date < treatment_start {
        let reason = Reason::BeforeTreatmentStart {
            start: treatment_start,
        };
        errors.push(ValidationError::new(
            "contact_date",
            date.to_string(),
            reason,
        ));
    } else if date == treatment_start {
        errors.push(ValidationError::new(
            "contact_date",
            date.to_string(),
            Reason::OnTreatmentStart,
        ));
    }
    let repeats = [
        ("hsp90a_ng_ml", followup.hsp90a_ng_ml),
        ("afp_ng_ml", followup.afp_ng_ml),
    ];
    errors.extend(
        repeats
            .into_iter()
            .filter_map(|(column, value)| check_quantity(column, value?)),
    );
    if let Some(note) = &followup.note {
        let max_chars = MAX_NOTE_CHARS;
        if note.chars().count() > max_chars {
            errors.push(ValidationError::new(
                "note",
                "",
                Reason::TooLong { max_chars },
            ));
        }
    }
    errors.extend(check_sequence(followup, accepted));
    errors
}

/// At most one death, and no contact after it.
fn check_sequence(followup: &FollowUp, accepted: &[FollowUp]) -> Option<ValidationError> {
    let date = followup.contact_date;
    let is_dead = followup.status == VitalStatus::Dead;
    let death = accepted
        .iter()
        .filter(|f| f.status == VitalStatus::Dead)
        .map(|f| f.contact_date)
        .min();
    if let Some(death) = death {
        if is_dead {
            return Some(ValidationError::new(
                "status",
                "dead",
                Reason::SecondDeath { death },
            ));
        }
        return (date > death).then(|| {
            ValidationError::new(
                "contact_date",
                date.to_string(),
                Reason::AfterDeath { death },
            )
        });
    }
    if !is_dead {
        return None;
    }
    let latest = accepted.iter().map(|f| f.contact_date).max()?;
    (latest > date).then(|| {
        ValidationError::new(
            "contact_date",
            date.to_string(),
            Reason::DeathBeforeContact { contact: latest },
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lists_every_baseline_column_once() {
        let mut columns: Vec<&str> = BASELINE_VARIABLES.iter().map(|v| v.column).collect();
        columns.sort_unstable();
        columns.dedup();
        assert_eq!(columns.len(), BASELINE_VARIABLES.len());
        for (column, _) in quantities(&Baseline::default()) {
            assert!(variable(column).is_some(), "{column} has no rule");
        }
    }

    #[test]
    fn count_reads_integral_decimals() {
        assert_eq!(parse_count("age_years", "52.0"), Ok(Some(52)));
        assert_eq!(parse_count("age_years", " "), Ok(None));
        let error = parse_count("age_years", "52.5").unwrap_err();
        assert_eq!(error.reason, Reason::NotAnInteger);
    }

    #[test]
    fn date_needs_four_two_two_digits() {
        assert!(parse_date("treatment_start", "2020-01-05").is_ok());
        assert!(parse_date("treatment_start", "2020-1-5").is_err());
        assert!(parse_date("treatment_start", "2020-02-30").is_err());
    }

    #[test]
    fn message_names_field_value_and_fix() {
        let error = parse_number("afp_ng_ml", "3,5").unwrap_err();
        assert_eq!(
            error.to_string(),
            "afp_ng_ml `3,5` is not a number, so write a number with a dot as decimal \
             separator, or leave the cell empty."
        );
    }
}
