//! Entry forms: a column of labelled fields with units, edited with the
//! keyboard, each showing the reason its value is not accepted.
//!
//! A field's problem is shown once the field has been left, contains a
//! value, or the form was submitted, so that an empty form does not open covered
//! in "is missing". Problems come from [`crate::domain::validate`]; the
//! concrete forms turn their fields into records and back.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::domain::validate::{Reason, ValidationError};
use crate::tui::format;
use crate::tui::theme;

/// Maximum characters typed into a one-line field other than a note.
const MAX_FIELD_CHARS: usize = 64;

/// Kind of input a field takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Free text of at most `max_chars` characters.
    Text { max_chars: usize },
    /// A date typed as `YYYY-MM-DD`.
    Date,
    /// A number typed with a dot as decimal separator.
    Number,
    /// One of a fixed list of spellings, chosen with ←/→ or Space or by
    /// typing its first letter; an empty spelling means "missing".
    Choice(&'static [&'static str]),
}

/// A problem with a field's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The reason, as shown next to the field.
    pub reason: String,
    /// The reason and what to do, as shown under the form for the focused
    /// field.
    pub detail: String,
    /// Whether the value is plausible but unusual and can be confirmed.
    pub needs_confirmation: bool,
}

impl Problem {
    /// Describe a validation error for the field `label`.
    pub fn of(label: &str, error: &ValidationError) -> Self {
        let value = if error.value.is_empty() {
            String::new()
        } else {
            format!(" {}", error.value)
        };
        Self {
            reason: error.reason.to_string(),
            detail: format!(
                "{}{value} {}, so {}.",
                format::capitalized(label),
                error.reason,
                error.reason.fix()
            ),
            needs_confirmation: error.needs_confirmation(),
        }
    }
}

/// One field of a form.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The value's name in validation errors (the CSV column).
    pub key: &'static str,
    pub label: &'static str,
    pub unit: &'static str,
    pub kind: FieldKind,
    /// A locked field is shown but cannot change (the study id of a
    /// stored patient).
    pub locked: bool,
    pub text: String,
    initial: String,
    /// Whether the field has been left since the form opened.
    pub touched: bool,
    pub problem: Option<Problem>,
}

impl Field {
    /// Create a field starting with `text`.
    pub fn new(
        key: &'static str,
        label: &'static str,
        unit: &'static str,
        kind: FieldKind,
        text: impl Into<String>,
    ) -> Self {
        let text = text.into();
        Self {
            key,
            label,
            unit,
            kind,
            locked: false,
            initial: text.clone(),
            text,
            touched: false,
            problem: None,
        }
    }

    /// Return the same field, locked.
    pub fn locked(mut self) -> Self {
        self.locked = true;
        self
    }

    /// Return whether the value differs from the one the form opened with.
    pub fn is_changed(&self) -> bool {
        self.text != self.initial
    }

    /// Return whether typed characters are text (so `?` is a character,
    /// not help).
    pub fn takes_free_text(&self) -> bool {
        matches!(self.kind, FieldKind::Text { .. }) && !self.locked
    }

    /// Apply an editing key; returns whether the key was used.
    fn edit(&mut self, key: &KeyEvent) -> bool {
        if self.locked {
            return false;
        }
        match self.kind {
            FieldKind::Choice(options) => self.choose(key, options),
            FieldKind::Text { max_chars } => self.type_text(key, max_chars),
            FieldKind::Date | FieldKind::Number => self.type_text(key, MAX_FIELD_CHARS),
        }
    }

    fn type_text(&mut self, key: &KeyEvent, max_chars: usize) -> bool {
        let control = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('u') if control => self.text.clear(),
            KeyCode::Char(c) if !control && !c.is_control() => {
                if self.text.chars().count() < max_chars {
                    self.text.push(c);
                }
            }
            KeyCode::Backspace => {
                self.text.pop();
            }
            KeyCode::Delete => self.text.clear(),
            _ => return false,
        }
        true
    }

    fn choose(&mut self, key: &KeyEvent, options: &'static [&'static str]) -> bool {
        let current = options.iter().position(|o| *o == self.text);
        let n = options.len();
        match key.code {
            KeyCode::Right | KeyCode::Char(' ') => {
                let next = current.map_or(0, |i| (i + 1) % n);
                self.text = options[next].to_string();
            }
            KeyCode::Left => {
                let previous = current.map_or(n - 1, |i| (i + n - 1) % n);
                self.text = options[previous].to_string();
            }
            KeyCode::Backspace | KeyCode::Delete | KeyCode::Char('-') => {
                if options.contains(&"") {
                    self.text.clear();
                }
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                // The first spelling starting with the letter, after the
                // current one, so that repeated presses cycle through them.
                let start = current.map_or(0, |i| i + 1);
                let found = (0..n).map(|k| options[(start + k) % n]).find(|o| {
                    o.chars()
                        .next()
                        .is_some_and(|first| first.eq_ignore_ascii_case(&c))
                });
                match found {
                    Some(option) => self.text = option.to_string(),
                    None => return false,
                }
            }
            _ => return false,
        }
        true
    }

    fn value_text(&self, focused: bool) -> String {
        match self.kind {
            FieldKind::Choice(_) => {
                let shown = if self.text.is_empty() {
                    format::MISSING
                } else {
                    self.text.as_str()
                };
                if focused && !self.locked {
                    format!("◂ {shown} ▸")
                } else {
                    shown.to_string()
                }
            }
            _ if focused && !self.locked => format!("{}▏", self.text),
            _ => self.text.clone(),
        }
    }
}

