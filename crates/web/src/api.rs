//! The JSON API: the same rows as the CLI's `--format json`, for the app's scripts and
//! researchers' own.

use ambit_core::DocId;
use ambit_index::{Filter, Query, Sort};
use ambit_pipeline::coding::{self, ManualCoding, Segment, SegmentFilter, Selection, Target};
use ambit_pipeline::DocumentView;
use ambit_tables::{FreqSpec, Grouping, Measure, Selection as TableSelection};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::fail::{ApiError, Fail};
use crate::params::Params;
use crate::state::App;

type ApiResult<T> = Result<T, ApiError>;

/// A document id from a path: anything that is not one names no document.
pub fn doc_id(s: &str) -> Result<DocId, Fail> {
    DocId::parse(s).map_err(|_| Fail::not_found(format!("no document {s:?} in this project")))
}

/// `GET /api/documents`: the rows of `ambit docs --format json`.
pub async fn documents(State(app): State<App>, params: Params) -> ApiResult<Response> {
    let rows = app
        .read(move |p| {
            let filter = params.doc_filter(p)?;
            Ok(ambit_pipeline::documents(p, &filter)?)
        })
        .await?;
    Ok(Json(rows).into_response())
}

/// A document with its codings: `ambit show --format json` plus `codings`.
#[derive(Serialize)]
struct DocumentWithCodings {
    #[serde(flatten)]
    view: DocumentView,
    codings: Vec<Segment>,
}

/// `GET /api/documents/{id}`.
pub async fn document(State(app): State<App>, Path(id): Path<String>) -> ApiResult<Response> {
    let id = doc_id(&id)?;
    let body = app
        .read(move |p| {
            let view = ambit_pipeline::document_view(p, id)?;
            let codings = crate::segments::of_document(p, id)?;
            Ok(DocumentWithCodings { view, codings })
        })
        .await?;
    Ok(Json(body).into_response())
}

/// `GET /api/codebook`: `ambit codebook show --format json`.
pub async fn codebook(State(app): State<App>) -> ApiResult<Response> {
    let cb = app.read(|p| Ok(coding::load_codebook(p)?)).await?;
    Ok(Json(cb).into_response())
}

/// `GET /api/codings?doc=&code=&coder=&phase=` (and the other document filters): the rows
/// of `ambit codings --format json`.
pub async fn codings(State(app): State<App>, params: Params) -> ApiResult<Response> {
    let rows = app
        .read(move |p| {
            let filter = SegmentFilter {
                codes: params.all("code"),
                coders: params.all("coder"),
                doc: params.doc_filter(p)?,
            };
            Ok(coding::segments(p, &filter)?)
        })
        .await?;
    Ok(Json(rows).into_response())
}

