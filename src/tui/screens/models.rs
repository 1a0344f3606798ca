//! Model versions: every refit of the two pipelines with its metrics and
//! selected variables. `r` refits on a worker thread (with a gauge, and
//! `x` to cancel), `d` compares a version with the active one of its kind,
//! and `p` promotes a candidate after confirmation.
//!
//! A refit from here stores candidates only; promotion is a separate,
//! confirmed step, so that a coordinator compares before switching the
//! predictions everyone sees.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Cell, Gauge, Paragraph, Row, Table, TableState};

use crate::db::{Registry, now_timestamp, record_audit};
use crate::pipeline::DEFAULT_SEED;
use crate::pipeline::benefit::{BenefitConfig, BenefitFit, BenefitMetrics};
use crate::pipeline::estimate::Estimate;
use crate::pipeline::refit::{
    self, RefitOptions, RefitReport, benefit_blocking, survival_blocking,
};
use crate::pipeline::survival::{SurvivalConfig, SurvivalFit, SurvivalMetrics};
use crate::pipeline::versions::{self, ModelKind, VersionStatus};
use crate::tui::app::{Action, Outcome, SECTION_BINDINGS, Shared, StatusKind};
use crate::tui::describe::{variable_label, variable_labels};
use crate::tui::format;
use crate::tui::jobs::Running;
use crate::tui::keymap::Binding;
use crate::tui::queries::{self, VersionRow};
use crate::tui::screens::patients::MOVE_BINDINGS;
use crate::tui::theme;
use crate::tui::widgets::popup;

static BINDINGS: [Binding<Action>; 13] = [
    SECTION_BINDINGS[0],
    Binding {
        keys: &[KeyCode::Char('r')],
        key_label: "r",
        action: Action::Refit,
        description: "refit both models as candidates (worker thread)",
        footer: "refit",
    },
    Binding {
        keys: &[KeyCode::Char('x')],
        key_label: "x",
        action: Action::CancelJob,
        description: "cancel the running refit",
        footer: "cancel",
    },
    Binding {
        keys: &[KeyCode::Char('d')],
        key_label: "d",
        action: Action::Compare,
        description: "compare the selected version with the active one",
        footer: "compare",
    },
    Binding {
        keys: &[KeyCode::Char('p')],
        key_label: "p",
        action: Action::Promote,
        description: "promote the selected candidate (asks first)",
        footer: "promote",
    },
    Binding {
        keys: &[KeyCode::Char('R')],
        key_label: "R",
        action: Action::Reload,
        description: "reread the versions (after a refit elsewhere)",
        footer: "",
    },
    MOVE_BINDINGS[0],
    MOVE_BINDINGS[1],
    SECTION_BINDINGS[1],
    SECTION_BINDINGS[2],
    SECTION_BINDINGS[3],
    SECTION_BINDINGS[4],
    MOVE_BINDINGS[4],
];

/// Summary lines of a finished refit, built on the worker thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefitSummary {
    pub lines: Vec<String>,
}

fn estimate(e: &Estimate, digits: usize) -> String {
    match (e.value, e.lower, e.upper) {
        (Some(v), Some(l), Some(u)) => format!("{v:.digits$} ({l:.digits$}–{u:.digits$})"),
        (Some(v), _, _) => format!("{v:.digits$}"),
        _ => format!("n/a ({})", e.note.as_deref().unwrap_or("not estimable")),
    }
}

impl RefitSummary {
    /// Summarise the outcome of each pipeline in a refit.
    pub fn of(report: &RefitReport) -> Self {
        let mut lines = vec![format!("{} patients in the refit.", report.patients)];
        match &report.benefit.fit {
            Ok(fit) => lines.push(format!(
                "Benefit v{} ({}): validation AUC {}.",
                report.benefit.version,
                report.benefit.status,
                estimate(&fit.metrics.auc_validation, 3)
            )),
            Err(reason) => lines.push(format!(
                "Benefit v{} failed: {reason}",
                report.benefit.version
            )),
        }
        match &report.survival.fit {
            Ok(fit) => lines.push(format!(
                "Survival v{} ({}): selected {}; internal C-index {}.",
                report.survival.version,
                report.survival.status,
                variable_labels(&fit.metrics.selected),
                fit.metrics
                    .internal
                    .as_ref()
                    .map_or("n/a".to_string(), |s| estimate(&s.c_index, 3))
            )),
            Err(reason) => lines.push(format!(
                "Survival v{} failed: {reason}",
                report.survival.version
            )),
        }
        Self { lines }
    }
}

