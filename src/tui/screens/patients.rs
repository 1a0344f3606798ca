//! The patient list: one page of the registry at a time, filtered by study
//! id or centre and sorted by a column, with the number of patients in the
//! title.
//!
//! Only the rows on screen are read, with [`Registry::patients_page`] and
//! an offset and a limit. A page is read again only when the filter, the
//! sort, the scroll position or the data changed, so the list stays fast
//! on registries of 100,000 patients.
//!
//! [`Registry::patients_page`]: crate::db::Registry::patients_page

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState};

use crate::db::{Page, PageRequest, PatientSummary, SortColumn};
use crate::domain::VitalStatus;
use crate::tui::app::{
    Action, Outcome, SECTION_BINDINGS, Screen, Shared, StatusKind, moved, scroll_into_view,
};
use crate::tui::format;
use crate::tui::keymap::Binding;
use crate::tui::predictions::RowPrediction;
use crate::tui::queries;
use crate::tui::screens::followup_form::FollowUpForm;
use crate::tui::screens::patient::PatientScreen;
use crate::tui::screens::patient_form::PatientForm;
use crate::tui::theme;

/// Months without contact after which a living patient's follow-up is due
/// (the worklist's default interval).
pub const DUE_AFTER_MONTHS: u32 = 3;

/// Movement keys shared by the list screens.
pub const MOVE_BINDINGS: [Binding<Action>; 6] = [
    Binding {
        keys: &[KeyCode::Char('j'), KeyCode::Down],
        key_label: "j/↓",
        action: Action::Down,
        description: "next row",
        footer: "",
    },
    Binding {
        keys: &[KeyCode::Char('k'), KeyCode::Up],
        key_label: "k/↑",
        action: Action::Up,
        description: "previous row",
        footer: "",
    },
    Binding {
        keys: &[KeyCode::PageDown, KeyCode::Char(' ')],
        key_label: "PgDn/Space",
        action: Action::PageDown,
        description: "next page",
        footer: "",
    },
    Binding {
        keys: &[KeyCode::PageUp],
        key_label: "PgUp",
        action: Action::PageUp,
        description: "previous page",
        footer: "",
    },
    Binding {
        keys: &[KeyCode::Char('g'), KeyCode::Home],
        key_label: "g/Home",
        action: Action::Top,
        description: "first row",
        footer: "",
    },
    Binding {
        keys: &[KeyCode::Char('G'), KeyCode::End],
        key_label: "G/End",
        action: Action::Bottom,
        description: "last row",
        footer: "",
    },
];

const OWN_BINDINGS: [Binding<Action>; 7] = [
    Binding {
        keys: &[KeyCode::Enter],
        key_label: "Enter",
        action: Action::Open,
        description: "open the selected patient",
        footer: "open",
    },
    Binding {
        keys: &[KeyCode::Char('/')],
        key_label: "/",
        action: Action::Filter,
        description: "filter by study id or centre (Enter keeps, Esc clears)",
        footer: "filter",
    },
    Binding {
        keys: &[KeyCode::Char('s')],
        key_label: "s",
        action: Action::Sort,
        description: "sort by the next column",
        footer: "",
    },
    Binding {
        keys: &[KeyCode::Char('S')],
        key_label: "S",
        action: Action::Reverse,
        description: "reverse the sort order",
        footer: "",
    },
    Binding {
        keys: &[KeyCode::Char('a')],
        key_label: "a",
        action: Action::AddPatient,
        description: "add a patient",
        footer: "add",
    },
    Binding {
        keys: &[KeyCode::Char('e')],
        key_label: "e",
        action: Action::Edit,
        description: "edit the selected patient",
        footer: "",
    },
    Binding {
        keys: &[KeyCode::Char('f')],
        key_label: "f",
        action: Action::AddFollowUp,
        description: "add a follow-up contact to the selected patient",
        footer: "follow-up",
    },
];

static BINDINGS: [Binding<Action>; 18] = [
    SECTION_BINDINGS[0],
    OWN_BINDINGS[0],
    OWN_BINDINGS[1],
    OWN_BINDINGS[2],
    OWN_BINDINGS[3],
    OWN_BINDINGS[4],
    OWN_BINDINGS[5],
    OWN_BINDINGS[6],
    MOVE_BINDINGS[0],
    MOVE_BINDINGS[1],
    MOVE_BINDINGS[2],
    MOVE_BINDINGS[3],
    MOVE_BINDINGS[4],
    MOVE_BINDINGS[5],
    SECTION_BINDINGS[1],
    SECTION_BINDINGS[2],
    SECTION_BINDINGS[3],
    SECTION_BINDINGS[4],
];

