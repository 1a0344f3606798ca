//! Cohort survival: Kaplan–Meier curves of overall survival by treatment
//! and by HSP90α group (cut-off 143.5 ng/mL), and of the TACE patients by
//! predicted benefit and by risk group from the active models. Each comes
//! with the log-rank p-value and the median survival with its 95%
//! confidence interval.
//!
//! The summary reads every patient still in the study, so it is computed
//! on a worker thread with its own registry connection and kept until the
//! data change.

use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, Tabs};

use crate::db::{AnalysisPatient, Registry};
use crate::domain::Treatment;
use crate::domain::cutoffs::HSP90A_HIGH_NG_ML;
use crate::domain::derived::{hsp90a_high, overall_survival};
use crate::pipeline::progress::Progress;
use crate::stats::km::{Groups, KmSettings, kaplan_meier_by_group};
use crate::stats::logrank::logrank;
use crate::tui::active_models::ActiveModels;
use crate::tui::app::{Action, Outcome, SECTION_BINDINGS, Shared};
use crate::tui::format;
use crate::tui::jobs::Running;
use crate::tui::keymap::Binding;
use crate::tui::theme;
use crate::tui::widgets::km_chart::{self, Curve};

/// Months shown on the time axis of the survival charts.
const CHART_MONTHS: f64 = 60.0;

static BINDINGS: [Binding<Action>; 8] = [
    SECTION_BINDINGS[0],
    Binding {
        keys: &[KeyCode::Tab, KeyCode::Right, KeyCode::Char('l')],
        key_label: "Tab/→",
        action: Action::NextTab,
        description: "next grouping",
        footer: "grouping",
    },
    Binding {
        keys: &[KeyCode::BackTab, KeyCode::Left, KeyCode::Char('h')],
        key_label: "S-Tab/←",
        action: Action::PreviousTab,
        description: "previous grouping",
        footer: "",
    },
    Binding {
        keys: &[KeyCode::Char('R')],
        key_label: "R",
        action: Action::Reload,
        description: "recompute from the registry",
        footer: "recompute",
    },
    SECTION_BINDINGS[1],
    SECTION_BINDINGS[2],
    SECTION_BINDINGS[3],
    SECTION_BINDINGS[4],
];

/// One group's curve and summary.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupSummary {
    pub name: String,
    pub n: usize,
    pub events: usize,
    /// Median overall survival in months and its 95% CI; `None` where the
    /// curve does not reach the value (not reached).
    pub median: Option<f64>,
    pub median_lower: Option<f64>,
    pub median_upper: Option<f64>,
    pub curve: Curve,
}

/// One grouping of the cohort.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    pub title: String,
    /// The groups, or why they could not be estimated.
    pub groups: Result<Vec<GroupSummary>, String>,
    /// Log-rank p-value, or why there is none.
    pub logrank_p: Result<f64, String>,
    /// Patients left out because the grouping value is missing.
    pub left_out: usize,
}

/// The survival summaries of the cohort.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortData {
    /// Patients still in the study.
    pub patients: usize,
    pub panels: Vec<Panel>,
}

/// Overall survival of each patient, in months, and whether they died.
fn survival_times(patients: &[AnalysisPatient]) -> (Vec<f64>, Vec<bool>) {
    patients
        .iter()
        .map(|p| {
            let os = overall_survival(p.record.treatment_start, &p.followups, None);
            (os.months, os.event)
        })
        .unzip()
}

