//! A Qdrant server for tests, speaking Qdrant's own gRPC protocol: the services are the server traits
//! generated from Qdrant's `.proto` files and shipped in `qdrant-client`, so every request and reply
//! goes over HTTP/2 in the exact wire format a real server uses. No Qdrant server can be installed on
//! these machines (see the README), so this is the most faithful stand-in available.
//!
//! It keeps collections in memory and implements what Picovis calls, with Qdrant's documented
//! semantics: cosine vectors normalised on the way in, payloads, collection metadata, scroll pages that
//! hand back the next page's first id, nearest-neighbour queries, the `api-key` header (health checks exempt), and Qdrant's
//! error statuses (NotFound for a missing collection, InvalidArgument for a wrong dimension). Every other
//! RPC answers Unimplemented, so a client call this server does not model fails loudly.

#![allow(dead_code)]

use ::qdrant_client::qdrant::collections_server::{Collections, CollectionsServer};
use ::qdrant_client::qdrant::points_server::{Points, PointsServer};
use ::qdrant_client::qdrant::qdrant_server::{Qdrant, QdrantServer};
use ::qdrant_client::qdrant::*;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use tonic::{Request, Response, Status};

/// One stored point.
#[derive(Debug, Clone)]
struct Point {
    id: PointId,
    vector: Vec<f32>,
    payload: HashMap<String, Value>,
}

#[derive(Debug, Default)]
struct Collection {
    size: usize,
    metadata: HashMap<String, Value>,
    /// Keyed by the id's text, so scroll order is stable.
    points: BTreeMap<String, Point>,
}

#[derive(Debug, Default)]
struct State {
    collections: HashMap<String, Collection>,
}

/// What the server does differently from a current Qdrant.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Required in the `api-key` header, as a Qdrant server with `service.api_key` set does.
    pub api_key: Option<String>,
    /// Drop collection metadata, as servers from before collection metadata existed do (they ignore
    /// the unknown field).
    pub without_metadata: bool,
}

/// A running server.
#[derive(Debug)]
pub struct TestQdrant {
    /// The gRPC URL to give the client.
    pub url: String,
    state: Arc<Mutex<State>>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl TestQdrant {
    /// Starts a server on a free local port, served on the current runtime until dropped.
    pub async fn start(options: Options) -> TestQdrant {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let service = Service { state: state.clone(), without_metadata: options.without_metadata };
        let key = options.api_key.clone();
        let check = move |request: Request<()>| -> Result<Request<()>, Status> {
            match &key {
                Some(key) if request.metadata().get("api-key").and_then(|v| v.to_str().ok()) != Some(key) => {
                    Err(Status::unauthenticated("Must provide an API key or an Authorization bearer token"))
                }
                _ => Ok(request),
            }
        };
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
        tokio::spawn(
            tonic::transport::Server::builder()
                // Qdrant answers health checks without a key, like this.
                .add_service(QdrantServer::new(service.clone()))
                .add_service(CollectionsServer::with_interceptor(service.clone(), check.clone()))
                .add_service(PointsServer::with_interceptor(service, check))
                .serve_with_incoming_shutdown(incoming, async {
                    let _ = stop.await;
                }),
        );
        TestQdrant { url, state, _shutdown: shutdown }
    }

    /// How many points `collection` holds (the server's own count, not the client's view).
    pub fn points(&self, collection: &str) -> usize {
        self.state.lock().unwrap().collections.get(collection).map_or(0, |c| c.points.len())
    }

    /// The names of the collections.
    pub fn collections(&self) -> Vec<String> {
        let mut names: Vec<String> = self.state.lock().unwrap().collections.keys().cloned().collect();
        names.sort();
        names
    }
}

#[derive(Debug, Clone)]
struct Service {
    state: Arc<Mutex<State>>,
    without_metadata: bool,
}

fn missing(name: &str) -> Status {
    Status::not_found(format!("Not found: Collection `{name}` doesn't exist!"))
}

fn id_text(id: &PointId) -> String {
    match &id.point_id_options {
        Some(point_id::PointIdOptions::Num(n)) => format!("{n:020}"),
        Some(point_id::PointIdOptions::Uuid(uuid)) => uuid.to_lowercase(),
        None => String::new(),
    }
}

fn normalised(mut vector: Vec<f32>) -> Vec<f32> {
    let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        vector.iter_mut().for_each(|x| *x /= norm);
    }
    vector
}

