//! The one path every idempotent state-changing request takes: `Idempotent<C>` extracts the
//! command, the actor, the optional key and the request's fingerprint; `run` does the domain
//! work in a transaction that also claims the key, replays a repeat, and saves the answer.
use super::{IdempotencyError, IdempotencyKey, domain, repo};
use crate::{
    auth::Actor,
    db::{Db, DbError, Tx, TxError},
    error::{ApiError, AppJson},
};
use axum::{
    body::{Body, Bytes},
    extract::{FromRequest, FromRequestParts, OptionalFromRequestParts, OriginalUri, Request},
    http::{StatusCode, header, request::Parts},
    response::Response,
};
use serde::{Serialize, de::DeserializeOwned};
use std::future::Future;

/// `Option<IdempotencyKey>` in a handler reads the optional `Idempotency-Key` header.
impl<S: Send + Sync> OptionalFromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        let Some(value) = parts.headers.get("idempotency-key") else {
            return Ok(None);
        };
        let text = value.to_str().map_err(|_| IdempotencyError::MalformedKey)?;
        Ok(Some(IdempotencyKey::parse(text)?))
    }
}

/// A JSON command that may carry an `Idempotency-Key`. Two requests are the same when their
/// method, the path and query they were sent to, and their body bytes are: nothing is retyped
/// by hand, so a new route cannot get its fingerprint wrong.
pub struct Idempotent<C> {
    pub command: C,
    pub actor: Actor,
    pub key: Option<IdempotencyKey>,
    fingerprint: String,
}

impl<S, C> FromRequest<S> for Idempotent<C>
where
    S: Send + Sync,
    C: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        Self::read(request, state, None).await
    }
}

impl<C: DeserializeOwned + Default> Idempotent<C> {
    /// As the extractor, for a command whose body may be left out altogether: no bytes (with
    /// or without a content type) is `C::default()`; a body that is there is read as always.
    pub async fn with_optional_body<S: Send + Sync>(
        request: Request,
        state: &S,
    ) -> Result<Self, ApiError> {
        Self::read(request, state, Some(C::default)).await
    }
}

impl<C: DeserializeOwned> Idempotent<C> {
    /// `default_for_empty`: what an empty body stands for, when it may be left out.
    async fn read<S: Send + Sync>(
        request: Request,
        state: &S,
        default_for_empty: Option<fn() -> C>,
    ) -> Result<Self, ApiError> {
        let (mut parts, body) = request.into_parts();
        let actor = Actor::from_request_parts(&mut parts, state).await?;
        let key =
            <IdempotencyKey as OptionalFromRequestParts<S>>::from_request_parts(&mut parts, state)
                .await?;
        let uri = parts
            .extensions
            .get::<OriginalUri>()
            .map_or(&parts.uri, |original| &original.0);
        let target = uri
            .path_and_query()
            .map_or("/", |pq| pq.as_str())
            .to_owned();
        let method = parts.method.clone();
        let headers = parts.headers.clone();
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| ApiError::BadRequest(e.body_text()))?;
        let fingerprint = domain::fingerprint(method.as_str(), &target, &bytes);
        let command = match default_for_empty {
            Some(default) if bytes.is_empty() => default(),
            _ => {
                // Deserialised by `AppJson` itself, so a bad body is refused exactly as elsewhere.
                let mut json = Request::new(Body::from(bytes));
                *json.headers_mut() = headers;
                AppJson::<C>::from_request(json, state).await?.0
            }
        };
        Ok(Self {
            command,
            actor,
            key,
            fingerprint,
        })
    }
}