/// Record a finished refit: new versions exist, and the outcome is shown.
pub fn refit_finished(shared: &mut Shared, result: Result<RefitSummary, String>) {
    shared.models_changed();
    match result {
        Ok(summary) => {
            let mut lines = summary.lines;
            lines.push("Compare with d and promote with p on the models screen.".into());
            shared.show_message("Refit finished", lines);
        }
        Err(error) => {
            shared.set_status(StatusKind::Error, format!("Refit stopped: {error}"));
        }
    }
}

/// Start a refit of the registry at `path` as of `as_of`, storing
/// candidates.
fn start_refit(shared: &mut Shared) {
    if shared.jobs.refit.is_some() {
        shared.set_status(
            StatusKind::Info,
            "A refit is already running; x cancels it.",
        );
        return;
    }
    let path: PathBuf = shared.registry.path().to_path_buf();
    let options = RefitOptions {
        as_of: shared.today,
        benefit: BenefitConfig::with_seed(DEFAULT_SEED),
        survival: SurvivalConfig::with_seed(DEFAULT_SEED),
        promote: false,
    };
    shared.jobs.refit = Some(Running::start("refit", move |ctx| {
        let _lock = refit::lock(&path, false)?;
        let mut registry = Registry::open(&path)?;
        let report = refit::refit(&mut registry, &options, ctx)?;
        Ok(RefitSummary::of(&report))
    }));
    shared.set_status(StatusKind::Info, "Refit started; x cancels it.");
}

/// The key figures of a version, as label and value, for the details and
/// the comparison.
pub fn figures(version: &VersionRow) -> Vec<(String, String)> {
    let mut rows = vec![
        ("Status".to_string(), version.status.to_string()),
        (
            "Created".to_string(),
            format!(
                "{} by {}",
                short_time(&version.created_at),
                version.created_by
            ),
        ),
        ("Data cut-off".to_string(), version.data_cutoff.clone()),
        (
            "Patients, events".to_string(),
            format!("{}, {}", version.patients, version.events),
        ),
    ];
    if let Some(failure) = &version.failure {
        rows.push(("Failure".to_string(), failure.clone()));
        return rows;
    }
    let Some(metrics) = &version.metrics else {
        return rows;
    };
    match version.kind {
        ModelKind::Benefit => match serde_json::from_str::<BenefitMetrics>(metrics) {
            Ok(m) => rows.extend(benefit_figures(&m)),
            Err(e) => rows.push(("Metrics".into(), format!("cannot be read: {e}"))),
        },
        ModelKind::Survival => match serde_json::from_str::<SurvivalMetrics>(metrics) {
            Ok(m) => rows.extend(survival_figures(&m)),
            Err(e) => rows.push(("Metrics".into(), format!("cannot be read: {e}"))),
        },
    }
    rows
}

fn benefit_figures(m: &BenefitMetrics) -> Vec<(String, String)> {
    let variables: Vec<String> = m
        .coefficients
        .iter()
        .filter(|c| c.name != "(Intercept)")
        .map(|c| format!("{} OR {:.2}", variable_label(&c.name), c.odds_ratio))
        .collect();
    vec![
        ("Nomogram terms".into(), variables.join("; ")),
        (
            "Labels".into(),
            format!(
                "{} benefit, {} non-benefit, {} undetermined",
                m.n_benefit, m.n_non_benefit, m.n_undetermined
            ),
        ),
        (
            "Train / validation".into(),
            format!("{} / {} patients", m.n_train, m.n_validation),
        ),
        ("AUC train".into(), estimate(&m.auc_train, 3)),
        ("AUC validation".into(), estimate(&m.auc_validation, 3)),
        (
            "Median OS benefit".into(),
            estimate(&m.median_os_benefit, 1),
        ),
        (
            "Median OS non-benefit".into(),
            estimate(&m.median_os_non_benefit, 1),
        ),
        (
            "Reference Cox".into(),
            format!(
                "{} variables, C {:.3}",
                m.reference.variables.len(),
                m.reference.concordance
            ),
        ),
    ]
}