#[allow(deprecated)]
fn dense(vectors: Option<Vectors>) -> Result<Vec<f32>, Status> {
    match vectors.and_then(|v| v.vectors_options) {
        Some(vectors::VectorsOptions::Vector(vector)) => match vector.vector {
            Some(vector::Vector::Dense(dense)) => Ok(dense.data),
            None if !vector.data.is_empty() => Ok(vector.data),
            _ => Err(Status::invalid_argument("Wrong input: only unnamed dense vectors are served here")),
        },
        _ => Err(Status::invalid_argument("Wrong input: only unnamed dense vectors are served here")),
    }
}

fn wants_payload(selector: Option<&WithPayloadSelector>) -> bool {
    matches!(
        selector.and_then(|s| s.selector_options.as_ref()),
        Some(with_payload_selector::SelectorOptions::Enable(true))
    )
}

fn done() -> PointsOperationResponse {
    PointsOperationResponse {
        result: Some(UpdateResult { operation_id: Some(0), status: UpdateStatus::Completed as i32 }),
        ..Default::default()
    }
}

fn collection_done() -> CollectionOperationResponse {
    CollectionOperationResponse { result: true, ..Default::default() }
}

/// An `async_trait` impl of a generated service trait: the methods written out, plus one answering
/// Unimplemented for each RPC listed after them (the attribute must see the expanded methods, so the
/// whole impl is produced here).
macro_rules! service_impl {
    (impl $service:ident { $($methods:tt)* } unimplemented { $($name:ident($request:ident) -> $response:ident),* $(,)? }) => {
        #[tonic::async_trait]
        impl $service for Service {
            $($methods)*
            $(
                async fn $name(&self, _: Request<$request>) -> Result<Response<$response>, Status> {
                    Err(Status::unimplemented(concat!(stringify!($name), " is not served by the test server")))
                }
            )*
        }
    };
}

#[tonic::async_trait]
impl Qdrant for Service {
    async fn health_check(
        &self,
        _: Request<HealthCheckRequest>,
    ) -> Result<Response<HealthCheckReply>, Status> {
        Ok(Response::new(HealthCheckReply {
            title: "qdrant - vector search engine".into(),
            version: "1.16.0".into(),
            commit: None,
        }))
    }
}

