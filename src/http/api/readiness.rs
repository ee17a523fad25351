//! The readiness check behind `GET /readyz`: every source pinged at most once per [`FRESH`], whoever
//! asks, since the route is open and each ping costs a database a connection.

use crate::sources::Source;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a source may take to answer the readiness ping.
const PING: Duration = Duration::from_secs(3);
/// How long one readiness check answers every caller: probes and anyone else calling the open route
/// cannot make Picovis ping every database on every hit.
pub const FRESH: Duration = Duration::from_secs(5);

/// Each source's readiness outcome, by name.
pub type Outcomes = BTreeMap<String, &'static str>;

/// The last readiness check: when, whether every source answered, and each source's outcome.
#[derive(Debug, Default)]
pub struct Readiness {
    last: tokio::sync::Mutex<Option<(Instant, bool, Outcomes)>>,
}

impl Readiness {
    /// The check at most [`FRESH`] old, made now (once, however many callers wait for it) if there is none.
    pub async fn status(&self, sources: &BTreeMap<String, Arc<dyn Source>>) -> (bool, Outcomes) {
        let mut last = self.last.lock().await;
        if let Some((at, ready, sources)) = last.as_ref()
            && at.elapsed() < FRESH
        {
            return (*ready, sources.clone());
        }
        let pings = sources.iter().map(|(name, source)| async move {
            // The route is open (load balancers call it), so the reason goes to the log, not the answer:
            // a connection error can name hosts and databases.
            let outcome = match tokio::time::timeout(PING, source.ping()).await {
                Ok(Ok(_)) => "ok",
                Ok(Err(error)) => {
                    tracing::warn!(source = %name, %error, "readiness: a source is unavailable");
                    "unavailable"
                }
                Err(_) => {
                    tracing::warn!(source = %name, "readiness: a source did not answer in time");
                    "no answer in time"
                }
            };
            (name.clone(), outcome)
        });
        let sources: Outcomes = futures_util::future::join_all(pings).await.into_iter().collect();
        let ready = sources.values().all(|outcome| *outcome == "ok");
        *last = Some((Instant::now(), ready, sources.clone()));
        (ready, sources)
    }
}
