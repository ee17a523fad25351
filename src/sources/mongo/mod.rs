//! MongoDB through the official driver: schemas inferred by sampling each collection, and the four reads
//! the guard admits (`find`, `aggregate`, `count`, `distinct`, each optionally explained), run with the
//! source's timeout as `maxTimeMS` and capped by its row and byte budgets.
//!
//! The read preference and the rest of the driver's options come from the URL
//! (`mongodb://host/db?readPreference=secondaryPreferred`); the database is the URL's path. A user with
//! only the `read` role is recommended, and `write_access` checks for one at start-up.

pub mod flatten;
pub mod infer;

use super::budget::{Admit, Budget, Meter};
use super::error::SourceError;
use super::schema::{Index, SchemaSnapshot, Table, TableKind};
use super::sink::{RowSink, RunSummary};
use super::size;
use super::write_access::WriteAccess;
use super::{IntrospectOptions, ServerInfo, Source};
use crate::config::{Secret, SecretUrl, SourceConfig};
use crate::guard::mongo::{MongoOperation, MongoQuery};
use crate::guard::{Dialect, ReadOnlyQuery};
use async_trait::async_trait;
use futures_util::TryStreamExt;
use mongodb::bson::{Bson, Document, doc};
use mongodb::options::ClientOptions;
use mongodb::{Client, Database};
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;

/// Documents sampled per collection to infer its fields.
const SAMPLE: i64 = 200;
/// How long finding a server may take before the source is reported unavailable.
const SELECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Privileges that change data or the schema; holding any of them means the user can write.
const WRITE_ACTIONS: &[&str] = &[
    "insert",
    "update",
    "remove",
    "createCollection",
    "dropCollection",
    "createIndex",
    "dropIndex",
    "renameCollectionSameDB",
    "collMod",
    "dropDatabase",
    "convertToCapped",
    "emptycapped",
    "createUser",
    "dropUser",
    "grantRole",
];

/// Built-in roles that cannot change data.
const READ_ONLY_ROLES: &[&str] = &["read", "readAnyDatabase", "clusterMonitor"];

/// A MongoDB database.
pub struct MongoSource {
    name: String,
    url: SecretUrl,
    database: String,
    /// From `password_file`, for the URL's user.
    password: Option<Secret>,
    budget: Budget,
    client: OnceCell<Client>,
}

impl std::fmt::Debug for MongoSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MongoSource").field("name", &self.name).field("database", &self.database).finish()
    }
}

fn driver(error: mongodb::error::Error) -> SourceError {
    use mongodb::error::ErrorKind;
    let text = crate::config::redact(&error.to_string());
    match *error.kind {
        ErrorKind::Command(ref command) if command.code == 50 => SourceError::Query(format!(
            "the query ran past its time limit (maxTimeMS) and was stopped: {}",
            command.message
        )),
        ErrorKind::Command(ref command) => {
            SourceError::Query(format!("{} (code {})", command.message, command.code))
        }
        ErrorKind::ServerSelection { .. } | ErrorKind::Io(_) | ErrorKind::Authentication { .. } => {
            SourceError::Connect(text)
        }
        _ => SourceError::Query(text),
    }
}

/// A checked JSON document as BSON, keys in the order written (extended JSON such as `{"$date": ...}`
/// becomes the BSON type).
fn bson(map: &crate::guard::json::Map) -> Result<Document, SourceError> {
    map.to_document()
        .map_err(|e| SourceError::Query(format!("the query holds a value MongoDB cannot take: {e}")))
}

/// The database named in a MongoDB URL's path (`mongodb://host:27017/shop?...` → `shop`).
fn database_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let path = rest.split_once('/')?.1;
    let name = path.split(['?', '#']).next().unwrap_or_default();
    (!name.is_empty()).then(|| name.to_string())
}

impl MongoSource {
    /// A source for the database in `url`'s path. Nothing connects until the first use.
    pub fn open(
        name: &str,
        url: &SecretUrl,
        password: Option<Secret>,
        config: &SourceConfig,
    ) -> Result<Self, SourceError> {
        let database = database_of(url.expose()).ok_or_else(|| {
            SourceError::Config(format!(
                "source `{name}`: the MongoDB URL must name the database, as in mongodb://host:27017/shop"
            ))
        })?;
        Ok(MongoSource {
            name: name.to_string(),
            url: url.clone(),
            database,
            password,
            budget: Budget::from_config(config),
            client: OnceCell::new(),
        })
    }

