//! The predictions tab of the patient screen. It shows the TACE-benefit
//! probability with its 95% CI and nomogram points, and the
//! overall-survival risk score, risk group, survival at 12, 24 and 36
//! months and the predicted curve, each with its model version.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::db::StoredPatient;
use crate::domain::Treatment;
use crate::domain::validate::{ValueKind, variable};
use crate::pipeline::predict::{BenefitOutput, Prediction, SurvivalOutput, predict};
use crate::tui::app::Shared;
use crate::tui::format;
use crate::tui::theme;
use crate::tui::widgets::km_chart::{self, Curve};

/// Maximum time shown on the predicted survival chart, months.
const CHART_MONTHS: f64 = 60.0;

/// The prediction of one patient, kept until the data or models change.
#[derive(Debug, Default)]
pub struct PredictionPanel {
    /// Data version, models version and the prediction made at them.
    cached: Option<(u64, u64, Prediction)>,
    /// First line shown of the text column.
    top: usize,
}

impl PredictionPanel {
    /// Scroll the text column by `delta` lines.
    pub fn scroll(&mut self, delta: i64) {
        self.top = self
            .top
            .saturating_add_signed(isize::try_from(delta).unwrap_or(0));
    }

    /// Forget the prediction, so that the next draw predicts again.
    pub fn clear(&mut self) {
        self.cached = None;
    }

    /// Return the prediction shown, if one was made.
    pub fn prediction(&self) -> Option<&Prediction> {
        self.cached.as_ref().map(|(_, _, p)| p)
    }

    pub fn render(
        &mut self,
        frame: &mut Frame,
        area: Rect,
        shared: &mut Shared,
        patient: &StoredPatient,
    ) {
        let current = self.cached.as_ref().is_some_and(|(data, models, _)| {
            *data == shared.data_version && *models == shared.models_version
        });
        if !current {
            let prediction = predict(shared.registry.connection(), &patient.record.baseline);
            self.cached = Some((shared.data_version, shared.models_version, prediction));
        }
        let Some((_, _, prediction)) = &self.cached else {
            return;
        };

        let [text_area, chart_area] = if area.width >= 76 {
            Layout::horizontal([Constraint::Length(42), Constraint::Min(20)]).areas(area)
        } else {
            Layout::vertical([Constraint::Min(8), Constraint::Length(0)]).areas(area)
        };

        let mut lines = benefit_lines(&prediction.benefit);
        lines.push(Line::from(""));
        lines.extend(survival_lines(
            &prediction.survival,
            patient.record.treatment,
        ));
        let rows = usize::from(text_area.height.saturating_sub(2)).max(1);
        let inner_width = usize::from(text_area.width.saturating_sub(2)).max(1);
        let total: usize = lines
            .iter()
            .map(|l| l.width().div_ceil(inner_width).max(1))
            .sum();
        let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
        self.top = self.top.min(total.saturating_sub(rows));
        let title = if total > rows {
            " Predictions (j/k scroll) "
        } else {
            " Predictions "
        };
        frame.render_widget(
            paragraph
                .scroll((u16::try_from(self.top).unwrap_or(0), 0))
                .block(Block::bordered().title(title)),
            text_area,
        );

        if chart_area.width > 0 && chart_area.height > 0 {
            match &prediction.survival {
                Ok(output) => {
                    let curve = Curve {
                        name: "predicted".into(),
                        time: output.curve_time.clone(),
                        surv: output.curve_survival.clone(),
                    };
                    km_chart::render(
                        frame,
                        chart_area,
                        " Predicted overall survival ",
                        &[curve],
                        CHART_MONTHS,
                    );
                }
                Err(_) => frame.render_widget(
                    Paragraph::new(" No survival curve without a survival prediction.")
                        .style(theme::muted())
                        .block(Block::bordered().title(" Predicted overall survival ")),
                    chart_area,
                ),
            }
        }
    }
}

/// Format a model variable given by its CSV column with its label, value
/// and unit.
fn labelled_value(column: &str, value: &str) -> String {
    match variable(column) {
        Some(v) => {
            let unit = match v.kind {
                ValueKind::Quantity { unit, .. } if !value.is_empty() => format!(" {unit}"),
                _ => String::new(),
            };
            format!("{} {value}{unit}", format::capitalized(v.label))
        }
        None => format!("{column} {value}"),
    }
}

fn benefit_lines(benefit: &Result<BenefitOutput, String>) -> Vec<Line<'static>> {
    match benefit {
        Ok(b) => {
            let mut lines = vec![
                Line::styled(
                    format!("TACE benefit (model v{})", b.model_version),
                    theme::header(),
                ),
                Line::from(vec![
                    Span::styled(format!(" {:.1}%", b.probability * 100.0), theme::title()),
                    Span::raw(format!(
                        " (95% CI {:.1}–{:.1}%)",
                        b.lower * 100.0,
                        b.upper * 100.0
                    )),
                ]),
                Line::styled(" Nomogram points:", theme::muted()),
            ];
            for p in &b.points {
                lines.push(Line::from(format!(
                    "  {} {}",
                    format::fit(&labelled_value(&p.variable, &p.value), 28),
                    format_points(p.points)
                )));
            }
            lines.push(Line::from(format!(
                "  {} {}",
                format::fit("Total", 28),
                format_points(b.total_points)
            )));
            lines
        }
        Err(reason) => vec![
            Line::styled("TACE benefit", theme::header()),
            Line::styled(format!(" No prediction: {reason}"), theme::warning()),
        ],
    }
}

fn format_points(points: f64) -> String {
    format!("{points:>6.1}")
}

fn survival_lines(
    survival: &Result<SurvivalOutput, String>,
    treatment: Treatment,
) -> Vec<Line<'static>> {
    match survival {
        Ok(s) => {
            let at = |v: Option<f64>| v.map_or("n/a".to_string(), format::percent);
            let mut lines = vec![
                Line::styled(
                    format!("Overall survival (model v{})", s.model_version),
                    theme::header(),
                ),
                Line::from(vec![
                    Span::raw(" Risk group "),
                    Span::styled(s.risk_group.clone(), theme::title()),
                    Span::raw(format!(", score {:.2}", s.risk_score)),
                ]),
                Line::from(format!(
                    " At 12, 24, 36 months: {}, {}, {}",
                    at(s.s12),
                    at(s.s24),
                    at(s.s36)
                )),
            ];
            if treatment == Treatment::None {
                lines.push(Line::styled(
                    " The model was fitted on TACE patients.",
                    theme::muted(),
                ));
            }
            lines
        }
        Err(reason) => vec![
            Line::styled("Overall survival", theme::header()),
            Line::styled(format!(" No prediction: {reason}"), theme::warning()),
        ],
    }
}