/// The fields of a form, the focused one and the scroll position.
#[derive(Debug, Clone, PartialEq)]
pub struct FormState {
    pub fields: Vec<Field>,
    pub focus: usize,
    top: usize,
    /// Whether saving was tried, after which every problem is shown.
    pub submitted: bool,
}

/// Effect of a key on a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKey {
    /// The key was not for the fields.
    Ignored,
    /// The focused field's value changed or the key was otherwise used.
    Edited,
    /// The focus left a field, which should now be validated.
    Left,
}

impl FormState {
    /// Create a form over `fields`, focused on the first field that can
    /// change.
    pub fn new(fields: Vec<Field>) -> Self {
        let focus = fields.iter().position(|f| !f.locked).unwrap_or(0);
        Self {
            fields,
            focus,
            top: 0,
            submitted: false,
        }
    }

    /// Return whether any field differs from the value it opened with.
    pub fn is_dirty(&self) -> bool {
        self.fields.iter().any(Field::is_changed)
    }

    /// Return the field named `key`.
    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// Return the field named `key`, for changes.
    pub fn field_mut(&mut self, key: &str) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.key == key)
    }

    /// Return the text of the field named `key` (empty for an unknown key).
    pub fn text(&self, key: &str) -> &str {
        self.field(key).map_or("", |f| f.text.as_str())
    }

    /// Return the focused field.
    pub fn focused(&self) -> &Field {
        &self.fields[self.focus]
    }

    /// Move the focus to the next field, marking the one left as touched.
    pub fn next(&mut self) {
        self.fields[self.focus].touched = true;
        if self.focus + 1 < self.fields.len() {
            self.focus += 1;
        }
    }

    /// Move the focus to the previous field, marking the one left as
    /// touched.
    pub fn previous(&mut self) {
        self.fields[self.focus].touched = true;
        self.focus = self.focus.saturating_sub(1);
    }

    /// Move the focus to the first field with a problem that stops saving,
    /// else to the first with any problem.
    pub fn focus_first_problem(&mut self) {
        let blocking = self
            .fields
            .iter()
            .position(|f| f.problem.as_ref().is_some_and(|p| !p.needs_confirmation));
        let any = self.fields.iter().position(|f| f.problem.is_some());
        if let Some(index) = blocking.or(any) {
            self.focus = index;
        }
    }

    /// Handle navigation and editing keys.
    pub fn handle_key(&mut self, key: &KeyEvent) -> FormKey {
        match key.code {
            KeyCode::Tab | KeyCode::Down | KeyCode::Enter => {
                self.next();
                FormKey::Left
            }
            KeyCode::BackTab | KeyCode::Up => {
                self.previous();
                FormKey::Left
            }
            KeyCode::PageDown => {
                self.fields[self.focus].touched = true;
                self.focus = (self.focus + 10).min(self.fields.len() - 1);
                FormKey::Left
            }
            KeyCode::PageUp => {
                self.fields[self.focus].touched = true;
                self.focus = self.focus.saturating_sub(10);
                FormKey::Left
            }
            _ if self.fields[self.focus].edit(key) => FormKey::Edited,
            _ => FormKey::Ignored,
        }
    }

    /// Attach `errors` to their fields and return the errors on a key that
    /// no field has. A field shows its problem once it was touched,
    /// contains a value, or the form was submitted.
    pub fn set_problems(&mut self, errors: &[ValidationError]) -> Vec<ValidationError> {
        for field in &mut self.fields {
            field.problem = None;
        }
        let mut unplaced = Vec::new();
        for error in errors {
            let submitted = self.submitted;
            match self.fields.iter_mut().find(|f| f.key == error.field) {
                Some(field) => {
                    let visible = submitted || field.touched || !field.text.trim().is_empty();
                    // A field keeps its first problem: a parse error comes
                    // before the range check of the same value.
                    if visible && field.problem.is_none() {
                        field.problem = Some(Problem::of(field.label, error));
                    }
                }
                None => unplaced.push(error.clone()),
            }
        }
        unplaced
    }

    /// Number of fields with a problem that blocks saving, and with one
    /// that needs confirmation.
    pub fn problem_counts(&self) -> (usize, usize) {
        let mut blocking = 0;
        let mut unusual = 0;
        for problem in self.fields.iter().filter_map(|f| f.problem.as_ref()) {
            if problem.needs_confirmation {
                unusual += 1;
            } else {
                blocking += 1;
            }
        }
        (blocking, unusual)
    }

    /// Draw the fields in `area` with the focused field's detail under
    /// them.
    pub fn render(&mut self, frame: &mut Frame, area: Rect, title: &str, hint: &str) {
        let [list_area, detail_area] =
            Layout::vertical([Constraint::Min(3), Constraint::Length(3)]).areas(area);
        let block = Block::bordered().title(format!(" {title} "));
        let inner = block.inner(list_area);
        frame.render_widget(block, list_area);
        let rows = usize::from(inner.height).max(1);
        if self.focus < self.top {
            self.top = self.focus;
        } else if self.focus >= self.top + rows {
            self.top = self.focus + 1 - rows;
        }

        let width = usize::from(inner.width);
        let label_width = self
            .fields
            .iter()
            .map(|f| format::width(f.label) + 1)
            .max()
            .unwrap_or(10)
            .min(width / 3);
        let value_width = 14.min(width / 4).max(8);
        let unit_width = 7;
        let reason_width = width.saturating_sub(2 + label_width + 1 + value_width + 1 + unit_width);

        let lines: Vec<Line> = self
            .fields
            .iter()
            .enumerate()
            .skip(self.top)
            .take(rows)
            .map(|(i, field)| {
                let focused = i == self.focus;
                let marker = if focused { "▶ " } else { "  " };
                let label_style = if field.locked {
                    theme::muted()
                } else if focused {
                    theme::title()
                } else {
                    Style::default()
                };
                let value = field.value_text(focused);
                let value_style = if focused {
                    theme::selected()
                } else if field.text.is_empty() {
                    theme::muted()
                } else {
                    Style::default()
                };
                let shown_value = if field.text.is_empty() && !focused {
                    "·".to_string()
                } else {
                    value
                };
                let mut spans = vec![
                    Span::raw(marker),
                    Span::styled(
                        format::fit(&format::capitalized(field.label), label_width),
                        label_style,
                    ),
                    Span::raw(" "),
                    Span::styled(format::fit(&shown_value, value_width), value_style),
                    Span::raw(" "),
                    Span::styled(format::fit(field.unit, unit_width), theme::muted()),
                ];
                if let Some(problem) = &field.problem {
                    let (mark, style) = if problem.needs_confirmation {
                        ("? ", theme::warning())
                    } else {
                        ("✗ ", theme::error())
                    };
                    spans.push(Span::styled(
                        format::truncate(&format!("{mark}{}", problem.reason), reason_width),
                        style,
                    ));
                }
                Line::from(spans)
            })
            .collect();

        frame.render_widget(Paragraph::new(lines), inner);
        let field = self.focused();
        let detail = match &field.problem {
            Some(problem) => {
                let style = if problem.needs_confirmation {
                    theme::warning()
                } else {
                    theme::error()
                };
                Line::styled(problem.detail.clone(), style)
            }
            None => Line::styled(field_hint(field, hint), theme::muted()),
        };
        frame.render_widget(
            Paragraph::new(detail).wrap(Wrap { trim: true }),
            detail_area,
        );
    }
}

