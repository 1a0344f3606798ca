//! Survival curves drawn as step functions in a ratatui chart.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::Span;
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType};

use crate::tui::theme;

/// One curve: a name for the legend and the jump times and survival values
/// of a right-continuous step function that starts at S = 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    pub name: String,
    pub time: Vec<f64>,
    pub surv: Vec<f64>,
}

/// Corner points of a step function from (0, 1) to `until`, so that a line
/// chart draws horizontal and vertical segments.
pub fn step_points(curve: &Curve, until: f64) -> Vec<(f64, f64)> {
    let mut points = vec![(0.0, 1.0)];
    let mut level = 1.0;
    for (&t, &s) in curve.time.iter().zip(&curve.surv) {
        if t > until {
            break;
        }
        points.push((t, level));
        points.push((t, s));
        level = s;
    }
    points.push((until, level));
    points
}

/// Draw curves on a 0–1 survival axis over months 0 to `max_months`.
pub fn render(frame: &mut Frame, area: Rect, title: &str, curves: &[Curve], max_months: f64) {
    let points: Vec<Vec<(f64, f64)>> = curves.iter().map(|c| step_points(c, max_months)).collect();
    let datasets: Vec<Dataset> = curves
        .iter()
        .zip(&points)
        .enumerate()
        .map(|(i, (curve, data))| {
            Dataset::default()
                .name(curve.name.clone())
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(Style::default().fg(theme::SERIES[i % theme::SERIES.len()]))
                .data(data)
        })
        .collect();
    let x_labels = [0.0, max_months / 2.0, max_months]
        .iter()
        .map(|m| Span::raw(format!("{m:.0}")))
        .collect::<Vec<_>>();
    let chart = Chart::new(datasets)
        .block(Block::bordered().title(title.to_string()))
        .x_axis(
            Axis::default()
                .title("months")
                .bounds([0.0, max_months])
                .labels(x_labels),
        )
        .y_axis(
            Axis::default()
                .bounds([0.0, 1.0])
                .labels(["0", "0.5", "1"].map(Span::raw)),
        );
    frame.render_widget(chart, area);
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    #[test]
    fn steps_have_corners() {
        let curve = Curve {
            name: "all".into(),
            time: vec![2.0, 5.0],
            surv: vec![0.8, 0.4],
        };
        assert_eq!(
            step_points(&curve, 10.0),
            vec![
                (0.0, 1.0),
                (2.0, 1.0),
                (2.0, 0.8),
                (5.0, 0.8),
                (5.0, 0.4),
                (10.0, 0.4)
            ]
        );
        assert_eq!(step_points(&curve, 3.0).last(), Some(&(3.0, 0.8)));
    }

    #[test]
    fn renders_title_and_axis() {
        let mut terminal = Terminal::new(TestBackend::new(40, 12)).unwrap();
        let curve = Curve {
            name: "TACE".into(),
            time: vec![6.0, 12.0],
            surv: vec![0.7, 0.5],
        };
        terminal
            .draw(|f| render(f, f.area(), "OS", &[curve], 36.0))
            .unwrap();
        let text: String = terminal
            .backend()
            .buffer()
            .content()
            .iter()
            .map(|c| c.symbol())
            .collect();
        assert!(text.contains("OS"));
        assert!(text.contains("months"));
        assert!(text.contains("36"));
    }
}
