//! Baseline values as shown on the patient screen: value with unit and the
//! derived category the models use, with missing values shown as missing.

use crate::domain::Baseline;
use crate::domain::cutoffs::{
    AFP_HIGH_NG_ML, AGE_OLDER_YEARS, ALP_HIGH_U_L, ALT_HIGH_U_L, HSP90A_HIGH_NG_ML,
    LEUKOCYTES_HIGH_1E9_L, PLATELETS_HIGH_1E9_L, TUMOR_NUMBER_MULTIPLE,
};
use crate::domain::derived::{
    albi_grade_of_score, albi_score, tumor_size_bin, tumor_size_bin_label,
};
use crate::domain::patient::yes_no;

/// Return the label of a baseline variable given by its CSV column, or the
/// column itself when it is not a baseline variable.
pub fn variable_label(column: &str) -> String {
    crate::domain::validate::variable(column).map_or(column.to_string(), |v| v.label.to_string())
}

/// Join the labels of a list of CSV columns with commas.
pub fn variable_labels(columns: &[String]) -> String {
    let labels: Vec<String> = columns.iter().map(|c| variable_label(c)).collect();
    labels.join(", ")
}

/// One line of the baseline: label, value with unit (or `None` when
/// missing) and the derived category, if the variable has one.
#[derive(Debug, Clone, PartialEq)]
pub struct BaselineLine {
    pub label: &'static str,
    pub value: Option<String>,
    pub category: String,
}

fn line(label: &'static str, value: Option<String>, category: String) -> BaselineLine {
    BaselineLine {
        label,
        value,
        category,
    }
}

fn quantity(value: Option<f64>, unit: &str) -> Option<String> {
    value.map(|v| format!("{v} {unit}"))
}

/// "high ≥400" or "low <400": the category of a value against a
/// threshold, a value at the threshold being in the upper category.
fn against(value: Option<f64>, threshold: f64, upper: &str, lower: &str) -> String {
    match value {
        Some(v) if v >= threshold => format!("{upper} ≥{threshold}"),
        Some(_) => format!("{lower} <{threshold}"),
        None => String::new(),
    }
}

fn flag(value: Option<bool>) -> Option<String> {
    value.map(|v| yes_no(v).to_string())
}

/// Describe the ALBI grade: computed from albumin and bilirubin when both
/// are known (the category then shows the score), else the grade entered
/// directly (marked "entered"), else missing.
fn albi(b: &Baseline) -> BaselineLine {
    match (b.albumin_g_l, b.bilirubin_umol_l) {
        (Some(albumin), Some(bilirubin)) if albumin > 0.0 && bilirubin > 0.0 => {
            let score = albi_score(albumin, bilirubin);
            line(
                "ALBI grade",
                Some(format!("grade {}", albi_grade_of_score(score))),
                format!("score {score:.2}"),
            )
        }
        _ => line(
            "ALBI grade",
            b.albi_grade.map(|g| format!("grade {g}")),
            if b.albi_grade.is_some() {
                "entered".to_string()
            } else {
                String::new()
            },
        ),
    }
}

