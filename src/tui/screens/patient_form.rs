//! The form for a new patient and for editing a stored patient's centre,
//! treatment and baseline.
//!
//! Every field is checked when it is left, with the parse functions and
//! rules of [`crate::domain::validate`]; saving is one registry write
//! ([`Registry::insert_patient`] or [`Registry::update_patient`]). An edit
//! carries the row version it read, so a change made meanwhile by someone
//! else is reported and never overwritten.
//!
//! [`Registry::insert_patient`]: crate::db::Registry::insert_patient
//! [`Registry::update_patient`]: crate::db::Registry::update_patient

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;

use crate::db::{DbError, StoredPatient};
use crate::domain::patient::yes_no;
use crate::domain::validate::{
    BASELINE_VARIABLES, MAX_IDENTIFIER_CHARS, Reason, ValidationError, ValueKind, check_patient,
    parse_albi_grade, parse_child_pugh, parse_choice, parse_count, parse_identifier, parse_number,
    parse_required_date, parse_yes_no_cell,
};
use crate::domain::{Baseline, PatientRecord, Treatment};
use crate::tui::app::{Action, Outcome, Screen, Shared, StatusKind};
use crate::tui::form::{
    Field, FieldKind, FormKey, FormPrompt, FormState, PromptAnswer, field_error, keep,
};
use crate::tui::format;
use crate::tui::keymap::Binding;
use crate::tui::queries;
use crate::tui::screens::patient::PatientScreen;

const YES_NO: &[&str] = &["", "yes", "no"];
const EXTERNAL: &[&str] = &["no", "yes"];
const TREATMENTS: &[&str] = &["", "tace", "none"];
const SEXES: &[&str] = &["", "male", "female"];
const CHILD_PUGH: &[&str] = &["", "A", "B"];
const ALBI_GRADES: &[&str] = &["", "1", "2", "3"];
const BCLC: &[&str] = &["", "0", "A", "B", "C", "D"];

/// Keys of both entry forms.
pub const FORM_BINDINGS: &[Binding<Action>] = &[
    Binding {
        keys: &[KeyCode::F(1), KeyCode::Char('?')],
        key_label: "F1",
        action: Action::Help,
        description: "show the keys (also ? outside text fields)",
        footer: "help",
    },
    Binding {
        keys: &[KeyCode::Tab, KeyCode::Down, KeyCode::Enter],
        key_label: "Tab/↓",
        action: Action::NextField,
        description: "next field, checking the one left (also Enter)",
        footer: "next",
    },
    Binding {
        keys: &[KeyCode::BackTab, KeyCode::Up],
        key_label: "↑",
        action: Action::PreviousField,
        description: "previous field (also Shift-Tab)",
        footer: "previous",
    },
    Binding {
        keys: &[],
        key_label: "←/→",
        action: Action::NextField,
        description: "choose a value in a choice field (also Space)",
        footer: "choose",
    },
    Binding {
        keys: &[KeyCode::F(2)],
        key_label: "^S",
        action: Action::Save,
        description: "save, asking to confirm unusual values (also F2)",
        footer: "save",
    },
    Binding {
        keys: &[KeyCode::Esc],
        key_label: "Esc",
        action: Action::Back,
        description: "cancel, asking before discarding changes",
        footer: "cancel",
    },
    Binding {
        keys: &[],
        key_label: "PgDn/PgUp",
        action: Action::NextField,
        description: "jump 10 fields",
        footer: "",
    },
    Binding {
        keys: &[],
        key_label: "letter",
        action: Action::NextField,
        description: "in a choice field, the next value with that letter",
        footer: "",
    },
    Binding {
        keys: &[],
        key_label: "Backspace",
        action: Action::NextField,
        description: "delete a character (choice field: set missing)",
        footer: "",
    },
    Binding {
        keys: &[],
        key_label: "Del/^U",
        action: Action::NextField,
        description: "clear the field",
        footer: "",
    },
];

/// Handle the keys every entry form shares before the form's fields see
/// them: Ctrl-S saves, Esc cancels, F1 and `?` outside text fields open
/// the help. `Some(true)` means save, `Some(false)` cancel.
pub fn form_command(key: &KeyEvent, form: &FormState) -> Option<FormCommand> {
    let control = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Char('s') if control => Some(FormCommand::Save),
        KeyCode::F(2) => Some(FormCommand::Save),
        KeyCode::Esc => Some(FormCommand::Cancel),
        KeyCode::F(1) => Some(FormCommand::Help),
        KeyCode::Char('?') if !form.focused().takes_free_text() => Some(FormCommand::Help),
        _ => None,
    }
}

