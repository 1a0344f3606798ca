//! A small column store read from CSV, and the design matrices built from it.
//!
//! This is how the `stats` subcommand and the reference tests turn a CSV file
//! into numbers: empty cells and `NA` are missing values, rows with a missing
//! value in any column a method uses are dropped (R's `na.omit`), and factor
//! columns are expanded into treatment-contrast indicators as R's
//! `model.matrix` does.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

use nalgebra::DMatrix;

use super::StatsError;

/// A CSV file held as text cells, one vector per row.
#[derive(Debug, Clone)]
pub struct Frame {
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
    /// 1-based line number in the file of each row (the header is line 1).
    lines: Vec<usize>,
}

/// The columns to expand into a design matrix.
#[derive(Debug, Clone, Default)]
pub struct DesignSpec {
    /// Columns in model order; factor columns are listed here too.
    pub covariates: Vec<String>,
    /// Columns to treat as categorical.
    pub factors: Vec<String>,
    /// Level orders for factors. The first level is the reference; levels
    /// present in the data but not listed follow in sorted order.
    pub levels: BTreeMap<String, Vec<String>>,
}

/// A numeric design matrix, one row per used frame row.
#[derive(Debug, Clone)]
pub struct Design {
    /// Column names: a numeric covariate keeps its name, a factor level is
    /// `column=level`.
    pub names: Vec<String>,
    /// The term (CSV column) each design column comes from.
    pub terms: Vec<String>,
    pub x: DMatrix<f64>,
}

impl Frame {
    /// Read a comma-separated file with a header line.
    ///
    /// # Errors
    ///
    /// [`StatsError::Csv`] when the file cannot be opened or parsed.
    pub fn from_path(path: &Path) -> Result<Self, StatsError> {
        let file = std::fs::File::open(path).map_err(|e| StatsError::Csv {
            path: path.display().to_string(),
            detail: e.to_string(),
        })?;
        Self::from_reader(file, &path.display().to_string())
    }

    /// Read comma-separated text with a header line; `name` is used in errors.
    ///
    /// # Errors
    ///
    /// [`StatsError::Csv`] when the text is not valid CSV or has no header.
    pub fn from_reader<R: Read>(reader: R, name: &str) -> Result<Self, StatsError> {
        let csv_error = |detail: String| StatsError::Csv {
            path: name.to_string(),
            detail,
        };
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(reader);
        let columns: Vec<String> = reader
            .headers()
            .map_err(|e| csv_error(e.to_string()))?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        if columns.iter().all(String::is_empty) {
            return Err(csv_error("the file has no header line".into()));
        }
        let mut rows = Vec::new();
        let mut lines = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| csv_error(e.to_string()))?;
            let line = record.position().map_or(0, |p| p.line() as usize);
            rows.push(record.iter().map(|c| c.trim().to_string()).collect());
            lines.push(line);
        }
        Ok(Self {
            columns,
            rows,
            lines,
        })
    }

    /// Number of data rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the file has no data rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Column names in file order.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The file line of a data row.
    pub fn line(&self, row: usize) -> usize {
        self.lines[row]
    }

    /// Position of a column.
    ///
    /// # Errors
    ///
    /// [`StatsError::UnknownColumn`] listing the columns that exist.
    pub fn column_index(&self, name: &str) -> Result<usize, StatsError> {
        self.columns
            .iter()
            .position(|c| c == name)
            .ok_or_else(|| StatsError::UnknownColumn {
                name: name.to_string(),
                available: self.columns.join(", "),
            })
    }

    /// The text of a cell, or `None` when it is empty or `NA`.
    pub fn cell(&self, row: usize, column: usize) -> Option<&str> {
        let text = self.rows[row].get(column)?.as_str();
        if text.is_empty() || text == "NA" {
            None
        } else {
            Some(text)
        }
    }

    /// Rows with a value in every named column, in file order.
    ///
    /// # Errors
    ///
    /// [`StatsError::UnknownColumn`] when a name is not a column.
    pub fn complete_rows(&self, names: &[&str]) -> Result<Vec<usize>, StatsError> {
        let indices = names
            .iter()
            .map(|n| self.column_index(n))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((0..self.len())
            .filter(|&row| indices.iter().all(|&c| self.cell(row, c).is_some()))
            .collect())
    }

    /// A numeric column restricted to `rows`, which must have no missing cell
    /// in it (see [`Frame::complete_rows`]).
    ///
    /// # Errors
    ///
    /// [`StatsError::UnknownColumn`], or [`StatsError::NotNumeric`] with the
    /// line, column and text of the first cell that does not parse.
    pub fn numeric(&self, name: &str, rows: &[usize]) -> Result<Vec<f64>, StatsError> {
        let column = self.column_index(name)?;
        rows.iter()
            .map(|&row| {
                let text = self.cell(row, column).unwrap_or("");
                text.parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| StatsError::NotNumeric {
                        line: self.line(row),
                        column: name.to_string(),
                        value: text.to_string(),
                    })
            })
            .collect()
    }

    /// A 0/1 column restricted to `rows` as booleans.
    ///
    /// # Errors
    ///
    /// As [`Frame::numeric`], plus [`StatsError::NotBinary`] for any other
    /// number.
    pub fn binary(&self, name: &str, rows: &[usize]) -> Result<Vec<bool>, StatsError> {
        let values = self.numeric(name, rows)?;
        values
            .iter()
            .zip(rows)
            .map(|(&v, &row)| match v {
                0.0 => Ok(false),
                1.0 => Ok(true),
                _ => Err(StatsError::NotBinary {
                    line: self.line(row),
                    column: name.to_string(),
                    value: v.to_string(),
                }),
            })
            .collect()
    }

    /// A text column restricted to `rows`.
    ///
    /// # Errors
    ///
    /// [`StatsError::UnknownColumn`].
    pub fn text(&self, name: &str, rows: &[usize]) -> Result<Vec<String>, StatsError> {
        let column = self.column_index(name)?;
        Ok(rows
            .iter()
            .map(|&row| self.cell(row, column).unwrap_or("").to_string())
            .collect())
    }

    /// Build the design matrix of `spec` over `rows`.
    ///
    /// Numeric columns enter as they are. A factor with levels
    /// `L1 (reference), L2, …` enters as indicators `name=L2, …`. Without
    /// a listed order, levels are sorted numerically when every level is a
    /// number (R's `factor()` on a numeric column) and as text otherwise.
    ///
    /// # Errors
    ///
    /// [`StatsError::UnknownColumn`], [`StatsError::NotNumeric`] for text in a
    /// numeric covariate, and [`StatsError::UnknownLevel`] when a listed
    /// reference level does not occur in the rows used.
    pub fn design(&self, spec: &DesignSpec, rows: &[usize]) -> Result<Design, StatsError> {
        let mut names = Vec::new();
        let mut terms = Vec::new();
        let mut columns: Vec<Vec<f64>> = Vec::new();
        for covariate in &spec.covariates {
            if spec.factors.contains(covariate) {
                let values = self.text(covariate, rows)?;
                let levels = factor_levels(covariate, &values, spec.levels.get(covariate))?;
                for level in levels.iter().skip(1) {
                    names.push(format!("{covariate}={level}"));
                    terms.push(covariate.clone());
                    columns.push(
                        values
                            .iter()
                            .map(|v| if v == level { 1.0 } else { 0.0 })
                            .collect(),
                    );
                }
            } else {
                names.push(covariate.clone());
                terms.push(covariate.clone());
                columns.push(self.numeric(covariate, rows)?);
            }
        }
        let x = DMatrix::from_fn(rows.len(), columns.len(), |i, j| columns[j][i]);
        Ok(Design { names, terms, x })
    }
}

