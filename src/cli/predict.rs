//! `tace-registry predict`: both predictions for one patient from the
//! active model versions.

use std::path::PathBuf;

use anyhow::Context;
use serde_json::json;

use crate::db::Registry;
use crate::pipeline::predict::{Prediction, predict};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Study id of the patient.
    #[arg(long, value_name = "STUDY_ID")]
    pub patient: String,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(db: PathBuf, args: Args) -> anyhow::Result<()> {
    let registry = Registry::open(&db).with_context(|| format!("cannot open {}", db.display()))?;
    let patient = registry.patient(&args.patient)?.with_context(|| {
        format!(
            "no patient with study id `{}` in {}; check the id on the patients screen",
            args.patient,
            db.display()
        )
    })?;
    let prediction = predict(registry.connection(), &patient.record.baseline);
    if args.json {
        super::print_stdout(&serde_json::to_string_pretty(&to_json(
            &args.patient,
            &prediction,
        ))?)?;
    } else {
        print_text(&args.patient, &prediction);
    }
    if let (Err(b), Err(s)) = (&prediction.benefit, &prediction.survival) {
        anyhow::bail!("no prediction for {}: {b}; {s}", args.patient);
    }
    Ok(())
}

fn to_json(study_id: &str, p: &Prediction) -> serde_json::Value {
    let benefit = match &p.benefit {
        Ok(b) => json!({
            "probability": b.probability,
            "lower": b.lower,
            "upper": b.upper,
            "total_points": b.total_points,
            "model_version": b.model_version,
            "points": b.points,
        }),
        Err(reason) => json!({ "error": reason }),
    };
    let survival = match &p.survival {
        Ok(s) => json!({
            "risk_score": s.risk_score,
            "risk_group": s.risk_group,
            "s12": s.s12,
            "s24": s.s24,
            "s36": s.s36,
            "model_version": s.model_version,
            "curve": { "time": s.curve_time, "survival": s.curve_survival },
        }),
        Err(reason) => json!({ "error": reason }),
    };
    json!({ "study_id": study_id, "benefit": benefit, "survival": survival })
}

fn print_text(study_id: &str, p: &Prediction) {
    println!("Patient {study_id}");
    match &p.benefit {
        Ok(b) => {
            println!(
                "  TACE benefit: {:.1}% (95% CI {:.1}-{:.1}%), {:.0} points, model v{}",
                100.0 * b.probability,
                100.0 * b.lower,
                100.0 * b.upper,
                b.total_points,
                b.model_version
            );
            for point in &b.points {
                println!(
                    "    {:<16} {:>10} {:>6.1} points",
                    point.variable, point.value, point.points
                );
            }
        }
        Err(reason) => println!("  TACE benefit: not available: {reason}"),
    }
    match &p.survival {
        Ok(s) => {
            let pct =
                |v: Option<f64>| v.map_or("n/a".to_string(), |v| format!("{:.1}%", 100.0 * v));
            println!(
                "  Overall survival: {} risk (score {:.2}), S(12) {}, S(24) {}, S(36) {}, model v{}",
                s.risk_group,
                s.risk_score,
                pct(s.s12),
                pct(s.s24),
                pct(s.s36),
                s.model_version
            );
        }
        Err(reason) => println!("  Overall survival: not available: {reason}"),
    }
}