    async fn db(&self) -> Result<Database, SourceError> {
        let client = self
            .client
            .get_or_try_init(|| async {
                let mut options = ClientOptions::parse(self.url.expose()).await.map_err(|e| {
                    SourceError::Config(format!(
                        "source `{}`: {}",
                        self.name,
                        crate::config::redact(&e.to_string())
                    ))
                })?;
                options.app_name.get_or_insert_with(|| "picovis".to_string());
                if let (Some(password), Some(credential)) = (&self.password, options.credential.as_mut()) {
                    credential.password = Some(password.expose().to_string());
                }
                options.server_selection_timeout.get_or_insert(SELECT_TIMEOUT);
                options.connect_timeout.get_or_insert(SELECT_TIMEOUT);
                Client::with_options(options).map_err(driver)
            })
            .await?;
        Ok(client.database(&self.database))
    }

    async fn collection_table(&self, db: &Database, name: &str, view: bool) -> Result<Table, SourceError> {
        let collection = db.collection::<Document>(name);
        let pipeline = vec![doc! { "$sample": { "size": SAMPLE } }];
        let sample: Vec<Document> = collection
            .aggregate(pipeline)
            .max_time(self.budget.timeout)
            .await
            .map_err(driver)?
            .try_collect()
            .await
            .map_err(driver)?;
        let row_estimate = if view {
            None
        } else {
            collection.estimated_document_count().await.ok().and_then(|n| i64::try_from(n).ok())
        };
        let mut indexes = Vec::new();
        if !view {
            let mut cursor = collection.list_indexes().await.map_err(driver)?;
            while let Some(index) = cursor.try_next().await.map_err(driver)? {
                let options = index.options.unwrap_or_default();
                indexes.push(Index {
                    name: options.name.unwrap_or_default(),
                    columns: index.keys.keys().cloned().collect(),
                    unique: options.unique.unwrap_or(false),
                });
            }
        }
        Ok(Table {
            schema: self.database.clone(),
            name: name.to_string(),
            kind: if view { TableKind::View } else { TableKind::Table },
            comment: None,
            row_estimate,
            columns: infer::fields(&sample),
            primary_key: vec!["_id".to_string()],
            foreign_keys: Vec::new(),
            indexes,
        })
    }

    /// Runs `query` and feeds its documents (or its plan, or its count) to `sink` within `budget`.
    async fn run(
        &self,
        query: &MongoQuery,
        budget: Budget,
        sink: &mut dyn RowSink,
    ) -> Result<RunSummary, SourceError> {
        let started = Instant::now();
        let db = self.db().await?;
        let collection = db.collection::<Document>(&query.collection);
        let documents: Vec<Document> = if query.explain {
            vec![self.explain(&db, query).await?]
        } else {
            match &query.operation {
                MongoOperation::Find { filter, projection, sort, limit, skip } => {
                    // One more than the budget, to tell "exactly the cap" from "cut off".
                    let cap = i64::try_from(budget.max_rows.saturating_add(1)).unwrap_or(i64::MAX);
                    let limit = limit.map_or(cap, |l| i64::try_from(l).unwrap_or(i64::MAX).min(cap));
                    let mut find = collection.find(bson(filter)?).limit(limit).max_time(budget.timeout);
                    if let Some(projection) = projection {
                        find = find.projection(bson(projection)?);
                    }
                    if let Some(sort) = sort {
                        find = find.sort(bson(sort)?);
                    }
                    if let Some(skip) = skip {
                        find = find.skip(*skip);
                    }
                    return self.drain(find.await.map_err(driver)?, budget, sink, started).await;
                }
                MongoOperation::Aggregate { pipeline } => {
                    let mut stages = pipeline.iter().map(bson).collect::<Result<Vec<_>, _>>()?;
                    let cap = i64::try_from(budget.max_rows.saturating_add(1)).unwrap_or(i64::MAX);
                    stages.push(doc! { "$limit": cap });
                    let cursor =
                        collection.aggregate(stages).max_time(budget.timeout).await.map_err(driver)?;
                    return self.drain(cursor, budget, sink, started).await;
                }
                MongoOperation::Count { filter } => {
                    let count = collection
                        .count_documents(bson(filter)?)
                        .max_time(budget.timeout)
                        .await
                        .map_err(driver)?;
                    vec![doc! { "count": i64::try_from(count).unwrap_or(i64::MAX) }]
                }
                MongoOperation::Distinct { field, filter } => {
                    let values = collection
                        .distinct(field.as_str(), bson(filter)?)
                        .max_time(budget.timeout)
                        .await
                        .map_err(driver)?;
                    values.into_iter().map(|value| doc! { field.as_str(): value }).collect()
                }
            }
        };
        let stream = futures_util::stream::iter(documents.into_iter().map(Ok::<_, SourceError>));
        self.drain(stream, budget, sink, started).await
    }