impl<C> Idempotent<C> {
    /// Runs `work` (`|mut tx| async move { …; (tx, result) }`, as for `Db::transaction`)
    /// inside `Db::transaction` together with the key's claim: the first request
    /// with a key does the work and stores `status` and the JSON of what `work` returns, in
    /// the same commit; a repeat (on any replica, waiting on the first one's row lock while it
    /// runs) gets that stored answer and changes nothing; the same key with another request
    /// is refused. A failure rolls the key back with everything else, so a retry starts afresh.
    pub async fn run<T, E, F, Fut>(
        &self,
        db: &Db,
        status: StatusCode,
        work: F,
    ) -> Result<Response, ApiError>
    where
        T: Serialize,
        E: TxError,
        ApiError: From<E>,
        F: Fn(Tx) -> Fut,
        Fut: Future<Output = (Tx, Result<T, E>)>,
    {
        let work = &work;
        let outcome = db
            .transaction(|mut tx| async move {
                match self.claim(&mut tx, db).await {
                    Ok(None) => {}
                    Ok(Some(replay)) => return (tx, Ok(Outcome::Replay(replay))),
                    Err(e) => return (tx, Err(e)),
                }
                let (mut tx, answer) = work(tx).await;
                let saved = match answer {
                    Ok(answer) => self.save(&mut tx, db, status, &answer).await,
                    // The refusal's bookkeeping commits, but it is no answer to replay: a
                    // retry with the key runs again.
                    Err(e) if e.commits() => match self.release(&mut tx, db).await {
                        Ok(()) => Err(Failure::Work(e)),
                        Err(released) => Err(released),
                    },
                    Err(e) => Err(Failure::Work(e)),
                };
                (tx, saved.map(Outcome::Fresh))
            })
            .await;
        match outcome {
            Ok(Outcome::Fresh(bytes)) => Ok(json_response(status, bytes)),
            Ok(Outcome::Replay(response)) => Ok(response),
            Err(Failure::Work(e)) => Err(e.into()),
            Err(Failure::Key(e)) => Err(e.into()),
            Err(Failure::Db(e)) => Err(e.into()),
            Err(Failure::Encode(e)) => Err(ApiError::Internal(e)),
        }
    }

    /// Whether this request repeats one that was already answered (same key, same request):
    /// `run` will only replay that answer, so what counts attempts (a rate limit) can leave it
    /// out. A plain read: a first attempt still in flight is not answered yet, and `run` stays
    /// the one that decides.
    pub async fn is_answered_repeat(&self, db: &Db) -> Result<bool, ApiError> {
        let Some(key) = &self.key else {
            return Ok(false);
        };
        Ok(repo::answered(db, self.actor, key, &self.fingerprint).await?)
    }

    /// `None` when this request may go ahead (no key, or the first with it); the stored answer
    /// when it is a repeat.
    async fn claim<E>(&self, tx: &mut Tx, db: &Db) -> Result<Option<Response>, Failure<E>> {
        let Some(key) = &self.key else {
            return Ok(None);
        };
        if repo::claim(tx, db, self.actor, key, &self.fingerprint).await? {
            return Ok(None);
        }
        let stored = repo::load(tx, db, self.actor, key).await?;
        let answer = domain::replay(stored, &self.fingerprint).map_err(Failure::Key)?;
        let status = StatusCode::from_u16(answer.status)
            .map_err(|_| Failure::Key(IdempotencyError::InFlight))?;
        Ok(Some(json_response(status, answer.body)))
    }

    async fn release<E>(&self, tx: &mut Tx, db: &Db) -> Result<(), Failure<E>> {
        if let Some(key) = &self.key {
            repo::release(tx, db, self.actor, key).await?;
        }
        Ok(())
    }

    async fn save<T: Serialize, E>(
        &self,
        tx: &mut Tx,
        db: &Db,
        status: StatusCode,
        answer: &T,
    ) -> Result<Vec<u8>, Failure<E>> {
        let bytes = serde_json::to_vec(answer).map_err(|e| Failure::Encode(e.into()))?;
        if let Some(key) = &self.key {
            repo::save(tx, db, self.actor, key, status.as_u16(), &bytes).await?;
        }
        Ok(bytes)
    }
}

enum Outcome {
    Fresh(Vec<u8>),
    Replay(Response),
}

enum Failure<E> {
    Work(E),
    Key(IdempotencyError),
    Db(DbError),
    Encode(anyhow::Error),
}

impl<E> From<DbError> for Failure<E> {
    fn from(e: DbError) -> Self {
        Self::Db(e)
    }
}

impl<E: TxError> TxError for Failure<E> {
    fn is_retryable(&self) -> bool {
        match self {
            Self::Work(e) => e.is_retryable(),
            Self::Db(e) => e.is_retryable(),
            Self::Key(_) | Self::Encode(_) => false,
        }
    }

    fn commits(&self) -> bool {
        matches!(self, Self::Work(e) if e.commits())
    }
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .expect("static headers are valid")
}