/// Explain what to type in a field without a problem.
fn field_hint(field: &Field, form_hint: &str) -> String {
    if field.locked {
        return format!(
            "{} cannot be changed here. {form_hint}",
            format::capitalized(field.label)
        );
    }
    let how = match field.kind {
        FieldKind::Text { .. } => "Type the text.".to_string(),
        FieldKind::Date => "Type the date as YYYY-MM-DD.".to_string(),
        FieldKind::Number => {
            if field.unit.is_empty() {
                "Type a number, or leave it empty if unknown.".to_string()
            } else {
                format!(
                    "Type a number in {}, or leave it empty if unknown.",
                    field.unit
                )
            }
        }
        FieldKind::Choice(options) => {
            let listed: Vec<&str> = options
                .iter()
                .map(|o| if o.is_empty() { format::MISSING } else { o })
                .collect();
            format!("←/→ or Space choose: {}.", listed.join(", "))
        }
    };
    format!("{how} {form_hint}")
}

/// Keep a parsed value, or record why it could not be parsed.
pub fn keep<T>(errors: &mut Vec<ValidationError>, result: Result<T, ValidationError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

/// A validation error for `field` that no parse function produces.
pub fn field_error(field: &'static str, value: &str, reason: Reason) -> ValidationError {
    ValidationError::new(field, value, reason)
}

/// A confirmation a form requests before it goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormPrompt {
    /// Leaving with unsaved changes.
    Discard,
    /// Saving values outside the usual range; lists them.
    ConfirmUnusual(Vec<String>),
    /// Someone else changed the patient since the form opened.
    Conflict(String),
}