/// Sort columns in the order `s` steps through them, with their names.
const SORTS: [(SortColumn, &str); 8] = [
    (SortColumn::StudyId, "study id"),
    (SortColumn::Center, "centre"),
    (SortColumn::Treatment, "treatment"),
    (SortColumn::TreatmentStart, "treatment start"),
    (SortColumn::Bclc, "BCLC"),
    (SortColumn::Hsp90a, "HSP90α"),
    (SortColumn::LastContact, "last contact"),
    (SortColumn::Status, "status"),
];

/// The patient list.
pub struct PatientsScreen {
    pub filter: String,
    /// Whether keys are typed into the filter.
    pub editing_filter: bool,
    pub sort: SortColumn,
    pub descending: bool,
    /// Position of the selected row among the matching patients.
    pub selected: u64,
    /// Position of the first row on screen.
    top: u64,
    /// Rows the table showed at the last draw.
    visible_rows: u64,
    page: Option<(PageRequest, u64, Page)>,
    /// Number of patients in the registry and the data version it was
    /// counted at.
    all: Option<(u64, u64)>,
    predictions: RowPrediction,
}

impl Default for PatientsScreen {
    fn default() -> Self {
        Self::new()
    }
}

impl PatientsScreen {
    pub fn new() -> Self {
        Self {
            filter: String::new(),
            editing_filter: false,
            sort: SortColumn::StudyId,
            descending: false,
            selected: 0,
            top: 0,
            visible_rows: 10,
            page: None,
            all: None,
            predictions: RowPrediction::default(),
        }
    }

    pub fn title(&self) -> String {
        let Some((_, _, page)) = &self.page else {
            return "Patients".to_string();
        };
        let all = self.all.map_or(page.total, |(n, _)| n);
        if self.filter.is_empty() {
            format!("Patients ({})", format::count(all))
        } else {
            format!(
                "Patients ({} of {} match \"{}\")",
                format::count(page.total),
                format::count(all),
                self.filter
            )
        }
    }