service_impl! {
impl Collections {
    async fn get(
        &self,
        request: Request<GetCollectionInfoRequest>,
    ) -> Result<Response<GetCollectionInfoResponse>, Status> {
        let name = request.into_inner().collection_name;
        let state = self.state.lock().unwrap();
        let collection = state.collections.get(&name).ok_or_else(|| missing(&name))?;
        let params = VectorParams {
            size: collection.size as u64,
            distance: Distance::Cosine as i32,
            ..Default::default()
        };
        let config = CollectionConfig {
            params: Some(CollectionParams {
                shard_number: 1,
                vectors_config: Some(VectorsConfig { config: Some(vectors_config::Config::Params(params)) }),
                ..Default::default()
            }),
            metadata: collection.metadata.clone(),
            ..Default::default()
        };
        Ok(Response::new(GetCollectionInfoResponse {
            result: Some(CollectionInfo {
                status: CollectionStatus::Green as i32,
                points_count: Some(collection.points.len() as u64),
                config: Some(config),
                ..Default::default()
            }),
            time: 0.0,
        }))
    }

    async fn list(
        &self,
        _: Request<ListCollectionsRequest>,
    ) -> Result<Response<ListCollectionsResponse>, Status> {
        let state = self.state.lock().unwrap();
        let collections =
            state.collections.keys().map(|name| CollectionDescription { name: name.clone() }).collect();
        Ok(Response::new(ListCollectionsResponse { collections, time: 0.0 }))
    }

    async fn create(
        &self,
        request: Request<CreateCollection>,
    ) -> Result<Response<CollectionOperationResponse>, Status> {
        let create = request.into_inner();
        let size = match create.vectors_config.and_then(|v| v.config) {
            Some(vectors_config::Config::Params(params)) if params.distance == Distance::Cosine as i32 => {
                params.size as usize
            }
            _ => {
                return Err(Status::invalid_argument(
                    "Wrong input: only unnamed cosine vectors are served here",
                ));
            }
        };
        let mut state = self.state.lock().unwrap();
        if state.collections.contains_key(&create.collection_name) {
            return Err(Status::invalid_argument(format!(
                "Wrong input: Collection `{}` already exists!",
                create.collection_name
            )));
        }
        let metadata = if self.without_metadata { HashMap::new() } else { create.metadata };
        state
            .collections
            .insert(create.collection_name, Collection { size, metadata, points: BTreeMap::new() });
        Ok(Response::new(collection_done()))
    }

    async fn delete(
        &self,
        request: Request<DeleteCollection>,
    ) -> Result<Response<CollectionOperationResponse>, Status> {
        let name = request.into_inner().collection_name;
        let removed = self.state.lock().unwrap().collections.remove(&name).is_some();
        Ok(Response::new(CollectionOperationResponse { result: removed, ..Default::default() }))
    }

    async fn collection_exists(
        &self,
        request: Request<CollectionExistsRequest>,
    ) -> Result<Response<CollectionExistsResponse>, Status> {
        let name = request.into_inner().collection_name;
        let exists = self.state.lock().unwrap().collections.contains_key(&name);
        Ok(Response::new(CollectionExistsResponse { result: Some(CollectionExists { exists }), time: 0.0 }))
    }

}
    unimplemented {
        update(UpdateCollection) -> CollectionOperationResponse,
        update_aliases(ChangeAliases) -> CollectionOperationResponse,
        list_collection_aliases(ListCollectionAliasesRequest) -> ListAliasesResponse,
        list_aliases(ListAliasesRequest) -> ListAliasesResponse,
        collection_cluster_info(CollectionClusterInfoRequest) -> CollectionClusterInfoResponse,
        update_collection_cluster_setup(UpdateCollectionClusterSetupRequest) -> UpdateCollectionClusterSetupResponse,
        create_shard_key(CreateShardKeyRequest) -> CreateShardKeyResponse,
        delete_shard_key(DeleteShardKeyRequest) -> DeleteShardKeyResponse,
        list_shard_keys(ListShardKeysRequest) -> ListShardKeysResponse,
    }
}

