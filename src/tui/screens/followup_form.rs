//! The form for a new follow-up contact of one patient: date, vital
//! status, repeat HSP90α and AFP, and a note. It is checked against the
//! patient's treatment start and recorded contacts as
//! [`check_followup`] does, and saved with
//! [`crate::db::Registry::add_followup`].

use chrono::NaiveDate;
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;

use crate::db::{DbError, StoredPatient};
use crate::domain::validate::{
    MAX_NOTE_CHARS, ValidationError, check_followup, parse_choice, parse_number,
    parse_required_date,
};
use crate::domain::{FollowUp, VitalStatus};
use crate::tui::app::{Action, Outcome, Shared, StatusKind};
use crate::tui::form::{Field, FieldKind, FormKey, FormPrompt, FormState, PromptAnswer, keep};
use crate::tui::keymap::Binding;
use crate::tui::screens::patient_form::{FORM_BINDINGS, FormCommand, describe, form_command};

const STATUSES: &[&str] = &["alive", "dead", "lost"];

/// The follow-up entry form.
pub struct FollowUpForm {
    pub study_id: String,
    treatment_start: NaiveDate,
    recorded: Vec<FollowUp>,
    pub form: FormState,
    pub prompt: Option<FormPrompt>,
}

impl FollowUpForm {
    /// Create a form for a new contact of a stored patient, dated today
    /// and alive.
    pub fn new(stored: &StoredPatient, today: NaiveDate) -> Self {
        let fields = vec![
            Field::new(
                "study_id",
                "study id",
                "",
                FieldKind::Text { max_chars: 64 },
                stored.record.study_id.clone(),
            )
            .locked(),
            Field::new(
                "contact_date",
                "contact date",
                "date",
                FieldKind::Date,
                today.to_string(),
            ),
            Field::new(
                "status",
                "vital status",
                "",
                FieldKind::Choice(STATUSES),
                "alive",
            ),
            Field::new(
                "hsp90a_ng_ml",
                "repeat HSP90α",
                "ng/mL",
                FieldKind::Number,
                "",
            ),
            Field::new("afp_ng_ml", "repeat AFP", "ng/mL", FieldKind::Number, ""),
            Field::new(
                "note",
                "note",
                "",
                FieldKind::Text {
                    max_chars: MAX_NOTE_CHARS,
                },
                "",
            ),
        ];
        Self {
            study_id: stored.record.study_id.clone(),
            treatment_start: stored.record.treatment_start,
            recorded: stored
                .followups
                .iter()
                .map(|f| f.followup.clone())
                .collect(),
            form: FormState::new(fields),
            prompt: None,
        }
    }

    /// Open the form for `study_id`, reading the patient first.
    ///
    /// # Errors
    ///
    /// A message for the status line when the patient cannot be read or
    /// has withdrawn.
    pub fn open(shared: &Shared, study_id: &str) -> Result<Self, String> {
        match shared.registry.patient(study_id) {
            Ok(Some(stored)) if stored.withdrawn => Err(format!(
                "Patient {study_id} withdrew consent, so no follow-up can be added."
            )),
            Ok(Some(stored)) => Ok(Self::new(&stored, shared.today)),
            Ok(None) => Err(format!("Patient {study_id} is not in the registry.")),
            Err(error) => Err(format!("Cannot read patient {study_id}: {error}")),
        }
    }

    pub fn title(&self) -> String {
        format!("New follow-up of {}", self.study_id)
    }