    async fn explain(&self, db: &Database, query: &MongoQuery) -> Result<Document, SourceError> {
        let collection = query.collection.as_str();
        let command = match &query.operation {
            MongoOperation::Find { filter, projection, sort, limit, skip } => {
                let mut find = doc! { "find": collection, "filter": bson(filter)? };
                if let Some(projection) = projection {
                    find.insert("projection", bson(projection)?);
                }
                if let Some(sort) = sort {
                    find.insert("sort", bson(sort)?);
                }
                if let Some(limit) = limit {
                    find.insert("limit", i64::try_from(*limit).unwrap_or(i64::MAX));
                }
                if let Some(skip) = skip {
                    find.insert("skip", i64::try_from(*skip).unwrap_or(i64::MAX));
                }
                find
            }
            MongoOperation::Aggregate { pipeline } => {
                let stages = pipeline.iter().map(bson).collect::<Result<Vec<_>, _>>()?;
                doc! { "aggregate": collection, "pipeline": stages, "cursor": {} }
            }
            MongoOperation::Count { filter } => doc! { "count": collection, "query": bson(filter)? },
            MongoOperation::Distinct { field, filter } => {
                doc! { "distinct": collection, "key": field.as_str(), "query": bson(filter)? }
            }
        };
        let explain = doc! {
            "explain": command,
            "verbosity": "queryPlanner",
            "maxTimeMS": i64::try_from(self.budget.timeout.as_millis()).unwrap_or(i64::MAX),
        };
        db.run_command(explain).await.map_err(driver)
    }

    /// Meters documents from `stream` into `sink`: they are held (at most the budget, counted as they
    /// arrive) until the stream ends, because the columns are the union of the documents' fields. Then
    /// each becomes a row of those columns and is metered again as it is sent, since a row carries a NULL
    /// for every field its document lacks.
    async fn drain<S, E>(
        &self,
        stream: S,
        budget: Budget,
        sink: &mut dyn RowSink,
        started: Instant,
    ) -> Result<RunSummary, SourceError>
    where
        S: futures_util::Stream<Item = Result<Document, E>> + Unpin,
        E: Into<SourceError>,
    {
        let mut stream = stream;
        let mut arriving = Meter::new(budget);
        let mut truncated = None;
        let mut kept = Vec::new();
        while let Some(document) = stream.try_next().await.map_err(Into::into)? {
            let cost: u64 = document
                .iter()
                .map(|(name, v)| size::value_len(&flatten::value(v)) + size::column_cost(name))
                .sum::<u64>()
                + size::ROW_COST;
            match arriving.admit_cost(cost) {
                Admit::Yes => kept.push(document),
                Admit::Stop(reason) => {
                    truncated = Some(reason);
                    break;
                }
            }
        }
        drop(stream);
        let columns = flatten::columns(&kept);
        sink.columns(&columns)?;
        let mut sent = Meter::with_columns(budget, &columns);
        for document in &kept {
            let row = flatten::row(document, &columns);
            match sent.admit(&row) {
                Admit::Yes => sink.row(row)?,
                Admit::Stop(reason) => {
                    truncated = Some(reason);
                    break;
                }
            }
        }
        let summary =
            RunSummary { rows: sent.rows(), bytes: sent.bytes(), truncated, elapsed: started.elapsed() };
        sink.finish(&summary)?;
        Ok(summary)
    }
}

impl From<mongodb::error::Error> for SourceError {
    fn from(error: mongodb::error::Error) -> Self {
        driver(error)
    }
}

