//! One patient: baseline with units and derived categories, the follow-up
//! timeline, and both model predictions, on three tabs under a header with
//! the patient's identity and overall survival so far.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, TableState, Tabs};

use crate::db::StoredPatient;
use crate::domain::Treatment;
use crate::domain::derived::overall_survival;
use crate::tui::app::{Action, Outcome, SECTION_BINDINGS, Shared, StatusKind, moved};
use crate::tui::describe::{BaselineLine, baseline_lines};
use crate::tui::format;
use crate::tui::keymap::Binding;
use crate::tui::screens::patients::open_patient;
use crate::tui::theme;

/// The tabs of the patient screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Baseline,
    FollowUp,
    Predictions,
}

const TABS: [(Tab, &str); 3] = [
    (Tab::Baseline, "1 Baseline"),
    (Tab::FollowUp, "2 Follow-up"),
    (Tab::Predictions, "3 Predictions"),
];

static BINDINGS: [Binding<Action>; 12] = [
    SECTION_BINDINGS[0],
    Binding {
        keys: &[KeyCode::Tab, KeyCode::Right, KeyCode::Char('l')],
        key_label: "Tab/→",
        action: Action::NextTab,
        description: "next tab (1, 2 or 3 jumps to a tab)",
        footer: "tab",
    },
    Binding {
        keys: &[KeyCode::BackTab, KeyCode::Left, KeyCode::Char('h')],
        key_label: "S-Tab/←",
        action: Action::PreviousTab,
        description: "previous tab",
        footer: "",
    },
    Binding {
        keys: &[KeyCode::Char('j'), KeyCode::Down],
        key_label: "j/↓",
        action: Action::Down,
        description: "scroll down",
        footer: "",
    },
    Binding {
        keys: &[KeyCode::Char('k'), KeyCode::Up],
        key_label: "k/↑",
        action: Action::Up,
        description: "scroll up",
        footer: "",
    },
    Binding {
        keys: &[KeyCode::Char('e')],
        key_label: "e",
        action: Action::Edit,
        description: "edit the baseline",
        footer: "edit",
    },
    Binding {
        keys: &[KeyCode::Char('f')],
        key_label: "f",
        action: Action::AddFollowUp,
        description: "add a follow-up contact",
        footer: "follow-up",
    },
    Binding {
        keys: &[KeyCode::Char('R')],
        key_label: "R",
        action: Action::Reload,
        description: "reload from the registry",
        footer: "",
    },
    SECTION_BINDINGS[1],
    SECTION_BINDINGS[2],
    SECTION_BINDINGS[3],
    SECTION_BINDINGS[4],
];

/// The patient screen.
pub struct PatientScreen {
    pub study_id: String,
    pub tab: Tab,
    /// The patient as read, and the data version it was read at.
    loaded: Option<(u64, Option<StoredPatient>)>,
    /// First baseline line shown when the lines do not fit.
    baseline_top: usize,
    /// Selected contact on the follow-up tab.
    followup_selected: u64,
    predictions: crate::tui::screens::prediction_panel::PredictionPanel,
}

impl PatientScreen {
    pub fn new(study_id: &str) -> Self {
        Self {
            study_id: study_id.to_string(),
            tab: Tab::Baseline,
            loaded: None,
            baseline_top: 0,
            followup_selected: 0,
            predictions: Default::default(),
        }
    }

    pub fn title(&self) -> String {
        format!("Patient {}", self.study_id)
    }

