//! Application state and key dispatch: the stack of screens (the patient
//! list at the bottom), the help overlay, the status line, the jobs running
//! on worker threads, and the frame around every screen.
//!
//! Everything here is driven by [`App::handle_key`], [`App::tick`] and
//! [`App::render`], so tests run it on a `TestBackend` without a terminal.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::db::{Registry, local_today};
use crate::tui::active_models::ActiveModels;
use crate::tui::format;
use crate::tui::jobs::Running;
use crate::tui::keymap::{self, Binding};
use crate::tui::screens::cohort::{CohortData, CohortScreen};
use crate::tui::screens::followup_form::FollowUpForm;
use crate::tui::screens::models::ModelsScreen;
use crate::tui::screens::patient::PatientScreen;
use crate::tui::screens::patient_form::PatientForm;
use crate::tui::screens::patients::PatientsScreen;
use crate::tui::screens::worklist::WorklistScreen;
use crate::tui::theme;
use crate::tui::widgets::popup;

/// Smallest terminal the screens are laid out for, in columns.
pub const MIN_WIDTH: u16 = 60;
/// Smallest terminal the screens are laid out for, in rows.
pub const MIN_HEIGHT: u16 = 18;

/// How long a status message stays on the status line.
const STATUS_LIFETIME: Duration = Duration::from_secs(10);

/// How often the screen on top reads the registry again, so that changes
/// made by other coordinators on the same file appear without a key.
const REREAD_INTERVAL: Duration = Duration::from_secs(10);

/// Everything a key can do, on any screen. Each screen's binding table
/// maps keys to the subset it supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Help,
    Back,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Filter,
    Sort,
    Reverse,
    AddPatient,
    Edit,
    AddFollowUp,
    Worklist,
    Models,
    Cohort,
    Refit,
    CancelJob,
    Compare,
    Promote,
    NextTab,
    PreviousTab,
    Longer,
    Shorter,
    Reload,
    NextField,
    PreviousField,
    Save,
}

/// The keys every screen but the forms shares: help, the sections and
/// back. Help comes first so that the footer always shows it.
pub const SECTION_BINDINGS: [Binding<Action>; 5] = [
    Binding {
        keys: &[KeyCode::Char('?'), KeyCode::F(1)],
        key_label: "?",
        action: Action::Help,
        description: "show the keys of this screen",
        footer: "help",
    },
    Binding {
        keys: &[KeyCode::Char('w')],
        key_label: "w",
        action: Action::Worklist,
        description: "follow-up worklist",
        footer: "worklist",
    },
    Binding {
        keys: &[KeyCode::Char('m')],
        key_label: "m",
        action: Action::Models,
        description: "model versions",
        footer: "models",
    },
    Binding {
        keys: &[KeyCode::Char('c')],
        key_label: "c",
        action: Action::Cohort,
        description: "cohort survival curves",
        footer: "cohort",
    },
    Binding {
        keys: &[KeyCode::Char('q'), KeyCode::Esc],
        key_label: "q/Esc",
        action: Action::Back,
        description: "back (quit from the patient list)",
        footer: "back",
    },
];

/// Severity of a status message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    Info,
    Success,
    Error,
}

/// A one-line message under the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub kind: StatusKind,
    pub at: Instant,
}

/// A message in a box that any key closes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub title: String,
    pub lines: Vec<String>,
}

/// Jobs on worker threads; at most one of each kind runs.
#[derive(Default)]
pub struct Jobs {
    pub cohort: Option<Running<CohortData>>,
    pub refit: Option<Running<crate::tui::screens::models::RefitSummary>>,
}

/// State that every screen reads or changes: the registry, today's date,
/// messages and jobs.
pub struct Shared {
    pub registry: Registry,
    /// The limit for "no date in the future" and the worklist's reference
    /// date; the local date at start-up unless a test sets it.
    pub today: NaiveDate,
    pub status: Option<Status>,
    pub message: Option<Message>,
    pub jobs: Jobs,
    /// Bumped on every write, so that cached summaries know they are stale.
    pub data_version: u64,
    /// Bumped when the active models may have changed.
    pub models_version: u64,
    /// The last cohort survival summary and the data version it was
    /// computed at.
    pub cohort: Option<(u64, Result<CohortData, String>)>,
    /// The active models as parsed at a models version.
    models: Option<(u64, ActiveModels)>,
}