    pub fn bindings(&self) -> &'static [Binding<Action>] {
        FORM_BINDINGS
    }

    pub fn is_dirty(&self) -> bool {
        self.form.is_dirty()
    }

    /// Turn the fields into a contact, with every problem found.
    pub fn parse(&self, today: NaiveDate) -> (Option<FollowUp>, Vec<ValidationError>) {
        let form = &self.form;
        let mut errors = Vec::new();
        let date = keep(
            &mut errors,
            parse_required_date("contact_date", form.text("contact_date")),
        );
        let status = keep(
            &mut errors,
            parse_choice::<VitalStatus>("status", form.text("status"))
                .map(|s| s.unwrap_or(VitalStatus::Alive)),
        );
        let hsp90a = keep(
            &mut errors,
            parse_number("hsp90a_ng_ml", form.text("hsp90a_ng_ml")),
        )
        .flatten();
        let afp = keep(
            &mut errors,
            parse_number("afp_ng_ml", form.text("afp_ng_ml")),
        )
        .flatten();

        let note = form.text("note").trim();
        let note = (!note.is_empty()).then(|| note.to_string());
        let (Some(contact_date), Some(status)) = (date, status) else {
            return (None, errors);
        };

        let followup = FollowUp {
            study_id: self.study_id.clone(),
            contact_date,
            status,
            hsp90a_ng_ml: hsp90a,
            afp_ng_ml: afp,
            note,
        };
        errors.extend(check_followup(
            &followup,
            self.treatment_start,
            &self.recorded,
            today,
        ));
        (Some(followup), errors)
    }

    fn validate(&mut self, today: NaiveDate) -> (Option<FollowUp>, Vec<ValidationError>) {
        let (followup, errors) = self.parse(today);
        self.form.set_problems(&errors);
        (followup, errors)
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
                        FormPrompt::Conflict(_) => Outcome::Back,
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
        match self.form.handle_key(key) {
            FormKey::Ignored => None,
            FormKey::Edited => Some(Outcome::Stay),
            FormKey::Left => {
                self.validate(shared.today);
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

    /// Validate and save; a contact on the treatment start date or an
    /// unusual repeat value is saved only when `confirmed`.
    pub fn save(&mut self, shared: &mut Shared, confirmed: bool) -> Outcome {
        self.form.submitted = true;
        let (followup, errors) = self.validate(shared.today);
        let blocking = errors.iter().filter(|e| !e.needs_confirmation()).count();
        let Some(followup) = followup.filter(|_| blocking == 0) else {
            self.form.focus_first_problem();
            shared.set_status(
                StatusKind::Error,
                format!(
                    "Not saved: {} value(s) need correcting; the first is selected.",
                    blocking.max(1)
                ),
            );
            return Outcome::Stay;
        };
        if !confirmed && !errors.is_empty() {
            let listed = errors.iter().map(|e| describe(&self.form, e)).collect();
            self.prompt = Some(FormPrompt::ConfirmUnusual(listed));
            return Outcome::Stay;
        }
        match shared.registry.add_followup(&followup, confirmed) {
            Ok(_) => {
                shared.data_changed();
                shared.set_status(
                    StatusKind::Success,
                    format!(
                        "Follow-up of {} on {} ({}) added.",
                        followup.study_id, followup.contact_date, followup.status
                    ),
                );
                Outcome::Back
            }
            Err(DbError::Invalid { errors, .. }) => {
                let unplaced = self.form.set_problems(&errors);
                self.form.focus_first_problem();
                let text = match unplaced.first() {
                    Some(first) => format!("Not saved: {first}"),
                    None => "Not saved: the marked values need correcting.".to_string(),
                };
                shared.set_status(StatusKind::Error, text);
                Outcome::Stay
            }
            Err(error) => {
                shared.show_message("Not saved", vec![error.to_string()]);
                Outcome::Stay
            }
        }
    }

    pub fn render(&mut self, frame: &mut Frame, area: Rect, _shared: &mut Shared) {
        let title = self.title();
        let hint = format!(
            "Treatment started {}; {} contact(s) recorded. Ctrl-S or F2 saves.",
            self.treatment_start,
            self.recorded.len()
        );
        self.form.render(frame, area, &title, &hint);
        if let Some(prompt) = &self.prompt {
            prompt.render(frame, area);
        }
    }

    pub fn refresh(&mut self, _shared: &mut Shared) {}
}