#[async_trait]
impl Source for MongoSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn dialect(&self) -> Dialect {
        Dialect::Mongo
    }

    fn budget(&self) -> Budget {
        self.budget
    }

    async fn ping(&self) -> Result<ServerInfo, SourceError> {
        let db = self.db().await?;
        db.run_command(doc! { "ping": 1 }).await.map_err(driver)?;
        let info = db.run_command(doc! { "buildInfo": 1 }).await.map_err(driver)?;
        let version = info.get_str("version").unwrap_or("unknown").to_string();
        Ok(ServerInfo { version: format!("MongoDB {version}") })
    }

    async fn introspect(&self, _options: IntrospectOptions) -> Result<SchemaSnapshot, SourceError> {
        let server_version = self.ping().await?.version;
        let db = self.db().await?;
        let mut specifications = db.list_collections().await.map_err(driver)?;
        let mut found = Vec::new();
        while let Some(spec) = specifications.try_next().await.map_err(driver)? {
            if spec.name.starts_with("system.") {
                continue;
            }
            let view = matches!(spec.collection_type, mongodb::results::CollectionType::View);
            found.push((spec.name, view));
        }
        found.sort();
        let mut tables = Vec::with_capacity(found.len());
        for (name, view) in found {
            tables.push(self.collection_table(&db, &name, view).await?);
        }
        Ok(SchemaSnapshot { source: self.name.clone(), dialect: Dialect::Mongo, server_version, tables })
    }

    async fn stream(
        &self,
        query: &ReadOnlyQuery,
        budget: Budget,
        sink: &mut dyn RowSink,
    ) -> Result<RunSummary, SourceError> {
        super::pump::check_dialect(query, Dialect::Mongo)?;
        let mongo = query.mongo().ok_or_else(|| {
            SourceError::Internal("a MongoDB source was given a query without its checked form".into())
        })?;
        // The client deadline covers the whole read: an aggregation's first batch can take as long as
        // the whole computation, should a server not honour maxTimeMS.
        tokio::time::timeout(budget.timeout + budget.client_grace(), self.run(mongo, budget, sink))
            .await
            .map_err(|_| SourceError::Timeout(budget.timeout))?
    }

    async fn write_access(&self) -> Result<WriteAccess, SourceError> {
        let db = self.db().await?;
        let status =
            db.run_command(doc! { "connectionStatus": 1, "showPrivileges": true }).await.map_err(driver)?;
        let auth = status.get_document("authInfo").ok();
        let users = auth.and_then(|a| a.get_array("authenticatedUsers").ok()).map_or(0, |u| u.len());
        let suggestion = Some(format!(
            "db.getSiblingDB(\"admin\").createUser({{user: \"picovis\", pwd: passwordPrompt(), roles: [{{role: \"read\", db: \"{}\"}}]}})",
            self.database
        ));
        if users == 0 {
            return Ok(WriteAccess {
                can_write: true,
                detail: "the server does not require a login, so this connection can write".into(),
                suggestion,
            });
        }
        let mut writes: Vec<String> = Vec::new();
        for privilege in
            auth.and_then(|a| a.get_array("authenticatedUserPrivileges").ok()).into_iter().flatten()
        {
            let Bson::Document(privilege) = privilege else { continue };
            for action in privilege.get_array("actions").into_iter().flatten() {
                if let Bson::String(action) = action
                    && WRITE_ACTIONS.contains(&action.as_str())
                    && !writes.contains(action)
                {
                    writes.push(action.clone());
                }
            }
        }
        // Roles outside the read-only built-ins may write, whatever privileges the server lists.
        for role in auth.and_then(|a| a.get_array("authenticatedUserRoles").ok()).into_iter().flatten() {
            if let Bson::Document(role) = role
                && let Ok(name) = role.get_str("role")
                && !READ_ONLY_ROLES.contains(&name)
            {
                writes.push(format!("use the role `{name}`"));
            }
        }
        if writes.is_empty() {
            Ok(WriteAccess {
                can_write: false,
                detail: "the user holds read-only roles".into(),
                suggestion: None,
            })
        } else {
            writes.sort();
            writes.dedup();
            Ok(WriteAccess {
                can_write: true,
                detail: format!("the user may {}", writes.join(", ")),
                suggestion,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::database_of;

    #[test]
    fn the_database_comes_from_the_url_path() {
        assert_eq!(database_of("mongodb://u:p@h:27017/shop?authSource=admin").as_deref(), Some("shop"));
        assert_eq!(database_of("mongodb+srv://cluster.example.net/analytics").as_deref(), Some("analytics"));
        assert_eq!(database_of("mongodb://h:27017/"), None);
        assert_eq!(database_of("mongodb://h:27017"), None);
    }
}