impl Shared {
    /// Show `text` on the status line.
    pub fn set_status(&mut self, kind: StatusKind, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            kind,
            at: Instant::now(),
        });
    }

    /// Show a message box that the next key closes.
    pub fn show_message(&mut self, title: impl Into<String>, lines: Vec<String>) {
        self.message = Some(Message {
            title: title.into(),
            lines,
        });
    }

    /// Record that the registry's data changed.
    pub fn data_changed(&mut self) {
        self.data_version += 1;
    }

    /// Record that the active models may have changed.
    pub fn models_changed(&mut self) {
        self.models_version += 1;
    }

    /// Return the active models, reading them again after they changed.
    pub fn active_models(&mut self) -> &ActiveModels {
        let stale = self
            .models
            .as_ref()
            .is_none_or(|(version, _)| *version != self.models_version);
        if stale {
            let models = ActiveModels::load(self.registry.connection());
            self.models = Some((self.models_version, models));
        }
        match &self.models {
            Some((_, models)) => models,
            None => unreachable!("loaded above"),
        }
    }
}

/// The request a screen makes of the application after a key.
pub enum Outcome {
    /// Nothing beyond the screen's own change.
    Stay,
    /// Close this screen (quit when it is the patient list).
    Back,
    /// Open a screen on top of this one.
    Push(Box<Screen>),
    /// Close this screen and open another in its place.
    Replace(Box<Screen>),
    /// Go to a section (worklist, models, cohort): the patient list with
    /// the section on top.
    Section(Box<Screen>),
    /// Leave the application.
    Quit,
}

/// One screen of the stack. The stack contains a handful of screens, so the
/// size difference between variants does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Screen {
    Patients(PatientsScreen),
    Patient(PatientScreen),
    PatientForm(PatientForm),
    FollowUpForm(FollowUpForm),
    Worklist(WorklistScreen),
    Models(ModelsScreen),
    Cohort(CohortScreen),
}

/// Call the same method on whichever screen this is.
macro_rules! each_screen {
    ($screen:expr, $s:ident => $body:expr) => {
        match $screen {
            Screen::Patients($s) => $body,
            Screen::Patient($s) => $body,
            Screen::PatientForm($s) => $body,
            Screen::FollowUpForm($s) => $body,
            Screen::Worklist($s) => $body,
            Screen::Models($s) => $body,
            Screen::Cohort($s) => $body,
        }
    };
}

impl Screen {
    /// Name of the screen in the help title.
    pub fn name(&self) -> &'static str {
        match self {
            Screen::Patients(_) => "patient list",
            Screen::Patient(_) => "patient",
            Screen::PatientForm(_) => "patient form",
            Screen::FollowUpForm(_) => "follow-up form",
            Screen::Worklist(_) => "follow-up worklist",
            Screen::Models(_) => "models",
            Screen::Cohort(_) => "cohort survival",
        }
    }

    /// Title shown in the top bar.
    pub fn title(&self) -> String {
        each_screen!(self, s => s.title())
    }

    /// Return the screen's key bindings, which also make its footer and help.
    pub fn bindings(&self) -> &'static [Binding<Action>] {
        each_screen!(self, s => s.bindings())
    }

    /// Offer a raw key to the screen before the binding table: text input,
    /// and the screen's own prompts. `None` when the key was not used.
    fn handle_key(&mut self, key: &KeyEvent, shared: &mut Shared) -> Option<Outcome> {
        each_screen!(self, s => s.handle_key(key, shared))
    }

    /// Carry out a bound action.
    fn handle(&mut self, action: Action, shared: &mut Shared) -> Outcome {
        each_screen!(self, s => s.handle(action, shared))
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, shared: &mut Shared) {
        each_screen!(self, s => s.render(frame, area, shared))
    }

    /// Called when the screen comes back on top, after the screen above it
    /// closed: reread what may have changed.
    fn refresh(&mut self, shared: &mut Shared) {
        each_screen!(self, s => s.refresh(shared))
    }

    /// Whether the screen needs confirmation before it closes (unsaved
    /// changes).
    fn has_unsaved_changes(&self) -> bool {
        match self {
            Screen::PatientForm(form) => form.is_dirty(),
            Screen::FollowUpForm(form) => form.is_dirty(),
            _ => false,
        }
    }
}

/// The running interface.
pub struct App {
    pub shared: Shared,
    stack: Vec<Screen>,
    help: bool,
    quit_prompt: bool,
    quit: bool,
    last_reread: Instant,
}

impl App {
    /// Create the interface on an open registry, showing the patient list.
    pub fn new(registry: Registry) -> Self {
        Self {
            shared: Shared {
                registry,
                today: local_today(),
                status: None,
                message: None,
                jobs: Jobs::default(),
                data_version: 0,
                models_version: 0,
                cohort: None,
                models: None,
            },
            stack: vec![Screen::Patients(PatientsScreen::new())],
            help: false,
            quit_prompt: false,
            quit: false,
            last_reread: Instant::now(),
        }
    }

    /// Use `today` instead of the local date (for reproducible tests).
    pub fn with_today(mut self, today: NaiveDate) -> Self {
        self.shared.today = today;
        self
    }