service_impl! {
impl Points {
    async fn upsert(
        &self,
        request: Request<UpsertPoints>,
    ) -> Result<Response<PointsOperationResponse>, Status> {
        let upsert = request.into_inner();
        let mut state = self.state.lock().unwrap();
        let name = upsert.collection_name;
        let collection = state.collections.get_mut(&name).ok_or_else(|| missing(&name))?;
        let mut points = Vec::with_capacity(upsert.points.len());
        for point in upsert.points {
            let id =
                point.id.ok_or_else(|| Status::invalid_argument("Wrong input: a point without an id"))?;
            let vector = dense(point.vectors)?;
            if vector.len() != collection.size {
                return Err(Status::invalid_argument(format!(
                    "Wrong input: Vector dimension error: expected dim: {}, got {}",
                    collection.size,
                    vector.len()
                )));
            }
            points.push(Point { id, vector: normalised(vector), payload: point.payload });
        }
        for point in points {
            collection.points.insert(id_text(&point.id), point);
        }
        Ok(Response::new(done()))
    }

    async fn delete(
        &self,
        request: Request<DeletePoints>,
    ) -> Result<Response<PointsOperationResponse>, Status> {
        let delete = request.into_inner();
        let mut state = self.state.lock().unwrap();
        let name = delete.collection_name;
        let collection = state.collections.get_mut(&name).ok_or_else(|| missing(&name))?;
        match delete.points.and_then(|p| p.points_selector_one_of) {
            Some(points_selector::PointsSelectorOneOf::Points(list)) => {
                for id in &list.ids {
                    collection.points.remove(&id_text(id));
                }
            }
            _ => return Err(Status::invalid_argument("Wrong input: only deletes by id are served here")),
        }
        Ok(Response::new(done()))
    }

    async fn scroll(&self, request: Request<ScrollPoints>) -> Result<Response<ScrollResponse>, Status> {
        let scroll = request.into_inner();
        let state = self.state.lock().unwrap();
        let name = scroll.collection_name;
        let collection = state.collections.get(&name).ok_or_else(|| missing(&name))?;
        let limit = scroll.limit.unwrap_or(10) as usize;
        let start = scroll.offset.as_ref().map(id_text).unwrap_or_default();
        let payload = wants_payload(scroll.with_payload.as_ref());
        let mut page = collection.points.range(start..);
        let result = page
            .by_ref()
            .take(limit)
            .map(|(_, point)| RetrievedPoint {
                id: Some(point.id.clone()),
                payload: if payload { point.payload.clone() } else { HashMap::new() },
                ..Default::default()
            })
            .collect();
        let next_page_offset = page.next().map(|(_, point)| point.id.clone());
        Ok(Response::new(ScrollResponse { next_page_offset, result, ..Default::default() }))
    }

    async fn query(&self, request: Request<QueryPoints>) -> Result<Response<QueryResponse>, Status> {
        let query = request.into_inner();
        let state = self.state.lock().unwrap();
        let name = query.collection_name;
        let collection = state.collections.get(&name).ok_or_else(|| missing(&name))?;
        let vector = match query.query.and_then(|q| q.variant) {
            Some(query::Variant::Nearest(VectorInput {
                variant: Some(vector_input::Variant::Dense(dense)),
            })) => dense.data,
            _ => {
                return Err(Status::invalid_argument(
                    "Wrong input: only nearest dense queries are served here",
                ));
            }
        };
        if vector.len() != collection.size {
            return Err(Status::invalid_argument(format!(
                "Wrong input: Vector dimension error: expected dim: {}, got {}",
                collection.size,
                vector.len()
            )));
        }
        let vector = normalised(vector);
        let payload = wants_payload(query.with_payload.as_ref());
        let mut scored: Vec<ScoredPoint> = collection
            .points
            .values()
            .map(|point| ScoredPoint {
                id: Some(point.id.clone()),
                payload: if payload { point.payload.clone() } else { HashMap::new() },
                score: point.vector.iter().zip(&vector).map(|(a, b)| a * b).sum(),
                ..Default::default()
            })
            .collect();
        scored.sort_by(|a, b| b.score.total_cmp(&a.score));
        scored.truncate(query.limit.unwrap_or(10) as usize);
        Ok(Response::new(QueryResponse { result: scored, ..Default::default() }))
    }

}
    unimplemented {
        get(GetPoints) -> GetResponse,
        update_vectors(UpdatePointVectors) -> PointsOperationResponse,
        delete_vectors(DeletePointVectors) -> PointsOperationResponse,
        set_payload(SetPayloadPoints) -> PointsOperationResponse,
        overwrite_payload(SetPayloadPoints) -> PointsOperationResponse,
        delete_payload(DeletePayloadPoints) -> PointsOperationResponse,
        clear_payload(ClearPayloadPoints) -> PointsOperationResponse,
        create_field_index(CreateFieldIndexCollection) -> PointsOperationResponse,
        delete_field_index(DeleteFieldIndexCollection) -> PointsOperationResponse,
        create_vector_name(CreateVectorNameRequest) -> PointsOperationResponse,
        delete_vector_name(DeleteVectorNameRequest) -> PointsOperationResponse,
        search(SearchPoints) -> SearchResponse,
        search_batch(SearchBatchPoints) -> SearchBatchResponse,
        search_groups(SearchPointGroups) -> SearchGroupsResponse,
        recommend(RecommendPoints) -> RecommendResponse,
        recommend_batch(RecommendBatchPoints) -> RecommendBatchResponse,
        recommend_groups(RecommendPointGroups) -> RecommendGroupsResponse,
        discover(DiscoverPoints) -> DiscoverResponse,
        discover_batch(DiscoverBatchPoints) -> DiscoverBatchResponse,
        count(CountPoints) -> CountResponse,
        update_batch(UpdateBatchPoints) -> UpdateBatchResponse,
        query_batch(QueryBatchPoints) -> QueryBatchResponse,
        query_groups(QueryPointGroups) -> QueryGroupsResponse,
        facet(FacetCounts) -> FacetResponse,
        search_matrix_pairs(SearchMatrixPoints) -> SearchMatrixPairsResponse,
        search_matrix_offsets(SearchMatrixPoints) -> SearchMatrixOffsetsResponse,
    }
}