/// Order the distinct values of a factor: listed levels first (the first is
/// the reference), then the rest sorted numerically if all are numbers, else
/// as text.
fn factor_levels(
    factor: &str,
    values: &[String],
    listed: Option<&Vec<String>>,
) -> Result<Vec<String>, StatsError> {
    let present: BTreeSet<&String> = values.iter().collect();
    let mut rest: Vec<String> = present.iter().map(|s| s.to_string()).collect();
    let numeric: Option<Vec<f64>> = rest.iter().map(|s| s.parse::<f64>().ok()).collect();
    if let Some(numbers) = numeric {
        let mut paired: Vec<(f64, String)> = numbers.into_iter().zip(rest).collect();
        paired.sort_by(|a, b| a.0.total_cmp(&b.0));
        rest = paired.into_iter().map(|(_, s)| s).collect();
    }
    let mut levels = Vec::new();
    if let Some(listed) = listed {
        if let Some(reference) = listed.first()
            && !present.contains(reference)
        {
            return Err(StatsError::UnknownLevel {
                factor: factor.to_string(),
                level: reference.clone(),
                levels: rest.join(", "),
            });
        }
        for level in listed {
            if present.contains(level) {
                levels.push(level.clone());
            }
        }
    }
    for level in rest {
        if !levels.contains(&level) {
            levels.push(level);
        }
    }
    Ok(levels)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(text: &str) -> Frame {
        Frame::from_reader(text.as_bytes(), "test").unwrap()
    }

    #[test]
    fn missing_cells_drop_rows() {
        let f = frame("time,event,x\n1,1,2\n2,,3\n3,0,NA\n4,1,5\n");
        assert_eq!(f.complete_rows(&["time", "event"]).unwrap(), vec![0, 2, 3]);
        assert_eq!(
            f.complete_rows(&["time", "event", "x"]).unwrap(),
            vec![0, 3]
        );
    }

    #[test]
    fn text_in_numeric_column_names_line() {
        let f = frame("time,x\n1,2\n2,abc\n");
        let err = f.numeric("x", &[0, 1]).unwrap_err();
        assert_eq!(
            err,
            StatsError::NotNumeric {
                line: 3,
                column: "x".into(),
                value: "abc".into()
            }
        );
    }

    #[test]
    fn factor_levels_numeric_order_and_reference() {
        let f = frame("g\n10\n9\n2\n9\n");
        let rows = [0, 1, 2, 3];
        let spec = DesignSpec {
            covariates: vec!["g".into()],
            factors: vec!["g".into()],
            ..Default::default()
        };
        let d = f.design(&spec, &rows).unwrap();
        assert_eq!(d.names, vec!["g=9", "g=10"]);
        let mut spec = spec;
        spec.levels.insert("g".into(), vec!["10".into()]);
        let d = f.design(&spec, &rows).unwrap();
        assert_eq!(d.names, vec!["g=2", "g=9"]);
        assert_eq!(d.x.column(0).as_slice(), &[0.0, 0.0, 1.0, 0.0]);
    }

    #[test]
    fn unknown_reference_level_rejected() {
        let f = frame("g\na\nb\n");
        let mut spec = DesignSpec {
            covariates: vec!["g".into()],
            factors: vec!["g".into()],
            ..Default::default()
        };
        spec.levels.insert("g".into(), vec!["z".into()]);
        assert!(matches!(
            f.design(&spec, &[0, 1]),
            Err(StatsError::UnknownLevel { .. })
        ));
    }
}