    /// Return whether the user chose to leave.
    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// Return the screen on top.
    pub fn screen(&self) -> &Screen {
        self.stack
            .last()
            .unwrap_or_else(|| unreachable!("the stack is never empty"))
    }

    /// Return the screen on top, for changes.
    pub fn screen_mut(&mut self) -> &mut Screen {
        self.stack
            .last_mut()
            .unwrap_or_else(|| unreachable!("the stack is never empty"))
    }

    /// Number of screens open, the patient list included.
    pub fn depth(&self) -> usize {
        self.stack.len()
    }

    /// Return whether the key help is shown.
    pub fn help_shown(&self) -> bool {
        self.help
    }

    /// Return whether the "quit while a refit runs" question is shown.
    pub fn quit_prompt_shown(&self) -> bool {
        self.quit_prompt
    }

    /// Handle one terminal event; only key presses and resizes matter.
    pub fn handle_event(&mut self, event: &Event) {
        if let Event::Key(key) = event
            && key.kind != KeyEventKind::Release
        {
            self.handle_key(*key);
        }
    }

    /// Handle one key press.
    pub fn handle_key(&mut self, key: KeyEvent) {
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            self.request_quit();
            return;
        }
        if self.shared.message.take().is_some() {
            return;
        }
        if self.quit_prompt {
            match key.code {
                KeyCode::Char('y' | 'Y') => self.quit = true,
                KeyCode::Char('n' | 'N') | KeyCode::Esc => self.quit_prompt = false,
                _ => {}
            }
            return;
        }
        if self.help {
            if matches!(
                key.code,
                KeyCode::Esc | KeyCode::Char('?' | 'q') | KeyCode::F(1) | KeyCode::Enter
            ) {
                self.help = false;
            }
            return;
        }
        let outcome = {
            let Self { shared, stack, .. } = self;
            let screen = stack.last_mut().unwrap_or_else(|| unreachable!());
            match screen.handle_key(&key, shared) {
                Some(outcome) => outcome,
                None => match keymap::lookup(screen.bindings(), &key) {
                    Some(Action::Help) => {
                        self.help = true;
                        return;
                    }
                    Some(Action::Worklist) => {
                        Outcome::Section(Box::new(Screen::Worklist(WorklistScreen::new())))
                    }
                    Some(Action::Models) => {
                        Outcome::Section(Box::new(Screen::Models(ModelsScreen::new())))
                    }
                    Some(Action::Cohort) => {
                        Outcome::Section(Box::new(Screen::Cohort(CohortScreen::new(shared))))
                    }
                    Some(action) => screen.handle(action, shared),
                    None => Outcome::Stay,
                },
            }
        };
        self.apply(outcome);
    }

    fn apply(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Stay => {}
            Outcome::Back => {
                if self.stack.len() > 1 {
                    self.stack.pop();
                    self.refresh_top();
                } else {
                    self.request_quit();
                }
            }
            Outcome::Push(screen) => self.stack.push(*screen),
            Outcome::Replace(screen) => {
                self.stack.pop();
                self.stack.push(*screen);
            }
            Outcome::Section(screen) => {
                self.stack.truncate(1);
                self.stack.push(*screen);
            }
            Outcome::Quit => self.request_quit(),
        }
    }

    fn refresh_top(&mut self) {
        let Self { shared, stack, .. } = self;
        if let Some(top) = stack.last_mut() {
            top.refresh(shared);
        }
    }

    /// Quit, asking first when a refit would be cut short or a form
    /// contains unsaved changes.
    fn request_quit(&mut self) {
        let unsaved = self.stack.iter().any(Screen::has_unsaved_changes);
        if self.shared.jobs.refit.is_some() || unsaved {
            self.quit_prompt = true;
        } else {
            self.quit = true;
        }
    }

    /// Collect messages from running jobs, expire old status messages, and
    /// have the screen on top read the registry again now and then. Forms
    /// are left alone, because they contain the values being typed.
    pub fn tick(&mut self) {
        if self.last_reread.elapsed() > REREAD_INTERVAL {
            self.last_reread = Instant::now();
            if !matches!(
                self.screen(),
                Screen::PatientForm(_) | Screen::FollowUpForm(_)
            ) {
                self.refresh_top();
            }
        }
        let shared = &mut self.shared;
        if let Some(job) = shared.jobs.cohort.as_mut()
            && let Some(result) = job.poll()
        {
            shared.jobs.cohort = None;
            if let Err(error) = &result {
                shared.set_status(StatusKind::Error, format!("Cohort summary failed: {error}"));
            }
            shared.cohort = Some((shared.data_version, result));
        }
        if let Some(job) = shared.jobs.refit.as_mut()
            && let Some(result) = job.poll()
        {
            shared.jobs.refit = None;
            crate::tui::screens::models::refit_finished(shared, result);
            self.refresh_top();
        }
        let shared = &mut self.shared;
        if shared
            .status
            .as_ref()
            .is_some_and(|s| s.at.elapsed() > STATUS_LIFETIME)
        {
            shared.status = None;
        }
    }

    /// Return whether a job is still running.
    pub fn busy(&self) -> bool {
        self.shared.jobs.cohort.is_some() || self.shared.jobs.refit.is_some()
    }

    /// Wait until no job runs or `timeout` passes, collecting their
    /// messages; returns whether all jobs finished.
    pub fn wait_for_jobs(&mut self, timeout: Duration) -> bool {
        let start = Instant::now();
        loop {
            self.tick();
            if !self.busy() {
                return true;
            }
            if start.elapsed() > timeout {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Draw the whole interface.
    pub fn render(&mut self, frame: &mut Frame) {
        let area = frame.area();
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            render_too_small(frame, area);
            return;
        }
        let [title_area, body, status_area, footer_area] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(area);

        let Self { shared, stack, .. } = self;
        let screen = stack.last_mut().unwrap_or_else(|| unreachable!());
        screen.render(frame, body, shared);
        render_title(frame, title_area, &screen.title(), shared);
        render_status(frame, status_area, shared);
        let footer = keymap::footer(screen.bindings(), footer_area.width.saturating_sub(1));
        frame.render_widget(
            Paragraph::new(format!(" {footer}")).style(theme::footer()),
            footer_area,
        );

        if self.help {
            popup::render_help(frame, area, screen.name(), screen.bindings());
        }

        if self.quit_prompt {
            let reason = if self.shared.jobs.refit.is_some() {
                "A refit is running; quitting stops it and keeps no new model."
            } else {
                "A form has unsaved changes; quitting discards them."
            };
            popup::render_message(
                frame,
                area,
                "Quit?",
                vec![
                    Line::from(reason),
                    Line::from(""),
                    Line::styled("y quit   n stay", theme::title()),
                ],
            );
        }

        if let Some(message) = &self.shared.message {
            let mut lines: Vec<Line> = message
                .lines
                .iter()
                .map(|l| Line::from(l.as_str()))
                .collect();
            lines.push(Line::from(""));
            lines.push(Line::styled("Press any key to close", theme::muted()));
            popup::render_message(frame, area, &message.title, lines);
        }
    }
}

fn render_too_small(frame: &mut Frame, area: Rect) {
    let text = format!(
        "Terminal too small ({}×{}). tace-registry needs at least {MIN_WIDTH}×{MIN_HEIGHT}: \
         enlarge the window, or press q to quit.",
        area.width, area.height
    );
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
}

fn render_title(frame: &mut Frame, area: Rect, title: &str, shared: &Shared) {
    let mut right = String::new();
    if let Some(job) = &shared.jobs.refit {
        right.push_str(&format!(" refit {} ", format::percent(job.handle.ratio())));
    }
    if shared.jobs.cohort.is_some() {
        right.push_str(" computing survival… ");
    }
    let width = usize::from(area.width);
    let left = format::truncate(
        &format!(" tace-registry │ {title}"),
        width.saturating_sub(format::width(&right)),
    );
    let pad = width.saturating_sub(format::width(&left) + format::width(&right));
    let line = Line::from(vec![
        Span::styled(left, theme::title()),
        Span::raw(" ".repeat(pad)),
        Span::styled(right, theme::warning()),
    ]);
    frame.render_widget(Paragraph::new(line).style(theme::title_bar()), area);
}

fn render_status(frame: &mut Frame, area: Rect, shared: &Shared) {
    let Some(status) = &shared.status else {
        return;
    };
    let style = match status.kind {
        StatusKind::Info => theme::muted(),
        StatusKind::Success => theme::success(),
        StatusKind::Error => theme::error(),
    };
    let text = format::truncate(&status.text, usize::from(area.width.saturating_sub(1)));
    frame.render_widget(Paragraph::new(format!(" {text}")).style(style), area);
}

/// Adjust the first visible row `top` so that `selected` lies in the
/// `rows` rows shown from it, and return it.
pub fn scroll_into_view(top: u64, selected: u64, rows: u64) -> u64 {
    let rows = rows.max(1);
    if selected < top {
        selected
    } else if selected >= top + rows {
        selected + 1 - rows
    } else {
        top
    }
}

/// Move a selection by `delta` within `0..total`.
pub fn moved(selected: u64, delta: i64, total: u64) -> u64 {
    if total == 0 {
        return 0;
    }
    let target = i128::from(selected) + i128::from(delta);
    target.clamp(0, i128::from(total - 1)) as u64
}