/// Kaplan–Meier curves and the log-rank test of the patients whose label
/// is known; `order` lists the group names in display order.
pub fn panel(
    title: &str,
    time: &[f64],
    event: &[bool],
    labels: &[Option<String>],
    order: &[&str],
) -> Panel {
    let mut t = Vec::new();
    let mut e = Vec::new();
    let mut known = Vec::new();
    for ((&time, &event), label) in time.iter().zip(event).zip(labels) {
        if let Some(label) = label {
            t.push(time);
            e.push(event);
            known.push(label.clone());
        }
    }
    let left_out = labels.len() - known.len();
    let order: Vec<String> = order.iter().map(|s| (*s).to_string()).collect();
    let groups = match Groups::from_labels(&known, &order) {
        Ok(groups) => groups,
        Err(error) => {
            return Panel {
                title: title.to_string(),
                groups: Err(format!("no patient has a value ({error})")),
                logrank_p: Err("no groups".into()),
                left_out,
            };
        }
    };
    let curves = kaplan_meier_by_group(&t, &e, &groups, &KmSettings::default())
        .map(|curves| {
            curves
                .into_iter()
                .map(|g| GroupSummary {
                    name: g.name.clone(),
                    n: g.curve.n,
                    events: g.curve.events,
                    median: g.curve.median,
                    median_lower: g.curve.median_lower,
                    median_upper: g.curve.median_upper,
                    curve: Curve {
                        name: g.name,
                        time: g.curve.time,
                        surv: g.curve.surv,
                    },
                })
                .collect()
        })
        .map_err(|error| error.to_string());
    let logrank_p = logrank(&t, &e, &groups, 0.0)
        .map(|test| test.p)
        .map_err(|error| error.to_string());
    Panel {
        title: title.to_string(),
        groups: curves,
        logrank_p,
        left_out,
    }
}

/// Summarise the survival of the patients still in the study. With the
/// active models, the TACE patients are also grouped by predicted benefit
/// (probability ≥ 0.5) and by risk group.
pub fn summarise(patients: &[AnalysisPatient], models: Option<&ActiveModels>) -> CohortData {
    let (time, event) = survival_times(patients);
    let treatment: Vec<Option<String>> = patients
        .iter()
        .map(|p| {
            Some(
                match p.record.treatment {
                    Treatment::Tace => "TACE",
                    Treatment::None => "no TACE",
                }
                .to_string(),
            )
        })
        .collect();
    let hsp90a: Vec<Option<String>> = patients
        .iter()
        .map(|p| {
            p.record.baseline.hsp90a_ng_ml.map(|v| {
                if hsp90a_high(v) {
                    format!("HSP90α ≥ {HSP90A_HIGH_NG_ML}")
                } else {
                    format!("HSP90α < {HSP90A_HIGH_NG_ML}")
                }
            })
        })
        .collect();
    let high = format!("HSP90α ≥ {HSP90A_HIGH_NG_ML}");
    let low = format!("HSP90α < {HSP90A_HIGH_NG_ML}");
    let mut panels = vec![
        panel(
            "By treatment",
            &time,
            &event,
            &treatment,
            &["TACE", "no TACE"],
        ),
        panel(
            "By HSP90α",
            &time,
            &event,
            &hsp90a,
            &[low.as_str(), high.as_str()],
        ),
    ];
    if let Some(models) = models {
        panels.extend(model_panels(patients, &time, &event, models));
    }
    CohortData {
        patients: patients.len(),
        panels,
    }
}

/// Probability at or above which a patient is counted as predicted to
/// benefit from TACE.
pub const BENEFIT_THRESHOLD: f64 = 0.5;

/// Estimate the curves of the TACE patients by predicted benefit and by
/// the active survival model's risk group. A panel gives the reason when
/// its model is not available.
fn model_panels(
    patients: &[AnalysisPatient],
    time: &[f64],
    event: &[bool],
    models: &ActiveModels,
) -> Vec<Panel> {
    let tace: Vec<usize> = (0..patients.len())
        .filter(|&i| patients[i].record.treatment == Treatment::Tace)
        .collect();
    let t: Vec<f64> = tace.iter().map(|&i| time[i]).collect();
    let e: Vec<bool> = tace.iter().map(|&i| event[i]).collect();
    let baselines: Vec<&crate::domain::Baseline> =
        tace.iter().map(|&i| &patients[i].record.baseline).collect();
    let unavailable = |title: &str, reason: String| Panel {
        title: title.to_string(),
        groups: Err(reason),
        logrank_p: Err("no groups".into()),
        left_out: 0,
    };
    let benefit = match &models.benefit {
        Ok(_) => {
            let labels: Vec<Option<String>> = baselines
                .iter()
                .map(|b| {
                    models.benefit(b).ok().map(|p| {
                        if p.probability >= BENEFIT_THRESHOLD {
                            "benefit".to_string()
                        } else {
                            "no benefit".to_string()
                        }
                    })
                })
                .collect();
            panel(
                "TACE by predicted benefit",
                &t,
                &e,
                &labels,
                &["benefit", "no benefit"],
            )
        }
        Err(reason) => unavailable("TACE by predicted benefit", reason.clone()),
    };
    let risk = match models.risk_groups(&baselines) {
        Ok(groups) => {
            let labels: Vec<Option<String>> = groups
                .into_iter()
                .map(|g| g.map(|g| format!("{g} risk")))
                .collect();
            panel(
                "TACE by risk group",
                &t,
                &e,
                &labels,
                &["low risk", "high risk"],
            )
        }
        Err(reason) => unavailable("TACE by risk group", reason),
    };
    vec![benefit, risk]
}