fn survival_figures(m: &SurvivalMetrics) -> Vec<(String, String)> {
    let set = |name: &str, s: &Option<crate::pipeline::survival::SetMetrics>| {
        let text = match s {
            Some(s) => {
                let aucs: Vec<String> = m
                    .horizons
                    .iter()
                    .zip(&s.td_auc)
                    .map(|(t, a)| {
                        format!(
                            "{t}: {}",
                            a.value.map_or("n/a".into(), |v| format!("{v:.3}"))
                        )
                    })
                    .collect();
                format!(
                    "C {} · AUC {} · n {}",
                    s.c_index.value.map_or("n/a".into(), |v| format!("{v:.3}")),
                    aucs.join(", "),
                    s.n
                )
            }
            None => "no patients".to_string(),
        };
        (name.to_string(), text)
    };
    let mut rows = vec![
        ("Selected variables".into(), variable_labels(&m.selected)),
        ("Screen kept".into(), variable_labels(&m.univariate_kept)),
        ("OOB C-index".into(), estimate(&m.oob_c_index, 3)),
        set("Training", &Some(m.train.clone())),
        set("Internal validation", &m.internal),
        set("External validation", &m.external),
    ];
    for note in &m.notes {
        rows.push(("Note".into(), note.clone()));
    }
    rows
}

/// `2026-01-02T03:04:05.678Z` as `2026-01-02 03:04`.
fn short_time(at: &str) -> String {
    at.get(..16).map_or(at.to_string(), |t| t.replace('T', " "))
}

/// Why a stored candidate must not become active, as the refit decides it.
///
/// # Errors
///
/// When the stored version cannot be read back.
fn blocking_reason(conn: &rusqlite::Connection, id: i64) -> Result<Option<String>, String> {
    let version = versions::get(conn, id)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("model version {id} does not exist"))?;
    let part = |text: &Option<String>, what: &str| {
        text.clone()
            .ok_or_else(|| format!("model version {id} has no stored {what}"))
    };
    let (model, metrics, splits) = (
        part(&version.model, "model")?,
        part(&version.metrics, "metrics")?,
        part(&version.splits, "splits")?,
    );
    let read_error = |e: serde_json::Error| format!("model version {id} cannot be read: {e}");
    Ok(match version.kind {
        ModelKind::Benefit => benefit_blocking(&BenefitFit {
            model: serde_json::from_str(&model).map_err(read_error)?,
            metrics: serde_json::from_str(&metrics).map_err(read_error)?,
            splits: serde_json::from_str(&splits).map_err(read_error)?,
        }),
        ModelKind::Survival => survival_blocking(&SurvivalFit {
            model: serde_json::from_str(&model).map_err(read_error)?,
            metrics: serde_json::from_str(&metrics).map_err(read_error)?,
            splits: serde_json::from_str(&splits).map_err(read_error)?,
        }),
    })
}

/// Promote candidate `id` in one write transaction with an audit row, as
/// `refit --promote` does.
///
/// # Errors
///
/// Why the version was not promoted.
pub fn promote(registry: &mut Registry, id: i64) -> Result<(), String> {
    let blocking = blocking_reason(registry.connection(), id)?;
    let user = registry.user().to_string();
    let tx = registry.write_transaction().map_err(|e| e.to_string())?;
    let version =
        versions::promote(&tx, id, &user, &now_timestamp(), blocking).map_err(|e| e.to_string())?;
    record_audit(
        &tx,
        &user,
        "promote_model",
        None,
        None::<&()>,
        Some(&serde_json::json!({
            "model_version": version.id,
            "kind": version.kind.as_str(),
        })),
    )
    .map_err(|e| e.to_string())?;
    tx.commit().map_err(|e| e.to_string())?;
    tracing::info!(model_version = id, "model version promoted");
    Ok(())
}

