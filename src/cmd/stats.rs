//! `ambit stats`: reliability statistics on any CSV data.

use std::fs::File;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

use ambit_reliability::{
    self as rel, Alpha, Bootstrap, Estimate, FleissKappa, Kappa, ReadOptions, Reading,
    ReliabilityData,
};
use anyhow::{Context, Result};
use serde_json::{json, Value};

/// Inter-coder reliability of ratings in a CSV file: Krippendorff's alpha, Cohen's kappa, Fleiss' kappa.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub cmd: StatsCmd,
}

/// How the three commands read a file, shown at the end of their `--help`.
/// The rule itself is `ambit_reliability::layout`; this is its summary.
const READING_HELP: &str = "\
Reading the file:
  The file has a header row and either one row per unit (coders in columns,
  the usual spreadsheet) or one row per coder (units in columns, as in
  Krippendorff's papers), with or without a first column of ids. Ambit
  decides from the file, prints what it used on stderr (\"30 subjects × 6
  raters (subjects in rows), first column `subject` taken as ids\"; in
  --format json the `reading` field), and refuses when it cannot tell.

  The first column holds ids when its header is empty, `#`, or a word for
  units or coders (subject, unit, item, id, case, coder, rater, … in any case,
  also `Unit ID`, `subject_no`); or when the other headers name their columns
  alike (rater1, rater2; coder_a, coder_b; 1, 2, 3) and the first does not;
  or when its values are distinct, present, and either labels found in no
  other column (s01, s02; anna, erik) or whole numbers outnumbering the other
  columns' distinct values two to one (subjects 1-30 rated on 5 categories).
  A header that names every column alike (rater1, rater2, rater3) has no id
  column.

  Coders are in rows when the id column's header is a coder word (coder,
  rater), the header numbers units (1, 2, 3; u1, u2; item_1), or the ids name
  coders alike; units are in rows when the id header is a unit word, the
  header names coders alike, or the ids are unit numbers. Without an id
  column, units are in rows unless the header numbers units.

  Override with --units-in rows|columns, --id-column [NAME] (without NAME:
  the first column) and --no-id-column.";

#[derive(Debug, clap::Subcommand)]
pub enum StatsCmd {
    /// Krippendorff's alpha: any number of coders, missing values, four levels of measurement.
    ///
    /// One row per unit with a column per coder (`unit,ann,bob,cem` then
    /// `u1,2,3,`), or one row per coder with a column per unit
    /// (`coder,1,2,3`); the layout and the id column are detected (see
    /// below). Empty cells are missing. Units with fewer than two values
    /// drop out.
    #[command(
        after_long_help = READING_HELP,
        override_usage = "ambit stats alpha [OPTIONS] <FILE>"
    )]
    Alpha(AlphaArgs),
    /// Cohen's kappa for two coders, with its standard error and 95% confidence interval.
    ///
    /// Two coders' columns (`ann,bob`), usually after an id column
    /// (`item,rater1,rater2`), which is detected (see below). Units that
    /// either coder left empty are skipped.
    #[command(
        after_long_help = READING_HELP,
        override_usage = "ambit stats kappa [OPTIONS] <FILE>"
    )]
    Kappa(KappaArgs),
    /// Fleiss' kappa for the same number of raters on every subject.
    ///
    /// The CSV is a raters matrix (one row per subject, one column per
    /// rater, or the transpose) or, with `--counts`, a subjects × categories
    /// count table. An id column (`subject`) is detected (see below).
    #[command(
        after_long_help = READING_HELP,
        override_usage = "ambit stats fleiss [OPTIONS] <FILE>"
    )]
    Fleiss(FleissArgs),
}

/// How to read the file: the flags shared by the three commands.
#[derive(Debug, clap::Args)]
pub struct ReadingArgs {
    /// The column that names the rows (units, or coders when coders are in
    /// rows): a header name, or without NAME the first column. Detected when
    /// not given.
    #[arg(long, value_name = "NAME", conflicts_with = "no_id_column")]
    pub id_column: Option<Option<String>>,
    /// No column holds ids: every column holds ratings (or counts).
    #[arg(long)]
    pub no_id_column: bool,
    /// A cell with exactly this text is missing too (empty cells always
    /// are). Count tables read empty cells as 0 and take no token.
    #[arg(long, value_name = "TOKEN", default_value = "")]
    pub missing: String,
}