/// A form-wide key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormCommand {
    Save,
    Cancel,
    Help,
}

/// Whether the form adds a patient or changes a stored one.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    New,
    Edit {
        /// The row version read when the form opened.
        row_version: i64,
        /// The earliest recorded contact, which the treatment start must
        /// not pass.
        first_contact: Option<NaiveDate>,
    },
}

/// The patient entry form.
pub struct PatientForm {
    pub mode: Mode,
    pub form: FormState,
    pub prompt: Option<FormPrompt>,
}

fn choices(column: &str) -> &'static [&'static str] {
    match column {
        "sex" => SEXES,
        "child_pugh" => CHILD_PUGH,
        "albi_grade" => ALBI_GRADES,
        "bclc" => BCLC,
        _ => YES_NO,
    }
}

/// Format every baseline value as stored, in [`BASELINE_VARIABLES`]
/// order, with an empty text for a missing value.
fn baseline_texts(b: &Baseline) -> [String; 21] {
    let yn = |v: Option<bool>| v.map(yes_no).unwrap_or_default().to_string();
    let num = |v: Option<f64>| v.map(format::stored).unwrap_or_default();
    [
        format::or_empty(b.sex),
        format::or_empty(b.age_years),
        num(b.hsp90a_ng_ml),
        yn(b.hbv),
        yn(b.diabetes),
        yn(b.hypertension),
        format::or_empty(b.child_pugh.map(|c| c.as_str())),
        num(b.albumin_g_l),
        num(b.bilirubin_umol_l),
        format::or_empty(b.albi_grade),
        num(b.afp_ng_ml),
        num(b.alp_u_l),
        num(b.platelets_1e9_l),
        num(b.alt_u_l),
        num(b.leukocytes_1e9_l),
        format::or_empty(b.bclc.map(|s| s.as_str())),
        format::or_empty(b.tumor_number),
        num(b.tumor_size_cm),
        yn(b.pvtt),
        yn(b.lymph_nodes),
        yn(b.metastasis),
    ]
}

fn fields(record: Option<&PatientRecord>) -> Vec<Field> {
    let text = |f: fn(&PatientRecord) -> String| record.map(f).unwrap_or_default();
    let mut fields = vec![
        Field::new(
            "study_id",
            "study id",
            "",
            FieldKind::Text {
                max_chars: MAX_IDENTIFIER_CHARS,
            },
            text(|r| r.study_id.clone()),
        ),
        Field::new(
            "center",
            "centre code",
            "",
            FieldKind::Text {
                max_chars: MAX_IDENTIFIER_CHARS,
            },
            text(|r| r.center.clone()),
        ),
        Field::new(
            "center_external",
            "external centre",
            "",
            FieldKind::Choice(EXTERNAL),
            record.map_or("no", |r| yes_no(r.center_external)),
        ),
        Field::new(
            "treatment",
            "treatment",
            "",
            FieldKind::Choice(TREATMENTS),
            text(|r| r.treatment.to_string()),
        ),
        Field::new(
            "treatment_start",
            "treatment start",
            "date",
            FieldKind::Date,
            text(|r| r.treatment_start.to_string()),
        ),
    ];
    let values = record.map(|r| baseline_texts(&r.baseline));
    for (i, variable) in BASELINE_VARIABLES.iter().enumerate() {
        let (kind, unit) = match variable.kind {
            ValueKind::Quantity { unit, .. } => (FieldKind::Number, unit),
            ValueKind::YesNo | ValueKind::Choice { .. } => {
                (FieldKind::Choice(choices(variable.column)), "")
            }
        };
        let value = values.as_ref().map(|v| v[i].clone()).unwrap_or_default();
        fields.push(Field::new(
            variable.column,
            variable.label,
            unit,
            kind,
            value,
        ));
    }
    fields
}

fn required<T>(
    errors: &mut Vec<ValidationError>,
    field: &'static str,
    result: Result<Option<T>, ValidationError>,
) -> Option<T> {
    match result {
        Ok(Some(value)) => Some(value),
        Ok(None) => {
            errors.push(ValidationError::new(field, "", Reason::Required));
            None
        }
        Err(error) => {
            errors.push(error);
            None
        }
    }
}