/// The user's reply to a [`FormPrompt`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptAnswer {
    /// Go ahead: discard, save anyway, or reload.
    Yes,
    /// Close the question and keep editing.
    No,
    /// Any other key: the question stays.
    Pending,
}

impl FormPrompt {
    /// Read a key as the reply.
    pub fn answer(&self, key: &KeyEvent) -> PromptAnswer {
        let yes = match self {
            FormPrompt::Discard | FormPrompt::ConfirmUnusual(_) => {
                matches!(key.code, KeyCode::Char('y' | 'Y'))
            }
            FormPrompt::Conflict(_) => matches!(key.code, KeyCode::Char('r' | 'R')),
        };
        if yes {
            PromptAnswer::Yes
        } else if matches!(key.code, KeyCode::Esc | KeyCode::Char('n' | 'N')) {
            PromptAnswer::No
        } else {
            PromptAnswer::Pending
        }
    }

    /// Draw the question over the form.
    pub fn render(&self, frame: &mut Frame, area: Rect) {
        let (title, mut lines, keys) = match self {
            FormPrompt::Discard => (
                "Discard changes?",
                vec![Line::from("This form has changes that are not saved.")],
                "y discard and leave   n keep editing",
            ),
            FormPrompt::ConfirmUnusual(values) => {
                let mut lines = vec![Line::from("These values are outside the usual range:")];
                lines.extend(
                    values
                        .iter()
                        .map(|v| Line::styled(format!("  {v}"), theme::warning())),
                );
                lines.push(Line::from("Save them as entered?"));
                ("Confirm unusual values", lines, "y save   n keep editing")
            }
            FormPrompt::Conflict(message) => (
                "Changed by someone else",
                vec![
                    Line::styled(message.clone(), theme::error()),
                    Line::from("Nothing was saved, and the other change was kept."),
                ],
                "r reload the stored patient (your changes are lost)   Esc keep editing",
            ),
        };
        lines.push(Line::from(""));
        lines.push(Line::styled(keys, theme::title()));
        crate::tui::widgets::popup::render_message(frame, area, title, lines);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    const YES_NO: &[&str] = &["", "yes", "no"];

    #[test]
    fn choice_cycles_and_jumps_by_letter() {
        let mut field = Field::new("pvtt", "PVTT", "", FieldKind::Choice(YES_NO), "");
        assert!(field.edit(&key(KeyCode::Right)));
        assert_eq!(field.text, "yes");
        assert!(field.edit(&key(KeyCode::Right)));
        assert_eq!(field.text, "no");
        assert!(field.edit(&key(KeyCode::Right)));
        assert_eq!(field.text, "");
        assert!(field.edit(&key(KeyCode::Char('n'))));
        assert_eq!(field.text, "no");
        assert!(!field.edit(&key(KeyCode::Char('z'))));
        assert!(field.edit(&key(KeyCode::Backspace)));
        assert_eq!(field.text, "");
    }

    #[test]
    fn text_typing_and_locking() {
        let mut field = Field::new("center", "centre", "", FieldKind::Text { max_chars: 3 }, "");
        for c in "ABCD".chars() {
            field.edit(&key(KeyCode::Char(c)));
        }
        assert_eq!(field.text, "ABC");
        field.edit(&key(KeyCode::Backspace));
        assert_eq!(field.text, "AB");
        assert!(field.is_changed());
        let mut locked = field.clone().locked();
        assert!(!locked.edit(&key(KeyCode::Char('x'))));
    }

    #[test]
    fn problems_wait_until_field_is_left() {
        let fields = vec![
            Field::new("a", "a", "", FieldKind::Number, ""),
            Field::new("b", "b", "", FieldKind::Number, ""),
        ];
        let mut form = FormState::new(fields);
        let error = ValidationError::new("a", "", Reason::Required);
        form.set_problems(std::slice::from_ref(&error));
        assert!(form.fields[0].problem.is_none());
        assert_eq!(form.handle_key(&key(KeyCode::Tab)), FormKey::Left);
        form.set_problems(std::slice::from_ref(&error));
        assert_eq!(
            form.fields[0].problem.as_ref().map(|p| p.reason.as_str()),
            Some("is missing")
        );
        let stray = ValidationError::new("row", "", Reason::Required);
        assert_eq!(form.set_problems(&[stray]).len(), 1);
    }
}