/// Read the registry at `path` on this thread and summarise it.
///
/// # Errors
///
/// When the registry cannot be opened or read.
pub fn compute(path: &Path, progress: &dyn Progress) -> anyhow::Result<CohortData> {
    progress.report(0, 3, "reading patients");
    let registry = Registry::open(path)?;
    let patients = registry.analysis_patients()?;
    if progress.is_cancelled() {
        anyhow::bail!("the cohort summary was cancelled");
    }
    progress.report(1, 3, "reading the active models");
    let models = ActiveModels::load(registry.connection());
    progress.report(2, 3, "estimating survival");
    let data = summarise(&patients, Some(&models));
    progress.report(3, 3, "done");
    Ok(data)
}

/// The cohort screen.
pub struct CohortScreen {
    pub tab: usize,
}

impl CohortScreen {
    /// Create the screen, starting the summary unless a current one is
    /// held.
    pub fn new(shared: &mut Shared) -> Self {
        start(shared, false);
        Self { tab: 0 }
    }

    pub fn title(&self) -> String {
        "Cohort survival".to_string()
    }

    pub fn bindings(&self) -> &'static [Binding<Action>] {
        &BINDINGS
    }

    pub fn handle_key(&mut self, _key: &KeyEvent, _shared: &mut Shared) -> Option<Outcome> {
        None
    }

    pub fn handle(&mut self, action: Action, shared: &mut Shared) -> Outcome {
        let panels = current(shared).map_or(1, |d| d.panels.len().max(1));
        match action {
            Action::NextTab => self.tab = (self.tab + 1) % panels,
            Action::PreviousTab => self.tab = (self.tab + panels - 1) % panels,
            Action::Reload => start(shared, true),
            Action::Back => return Outcome::Back,
            _ => {}
        }
        Outcome::Stay
    }

    pub fn refresh(&mut self, shared: &mut Shared) {
        start(shared, false);
    }

    pub fn render(&mut self, frame: &mut Frame, area: Rect, shared: &mut Shared) {
        let data = match &shared.cohort {
            Some((_, Ok(data))) => data.clone(),
            Some((_, Err(error))) => {
                frame.render_widget(
                    Paragraph::new(format!(" The summary failed: {error}. Press R to retry."))
                        .style(theme::error())
                        .block(Block::bordered().title(" Cohort survival ")),
                    area,
                );
                return;
            }
            None => {
                let text = match &shared.jobs.cohort {
                    Some(job) => format!(" Computing survival: {}…", job.handle.label),
                    None => " No summary yet. Press R to compute it.".to_string(),
                };
                frame.render_widget(
                    Paragraph::new(text)
                        .style(theme::muted())
                        .block(Block::bordered().title(" Cohort survival ")),
                    area,
                );
                return;
            }
        };

        if data.panels.is_empty() {
            return;
        }
        self.tab = self.tab.min(data.panels.len() - 1);
        let panel = &data.panels[self.tab];
        let rows_needed = match &panel.groups {
            Ok(groups) => groups.len() as u16 + 3,
            Err(_) => 3,
        };
        let [tabs_area, chart_area, table_area] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(6),
            Constraint::Length(rows_needed),
        ])
        .areas(area);
        frame.render_widget(
            Tabs::new(data.panels.iter().map(|p| p.title.clone()))
                .select(self.tab)
                .highlight_style(theme::selected())
                .divider("│"),
            tabs_area,
        );

        let stale = shared
            .cohort
            .as_ref()
            .is_some_and(|(version, _)| *version != shared.data_version);
        let p_text = match &panel.logrank_p {
            Ok(p) if *p < 0.001 => "log-rank p < 0.001".to_string(),
            Ok(p) => format!("log-rank p = {p:.3}"),
            Err(error) => format!("no log-rank test: {error}"),
        };
        let mut title = format!(" {}: overall survival, {p_text} ", panel.title);
        if stale {
            title.push_str("(data changed; R recomputes) ");
        }

        match &panel.groups {
            Ok(groups) => {
                let curves: Vec<Curve> = groups.iter().map(|g| g.curve.clone()).collect();
                km_chart::render(frame, chart_area, &title, &curves, CHART_MONTHS);
                render_table(frame, table_area, groups, panel.left_out);
            }
            Err(error) => {
                frame.render_widget(
                    Paragraph::new(format!(" No curves: {error}"))
                        .style(theme::error())
                        .block(Block::bordered().title(title)),
                    chart_area,
                );
            }
        }
    }
}