impl ReadingArgs {
    /// The file and the id column. `--id-column` used to be a plain switch,
    /// so `--id-column data.csv` takes the file as NAME: with no file left,
    /// that value is the file and the first column the id column. (This is
    /// why FILE is optional to clap, and the usage line is written out.)
    fn resolve(&self, file: &Option<PathBuf>) -> Result<(PathBuf, rel::IdColumn)> {
        let id = match (&self.id_column, self.no_id_column) {
            (_, true) => rel::IdColumn::None,
            (None, false) => rel::IdColumn::Auto,
            (Some(None), false) => rel::IdColumn::First,
            (Some(Some(name)), false) => rel::IdColumn::Named(name.clone()),
        };
        match (file, id) {
            (Some(file), id) => Ok((file.clone(), id)),
            (None, rel::IdColumn::Named(file)) => Ok((PathBuf::from(file), rel::IdColumn::First)),
            (None, _) => anyhow::bail!("no CSV file given; pass it as the first argument"),
        }
    }

    fn options(&self, id_column: rel::IdColumn, units_in: Option<UnitsInArg>) -> ReadOptions {
        ReadOptions {
            missing: self.missing.clone(),
            units_in: units_in.map(UnitsInArg::to_lib),
            id_column,
        }
    }
}

/// Flags of `ambit stats alpha`.
#[derive(Debug, clap::Args)]
pub struct AlphaArgs {
    /// The CSV file.
    #[arg(required_unless_present = "id_column")]
    pub file: Option<PathBuf>,
    /// Level of measurement; ordinal, interval and ratio need numeric values.
    #[arg(long, value_enum, default_value_t = LevelArg::Nominal)]
    pub level: LevelArg,
    /// `rows`: one row per unit, coders in columns; `columns`: one row per
    /// coder, units in columns. Detected when not given.
    #[arg(long, value_enum)]
    pub units_in: Option<UnitsInArg>,
    #[command(flatten)]
    pub reading: ReadingArgs,
    /// Bootstrap alpha's distribution with N resamples (Hayes & Krippendorff 2007).
    #[arg(long, value_name = "N")]
    pub bootstrap: Option<usize>,
    /// Seed for the bootstrap; the same seed gives the same interval.
    #[arg(long, value_name = "S", default_value_t = 1, requires = "bootstrap")]
    pub seed: u64,
    /// Also print the coincidence matrix.
    #[arg(long)]
    pub verbose: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Flags of `ambit stats kappa`.
#[derive(Debug, clap::Args)]
pub struct KappaArgs {
    /// The CSV file.
    #[arg(required_unless_present = "id_column")]
    pub file: Option<PathBuf>,
    /// Agreement weights for ordered (numeric) categories.
    #[arg(long, value_enum, default_value_t = WeightsArg::None)]
    pub weights: WeightsArg,
    /// `rows`: one row per unit, the two coders in columns; `columns`: one
    /// row per coder, units in columns. Detected when not given.
    #[arg(long, value_enum)]
    pub units_in: Option<UnitsInArg>,
    #[command(flatten)]
    pub reading: ReadingArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Flags of `ambit stats fleiss`.
#[derive(Debug, clap::Args)]
pub struct FleissArgs {
    /// The CSV file.
    #[arg(required_unless_present = "id_column")]
    pub file: Option<PathBuf>,
    /// The file is a count table: header = category names, each row how many
    /// raters chose each category (every row with the same total).
    #[arg(long)]
    pub counts: bool,
    /// `rows`: one row per subject, raters in columns; `columns`: one row
    /// per rater, subjects in columns. Detected when not given.
    #[arg(long, value_enum, conflicts_with = "counts")]
    pub units_in: Option<UnitsInArg>,
    #[command(flatten)]
    pub reading: ReadingArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LevelArg {
    Nominal,
    Ordinal,
    Interval,
    Ratio,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WeightsArg {
    None,
    Linear,
    Quadratic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum UnitsInArg {
    Rows,
    Columns,
}

impl UnitsInArg {
    fn to_lib(self) -> rel::UnitsIn {
        match self {
            UnitsInArg::Rows => rel::UnitsIn::Rows,
            UnitsInArg::Columns => rel::UnitsIn::Columns,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable lines, numbers to 3 decimals.
    Text,
    /// JSON at full precision, for scripts.
    Json,
}

pub fn run(args: Args) -> Result<()> {
    let out = &mut crate::output::stdout();
    match args.cmd {
        StatsCmd::Alpha(a) => alpha(a, out),
        StatsCmd::Kappa(a) => kappa(a, out),
        StatsCmd::Fleiss(a) => fleiss(a, out),
    }
}

fn alpha(args: AlphaArgs, out: &mut impl Write) -> Result<()> {
    let (file, id) = args.reading.resolve(&args.file)?;
    let (data, reading) = read_data(&file, &args.reading.options(id, args.units_in))?;
    state_reading(&file, &reading, args.format, ("units", "coders"));
    let level = match args.level {
        LevelArg::Nominal => rel::Level::Nominal,
        LevelArg::Ordinal => rel::Level::Ordinal,
        LevelArg::Interval => rel::Level::Interval,
        LevelArg::Ratio => rel::Level::Ratio,
    };
    let alpha = data
        .alpha(level)
        .with_context(|| format!("computing {level} alpha for {}", file.display()))?;
    // An undefined alpha has no distribution; that is reported, not an error.
    let boot = match args.bootstrap {
        Some(n) if alpha.estimate.is_defined() => Some(alpha.bootstrap(n, args.seed)?),
        _ => None,
    };
    match args.format {
        Format::Json => write_json(
            out,
            &alpha_json(&data, &alpha, boot.as_ref(), &reading, ("units", "coders")),
        ),
        Format::Text => {
            writeln!(out, "Krippendorff's alpha ({level}): {:.3}", alpha.estimate)?;
            writeln!(
                out,
                "observed disagreement Do: {:.3}",
                alpha.observed_disagreement
            )?;
            writeln!(
                out,
                "expected disagreement De: {:.3}",
                alpha.expected_disagreement
            )?;
            writeln!(
                out,
                "pairable values: {} (in {} of {} units; {} coders)",
                alpha.pairable_values,
                alpha.pairable_units,
                data.units.len(),
                data.coders.len()
            )?;
            if args.verbose {
                writeln!(
                    out,
                    "\ncoincidence matrix (rows and columns: values; last: n_c)"
                )?;
                write_coincidences(out, &alpha)?;
            }
            match (&boot, args.bootstrap) {
                (Some(b), _) => write_bootstrap(out, b)?,
                (None, Some(_)) => writeln!(out, "bootstrap: skipped, alpha is undefined")?,
                (None, None) => {}
            }
            Ok(())
        }
    }
}

fn kappa(args: KappaArgs, out: &mut impl Write) -> Result<()> {
    let (file, id) = args.reading.resolve(&args.file)?;
    let (data, reading) = read_data(&file, &args.reading.options(id, args.units_in))?;
    state_reading(&file, &reading, args.format, ("units", "coders"));
    let weights = match args.weights {
        WeightsArg::None => rel::Weights::None,
        WeightsArg::Linear => rel::Weights::Linear,
        WeightsArg::Quadratic => rel::Weights::Quadratic,
    };
    let k = data
        .cohen_kappa(weights)
        .with_context(|| format!("computing Cohen's kappa for {}", file.display()))?;
    match args.format {
        Format::Json => write_json(out, &kappa_json(&data, &k, &reading, ("units", "coders"))),
        Format::Text => {
            let what = match weights {
                rel::Weights::None => "unweighted".to_string(),
                w => format!("{w} weights"),
            };
            writeln!(
                out,
                "Cohen's kappa ({what}), {}: {:.3}",
                data.coders.join(" vs "),
                k.estimate
            )?;
            if let (Some(se), Some((lo, hi))) = (k.std_error, k.ci95) {
                writeln!(out, "standard error: {se:.3}")?;
                writeln!(out, "95% CI: {lo:.3} to {hi:.3}")?;
            }
            writeln!(out, "observed agreement Po: {:.3}", k.observed_agreement)?;
            writeln!(out, "expected agreement Pe: {:.3}", k.expected_agreement)?;
            writeln!(out, "units rated by both: {} of {}", k.n, data.units.len())?;
            Ok(())
        }
    }
}

fn fleiss(args: FleissArgs, out: &mut impl Write) -> Result<()> {
    let (file, id) = args.reading.resolve(&args.file)?;
    let context = || format!("computing Fleiss' kappa for {}", file.display());
    let nouns = ("subjects", "raters");
    let (f, reading) = if args.counts {
        let (table, reading) = rel::read_counts(open(&file)?, &id)
            .with_context(|| format!("reading {}", file.display()))?;
        state_reading(&file, &reading, args.format, nouns);
        (table.fleiss_kappa().with_context(context)?, reading)
    } else {
        let (data, reading) = read_data(&file, &args.reading.options(id, args.units_in))?;
        state_reading(&file, &reading, args.format, nouns);
        (data.fleiss_kappa().with_context(context)?, reading)
    };
    match args.format {
        Format::Json => write_json(out, &fleiss_json(&f, &reading, nouns)),
        Format::Text => {
            writeln!(out, "Fleiss' kappa: {:.3}", f.estimate)?;
            writeln!(
                out,
                "subjects: {}, raters per subject: {}, categories: {}",
                f.subjects,
                f.raters,
                f.categories.len()
            )?;
            writeln!(out, "mean observed agreement: {:.3}", f.observed_agreement)?;
            writeln!(out, "expected agreement: {:.3}", f.expected_agreement)?;
            if let (Some(se0), Some(z)) = (f.std_error_null, f.z) {
                writeln!(out, "standard error under kappa = 0: {se0:.3} (z = {z:.3})")?;
            }
            Ok(())
        }
    }
}

fn open(path: &Path) -> Result<BufReader<File>> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    Ok(BufReader::new(file))
}

fn read_data(path: &Path, options: &ReadOptions) -> Result<(ReliabilityData, Reading)> {
    rel::read_matrix_with(open(path)?, options)
        .with_context(|| format!("reading {}", path.display()))
}

/// Words for units and coders in what a command prints.
type Nouns = (&'static str, &'static str);

/// Says how the file was read, so that a wrong reading is seen; JSON output
/// carries it in its `reading` field instead.
fn state_reading(path: &Path, reading: &Reading, format: Format, (units, coders): Nouns) {
    if format == Format::Text {
        eprintln!(
            "reading {} as {}",
            path.display(),
            reading.describe(units, coders)
        );
    }
}

fn reading_json(r: &Reading, (units, coders): Nouns) -> Value {
    json!({
        "summary": r.describe(units, coders),
        "units": r.units,
        "coders": r.coders,
        "units_in": match r.units_in {
            rel::UnitsIn::Rows => "rows",
            rel::UnitsIn::Columns => "columns",
        },
        "units_in_detected": r.layout_basis.clue(),
        "id_column": r.id_column.as_ref().map(|c| json!({"index": c.index, "header": c.header})),
        "id_column_detected": r.id_basis.clue(),
    })
}

/// `(value, reason)`: the number, or null and why.
fn estimate_json(e: &Estimate) -> (Value, Value) {
    match e {
        Estimate::Value(v) => (json!(v), Value::Null),
        Estimate::Undefined { reason } => (Value::Null, json!(reason.to_string())),
    }
}

fn alpha_json(
    data: &ReliabilityData,
    a: &Alpha,
    boot: Option<&Bootstrap>,
    reading: &Reading,
    nouns: Nouns,
) -> Value {
    let (value, undefined) = estimate_json(&a.estimate);
    json!({
        "statistic": "krippendorff_alpha",
        "reading": reading_json(reading, nouns),
        "level": a.level.name(),
        "alpha": value,
        "undefined": undefined,
        "observed_disagreement": a.observed_disagreement,
        "expected_disagreement": a.expected_disagreement,
        "pairable_values": a.pairable_values,
        "pairable_units": a.pairable_units,
        "pairs": a.pairs,
        "units": data.units.len(),
        "coders": data.coders,
        "coincidences": {
            "values": a.coincidences.labels,
            "counts": a.coincidences.counts,
        },
        "bootstrap": boot.map(|b| json!({
            "samples": b.samples,
            "seed": b.seed,
            "draws_per_sample": b.draws_per_sample,
            "ci95": [b.ci_low, b.ci_high],
            "q_below": b.q_below.iter()
                .map(|(min, q)| json!({"alpha_min": min, "q": q}))
                .collect::<Vec<_>>(),
        })),
    })
}

fn kappa_json(data: &ReliabilityData, k: &Kappa, reading: &Reading, nouns: Nouns) -> Value {
    let (value, undefined) = estimate_json(&k.estimate);
    json!({
        "statistic": "cohen_kappa",
        "reading": reading_json(reading, nouns),
        "weights": k.weights.name(),
        "coders": data.coders,
        "kappa": value,
        "undefined": undefined,
        "std_error": k.std_error,
        "ci95": k.ci95.map(|(lo, hi)| [lo, hi]),
        "std_error_null": k.std_error_null,
        "observed_agreement": k.observed_agreement,
        "expected_agreement": k.expected_agreement,
        "n": k.n,
        "units": data.units.len(),
        "categories": k.categories,
        "table": k.table,
    })
}

fn fleiss_json(f: &FleissKappa, reading: &Reading, nouns: Nouns) -> Value {
    let (value, undefined) = estimate_json(&f.estimate);
    json!({
        "statistic": "fleiss_kappa",
        "reading": reading_json(reading, nouns),
        "kappa": value,
        "undefined": undefined,
        "observed_agreement": f.observed_agreement,
        "expected_agreement": f.expected_agreement,
        "std_error_null": f.std_error_null,
        "z": f.z,
        "subjects": f.subjects,
        "raters": f.raters,
        "categories": f.categories,
        "proportions": f.proportions,
    })
}

fn write_json(out: &mut impl Write, v: &Value) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, v)?;
    writeln!(out)?;
    Ok(())
}

fn write_bootstrap(out: &mut impl Write, b: &Bootstrap) -> Result<()> {
    writeln!(
        out,
        "bootstrap ({} samples of {} pairs, seed {}): 95% CI {:.3} to {:.3}",
        b.samples, b.draws_per_sample, b.seed, b.ci_low, b.ci_high
    )?;
    for (min, q) in &b.q_below {
        writeln!(out, "q(alpha < {min:.3}): {q:.3}")?;
    }
    Ok(())
}

/// The coincidence matrix with its marginals, right-aligned.
fn write_coincidences(out: &mut impl Write, a: &Alpha) -> Result<()> {
    let m = &a.coincidences;
    let n_c = m.marginals();
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(m.labels.len() + 2);
    let mut header = vec![String::new()];
    header.extend(m.labels.iter().cloned());
    header.push("n_c".into());
    rows.push(header);
    for (label, (counts, total)) in m.labels.iter().zip(m.counts.iter().zip(&n_c)) {
        let mut row = vec![label.clone()];
        row.extend(counts.iter().map(|x| format!("{x:.3}")));
        row.push(format!("{total:.3}"));
        rows.push(row);
    }
    let mut last = vec!["n_k".to_string()];
    last.extend(n_c.iter().map(|x| format!("{x:.3}")));
    last.push(a.pairable_values.to_string());
    rows.push(last);
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| {
                if i == 0 {
                    format!("{c:<w$}")
                } else {
                    format!("{c:>w$}")
                }
            })
            .collect();
        writeln!(out, "{}", cells.join("  ").trim_end())?;
    }
    Ok(())
}