/// A document id in a request body: `"D7"` (as the API writes it) or `7`.
#[derive(Deserialize)]
#[serde(untagged)]
enum DocRef {
    Number(u32),
    Text(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewCodingBody {
    doc: DocRef,
    start: usize,
    end: usize,
    code: String,
    #[serde(default)]
    coder: Option<String>,
    #[serde(default)]
    memo: Option<String>,
}

/// A JSON body, or a 400 saying what is wrong with it.
pub fn json_body<T: serde::de::DeserializeOwned>(body: &[u8], shape: &str) -> Result<T, Fail> {
    serde_json::from_slice(body)
        .map_err(|e| Fail::bad_request(format!("the body must be JSON {shape}: {e}")))
}

/// `POST /api/codings` with `{doc, start, end, code, coder?, memo?}`: stores a manual
/// coding of exactly that character range and answers 201 with its `ambit codings` row.
pub async fn add_coding(
    State(app): State<App>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let req: NewCodingBody = json_body(
        &body,
        r#"{"doc": "D7", "start": 10, "end": 42, "code": "kb.semantic", "coder": "…", "memo": "…"}"#,
    )?;
    let doc = match &req.doc {
        DocRef::Number(n) => DocId(*n),
        DocRef::Text(s) => DocId::parse(s).map_err(Fail::from)?,
    };
    if req.start >= req.end {
        return Err(Fail::bad_request(format!(
            "start ({}) must be before end ({}): a coding covers at least one character",
            req.start, req.end
        ))
        .into());
    }
    let cookie_coder = crate::pages::coder_cookie(&headers);
    let (status, seg) = app
        .write(move |p| {
            let coder = req
                .coder
                .filter(|c| !c.trim().is_empty())
                .or(cookie_coder)
                .unwrap_or_else(|| p.config.coder.clone());
            let manual = ManualCoding {
                target: Target::Doc(doc),
                selection: Selection::Span(req.start, req.end),
                code: req.code,
                coder,
                memo: req.memo.filter(|m| !m.trim().is_empty()),
            };
            let c = coding::code_manually(p, &manual).map_err(|e| Fail::from(e).in_body())?;
            // The same coder coding the same range with the same code again stores
            // nothing: 200 with the coding that was already there.
            let status = if c.added {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok((status, crate::segments::one(p, c.doc, c.id)?))
        })
        .await?;
    Ok((status, Json(seg)).into_response())
}

/// A coding id from a path.
fn coding_id(s: &str) -> Result<i64, Fail> {
    s.parse()
        .map_err(|_| Fail::not_found(format!("no coding {s:?} in this project")))
}

/// `DELETE /api/codings/{id}`: 204, or 404 for an unknown id.
pub async fn remove_coding(State(app): State<App>, Path(id): Path<String>) -> ApiResult<Response> {
    let id = coding_id(&id)?;
    app.write(move |p| {
        p.store.remove_coding(id)?;
        Ok(())
    })
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `PUT /api/codings/{id}/memo` with `{memo}` (`null` or blank text clears it): 200 and the
/// coding as `ambit codings --format json` shows it; 404 for an unknown id.
pub async fn set_memo(
    State(app): State<App>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let id = coding_id(&id)?;
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct MemoBody {
        memo: Option<String>,
    }
    let body: MemoBody = json_body(&body, r#"{"memo": "…"}"#)?;
    let seg = app
        .write(move |p| {
            let c = p.store.set_coding_memo(id, body.memo.as_deref())?;
            crate::segments::one(p, c.doc, c.id)
        })
        .await?;
    Ok(Json(seg).into_response())
}

/// `GET /api/search?q=&phase=&limit=` (and the other filters, `code`, `sort=time`): the rows
/// of `ambit search --format json`.
pub async fn search(State(app): State<App>, params: Params) -> ApiResult<Response> {
    let q = params
        .get("q")
        .ok_or_else(|| Fail::bad_request("give a query: ?q=words"))?
        .to_string();
    let query = Query::parse(&q)?;
    let hits = app
        .read(move |p| {
            let filter = Filter {
                doc: params.doc_filter(p)?,
                codes: params.all("code"),
            };
            let limit = params.number("limit")?.unwrap_or(20);
            let sort = match params.get("sort") {
                Some("time") => Sort::Time,
                _ => Sort::Relevance,
            };
            let mut quiet = |_, _| {};
            let mut session = ambit_pipeline::search::Search::open(p, &mut quiet)?;
            Ok(session.hits(&query, &filter, sort, (limit > 0).then_some(limit))?)
        })
        .await?;
    Ok(Json(hits).into_response())
}

/// The freq table a request asks for: `by`, `measure`, `codes`, `coder`, `depth`, `totals`.
pub fn freq_spec(params: &Params) -> Result<FreqSpec, Fail> {
    let by: Grouping = params.get("by").unwrap_or("phase").parse()?;
    let measure: Measure = params.get("measure").unwrap_or("passages").parse()?;
    Ok(FreqSpec {
        by,
        measure,
        select: TableSelection {
            codes: params.all("codes"),
            coders: params.all("coder"),
            depth: params.number("depth")?,
        },
        totals: params.flag("totals"),
    })
}

/// `GET /api/tables/freq?by=&measure=`: the JSON of `ambit table freq --format json`.
pub async fn freq(State(app): State<App>, params: Params) -> ApiResult<Response> {
    let spec = freq_spec(&params)?;
    let long = params.flag("long");
    let json = app
        .read(move |p| {
            let input = ambit_pipeline::tables::table_input(p)?;
            let table = ambit_tables::freq(&input, &spec)?;
            Ok(ambit_tables::write::to_json(&[table], long))
        })
        .await?;
    Ok(Json(json).into_response())
}