    pub fn bindings(&self) -> &'static [Binding<Action>] {
        &BINDINGS
    }

    /// Return the patient as last read; `None` before the first draw or
    /// when the study id is unknown.
    pub fn patient(&self) -> Option<&StoredPatient> {
        self.loaded.as_ref().and_then(|(_, p)| p.as_ref())
    }

    fn load(&mut self, shared: &mut Shared) {
        if self
            .loaded
            .as_ref()
            .is_some_and(|(version, _)| *version == shared.data_version)
        {
            return;
        }
        match shared.registry.patient(&self.study_id) {
            Ok(patient) => {
                if let Some(p) = &patient {
                    let last = p.followups.len().saturating_sub(1) as u64;
                    self.followup_selected = self.followup_selected.min(last);
                }
                self.loaded = Some((shared.data_version, patient));
            }
            Err(error) => {
                shared.set_status(StatusKind::Error, format!("Cannot read patient: {error}"));
                self.loaded = Some((shared.data_version, None));
            }
        }
    }

    pub fn handle_key(&mut self, key: &KeyEvent, _shared: &mut Shared) -> Option<Outcome> {
        let tab = match key.code {
            KeyCode::Char('1') => Tab::Baseline,
            KeyCode::Char('2') => Tab::FollowUp,
            KeyCode::Char('3') => Tab::Predictions,
            _ => return None,
        };
        self.tab = tab;
        Some(Outcome::Stay)
    }

    pub fn handle(&mut self, action: Action, shared: &mut Shared) -> Outcome {
        let index = TABS.iter().position(|(t, _)| *t == self.tab).unwrap_or(0);
        let contacts = self.patient().map_or(0, |p| p.followups.len() as u64);
        match action {
            Action::NextTab => self.tab = TABS[(index + 1) % TABS.len()].0,
            Action::PreviousTab => self.tab = TABS[(index + TABS.len() - 1) % TABS.len()].0,
            Action::Down => match self.tab {
                Tab::Baseline => self.baseline_top += 1,
                Tab::FollowUp => {
                    self.followup_selected = moved(self.followup_selected, 1, contacts)
                }
                Tab::Predictions => self.predictions.scroll(1),
            },
            Action::Up => match self.tab {
                Tab::Baseline => self.baseline_top = self.baseline_top.saturating_sub(1),
                Tab::FollowUp => {
                    self.followup_selected = moved(self.followup_selected, -1, contacts);
                }
                Tab::Predictions => self.predictions.scroll(-1),
            },
            Action::Reload => {
                self.loaded = None;
                self.predictions.clear();
            }
            Action::Edit | Action::AddFollowUp => {
                let study_id = self.study_id.clone();
                return open_patient(action, &study_id, shared);
            }
            Action::Back => return Outcome::Back,
            _ => {}
        }
        Outcome::Stay
    }

    pub fn refresh(&mut self, _shared: &mut Shared) {
        self.loaded = None;
        self.predictions.clear();
    }

    pub fn render(&mut self, frame: &mut Frame, area: Rect, shared: &mut Shared) {
        self.load(shared);
        let Some(patient) = self.patient().cloned() else {
            let text = format!(
                "Patient {} is not in the registry. Press q to go back.",
                self.study_id
            );
            frame.render_widget(
                Paragraph::new(text).block(Block::bordered().title(" Patient ")),
                area,
            );
            return;
        };
        let [header, tabs, body] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Length(1),
            Constraint::Min(3),
        ])
        .areas(area);
        render_header(frame, header, &patient);
        let selected = TABS.iter().position(|(t, _)| *t == self.tab).unwrap_or(0);
        frame.render_widget(
            Tabs::new(TABS.iter().map(|(_, name)| *name))
                .select(selected)
                .highlight_style(theme::selected())
                .divider("│"),
            tabs,
        );
        match self.tab {
            Tab::Baseline => self.render_baseline(frame, body, &patient),
            Tab::FollowUp => self.render_followups(frame, body, &patient),
            Tab::Predictions => self.predictions.render(frame, body, shared, &patient),
        }
    }

    fn render_baseline(&mut self, frame: &mut Frame, area: Rect, patient: &StoredPatient) {
        let block = Block::bordered().title(" Baseline at treatment start ");
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let lines = baseline_lines(&patient.record.baseline);
        let rows = usize::from(inner.height).max(1);
        let two_columns = inner.width >= 76 && lines.len().div_ceil(2) <= rows;
        if two_columns {
            self.baseline_top = 0;
            let half = lines.len().div_ceil(2);
            let [left, right] =
                Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(inner);
            render_baseline_column(frame, left, &lines[..half]);
            render_baseline_column(frame, right, &lines[half..]);
        } else {
            let max_top = lines.len().saturating_sub(rows);
            self.baseline_top = self.baseline_top.min(max_top);
            let end = (self.baseline_top + rows).min(lines.len());
            render_baseline_column(frame, inner, &lines[self.baseline_top..end]);
        }
    }

    fn render_followups(&mut self, frame: &mut Frame, area: Rect, patient: &StoredPatient) {
        let start = patient.record.treatment_start;
        let rows: Vec<Row> = patient
            .followups
            .iter()
            .map(|stored| {
                let f = &stored.followup;
                let status_style = match f.status {
                    crate::domain::VitalStatus::Dead => theme::error(),
                    crate::domain::VitalStatus::Lost => theme::warning(),
                    crate::domain::VitalStatus::Alive => Style::default(),
                };
                Row::new(vec![
                    Span::raw(f.contact_date.to_string()),
                    Span::styled(f.status.to_string(), status_style),
                    Span::raw(format!(
                        "{:.1}",
                        format::months_between(start, f.contact_date)
                    )),
                    Span::raw(f.hsp90a_ng_ml.map_or("·".into(), |v| v.to_string())),
                    Span::raw(f.afp_ng_ml.map_or("·".into(), |v| v.to_string())),
                    Span::raw(stored.entered_by.clone()),
                    Span::raw(f.note.clone().unwrap_or_default()),
                ])
            })
            .collect();
        let title = format!(
            " Follow-up: {} contact(s) since {start} (f adds one) ",
            patient.followups.len()
        );
        if rows.is_empty() {
            frame.render_widget(
                Paragraph::new(" No contact recorded yet. Press f to add one.")
                    .style(theme::muted())
                    .block(Block::bordered().title(title)),
                area,
            );
            return;
        }
        let header = Row::new(vec![
            "Date", "Status", "Months", "HSP90α", "AFP", "By", "Note",
        ])
        .style(theme::header());
        let widths = [
            Constraint::Length(10),
            Constraint::Length(6),
            Constraint::Length(6),
            Constraint::Length(7),
            Constraint::Length(9),
            Constraint::Length(8),
            Constraint::Min(4),
        ];
        let table = Table::new(rows, widths)
            .header(header)
            .block(Block::bordered().title(title))
            .row_highlight_style(theme::selected());
        let mut state = TableState::default();
        state.select(usize::try_from(self.followup_selected).ok());
        frame.render_stateful_widget(table, area, &mut state);
    }
}

