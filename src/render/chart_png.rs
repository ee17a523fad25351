//! A chart spec (the declarative Vega-Lite subset that `agent::chart` suggests) drawn as a PNG.
//!
//! Only the shapes the agent suggests are drawn: bars over categories or a line over time, with one or
//! two measures. The spec is data, not code: fields are looked up by name, nothing is evaluated. Text is
//! set in DejaVu Sans, embedded in the binary, so rendering needs no system fonts.

use plotters::prelude::*;
use serde_json::Value;
use std::sync::OnceLock;

/// Image size in pixels.
const SIZE: (u32, u32) = (900, 500);
/// Category labels longer than this are shortened.
const MAX_LABEL: usize = 18;
const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const COLORS: [RGBColor; 2] = [RGBColor(54, 110, 201), RGBColor(232, 126, 40)];

/// Why a spec could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The spec is not one of the shapes this renderer draws.
    #[error("unsupported chart spec: {0}")]
    Unsupported(String),
    /// Drawing or encoding failed.
    #[error("could not draw the chart: {0}")]
    Draw(String),
}

/// The chart as PNG bytes.
pub fn render(spec: &Value) -> Result<Vec<u8>, RenderError> {
    let chart = Chart::from_spec(spec)?;
    let mut pixels = vec![0u8; (SIZE.0 * SIZE.1 * 3) as usize];
    draw(&chart, &mut pixels).map_err(|e| RenderError::Draw(e.to_string()))?;
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, SIZE.0, SIZE.1);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| RenderError::Draw(e.to_string()))?;
    writer.write_image_data(&pixels).map_err(|e| RenderError::Draw(e.to_string()))?;
    writer.finish().map_err(|e| RenderError::Draw(e.to_string()))?;
    Ok(out)
}

/// What gets drawn, read from the spec.
#[derive(Debug)]
struct Chart {
    line: bool,
    x_title: String,
    labels: Vec<String>,
    /// (measure name, one value per label).
    series: Vec<(String, Vec<f64>)>,
}

impl Chart {
    fn from_spec(spec: &Value) -> Result<Chart, RenderError> {
        let unsupported = |what: &str| RenderError::Unsupported(what.to_string());
        let mark =
            spec["mark"].as_str().or(spec["mark"]["type"].as_str()).ok_or_else(|| unsupported("no mark"))?;
        let line = match mark {
            "line" => true,
            "bar" => false,
            other => return Err(unsupported(&format!("mark `{other}`"))),
        };
        let values = spec["data"]["values"].as_array().ok_or_else(|| unsupported("no data values"))?;
        let x = spec["encoding"]["x"]["field"].as_str().ok_or_else(|| unsupported("no x field"))?;
        let measures: Vec<String> = match spec["transform"][0]["fold"].as_array() {
            Some(fold) => fold.iter().filter_map(|m| m.as_str().map(str::to_string)).collect(),
            None => vec![
                spec["encoding"]["y"]["field"].as_str().ok_or_else(|| unsupported("no y field"))?.to_string(),
            ],
        };
        if values.is_empty() || measures.is_empty() || measures.len() > COLORS.len() {
            return Err(unsupported("no points, or more than two measures"));
        }
        let mut points: Vec<(String, Vec<f64>)> = values
            .iter()
            .map(|point| {
                let label = match &point[x] {
                    Value::String(text) => text.clone(),
                    Value::Null => "NULL".to_string(),
                    other => other.to_string(),
                };
                (label, measures.iter().map(|m| point[m].as_f64().unwrap_or(0.0)).collect())
            })
            .collect();
        if spec["encoding"]["x"]["sort"].as_str() == Some("-y") {
            points.sort_by(|a, b| b.1[0].total_cmp(&a.1[0]));
        } else if spec["encoding"]["x"]["type"].as_str() == Some("temporal") {
            points.sort_by(|a, b| a.0.cmp(&b.0));
        }
        let series = measures
            .iter()
            .enumerate()
            .map(|(i, m)| (m.clone(), points.iter().map(|p| p.1[i]).collect()))
            .collect();
        Ok(Chart { line, x_title: x.to_string(), labels: points.into_iter().map(|p| p.0).collect(), series })
    }
}

