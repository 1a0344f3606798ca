//! The follow-up worklist: patients still in the study and not known to
//! have died whose last contact is older than an interval (3 months unless
//! changed with `+` and `-`), oldest first, with one key to enter the new
//! contact. The rows come from [`crate::db::Registry::worklist`].

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Block, Paragraph, Row, Table, TableState};

use crate::db::{Worklist, WorklistEntry};
use crate::domain::cutoffs::DAYS_PER_MONTH;
use crate::tui::app::{
    Action, Outcome, SECTION_BINDINGS, Shared, StatusKind, moved, scroll_into_view,
};
use crate::tui::format;
use crate::tui::keymap::Binding;
use crate::tui::queries;
use crate::tui::screens::patients::{
    DUE_AFTER_MONTHS, MOVE_BINDINGS, open_patient, treatment_label,
};
use crate::tui::theme;

/// Maximum interval the worklist offers, in months.
const MAX_INTERVAL_MONTHS: u32 = 60;

static BINDINGS: [Binding<Action>; 15] = [
    SECTION_BINDINGS[0],
    Binding {
        keys: &[KeyCode::Char('f')],
        key_label: "f",
        action: Action::AddFollowUp,
        description: "add a follow-up contact to the selected patient",
        footer: "follow-up",
    },
    Binding {
        keys: &[KeyCode::Enter],
        key_label: "Enter",
        action: Action::Open,
        description: "open the selected patient",
        footer: "open",
    },
    Binding {
        keys: &[KeyCode::Char('+'), KeyCode::Char('=')],
        key_label: "+",
        action: Action::Longer,
        description: "lengthen the interval by a month",
        footer: "longer",
    },
    Binding {
        keys: &[KeyCode::Char('-')],
        key_label: "-",
        action: Action::Shorter,
        description: "shorten the interval by a month",
        footer: "shorter",
    },
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

/// The worklist screen.
pub struct WorklistScreen {
    /// Months without contact after which a patient is listed.
    pub interval_months: u32,
    pub selected: u64,
    top: u64,
    visible_rows: u64,
    page: Option<(u32, u64, u64, u64, Worklist)>,
}

impl Default for WorklistScreen {
    fn default() -> Self {
        Self::new()
    }
}

impl WorklistScreen {
    pub fn new() -> Self {
        Self {
            interval_months: DUE_AFTER_MONTHS,
            selected: 0,
            top: 0,
            visible_rows: 10,
            page: None,
        }
    }

    pub fn title(&self) -> String {
        let total = self.total();
        format!(
            "Follow-up worklist ({} due, no contact for {} month{})",
            format::count(total),
            self.interval_months,
            if self.interval_months == 1 { "" } else { "s" }
        )
    }

    pub fn bindings(&self) -> &'static [Binding<Action>] {
        &BINDINGS
    }

    /// Return the number of patients due, as last read.
    pub fn total(&self) -> u64 {
        self.page.as_ref().map_or(0, |p| p.4.total)
    }

    /// Return the rows on screen, as last read.
    pub fn rows(&self) -> &[WorklistEntry] {
        self.page.as_ref().map_or(&[], |p| &p.4.rows)
    }

    fn selected_study_id(&self) -> Option<String> {
        let index = usize::try_from(self.selected.checked_sub(self.top)?).ok()?;
        self.rows().get(index).map(|r| r.study_id.clone())
    }

    fn load(&mut self, shared: &mut Shared) {
        self.top = scroll_into_view(self.top, self.selected, self.visible_rows);
        let key = (
            self.interval_months,
            self.top,
            self.visible_rows,
            shared.data_version,
        );
        if self
            .page
            .as_ref()
            .is_some_and(|p| (p.0, p.1, p.2, p.3) == key)
        {
            return;
        }
        // The interval is in calendar months, the registry's query in days.
        let before = queries::overdue_before(shared.today, self.interval_months);
        let days = u32::try_from((shared.today - before).num_days()).unwrap_or(u32::MAX);
        match shared
            .registry
            .worklist(shared.today, days, self.top, self.visible_rows)
        {
            Ok(page) => {
                let total = page.total;
                self.page = Some((key.0, key.1, key.2, key.3, page));
                if total > 0 && self.selected >= total {
                    self.selected = total - 1;
                    self.page = None;
                    self.load(shared);
                }
            }
            Err(error) => {
                shared.set_status(
                    StatusKind::Error,
                    format!("Cannot read the worklist: {error}"),
                );
            }
        }
    }

    pub fn handle_key(&mut self, _key: &KeyEvent, _shared: &mut Shared) -> Option<Outcome> {
        None
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
            Action::Longer => {
                self.interval_months = (self.interval_months + 1).min(MAX_INTERVAL_MONTHS);
                self.selected = 0;
            }
            Action::Shorter => {
                self.interval_months = self.interval_months.saturating_sub(1).max(1);
                self.selected = 0;
            }
            Action::Open | Action::AddFollowUp => {
                // A key can come before the first draw has read a page.
                self.load(shared);
                let Some(study_id) = self.selected_study_id() else {
                    shared.set_status(StatusKind::Info, "No patient is due.");
                    return Outcome::Stay;
                };
                return open_patient(action, &study_id, shared);
            }
            Action::Back => return Outcome::Back,
            _ => {}
        }
        Outcome::Stay
    }

    pub fn refresh(&mut self, _shared: &mut Shared) {
        self.page = None;
    }

    pub fn render(&mut self, frame: &mut Frame, area: Rect, shared: &mut Shared) {
        self.visible_rows = u64::from(area.height.saturating_sub(3)).max(1);
        self.load(shared);
        let before = queries::overdue_before(shared.today, self.interval_months);
        let title = format!(" Last seen before {before}, oldest first ");
        if self.total() == 0 {
            frame.render_widget(
                Paragraph::new(
                    " Nobody is due: every living patient was seen within the interval.",
                )
                .style(theme::muted())
                .block(Block::bordered().title(title)),
                area,
            );
            return;
        }

        let rows: Vec<Row> = self
            .rows()
            .iter()
            .map(|r| {
                let last_text = match r.last_contact_date {
                    Some(date) => date.to_string(),
                    None => format!("{date} start", date = r.treatment_start),
                };
                let status = r
                    .last_status
                    .map_or("no contact".to_string(), |s| s.to_string());
                let months = r.days_since_contact as f64 / DAYS_PER_MONTH;
                Row::new(vec![
                    r.study_id.clone(),
                    r.center.clone(),
                    treatment_label(r.treatment).to_string(),
                    last_text,
                    status,
                    format!("{months:.1}"),
                ])
            })
            .collect();

        let header = Row::new(vec![
            "Study id",
            "Centre",
            "Tx",
            "Last seen",
            "Status",
            "Months ago",
        ])
        .style(theme::header());
        let widths = [
            Constraint::Min(10),
            Constraint::Length(6),
            Constraint::Length(4),
            Constraint::Length(16),
            Constraint::Length(10),
            Constraint::Length(10),
        ];
        let table = Table::new(rows, widths)
            .header(header)
            .block(Block::bordered().title(title))
            .row_highlight_style(theme::selected());
        let mut state = TableState::default();
        state.select(usize::try_from(self.selected.saturating_sub(self.top)).ok());
        frame.render_stateful_widget(table, area, &mut state);
    }
}