/// Describe every baseline variable in registry order, with the ALBI grade
/// after bilirubin.
pub fn baseline_lines(b: &Baseline) -> Vec<BaselineLine> {
    vec![
        line("sex", b.sex.map(|s| s.to_string()), String::new()),
        line(
            "age",
            b.age_years.map(|a| format!("{a} years")),
            match b.age_years {
                Some(a) if a >= AGE_OLDER_YEARS => format!("≥{AGE_OLDER_YEARS}"),
                Some(_) => format!("<{AGE_OLDER_YEARS}"),
                None => String::new(),
            },
        ),
        line(
            "HSP90α",
            quantity(b.hsp90a_ng_ml, "ng/mL"),
            against(b.hsp90a_ng_ml, HSP90A_HIGH_NG_ML, "high", "low"),
        ),
        line("HBV infection", flag(b.hbv), String::new()),
        line("diabetes", flag(b.diabetes), String::new()),
        line("hypertension", flag(b.hypertension), String::new()),
        line(
            "Child–Pugh",
            b.child_pugh.map(|c| format!("class {c}")),
            String::new(),
        ),
        line("albumin", quantity(b.albumin_g_l, "g/L"), String::new()),
        line(
            "bilirubin",
            quantity(b.bilirubin_umol_l, "µmol/L"),
            String::new(),
        ),
        albi(b),
        line(
            "AFP",
            quantity(b.afp_ng_ml, "ng/mL"),
            against(b.afp_ng_ml, AFP_HIGH_NG_ML, "high", "low"),
        ),
        line(
            "ALP",
            quantity(b.alp_u_l, "U/L"),
            against(b.alp_u_l, ALP_HIGH_U_L, "high", "normal"),
        ),
        line(
            "platelets",
            quantity(b.platelets_1e9_l, "10⁹/L"),
            against(b.platelets_1e9_l, PLATELETS_HIGH_1E9_L, "normal", "low"),
        ),
        line(
            "ALT",
            quantity(b.alt_u_l, "U/L"),
            against(b.alt_u_l, ALT_HIGH_U_L, "high", "normal"),
        ),
        line(
            "leukocytes",
            quantity(b.leukocytes_1e9_l, "10⁹/L"),
            against(b.leukocytes_1e9_l, LEUKOCYTES_HIGH_1E9_L, "normal", "low"),
        ),
        line("BCLC stage", b.bclc.map(|s| s.to_string()), String::new()),
        line(
            "tumour number",
            b.tumor_number.map(|n| n.to_string()),
            match b.tumor_number {
                Some(n) if n >= TUMOR_NUMBER_MULTIPLE => "multiple".to_string(),
                Some(_) => "single".to_string(),
                None => String::new(),
            },
        ),
        line(
            "tumour size",
            quantity(b.tumor_size_cm, "cm"),
            b.tumor_size_cm
                .map(|s| tumor_size_bin_label(tumor_size_bin(s)).to_string())
                .unwrap_or_default(),
        ),
        line("PVTT", flag(b.pvtt), String::new()),
        line("lymph nodes N", flag(b.lymph_nodes), String::new()),
        line("metastasis M", flag(b.metastasis), String::new()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find<'a>(lines: &'a [BaselineLine], label: &str) -> &'a BaselineLine {
        lines.iter().find(|l| l.label == label).unwrap()
    }

    #[test]
    fn categories_at_cutoffs() {
        let b = Baseline {
            hsp90a_ng_ml: Some(143.5),
            afp_ng_ml: Some(399.9),
            tumor_size_cm: Some(5.0),
            albumin_g_l: Some(40.0),
            bilirubin_umol_l: Some(10.0),
            ..Baseline::default()
        };
        let lines = baseline_lines(&b);
        assert_eq!(find(&lines, "HSP90α").category, "high ≥143.5");
        assert_eq!(find(&lines, "AFP").category, "low <400");
        assert_eq!(find(&lines, "tumour size").category, "5-10 cm");
        // 0.66·log10(10) − 0.085·40 = −2.74, grade 1.
        let albi = find(&lines, "ALBI grade");
        assert_eq!(albi.value.as_deref(), Some("grade 1"));
        assert_eq!(albi.category, "score -2.74");
    }

    #[test]
    fn missing_stays_missing() {
        let lines = baseline_lines(&Baseline::default());
        assert_eq!(lines.len(), 21);
        for line in &lines {
            assert_eq!(line.value, None, "{}", line.label);
            assert_eq!(line.category, "", "{}", line.label);
        }
    }

    #[test]
    fn entered_albi_grade_is_marked() {
        let b = Baseline {
            albi_grade: Some(2),
            albumin_g_l: Some(35.0),
            ..Baseline::default()
        };
        let albi = albi(&b);
        assert_eq!(albi.value.as_deref(), Some("grade 2"));
        assert_eq!(albi.category, "entered");
    }
}