    pub fn bindings(&self) -> &'static [Binding<Action>] {
        &BINDINGS
    }

    /// Return the number of patients matching the filter, as last read.
    pub fn total(&self) -> u64 {
        self.page.as_ref().map_or(0, |(_, _, page)| page.total)
    }

    /// Return the rows on screen, as last read.
    pub fn rows(&self) -> &[PatientSummary] {
        self.page.as_ref().map_or(&[], |(_, _, page)| &page.rows)
    }

    /// Return the selected patient's row, when it is on the page read.
    pub fn selected_row(&self) -> Option<&PatientSummary> {
        let index = self.selected.checked_sub(self.top)?;
        self.rows().get(usize::try_from(index).ok()?)
    }

    fn request(&self) -> PageRequest {
        PageRequest {
            filter: self.filter.clone(),
            sort: self.sort,
            descending: self.descending,
            offset: self.top,
            limit: self.visible_rows,
        }
    }

    /// Read the page on screen unless the one held is current.
    pub fn load(&mut self, shared: &mut Shared) {
        if self
            .all
            .is_none_or(|(_, version)| version != shared.data_version)
        {
            match queries::patient_count(shared.registry.connection()) {
                Ok(n) => self.all = Some((n, shared.data_version)),
                Err(error) => shared.set_status(StatusKind::Error, error.to_string()),
            }
        }
        self.top = scroll_into_view(self.top, self.selected, self.visible_rows);
        let request = self.request();
        let current = self
            .page
            .as_ref()
            .is_some_and(|(r, version, _)| *r == request && *version == shared.data_version);
        if current {
            return;
        }
        match shared.registry.patients_page(&request) {
            Ok(page) => {
                let total = page.total;
                self.page = Some((request, shared.data_version, page));
                // Rows can disappear (a narrower filter); keep the selection
                // on an existing row and read again if it moved off screen.
                if total > 0 && self.selected >= total {
                    self.selected = total - 1;
                    self.top = scroll_into_view(
                        self.top.min(self.selected),
                        self.selected,
                        self.visible_rows,
                    );
                    if let Ok(page) = shared.registry.patients_page(&self.request()) {
                        self.page = Some((self.request(), shared.data_version, page));
                    }
                } else if total == 0 {
                    self.selected = 0;
                    self.top = 0;
                }
            }
            Err(error) => {
                shared.set_status(StatusKind::Error, format!("Cannot read patients: {error}"));
            }
        }
    }

    fn filter_changed(&mut self) {
        self.selected = 0;
        self.top = 0;
    }

    pub fn handle_key(&mut self, key: &KeyEvent, _shared: &mut Shared) -> Option<Outcome> {
        if !self.editing_filter {
            return None;
        }
        let control = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Enter => self.editing_filter = false,
            KeyCode::Esc => {
                self.editing_filter = false;
                self.filter.clear();
                self.filter_changed();
            }
            KeyCode::Backspace => {
                self.filter.pop();
                self.filter_changed();
            }
            KeyCode::Char('u') if control => {
                self.filter.clear();
                self.filter_changed();
            }
            KeyCode::Char(c) if !control && !c.is_control() && self.filter.chars().count() < 64 => {
                self.filter.push(c);
                self.filter_changed();
            }
            KeyCode::Down | KeyCode::Up => {
                self.editing_filter = false;
                return None;
            }
            _ => {}
        }
        Some(Outcome::Stay)
    }

    pub fn handle(&mut self, action: Action, shared: &mut Shared) -> Outcome {
        let total = self.total();
        let page = i64::try_from(self.visible_rows).unwrap_or(1).max(1);
        match action {
            Action::Down => self.selected = moved(self.selected, 1, total),
            Action::Up => self.selected = moved(self.selected, -1, total),
            Action::PageDown => self.selected = moved(self.selected, page, total),
            Action::PageUp => self.selected = moved(self.selected, -page, total),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = total.saturating_sub(1),
            Action::Filter => self.editing_filter = true,
            Action::Sort => {
                let at = SORTS.iter().position(|(c, _)| *c == self.sort).unwrap_or(0);
                self.sort = SORTS[(at + 1) % SORTS.len()].0;
                self.filter_changed();
            }
            Action::Reverse => {
                self.descending = !self.descending;
                self.filter_changed();
            }
            Action::Back if !self.filter.is_empty() => {
                self.filter.clear();
                self.filter_changed();
            }
            Action::Back => return Outcome::Back,
            Action::AddPatient => {
                return Outcome::Push(Box::new(Screen::PatientForm(PatientForm::new_patient())));
            }
            Action::Open | Action::Edit | Action::AddFollowUp => {
                // A key can come before the first draw has read a page.
                self.load(shared);
                let Some(row) = self.selected_row() else {
                    shared.set_status(StatusKind::Info, "No patient is selected.");
                    return Outcome::Stay;
                };
                return open_patient(action, &row.study_id.clone(), shared);
            }
            _ => {}
        }
        Outcome::Stay
    }

    pub fn refresh(&mut self, _shared: &mut Shared) {
        self.page = None;
        self.all = None;
    }

    pub fn render(&mut self, frame: &mut Frame, area: Rect, shared: &mut Shared) {
        let [filter_area, table_area] = if self.editing_filter || !self.filter.is_empty() {
            Layout::vertical([Constraint::Length(1), Constraint::Min(3)]).areas(area)
        } else {
            [Rect::default(), area]
        };
        // Border (2) and header (1) take three rows.
        self.visible_rows = u64::from(table_area.height.saturating_sub(3)).max(1);
        self.load(shared);
        if filter_area.height > 0 {
            let cursor = if self.editing_filter { "▏" } else { "" };
            let hint = if self.editing_filter {
                "  (Enter keep, Esc clear)"
            } else {
                "  (/ change, Esc clear)"
            };
            let line = Line::from(vec![
                Span::styled(" Filter: ", theme::title()),
                Span::raw(format!("{}{cursor}", self.filter)),
                Span::styled(hint, theme::muted()),
            ]);
            frame.render_widget(Paragraph::new(line), filter_area);
        }
        self.render_table(frame, table_area, shared);
    }

    fn render_table(&mut self, frame: &mut Frame, area: Rect, shared: &mut Shared) {
        let sort_name = SORTS
            .iter()
            .find(|(c, _)| *c == self.sort)
            .map_or("", |(_, name)| name);
        let arrow = if self.descending { "▼" } else { "▲" };
        let title = format!(" {} · sorted by {sort_name} {arrow} ", self.title());
        let before = queries::overdue_before(shared.today, DUE_AFTER_MONTHS);
        let rows = self.rows().to_vec();
        let predicted = self.predictions.for_rows(shared, &rows);

        let widths = column_widths(area.width.saturating_sub(2));
        let shown: Vec<usize> = (0..COLUMNS.len()).filter(|&i| widths[i] > 0).collect();
        let table_rows: Vec<Row> = rows
            .iter()
            .zip(&predicted)
            .map(|(p, prediction)| {
                let months = p
                    .last_contact_date
                    .map(|d| format!("{:.1}", format::months_between(p.treatment_start, d)))
                    .unwrap_or_else(|| "0.0".into());
                let status = match (p.withdrawn, p.last_status) {
                    (true, _) => "withdrawn".to_string(),
                    (false, Some(s)) => s.to_string(),
                    (false, None) => "no contact".to_string(),
                };
                // As the worklist counts it: not known to have died.
                let due = !p.withdrawn
                    && p.last_status != Some(VitalStatus::Dead)
                    && p.last_contact_date.unwrap_or(p.treatment_start) < before;
                let style = if p.withdrawn {
                    theme::muted()
                } else {
                    ratatui::style::Style::default()
                };
                let cells = [
                    Cell::from(p.study_id.clone()),
                    Cell::from(p.center.clone()),
                    Cell::from(treatment_label(p.treatment)),
                    Cell::from(p.bclc.map(|b| b.as_str()).unwrap_or("·")),
                    Cell::from(p.hsp90a_ng_ml.map_or("·".into(), |v| format!("{v:.1}"))),
                    Cell::from(months),
                    Cell::from(status),
                    Cell::from(prediction.benefit.clone()),
                    Cell::from(prediction.risk_group.clone()),
                    Cell::from(if due { "due" } else { "" }).style(theme::warning()),
                ];
                let cells: Vec<Cell> = cells
                    .into_iter()
                    .enumerate()
                    .filter(|(i, _)| shown.contains(i))
                    .map(|(_, c)| c)
                    .collect();
                Row::new(cells).style(style)
            })
            .collect();

        let header = Row::new(shown.iter().map(|&i| COLUMNS[i].0)).style(theme::header());
        let widths: Vec<Constraint> = shown
            .iter()
            .map(|&i| {
                if i == 0 {
                    Constraint::Min(widths[i])
                } else {
                    Constraint::Length(widths[i])
                }
            })
            .collect();

        let table = Table::new(table_rows, widths)
            .header(header)
            .column_spacing(1)
            .block(Block::bordered().title(title))
            .row_highlight_style(theme::selected());
        let mut state = TableState::default();
        if self.total() > 0 {
            state.select(usize::try_from(self.selected.saturating_sub(self.top)).ok());
        }
        frame.render_stateful_widget(table, area, &mut state);

        if self.total() == 0 {
            let text = if self.filter.is_empty() {
                "The registry has no patients yet. Press a to add one."
            } else {
                "No patient matches the filter. Press Esc to clear it."
            };
            let inner = Block::bordered().inner(area);
            let [_, line] =
                Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(inner);
            frame.render_widget(
                Paragraph::new(format!(" {text}")).style(theme::muted()),
                line,
            );
        }
    }
}