/// Two versions side by side: a title and, per figure, its label and the
/// active and the selected version's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub title: String,
    pub rows: Vec<(String, String, String)>,
}

/// The models screen.
pub struct ModelsScreen {
    pub selected: usize,
    versions: Option<(u64, Result<Vec<VersionRow>, String>)>,
    /// The key metric of each version, read from its metrics once.
    headlines: Vec<String>,
    /// The comparison shown over the screen.
    pub comparison: Option<Comparison>,
    /// The candidate waiting for "promote? y/n".
    pub confirm_promote: Option<i64>,
}

impl Default for ModelsScreen {
    fn default() -> Self {
        Self::new()
    }
}

impl ModelsScreen {
    pub fn new() -> Self {
        Self {
            selected: 0,
            versions: None,
            headlines: Vec::new(),
            comparison: None,
            confirm_promote: None,
        }
    }

    pub fn title(&self) -> String {
        "Models".to_string()
    }

    pub fn bindings(&self) -> &'static [Binding<Action>] {
        &BINDINGS
    }

    /// Return the versions as last read.
    pub fn versions(&self) -> &[VersionRow] {
        match &self.versions {
            Some((_, Ok(rows))) => rows,
            _ => &[],
        }
    }

    fn load(&mut self, shared: &Shared) {
        if self
            .versions
            .as_ref()
            .is_some_and(|(version, _)| *version == shared.models_version)
        {
            return;
        }
        let rows = queries::version_rows(shared.registry.connection()).map_err(|e| e.to_string());
        if let Ok(rows) = &rows {
            self.selected = self.selected.min(rows.len().saturating_sub(1));
            self.headlines = rows.iter().map(headline).collect();
        }
        self.versions = Some((shared.models_version, rows));
    }

    fn selected_version(&self) -> Option<&VersionRow> {
        self.versions().get(self.selected)
    }

    pub fn handle_key(&mut self, key: &KeyEvent, shared: &mut Shared) -> Option<Outcome> {
        if self.comparison.is_some() {
            if matches!(
                key.code,
                KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q' | 'd')
            ) {
                self.comparison = None;
            }
            return Some(Outcome::Stay);
        }
        let id = self.confirm_promote?;
        match key.code {
            KeyCode::Char('y' | 'Y') => {
                self.confirm_promote = None;
                match promote(&mut shared.registry, id) {
                    Ok(()) => {
                        shared.models_changed();
                        shared.set_status(
                            StatusKind::Success,
                            format!("Model version {id} is now active."),
                        );
                    }
                    Err(reason) => {
                        shared.show_message("Not promoted", vec![reason]);
                    }
                }
            }
            KeyCode::Char('n' | 'N') | KeyCode::Esc => self.confirm_promote = None,
            _ => {}
        }
        Some(Outcome::Stay)
    }

    pub fn handle(&mut self, action: Action, shared: &mut Shared) -> Outcome {
        let count = self.versions().len();
        match action {
            Action::Down => self.selected = (self.selected + 1).min(count.saturating_sub(1)),
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Top => self.selected = 0,
            Action::Refit => start_refit(shared),
            Action::CancelJob => match &shared.jobs.refit {
                Some(job) => {
                    job.handle.cancel();
                    shared.set_status(StatusKind::Info, "Cancelling the refit…");
                }
                None => shared.set_status(StatusKind::Info, "No refit is running."),
            },
            Action::Reload => shared.models_changed(),
            Action::Compare => self.compare(shared),
            Action::Promote => match self.selected_version() {
                Some(v) if v.status == VersionStatus::Candidate => {
                    self.confirm_promote = Some(v.id);
                }
                Some(v) => shared.set_status(
                    StatusKind::Info,
                    format!(
                        "Version {} is {}; only a candidate can be promoted.",
                        v.id, v.status
                    ),
                ),
                None => shared.set_status(StatusKind::Info, "No version is selected."),
            },
            Action::Back => return Outcome::Back,
            _ => {}
        }
        Outcome::Stay
    }

    fn compare(&mut self, shared: &mut Shared) {
        let Some(selected) = self.selected_version().cloned() else {
            shared.set_status(StatusKind::Info, "No version is selected.");
            return;
        };
        let active = self
            .versions()
            .iter()
            .find(|v| v.kind == selected.kind && v.status == VersionStatus::Active)
            .cloned();
        let Some(active) = active else {
            shared.set_status(
                StatusKind::Info,
                format!("No {} version is active to compare with.", selected.kind),
            );
            return;
        };
        if active.id == selected.id {
            shared.set_status(
                StatusKind::Info,
                format!(
                    "Version {} is the active one; select another to compare.",
                    active.id
                ),
            );
            return;
        }
        let right = figures(&selected);
        let rows = figures(&active)
            .into_iter()
            .map(|(label, value)| {
                let other = right
                    .iter()
                    .find(|(l, _)| *l == label)
                    .map_or("–".to_string(), |(_, v)| v.clone());
                (label, value, other)
            })
            .collect();
        self.comparison = Some(Comparison {
            title: format!(
                " Compare {} v{} (active) with v{} (selected) · Esc closes ",
                selected.kind, active.id, selected.id
            ),
            rows,
        });
    }

    pub fn refresh(&mut self, _shared: &mut Shared) {
        self.versions = None;
    }

    pub fn render(&mut self, frame: &mut Frame, area: Rect, shared: &mut Shared) {
        self.load(shared);
        let gauge_height = u16::from(shared.jobs.refit.is_some()) * 3;
        let rows = u16::try_from(self.versions().len()).unwrap_or(u16::MAX);
        // At least the header and one row, at most half the screen.
        let table_height = rows.saturating_add(3).min(area.height / 2).max(4);
        let [gauge_area, table_area, detail_area] = Layout::vertical([
            Constraint::Length(gauge_height),
            Constraint::Length(table_height),
            Constraint::Min(3),
        ])
        .areas(area);
        if let Some(job) = &shared.jobs.refit {
            let label = if job.handle.is_cancelling() {
                "cancelling…".to_string()
            } else {
                format!(
                    "{} {}/{}",
                    job.handle.label, job.handle.done, job.handle.total
                )
            };
            frame.render_widget(
                Gauge::default()
                    .block(Block::bordered().title(" Refit running (x cancels) "))
                    .gauge_style(theme::success())
                    .ratio(job.handle.ratio())
                    .label(label),
                gauge_area,
            );
        }
        match &self.versions {
            Some((_, Err(error))) => {
                frame.render_widget(
                    Paragraph::new(format!(" Cannot read the model versions: {error}"))
                        .style(theme::error())
                        .block(Block::bordered().title(" Model versions ")),
                    table_area,
                );
                return;
            }
            Some((_, Ok(rows))) if rows.is_empty() => {
                frame.render_widget(
                    Paragraph::new(" No model has been fitted yet. Press r to refit.")
                        .style(theme::muted())
                        .block(Block::bordered().title(" Model versions ")),
                    table_area,
                );
                return;
            }
            _ => {}
        }
        self.render_table(frame, table_area);
        self.render_details(frame, detail_area);
        if let Some(comparison) = &self.comparison {
            render_comparison(frame, area, &comparison.title, &comparison.rows);
        }
        if let Some(id) = self.confirm_promote {
            popup::render_message(
                frame,
                area,
                "Promote?",
                vec![
                    Line::from(format!(
                        "Make version {id} active? Predictions everywhere will come from it, \
                         and the version active now is retired."
                    )),
                    Line::from(""),
                    Line::styled("y promote   n cancel", theme::title()),
                ],
            );
        }
    }

    fn render_table(&self, frame: &mut Frame, area: Rect) {
        let rows: Vec<Row> = self
            .versions()
            .iter()
            .zip(&self.headlines)
            .map(|(v, headline)| {
                let status_style = match v.status {
                    VersionStatus::Active => theme::success(),
                    VersionStatus::Candidate => theme::warning(),
                    VersionStatus::Failed => theme::error(),
                    VersionStatus::Retired => theme::muted(),
                };
                Row::new(vec![
                    Cell::from(format!("v{}", v.id)),
                    Cell::from(v.kind.to_string()),
                    Cell::from(v.status.to_string()).style(status_style),
                    Cell::from(short_time(&v.created_at)),
                    Cell::from(v.data_cutoff.clone()),
                    Cell::from(headline.clone()),
                ])
            })
            .collect();
        let header = Row::new(vec![
            "Version",
            "Kind",
            "Status",
            "Created",
            "Cut-off",
            "Key metric",
        ])
        .style(theme::header());
        let widths = [
            Constraint::Length(7),
            Constraint::Length(8),
            Constraint::Length(9),
            Constraint::Length(16),
            Constraint::Length(10),
            Constraint::Min(10),
        ];
        let table = Table::new(rows, widths)
            .header(header)
            .block(Block::bordered().title(" Model versions, newest first "))
            .row_highlight_style(theme::selected());
        let mut state = TableState::default();
        state.select(Some(self.selected));
        frame.render_stateful_widget(table, area, &mut state);
    }

    fn render_details(&self, frame: &mut Frame, area: Rect) {
        let Some(version) = self.selected_version() else {
            return;
        };
        let block = Block::bordered().title(format!(" {} v{} ", version.kind, version.id));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let label_width = 22;
        let value_width = usize::from(inner.width).saturating_sub(label_width + 1);
        let rows: Vec<Row> = figures(version)
            .into_iter()
            .map(|(label, value)| {
                let lines = format::wrap_words(&value, value_width);
                let height = u16::try_from(lines.len()).unwrap_or(1);
                Row::new(vec![
                    Cell::from(label).style(theme::header()),
                    Cell::from(lines.join("\n")),
                ])
                .height(height)
            })
            .collect();
        let widths = [Constraint::Length(label_width as u16), Constraint::Min(10)];
        frame.render_widget(Table::new(rows, widths), inner);
    }
}