/// Parse the baseline fields; values that do not parse are left missing
/// and their errors recorded.
fn parse_baseline(form: &FormState, errors: &mut Vec<ValidationError>) -> Baseline {
    let t = |key: &str| form.text(key).to_string();
    let number = |errors: &mut Vec<ValidationError>, key: &'static str| {
        keep(errors, parse_number(key, &t(key))).flatten()
    };
    let count = |errors: &mut Vec<ValidationError>, key: &'static str| {
        keep(errors, parse_count(key, &t(key))).flatten()
    };
    let flag = |errors: &mut Vec<ValidationError>, key: &'static str| {
        keep(errors, parse_yes_no_cell(key, &t(key))).flatten()
    };
    Baseline {
        sex: keep(errors, parse_choice("sex", &t("sex"))).flatten(),
        age_years: count(errors, "age_years"),
        hsp90a_ng_ml: number(errors, "hsp90a_ng_ml"),
        hbv: flag(errors, "hbv"),
        diabetes: flag(errors, "diabetes"),
        hypertension: flag(errors, "hypertension"),
        child_pugh: keep(errors, parse_child_pugh(&t("child_pugh"))).flatten(),
        albumin_g_l: number(errors, "albumin_g_l"),
        bilirubin_umol_l: number(errors, "bilirubin_umol_l"),
        albi_grade: keep(errors, parse_albi_grade(&t("albi_grade"))).flatten(),
        afp_ng_ml: number(errors, "afp_ng_ml"),
        alp_u_l: number(errors, "alp_u_l"),
        platelets_1e9_l: number(errors, "platelets_1e9_l"),
        alt_u_l: number(errors, "alt_u_l"),
        leukocytes_1e9_l: number(errors, "leukocytes_1e9_l"),
        bclc: keep(errors, parse_choice("bclc", &t("bclc"))).flatten(),
        tumor_number: count(errors, "tumor_number"),
        tumor_size_cm: number(errors, "tumor_size_cm"),
        pvtt: flag(errors, "pvtt"),
        lymph_nodes: flag(errors, "lymph_nodes"),
        metastasis: flag(errors, "metastasis"),
    }
}

impl PatientForm {
    /// Create an empty form for a new patient.
    pub fn new_patient() -> Self {
        Self {
            mode: Mode::New,
            form: FormState::new(fields(None)),
            prompt: None,
        }
    }

    /// Create a form with a stored patient's values and the study id
    /// locked.
    pub fn edit(stored: &StoredPatient) -> Self {
        let mut fields = fields(Some(&stored.record));
        fields[0] = fields[0].clone().locked();
        Self {
            mode: Mode::Edit {
                row_version: stored.row_version,
                first_contact: stored
                    .followups
                    .iter()
                    .map(|f| f.followup.contact_date)
                    .min(),
            },
            form: FormState::new(fields),
            prompt: None,
        }
    }

    pub fn title(&self) -> String {
        match &self.mode {
            Mode::New => "New patient".to_string(),
            Mode::Edit { .. } => format!("Edit patient {}", self.form.text("study_id")),
        }
    }