fn render_header(frame: &mut Frame, area: Rect, patient: &StoredPatient) {
    let record = &patient.record;
    let treatment = match record.treatment {
        Treatment::Tace => "TACE",
        Treatment::None => "no TACE",
    };
    let external = if record.center_external {
        " (external validation)"
    } else {
        ""
    };
    let mut first = vec![
        Span::styled(format!(" {} ", record.study_id), theme::title()),
        Span::raw(format!(
            " centre {}{external} · {treatment}, start {}",
            record.center, record.treatment_start
        )),
    ];
    if patient.withdrawn {
        first.push(Span::styled("  WITHDRAWN", theme::error()));
    }
    let followups: Vec<_> = patient
        .followups
        .iter()
        .map(|f| f.followup.clone())
        .collect();
    let os = overall_survival(record.treatment_start, &followups, None);
    let second = match followups.last() {
        Some(last) => format!(
            " Last contact {} ({}) · OS {:.1} months, {} · row version {}",
            last.contact_date,
            last.status,
            os.months,
            if os.event { "died" } else { "censored" },
            patient.row_version
        ),
        None => format!(
            " No follow-up contact yet · row version {}",
            patient.row_version
        ),
    };
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(first),
            Line::styled(second, theme::muted()),
        ]),
        area,
    );
}

fn render_baseline_column(frame: &mut Frame, area: Rect, lines: &[BaselineLine]) {
    let width = usize::from(area.width);
    let label_width = lines
        .iter()
        .map(|l| format::width(l.label))
        .max()
        .unwrap_or(0)
        .min(width / 3);
    let value_width = lines
        .iter()
        .map(|l| {
            l.value
                .as_deref()
                .map_or(format::MISSING.len(), format::width)
        })
        .max()
        .unwrap_or(0)
        .min(width / 3);
    let category_width = width.saturating_sub(label_width + value_width + 3);
    let text: Vec<Line> = lines
        .iter()
        .map(|l| {
            let (value, style) = match &l.value {
                Some(v) => (v.clone(), Style::default()),
                None => (format::MISSING.to_string(), theme::muted()),
            };
            Line::from(vec![
                Span::raw(" "),
                Span::styled(
                    format::fit(&format::capitalized(l.label), label_width),
                    theme::header(),
                ),
                Span::raw(" "),
                Span::styled(format::fit(&value, value_width), style),
                Span::raw(" "),
                Span::styled(
                    format::truncate(&l.category, category_width),
                    theme::muted(),
                ),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(text), area);
}