/// Draw the comparison of two versions as a table over `area`.
fn render_comparison(
    frame: &mut Frame,
    area: Rect,
    title: &str,
    rows: &[(String, String, String)],
) {
    frame.render_widget(ratatui::widgets::Clear, area);
    let block = Block::bordered().title(title.to_string());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let label_width: u16 = 18;
    let value_width = usize::from(inner.width.saturating_sub(label_width + 2) / 2);
    let header = Row::new(vec!["", "Active", "Selected"]).style(theme::header());
    let table_rows: Vec<Row> = rows
        .iter()
        .map(|(label, active, selected)| {
            let left = format::wrap_words(active, value_width);
            let right = format::wrap_words(selected, value_width);
            let height = u16::try_from(left.len().max(right.len())).unwrap_or(1);
            let style = if active == selected {
                theme::muted()
            } else {
                theme::warning()
            };
            Row::new(vec![
                Cell::from(label.clone()).style(theme::header()),
                Cell::from(left.join("\n")),
                Cell::from(right.join("\n")).style(style),
            ])
            .height(height)
        })
        .collect();
    let widths = [
        Constraint::Length(label_width),
        Constraint::Fill(1),
        Constraint::Fill(1),
    ];
    frame.render_widget(Table::new(table_rows, widths).header(header), inner);
}

/// The one number that summarises a version in the list.
fn headline(v: &VersionRow) -> String {
    if let Some(failure) = &v.failure {
        return format!("failed: {failure}");
    }
    let Some(metrics) = &v.metrics else {
        return String::new();
    };
    match v.kind {
        ModelKind::Benefit => serde_json::from_str::<BenefitMetrics>(metrics)
            .map(|m| format!("validation AUC {}", estimate_short(&m.auc_validation)))
            .unwrap_or_default(),
        ModelKind::Survival => serde_json::from_str::<SurvivalMetrics>(metrics)
            .map(|m| {
                let c = m
                    .internal
                    .as_ref()
                    .map_or("n/a".to_string(), |s| estimate_short(&s.c_index));
                format!("internal C {c}")
            })
            .unwrap_or_default(),
    }
}

fn estimate_short(e: &Estimate) -> String {
    e.value.map_or("n/a".to_string(), |v| format!("{v:.3}"))
}