    pub fn bindings(&self) -> &'static [Binding<Action>] {
        FORM_BINDINGS
    }

    /// Return whether any field differs from the value the form opened
    /// with.
    pub fn is_dirty(&self) -> bool {
        self.form.is_dirty()
    }

    /// Turn the fields into a record, with every problem found: parse
    /// errors, the registry's rules, a study id already in use, a centre
    /// stored with the other external flag, and a treatment start after a
    /// recorded contact.
    pub fn parse(&self, shared: &Shared) -> (Option<PatientRecord>, Vec<ValidationError>) {
        let form = &self.form;
        let mut errors = Vec::new();
        let study_id = keep(
            &mut errors,
            parse_identifier("study_id", form.text("study_id")),
        );
        let center = keep(&mut errors, parse_identifier("center", form.text("center")));
        let external = required(
            &mut errors,
            "center_external",
            parse_yes_no_cell("center_external", form.text("center_external")),
        );
        let treatment = required(
            &mut errors,
            "treatment",
            parse_choice::<Treatment>("treatment", form.text("treatment")),
        );
        let start = keep(
            &mut errors,
            parse_required_date("treatment_start", form.text("treatment_start")),
        );
        let baseline = parse_baseline(form, &mut errors);

        // The rules run on the parsed values even when an identity field
        // failed, with valid stand-ins whose own checks are dropped.
        let probe = PatientRecord {
            study_id: study_id.clone().unwrap_or_else(|| "-".into()),
            center: center.clone().unwrap_or_else(|| "-".into()),
            center_external: external.unwrap_or(false),
            treatment: treatment.unwrap_or(Treatment::Tace),
            treatment_start: start.unwrap_or(shared.today),
            baseline: baseline.clone(),
        };
        errors.extend(check_patient(&probe, shared.today));

        let conn = shared.registry.connection();
        if let (Mode::New, Some(id)) = (&self.mode, &study_id)
            && queries::study_id_exists(conn, id).unwrap_or(false)
        {
            errors.push(field_error("study_id", id, Reason::AlreadyInRegistry));
        }
        if let (Some(code), Some(flag)) = (&center, external)
            && let Ok(Some(stored)) = queries::center_external(conn, code)
            && stored != flag
        {
            errors.push(field_error(
                "center_external",
                yes_no(flag),
                Reason::CenterFlagConflict {
                    center: code.clone(),
                    stored,
                },
            ));
        }
        if let (
            Mode::Edit {
                first_contact: Some(contact),
                ..
            },
            Some(start),
        ) = (&self.mode, start)
            && start > *contact
        {
            errors.push(field_error(
                "treatment_start",
                &start.to_string(),
                Reason::StartAfterContact { contact: *contact },
            ));
        }

        let record = match (study_id, center, external, treatment, start) {
            (Some(study_id), Some(center), Some(center_external), Some(treatment), Some(start)) => {
                Some(PatientRecord {
                    study_id,
                    center,
                    center_external,
                    treatment,
                    treatment_start: start,
                    baseline,
                })
            }
            _ => None,
        };
        (record, errors)
    }

    /// Check the fields and show each problem next to its field.
    pub fn validate(&mut self, shared: &Shared) -> (Option<PatientRecord>, Vec<ValidationError>) {
        let (record, errors) = self.parse(shared);
        self.form.set_problems(&errors);
        (record, errors)
    }

    /// After the centre code is left: a stored centre's external flag is
    /// filled in, so that a known centre cannot get the wrong one.
    fn fill_center_flag(&mut self, shared: &Shared) {
        let code = self.form.text("center").trim().to_string();
        if let Ok(Some(stored)) = queries::center_external(shared.registry.connection(), &code)
            && let Some(field) = self.form.field_mut("center_external")
        {
            field.text = yes_no(stored).to_string();
        }
    }

    pub fn handle_key(&mut self, key: &KeyEvent, shared: &mut Shared) -> Option<Outcome> {
        if let Some(prompt) = &self.prompt {
            let answer = prompt.answer(key);
            let prompt = prompt.clone();
            return Some(match answer {
                PromptAnswer::Pending => Outcome::Stay,
                PromptAnswer::No => {
                    self.prompt = None;
                    Outcome::Stay
                }
                PromptAnswer::Yes => {
                    self.prompt = None;
                    match prompt {
                        FormPrompt::Discard => Outcome::Back,
                        FormPrompt::ConfirmUnusual(_) => self.save(shared, true),
                        FormPrompt::Conflict(_) => self.reload(shared),
                    }
                }
            });
        }
        match form_command(key, &self.form) {
            Some(FormCommand::Save) => return Some(self.save(shared, false)),
            Some(FormCommand::Cancel) => return Some(self.cancel()),
            Some(FormCommand::Help) => return None,
            None => {}
        }
        let leaving = self.form.focused().key;
        match self.form.handle_key(key) {
            FormKey::Ignored => None,
            FormKey::Edited => Some(Outcome::Stay),
            FormKey::Left => {
                if leaving == "center" {
                    self.fill_center_flag(shared);
                }
                self.validate(shared);
                Some(Outcome::Stay)
            }
        }
    }

    pub fn handle(&mut self, action: Action, shared: &mut Shared) -> Outcome {
        match action {
            Action::Save => self.save(shared, false),
            Action::Back => self.cancel(),
            _ => Outcome::Stay,
        }
    }

    fn cancel(&mut self) -> Outcome {
        if self.form.is_dirty() {
            self.prompt = Some(FormPrompt::Discard);
            Outcome::Stay
        } else {
            Outcome::Back
        }
    }

    /// Validate and save. Values outside the usual range are saved only
    /// when `confirmed`, so without it the form requests confirmation.
    pub fn save(&mut self, shared: &mut Shared, confirmed: bool) -> Outcome {
        self.form.submitted = true;
        let (record, errors) = self.validate(shared);
        let blocking: Vec<&ValidationError> =
            errors.iter().filter(|e| !e.needs_confirmation()).collect();
        let Some(record) = record.filter(|_| blocking.is_empty()) else {
            self.form.focus_first_problem();
            shared.set_status(
                StatusKind::Error,
                format!(
                    "Not saved: {} value(s) need correcting; the first is selected.",
                    blocking.len().max(1)
                ),
            );
            return Outcome::Stay;
        };
        if !confirmed && !errors.is_empty() {
            let listed = errors.iter().map(|e| describe(&self.form, e)).collect();
            self.prompt = Some(FormPrompt::ConfirmUnusual(listed));
            return Outcome::Stay;
        }
        let result = match &self.mode {
            Mode::New => shared.registry.insert_patient(&record, confirmed),
            Mode::Edit { row_version, .. } => {
                shared
                    .registry
                    .update_patient(&record, *row_version, confirmed)
            }
        };
        match result {
            Ok(version) => {
                shared.data_changed();
                match self.mode {
                    Mode::New => {
                        shared.set_status(
                            StatusKind::Success,
                            format!("Patient {} added.", record.study_id),
                        );
                        Outcome::Replace(Box::new(Screen::Patient(PatientScreen::new(
                            &record.study_id,
                        ))))
                    }
                    Mode::Edit { .. } => {
                        shared.set_status(
                            StatusKind::Success,
                            format!("Patient {} saved (version {version}).", record.study_id),
                        );
                        self.form = FormState::new(self.form.fields.clone());
                        Outcome::Back
                    }
                }
            }
            Err(error) => {
                self.report_error(shared, error);
                Outcome::Stay
            }
        }
    }

    fn report_error(&mut self, shared: &mut Shared, error: DbError) {
        match error {
            DbError::Conflict { .. } => {
                self.prompt = Some(FormPrompt::Conflict(error.to_string()));
            }
            DbError::Invalid { errors, .. } => {
                let unplaced = self.form.set_problems(&errors);
                self.form.focus_first_problem();
                let text = match unplaced.first() {
                    Some(first) => format!("Not saved: {first}"),
                    None => "Not saved: the marked values need correcting.".to_string(),
                };
                shared.set_status(StatusKind::Error, text);
            }
            DbError::DuplicateStudyId { ref study_id } => {
                let duplicate = field_error("study_id", study_id, Reason::AlreadyInRegistry);
                self.form.set_problems(&[duplicate]);
                self.form.focus_first_problem();
                shared.set_status(StatusKind::Error, error.to_string());
            }
            other => shared.show_message("Not saved", vec![other.to_string()]),
        }
    }

    /// Replace the fields with the stored patient, after a conflict.
    fn reload(&mut self, shared: &mut Shared) -> Outcome {
        let study_id = self.form.text("study_id").to_string();
        match shared.registry.patient(&study_id) {
            Ok(Some(stored)) => {
                *self = Self::edit(&stored);
                shared.set_status(
                    StatusKind::Info,
                    format!(
                        "Reloaded {study_id} at version {}; enter your change again.",
                        stored.row_version
                    ),
                );
                Outcome::Stay
            }
            Ok(None) => {
                shared.show_message(
                    "Patient not found",
                    vec![format!("{study_id} is no longer in the registry.")],
                );
                Outcome::Back
            }
            Err(error) => {
                shared.show_message("Reload failed", vec![error.to_string()]);
                Outcome::Stay
            }
        }
    }

    pub fn render(&mut self, frame: &mut Frame, area: Rect, _shared: &mut Shared) {
        let title = self.title();
        let (blocking, unusual) = self.form.problem_counts();
        let summary = match (blocking, unusual) {
            (0, 0) => "Ctrl-S or F2 saves.".to_string(),
            (0, u) => format!("{u} unusual value(s) will need confirming. Ctrl-S or F2 saves."),
            (b, _) => format!("{b} value(s) need correcting before saving."),
        };
        self.form.render(frame, area, &title, &summary);
        if let Some(prompt) = &self.prompt {
            prompt.render(frame, area);
        }
    }

    pub fn refresh(&mut self, _shared: &mut Shared) {}
}

/// "Label value (reason)" for the confirmation list.
pub fn describe(form: &FormState, error: &ValidationError) -> String {
    let label = form.field(error.field).map_or(error.field, |f| f.label);
    format!(
        "{} {}: {}",
        format::capitalized(label),
        error.value,
        error.reason
    )
}