fn draw(chart: &Chart, pixels: &mut [u8]) -> Result<(), Box<dyn std::error::Error>> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    REGISTERED.get_or_init(|| plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).is_ok());
    let root = BitMapBackend::with_buffer(pixels, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let n = chart.labels.len();
    let all = chart.series.iter().flat_map(|(_, v)| v.iter().copied());
    let (low, high) = all.fold((0f64, 0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let pad = ((high - low) * 0.08).max(1e-9);
    let (low, high) = (if low < 0.0 { low - pad } else { 0.0 }, high + pad);
    let y_title = if chart.series.len() == 1 { chart.series[0].0.clone() } else { String::new() };
    let labels = &chart.labels;
    let label_at = |x: &f64| {
        let i = x.round();
        if (x - i).abs() > 0.01 || i < 0.0 || i as usize >= labels.len() {
            return String::new();
        }
        let label = &labels[i as usize];
        if label.chars().count() > MAX_LABEL {
            format!("{}…", label.chars().take(MAX_LABEL - 1).collect::<String>())
        } else {
            label.clone()
        }
    };
    let mut plot = ChartBuilder::on(&root)
        .margin(24)
        .x_label_area_size(70)
        .y_label_area_size(80)
        .build_cartesian_2d(-0.6f64..(n as f64 - 0.4), low..high)?;
    plot.configure_mesh()
        .disable_x_mesh()
        .x_labels(n.min(12))
        .x_label_formatter(&label_at)
        .y_label_formatter(&|y| number(*y))
        .x_desc(chart.x_title.as_str())
        .y_desc(y_title.as_str())
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 16))
        .draw()?;
    let width = 0.8 / chart.series.len() as f64;
    for (s, (name, values)) in chart.series.iter().enumerate() {
        let color = COLORS[s];
        if chart.line {
            let points = values.iter().enumerate().map(|(i, v)| (i as f64, *v));
            plot.draw_series(LineSeries::new(points, color.stroke_width(3)))?
                .label(name.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(3)));
        } else {
            let bars = values.iter().enumerate().map(|(i, v)| {
                let left = i as f64 - 0.4 + s as f64 * width;
                Rectangle::new([(left, 0.0), (left + width * 0.95, *v)], color.filled())
            });
            plot.draw_series(bars)?
                .label(name.as_str())
                .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], color.filled()));
        }
    }
    if chart.series.len() > 1 {
        plot.configure_series_labels()
            .label_font(("sans-serif", 14))
            .border_style(BLACK)
            .background_style(WHITE)
            .draw()?;
    }
    root.present()?;
    Ok(())
}

/// An axis number as people write it: `30,000`, `12.5`, `0.25`.
fn number(value: f64) -> String {
    if value.fract().abs() > 1e-9 && value.abs() < 1000.0 {
        return format!("{value:.2}").trim_end_matches('0').trim_end_matches('.').to_string();
    }
    let digits = format!("{:.0}", value.abs());
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if value < -0.5 { format!("-{grouped}") } else { grouped }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn decoded(png_bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        let mut reader = decoder.read_info().unwrap_or_else(|e| unreachable!("{e}"));
        let mut pixels = vec![0; reader.output_buffer_size().unwrap_or(0)];
        let info = reader.next_frame(&mut pixels).unwrap_or_else(|e| unreachable!("{e}"));
        (info.width, info.height, pixels)
    }

    fn count_color(pixels: &[u8], color: RGBColor) -> usize {
        pixels.chunks(3).filter(|p| p == &[color.0, color.1, color.2]).count()
    }

    #[test]
    fn axis_numbers_read_like_numbers() {
        assert_eq!(number(30000.0), "30,000");
        assert_eq!(number(1234567.4), "1,234,567");
        assert_eq!(number(12.5), "12.5");
        assert_eq!(number(0.25), "0.25");
        assert_eq!(number(0.0), "0");
        assert_eq!(number(-2500.0), "-2,500");
    }

    #[test]
    fn bars_are_drawn_taller_for_larger_values() {
        let spec = json!({ "mark": "bar",
            "data": { "values": [{ "category": "Books", "revenue": 100.0 }, { "category": "Games", "revenue": 300.0 }] },
            "encoding": { "x": { "field": "category", "type": "nominal", "sort": "-y" }, "y": { "field": "revenue", "type": "quantitative" } } });
        let (width, height, pixels) = decoded(&render(&spec).unwrap_or_default());
        assert_eq!((width, height), SIZE);
        let blue = count_color(&pixels, COLORS[0]);
        assert!(blue > 10_000, "bars drawn: {blue} pixels");
        // Sorted by value: the first (left) bar is the taller one, about three times the other.
        let column = |x: usize| {
            (0..height as usize)
                .filter(|y| {
                    let i = (y * width as usize + x) * 3;
                    pixels[i..i + 3] == [COLORS[0].0, COLORS[0].1, COLORS[0].2]
                })
                .count()
        };
        let (left, right) = (column(width as usize / 3), column(2 * width as usize / 3));
        assert!(left > 2 * right && right > 0, "left {left}, right {right}");
        // Text was drawn (dark pixels besides the axes).
        assert!(pixels.chunks(3).filter(|p| p[0] < 80 && p[1] < 80 && p[2] < 80).count() > 500);
    }

    #[test]
    fn two_measures_over_time_are_two_lines_and_other_marks_are_refused() {
        let spec = json!({ "mark": "line",
            "data": { "values": [{ "month": "2025-01", "orders": 10, "refunds": 1 }, { "month": "2025-02", "orders": 14, "refunds": 3 }, { "month": "2025-03", "orders": 12, "refunds": 2 }] },
            "transform": [{ "fold": ["orders", "refunds"], "as": ["measure", "value"] }],
            "encoding": { "x": { "field": "month", "type": "temporal" }, "y": { "field": "value", "type": "quantitative" }, "color": { "field": "measure", "type": "nominal" } } });
        let (_, _, pixels) = decoded(&render(&spec).unwrap_or_default());
        assert!(count_color(&pixels, COLORS[0]) > 300 && count_color(&pixels, COLORS[1]) > 300);
        let pie = json!({ "mark": "arc", "data": { "values": [] }, "encoding": {} });
        assert!(matches!(render(&pie), Err(RenderError::Unsupported(_))));
    }
}