/// Columns of the list: header and width. The study id column takes what
/// is left over.
const COLUMNS: [(&str, u16); 10] = [
    ("Study id", 9),
    ("Centre", 6),
    ("Tx", 4),
    ("BCLC", 4),
    ("HSP90α", 7),
    ("Months", 6),
    ("Status", 10),
    ("Benefit", 7),
    ("Risk", 5),
    ("F/U", 3),
];

/// Columns given up, in this order, when the table is too narrow for all:
/// months followed, centre, then risk group.
const DROP_ORDER: [usize; 3] = [5, 1, 8];

/// Share `width` columns of table among the columns, giving 0 to a column
/// left out.
fn column_widths(width: u16) -> [u16; 10] {
    let mut widths = COLUMNS.map(|(_, w)| w);
    let needed = |widths: &[u16; 10]| -> u16 {
        let shown = widths.iter().filter(|w| **w > 0).count() as u16;
        widths.iter().sum::<u16>() + shown.saturating_sub(1)
    };
    for column in DROP_ORDER {
        if needed(&widths) <= width {
            break;
        }
        widths[column] = 0;
    }
    widths
}

/// Short treatment label for tables.
pub fn treatment_label(treatment: crate::domain::Treatment) -> &'static str {
    match treatment {
        crate::domain::Treatment::Tace => "TACE",
        crate::domain::Treatment::None => "none",
    }
}

/// Open the patient screen, the edit form or the follow-up form for
/// `study_id`.
pub fn open_patient(action: Action, study_id: &str, shared: &mut Shared) -> Outcome {
    match action {
        Action::Edit => match shared.registry.patient(study_id) {
            Ok(Some(stored)) if stored.withdrawn => {
                shared.set_status(
                    StatusKind::Error,
                    format!("Patient {study_id} withdrew consent, so the data cannot change."),
                );
                Outcome::Stay
            }
            Ok(Some(stored)) => {
                Outcome::Push(Box::new(Screen::PatientForm(PatientForm::edit(&stored))))
            }
            Ok(None) => {
                shared.set_status(
                    StatusKind::Error,
                    format!("Patient {study_id} was not found."),
                );
                Outcome::Stay
            }
            Err(error) => {
                shared.set_status(StatusKind::Error, error.to_string());
                Outcome::Stay
            }
        },
        Action::AddFollowUp => match FollowUpForm::open(shared, study_id) {
            Ok(form) => Outcome::Push(Box::new(Screen::FollowUpForm(form))),
            Err(text) => {
                shared.set_status(StatusKind::Error, text);
                Outcome::Stay
            }
        },
        _ => Outcome::Push(Box::new(Screen::Patient(PatientScreen::new(study_id)))),
    }
}