fn render_table(frame: &mut Frame, area: Rect, groups: &[GroupSummary], left_out: usize) {
    let patients: usize = groups.iter().map(|g| g.n).sum::<usize>() + left_out;
    let months = |v: Option<f64>| v.map_or("NR".to_string(), |m| format!("{m:.1}"));
    let rows: Vec<Row> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let colour = theme::SERIES[i % theme::SERIES.len()];
            Row::new(vec![
                Line::from(Span::styled(
                    format!("━ {}", g.name),
                    Style::default().fg(colour),
                )),
                Line::from(format::count(g.n as u64)),
                Line::from(format::count(g.events as u64)),
                Line::from(months(g.median)),
                Line::from(format!(
                    "{}–{}",
                    months(g.median_lower),
                    months(g.median_upper)
                )),
            ])
        })
        .collect();
    let header =
        Row::new(vec!["Group", "Patients", "Deaths", "Median", "95% CI"]).style(theme::header());
    let widths = [
        Constraint::Min(16),
        Constraint::Length(8),
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Length(12),
    ];
    let mut title = format!(
        " Median OS in months (NR: not reached) · {} patients ",
        format::count(patients as u64)
    );
    if left_out > 0 {
        title.push_str(&format!(
            "· {} without a value left out ",
            format::count(left_out as u64)
        ));
    }
    frame.render_widget(
        Table::new(rows, widths)
            .header(header)
            .block(Block::bordered().title(title)),
        area,
    );
}

/// Return the summary held, if there is one.
fn current(shared: &Shared) -> Option<&CohortData> {
    match &shared.cohort {
        Some((_, Ok(data))) => Some(data),
        _ => None,
    }
}

/// Start computing the summary on a worker thread, unless one is running
/// or (without `force`) the one held is for the current data.
fn start(shared: &mut Shared, force: bool) {
    if shared.jobs.cohort.is_some() {
        return;
    }
    let fresh = shared
        .cohort
        .as_ref()
        .is_some_and(|(version, result)| *version == shared.data_version && result.is_ok());
    if fresh && !force {
        return;
    }
    let path = shared.registry.path().to_path_buf();
    shared.jobs.cohort = Some(Running::start("cohort survival", move |ctx| {
        compute(&path, ctx)
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panel_leaves_out_missing_labels() {
        let time = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let event = [true, true, false, true, true, false];
        let labels: Vec<Option<String>> = ["a", "b", "a", "b", "a"]
            .iter()
            .map(|s| Some((*s).to_string()))
            .chain([None])
            .collect();
        let panel = panel("test", &time, &event, &labels, &["b", "a"]);
        assert_eq!(panel.left_out, 1);
        let groups = panel.groups.unwrap();
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].name, "b");
        assert_eq!(groups[0].n, 2);
        assert_eq!(groups[1].n, 3);
        assert!(panel.logrank_p.is_ok());
    }

    #[test]
    fn panel_with_one_group_has_no_test() {
        let labels = vec![Some("a".to_string()); 3];
        let panel = panel("one", &[1.0, 2.0, 3.0], &[true, false, true], &labels, &[]);
        assert!(panel.groups.is_ok());
        assert!(panel.logrank_p.is_err());
    }
}
