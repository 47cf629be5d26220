//! Tables as markdown, CSV or JSON lines.
//!
//! A row is a list of [`Field`]s: a JSON/CSV key, a markdown header, the machine value
//! (JSON, CSV) and the text a person reads (markdown).

use crate::cli::FormatArgs;
use serde_json::Value;

/// One cell of a row.
pub struct Field {
    /// Key in JSON and CSV.
    pub key: &'static str,
    /// Column header in markdown.
    pub header: String,
    /// The value for machines.
    pub value: Value,
    /// The value for people.
    pub text: String,
    /// Left out of markdown (machine formats only).
    pub hidden: bool,
}

impl Field {
    /// A text cell shown as is.
    pub fn text(key: &'static str, header: impl Into<String>, s: impl Into<String>) -> Field {
        let s = s.into();
        Field {
            key,
            header: header.into(),
            value: Value::from(s.clone()),
            text: s,
            hidden: false,
        }
    }

    /// A number with its own display text. A non-finite value is written as the strings
    /// `"inf"`/`"nan"` in JSON (which has no infinity).
    pub fn num(key: &'static str, header: impl Into<String>, v: f64, text: String) -> Field {
        let value = if v.is_finite() {
            Value::from(v)
        } else {
            Value::from(format!("{v}"))
        };
        Field {
            key,
            header: header.into(),
            value,
            text,
            hidden: false,
        }
    }

    /// An integer.
    pub fn int(key: &'static str, header: impl Into<String>, v: u64) -> Field {
        Field {
            key,
            header: header.into(),
            value: Value::from(v),
            text: v.to_string(),
            hidden: false,
        }
    }
}

/// How rows are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A GitHub markdown table.
    Markdown,
    /// One JSON object per line.
    Json,
    /// Comma-separated values with a header line.
    Csv,
}

impl Format {
    /// The format the flags ask for.
    pub fn from_args(a: &FormatArgs) -> Format {
        if a.json {
            Format::Json
        } else if a.csv {
            Format::Csv
        } else {
            Format::Markdown
        }
    }
}

/// Renders rows (which must share their columns) in `format`, one line each, ending in a
/// newline.
pub fn render(format: Format, rows: &[Vec<Field>]) -> String {
    match format {
        Format::Markdown => markdown(rows),
        Format::Json => rows.iter().map(|r| json_line(r) + "\n").collect(),
        Format::Csv => csv(rows),
    }
}

/// One row as a JSON object on one line.
pub fn json_line(row: &[Field]) -> String {
    let map: serde_json::Map<String, Value> = row
        .iter()
        .map(|f| (f.key.to_string(), f.value.clone()))
        .collect();
    Value::Object(map).to_string()
}

/// A markdown table; numeric columns are right-aligned.
pub fn markdown(rows: &[Vec<Field>]) -> String {
    let Some(first) = rows.first() else {
        return String::new();
    };
    let first: Vec<&Field> = first.iter().filter(|f| !f.hidden).collect();
    let mut out = String::new();
    out += &format!(
        "| {} |\n",
        first
            .iter()
            .map(|f| f.header.as_str())
            .collect::<Vec<_>>()
            .join(" | ")
    );
    out += &format!(
        "|{}|\n",
        first
            .iter()
            .map(|f| if f.value.is_number() { "---:" } else { "---" })
            .collect::<Vec<_>>()
            .join("|")
    );
    for row in rows {
        out += &format!(
            "| {} |\n",
            row.iter()
                .filter(|f| !f.hidden)
                .map(|f| f.text.replace('|', "\\|"))
                .collect::<Vec<_>>()
                .join(" | ")
        );
    }
    out
}

fn csv(rows: &[Vec<Field>]) -> String {
    let Some(first) = rows.first() else {
        return String::new();
    };
    let cell = |v: &Value| {
        let s = match v {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s
        }
    };
    let mut out = first.iter().map(|f| f.key).collect::<Vec<_>>().join(",") + "\n";
    for row in rows {
        out += &(row
            .iter()
            .map(|f| cell(&f.value))
            .collect::<Vec<_>>()
            .join(",")
            + "\n");
    }
    out
}

/// An error in ulps for people: `0`, `0.500`, `inf`.
pub fn ulp_text(e: f64) -> String {
    if e == 0.0 {
        "0".to_string()
    } else if e.is_finite() {
        format!("{e:.3}")
    } else {
        "inf".to_string()
    }
}

/// An input for people: `-7.183191e-1`, `0`, `-0`, `inf`, `NaN`.
pub fn input_text(x: f32) -> String {
    if x == 0.0 || !x.is_finite() {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// A fraction as a percentage for people: `99.87%`, `100%`.
pub fn percent_text(f: f64) -> String {
    if f == 1.0 {
        "100%".to_string()
    } else {
        format!("{:.2}%", 100.0 * f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<Vec<Field>> {
        vec![
            vec![
                Field::text("fn", "function", "exp"),
                Field::num("max_ulp", "max ulp", 0.75, ulp_text(0.75)),
            ],
            vec![
                Field::text("fn", "function", "a,b"),
                Field::num("max_ulp", "max ulp", f64::INFINITY, ulp_text(f64::INFINITY)),
            ],
        ]
    }

    #[test]
    fn markdown_aligns_numbers() {
        let md = render(Format::Markdown, &rows());
        assert_eq!(
            md,
            "| function | max ulp |\n|---|---:|\n| exp | 0.750 |\n| a,b | inf |\n"
        );
    }

    #[test]
    fn csv_quotes_and_json_has_no_infinity() {
        assert_eq!(
            render(Format::Csv, &rows()),
            "fn,max_ulp\nexp,0.75\n\"a,b\",inf\n"
        );
        assert_eq!(
            render(Format::Json, &rows()),
            "{\"fn\":\"exp\",\"max_ulp\":0.75}\n{\"fn\":\"a,b\",\"max_ulp\":\"inf\"}\n"
        );
    }
}
