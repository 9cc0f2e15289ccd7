//! Request failures: an HTTP status and a message for the researcher, answered as JSON
//! `{error}` on the API and as a page elsewhere.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Why a request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fail {
    /// The status to answer with.
    pub status: StatusCode,
    /// What went wrong and what to do, for a person.
    pub message: String,
}

impl Fail {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Fail {
        Fail {
            status,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Fail {
        Fail::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> Fail {
        Fail::new(StatusCode::NOT_FOUND, message)
    }

    pub fn internal(message: impl Into<String>) -> Fail {
        Fail::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// A missing thing named in the request body rather than in the path is a bad request,
    /// not a missing page.
    pub fn in_body(self) -> Fail {
        if self.status == StatusCode::NOT_FOUND {
            Fail::bad_request(self.message)
        } else {
            self
        }
    }
}

impl From<ambit_pipeline::Error> for Fail {
    fn from(e: ambit_pipeline::Error) -> Fail {
        use ambit_pipeline::Error as P;
        let status = match &e {
            P::Store(s) => store_status(s),
            P::Core(_) | P::Coding(_) | P::Request(_) | P::Tables(_) | P::Reliability(_) => {
                StatusCode::BAD_REQUEST
            }
            P::Index(ambit_index::Error::Syntax { .. }) => StatusCode::BAD_REQUEST,
            P::Index(ambit_index::Error::Busy) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Fail::new(status, e.to_string())
    }
}

impl From<ambit_store::Error> for Fail {
    fn from(e: ambit_store::Error) -> Fail {
        Fail::new(store_status(&e), e.to_string())
    }
}

impl From<ambit_core::Error> for Fail {
    fn from(e: ambit_core::Error) -> Fail {
        Fail::bad_request(e.to_string())
    }
}

impl From<ambit_coding::Error> for Fail {
    fn from(e: ambit_coding::Error) -> Fail {
        Fail::bad_request(e.to_string())
    }
}

impl From<ambit_tables::Error> for Fail {
    fn from(e: ambit_tables::Error) -> Fail {
        let status = match e {
            ambit_tables::Error::Io(_) | ambit_tables::Error::Chart(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            _ => StatusCode::BAD_REQUEST,
        };
        Fail::new(status, e.to_string())
    }
}

impl From<ambit_index::Error> for Fail {
    fn from(e: ambit_index::Error) -> Fail {
        Fail::from(ambit_pipeline::Error::from(e))
    }
}

fn store_status(e: &ambit_store::Error) -> StatusCode {
    use ambit_store::Error as S;
    match e {
        S::NoSuchDocument(_) | S::NoSuchPassage(_) | S::NoSuchCoding(_) => StatusCode::NOT_FOUND,
        S::Core(_) | S::HasManualCodings { .. } => StatusCode::BAD_REQUEST,
        S::Locked { .. } => StatusCode::SERVICE_UNAVAILABLE,
        S::ReadOnly { .. } | S::ReadOnlyOutdated { .. } | S::ReadOnlyWithLog { .. } => {
            StatusCode::CONFLICT
        }
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A failure of a JSON endpoint: `{"error": "…"}`.
#[derive(Debug)]
pub struct ApiError(pub Fail);

impl<E: Into<Fail>> From<E> for ApiError {
    fn from(e: E) -> ApiError {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.0.message });
        (self.0.status, axum::Json(body)).into_response()
    }
}

/// A failure of a page: a small page saying what went wrong.
#[derive(Debug)]
pub struct PageError(pub Fail);

impl<E: Into<Fail>> From<E> for PageError {
    fn from(e: E) -> PageError {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let f = self.0;
        let page = crate::pages::error_page(f.status, &f.message);
        (f.status, page).into_response()
    }
}
